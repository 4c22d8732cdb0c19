// Compliance-style signatures of memvirt's own programs (golden/programs/sig*.S): the bytes between
// begin_signature and end_signature when the program exits, in Spike's +signature format, must equal the
// committed signature files byte for byte. Where programs.json says 'signatureSource: spike' the files
// were written by `spike +signature=FILE +signature-granularity=N`; 'hand' marks files worked out by hand
// from the program's source (named NAME.hand.sigN). 'qemuSignatures' (NAME.qemu.sig4) were read from
// QEMU's memory when the program reached write_tohost (make-qemu-signatures.sh): an independent check.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { loadGoldenProgram } from './programs/load.ts'
import { run } from '../src/machine/engine/run.ts'
import { signatureRegion, signatureText } from '../src/machine/signature.ts'

const DIR = new URL('./programs/', import.meta.url)
interface Entry {
  readonly isa: string
  readonly signatures?: Record<string, string>
  readonly signatureSource?: 'spike' | 'hand'
  readonly qemuSignatures?: Record<string, string>
}
const manifest = JSON.parse(readFileSync(new URL('programs.json', DIR), 'utf8')) as { programs: Record<string, Entry> }

/** memvirt's signature of program `name` at `granularity`, after its run to the HTIF exit. */
const signatureOf = (name: string, entry: Entry, granularity: number): string => {
  const { elf, machine } = loadGoldenProgram(name, entry.isa)
  const region = signatureRegion(elf, machine.options.ram)
  if (region._tag === 'Left') throw new Error(region.left)
  const r = run(machine, { maxSteps: 50_000 })
  assert.is(r.machine.htif.exitCode, 0)
  return signatureText(r.machine.memory, region.right, granularity)
}

for (const [name, entry] of Object.entries(manifest.programs)) {
  for (const [granularity, file] of Object.entries(entry.signatures ?? {})) {
    test(`${name}: signature at granularity ${granularity} equals ${entry.signatureSource === 'spike' ? "Spike's" : 'the hand-worked one'} (${file})`, () => {
      assert.fixture(signatureOf(name, entry, Number(granularity)), readFileSync(new URL(file, DIR), 'latin1'))
    })
  }
  for (const [granularity, file] of Object.entries(entry.qemuSignatures ?? {})) {
    test(`${name}: signature at granularity ${granularity} equals the words QEMU's memory holds (${file})`, () => {
      assert.fixture(signatureOf(name, entry, Number(granularity)), readFileSync(new URL(file, DIR), 'latin1'))
    })
  }
}

test.run()
