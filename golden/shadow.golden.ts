// Every golden program with a committed Spike commit log (golden/programs/programs.json), run with its V=1
// translations answered by the model's VMM from shadow tables (`memvirt run --guest-translation shadow`):
// the commit log must still equal Spike's byte for byte, and the program pass its own checks. hvdemo and
// hyp run guests at V=1 (fetches, loads, stores, AMOs, HLV/HSV, MPRV with MPV=1, guest page-table
// writes and fences); the others show the VMM's hooks change nothing where nothing is virtualized.
// riscv-tests' hypervisor tests are compared the same way by bench/shadow/riscv-tests.sh.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { withTlb } from '../src/machine/machine.ts'
import { withGuest } from '../src/mmu/tlb.ts'
import { foldStepsFast } from '../src/machine/engine/run.ts'
import { commitLine } from '../src/trace/commit-log.ts'
import { ShadowVmm } from '../src/hypervisor/shadow/hart.ts'
import { loadGoldenProgram } from './programs/load.ts'

const DIR = new URL('./programs/', import.meta.url)
interface Entry { readonly isa: string; readonly spike?: string }
const manifest = JSON.parse(readFileSync(new URL('programs.json', DIR), 'utf8')) as { programs: Record<string, Entry> }

for (const [name, entry] of Object.entries(manifest.programs)) {
  if (entry.spike === undefined) continue
  const spikeLog = new URL(entry.spike, DIR)
  test(`${name} under --guest-translation shadow: exit 0 and Spike's commit log, byte for byte`, () => {
    const m = loadGoldenProgram(name, entry.isa).machine
    let log = ''
    const r = foldStepsFast(withTlb(m, withGuest(m.tlb, new ShadowVmm())), { maxSteps: 50_000 }, { event: (ev) => { log += commitLine(ev) } })
    assert.is(r.machine.htif.exitCode, 0)
    assert.fixture(log, readFileSync(spikeLog, 'utf8'))
    if (name === 'hvdemo' || name === 'hyp') assert.ok((r.machine.tlb.guest as ShadowVmm).stats.misses > 0, 'the guest translated through the shadow')
  })
}

test.run()
