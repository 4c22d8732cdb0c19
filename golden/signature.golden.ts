// Compliance-style signatures of memvirt's own programs (golden/programs/sig*.S): the bytes between
// begin_signature and end_signature when the program exits, in Spike's +signature format, must equal the
// committed signature files byte for byte. Where programs.json says 'signatureSource: spike' the files
// were written by `spike +signature=FILE +signature-granularity=N`; 'hand' marks files worked out by hand
// from the program's source (named NAME.hand.sigN).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { parseElf } from '../src/elf/elf.ts'
import { parseIsa } from '../src/cpu/isa.ts'
import { loadMachine } from '../src/machine/machine.ts'
import { run } from '../src/machine/engine/run.ts'
import { signatureRegion, signatureText } from '../src/machine/signature.ts'

const DIR = new URL('./programs/', import.meta.url)
interface Entry { readonly isa: string; readonly signatures?: Record<string, string>; readonly signatureSource?: 'spike' | 'hand' }
const manifest = JSON.parse(readFileSync(new URL('programs.json', DIR), 'utf8')) as { programs: Record<string, Entry> }

for (const [name, entry] of Object.entries(manifest.programs)) {
  if (entry.signatures === undefined) continue
  for (const [granularity, file] of Object.entries(entry.signatures)) {
    test(`${name}: signature at granularity ${granularity} equals ${entry.signatureSource === 'spike' ? "Spike's" : 'the hand-worked one'} (${file})`, () => {
      const isa = parseIsa(entry.isa)
      const elf = parseElf(new Uint8Array(readFileSync(new URL(`${name}.elf`, DIR))))
      if (isa._tag === 'Left' || elf._tag === 'Left') throw new Error(`${name}: cannot load`)
      const m = loadMachine(isa.right, elf.right)
      if (m._tag === 'Left') throw new Error(m.left.message)
      const region = signatureRegion(elf.right, m.right.options.ram)
      if (region._tag === 'Left') throw new Error(region.left)
      const r = run(m.right, { maxSteps: 50_000 })
      assert.is(r.machine.htif.exitCode, 0)
      assert.fixture(signatureText(r.machine.memory, region.right, Number(granularity)), readFileSync(new URL(file, DIR), 'latin1'))
    })
  }
}

test.run()
