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
import { foldStepsFast, run } from '../src/machine/engine/run.ts'
import { CommitLogWriter } from '../src/trace/engine/commit-log-writer.ts'
import { commitLine } from '../src/trace/commit-log.ts'
import { type GuestStats, NestedCounter, ShadowVmm } from '../src/hypervisor/shadow/hart.ts'
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
    if (name === 'hvdemo' || name === 'hyp' || name.startsWith('remap_')) assert.ok((r.machine.tlb.guest as ShadowVmm).stats.misses > 0, 'the guest translated through the shadow')
  })
}

/** The VMM's exits for a shadow run of a golden program. */
const shadowExits = (name: string): GuestStats => {
  const m = loadGoldenProgram(name, manifest.programs[name]!.isa).machine
  const r = foldStepsFast(withTlb(m, withGuest(m.tlb, new ShadowVmm())), { maxSteps: 50_000 })
  assert.is(r.machine.htif.exitCode, 0)
  return (r.machine.tlb.guest as ShadowVmm).stats
}

// The exits of golden/programs/remap.S, worked out from its source (ROUNDS rounds over PAGES window pages;
// each round stores one window leaf in wl0, fences that page, then touches every window page):
//  - table writes: ROUNDS − 1. Round 1's leaf store comes before any window page was touched, so no shadow
//    entry was built from wl0 yet and its page is not protected; from round 2 on, the other window pages'
//    entries were built from wl0, so each leaf store exits (and drops the remapped page's entry).
//  - fences: ROUNDS (one SFENCE.VMA per round).
//  - shadow misses, all fills: PAGES (round 1's first touches) + ROUNDS − 1 (the page remapped in rounds
//    2…ROUNDS, its entry dropped by the leaf store) + 1 (the guest's code page) + 1 (wl0's page, read
//    through the identity map) + PAGES (the frames read through the identity map for the final sum; the
//    remapped frames r ^ 1 are among them). Spike's TLB flush at each fence costs TLB misses, not exits:
//    the shadow entries outlive it.
//  - register changes 0: vsatp and hgatp are written once, in M-mode, before the guest runs.
for (const [name, pages, rounds] of [['remap_often', 2, 128], ['remap_rare', 128, 12]] as const) {
  test(`${name} under shadow: the VMM's exits, as worked out from remap.S`, () => {
    const s = shadowExits(name)
    assert.equal(
      { tableWrites: s.tableWriteExits, fences: s.fenceExits, shadowMisses: s.shadowMissExits, fills: s.fills, guestFaults: s.guestFaults, completed: s.completed, registers: s.registerExits },
      { tableWrites: rounds - 1, fences: rounds, shadowMisses: pages + rounds - 1 + 2 + pages, fills: pages + rounds - 1 + 2 + pages, guestFaults: 0, completed: 0, registers: 0 },
    )
  })
}

// The fast engine's entry (`run` with no event observer: compiled blocks where it can) must not go around
// a guest walker: compiled blocks translate through their own TLB mirror and two-stage walk and do not
// report their stores, so with a walker on the TLB `runFast` runs the step fold (machine/engine/run.ts;
// spec/machine/engine/guest-walker.spec.ts checks the hart for hvdemo; here the commit log and both walkers).
for (const name of ['hvdemo', 'remap_often'] as const) {
  for (const make of [() => new ShadowVmm(), () => new NestedCounter()]) {
    const walker0 = make()
    test(`${name}, ${walker0.name} walker: run (the fast engine's entry) gives the step fold's commit log and the same walker`, () => {
      const m = loadGoldenProgram(name, manifest.programs[name]!.isa).machine
      const start = withTlb(m, withGuest(m.tlb, walker0))
      const parts: Buffer[] = []
      const writer = new CommitLogWriter((b, n) => parts.push(Buffer.from(b.subarray(0, n))))
      const fast = run(start, { maxSteps: 50_000 }, { commits: writer })
      writer.flush()
      const folded = foldStepsFast(start, { maxSteps: 50_000 })
      assert.is(fast.machine.htif.exitCode, 0)
      assert.fixture(Buffer.concat(parts).toString('latin1'), readFileSync(new URL(manifest.programs[name]!.spike!, DIR), 'utf8'))
      const stats = (w: unknown): unknown => (w instanceof ShadowVmm || w instanceof NestedCounter ? w.stats : 'no walker')
      assert.equal(stats(fast.machine.tlb.guest), stats(folded.machine.tlb.guest))
      assert.ok((folded.machine.tlb.guest as ShadowVmm | NestedCounter).stats.misses > 0)
    })
  }
}

test.run()
