// Dirty pages found by G-stage D bits (`--dirty-source dbits`), hand-worked from the programs' sources,
// with a checkpoint after every step so that each store is an interval of its own:
// - dguest (golden/redundancy/dguest.S, its header works the counts): 6 stores to four 4 KiB data pages
//   (.bss `data`, host 0x8000_a000 …) are 6 pages; 6 stores to a 2 MiB leaf (host 0x8040_0000) find it dirty
//   and copy its pages that hold data then, 1 + 5 × 2 = 11; 17 in all, 6 distinct; nothing written under the
//   armed leaves otherwise than through the G-stage.
// - hvdemo (golden/programs/hvdemo.S, run with Svadu and menvcfg.ADUE = 1 from reset): the guest's 7 stores
//   to its own page tables (root[2], root[1], l1[0], l0[0 … 3]: host guest_root 0x8000_a000, guest_l1
//   0x8000_b000, guest_l0 0x8000_c000) and its 192 fills (64 lines in each of 3 pages, given out from
//   `pool` at 0x8000_d000 in fault order) are 199 pages, 6 distinct; the 4th pool page is only loaded.
//   The hypervisor writes its G-stage (gl0) at V=0: a page outside every armed leaf, not D bits'.
// Both released commit logs are the uninterrupted run's (dguest: Spike's, golden/redundancy/dguest.spike.commits;
// hvdemo: Spike's for the Svade build, golden/programs/hvdemo.spike.commits — its leaves have A and D preset).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { type Advance, type Fault, type RedundancyStats, protectedRun } from '../../src/hypervisor/redundancy/failover.ts'
import { run } from '../../src/machine/engine/run.ts'
import { CommitLogWriter } from '../../src/trace/engine/commit-log-writer.ts'
import { type Machine } from '../../src/machine/machine.ts'
import { foldAdvance, loadGolden, loadRedundancyGolden, spikeLog, withGStageAdue } from '../../spec/hypervisor/redundancy/programs.ts'

const everyStep = (m: Machine, faults: readonly Fault[] = []): { readonly log: string; readonly perCheckpoint: readonly (readonly number[])[]; readonly unseen: number; readonly stats: RedundancyStats } => {
  let log = ''
  const perCheckpoint: number[][] = []
  let unseen = 0
  const r = protectedRun(m, { every: 1, mode: 'incremental', dirtySource: 'dbits', faults, maxSteps: 50_000, bandwidth: 1 << 30 }, foldAdvance, (e) => {
    if (e._tag === 'Release') log += e.traces.join('')
    if (e._tag === 'Checkpoint' && e.dbits !== undefined) { perCheckpoint.push([...e.dbits.dirty.byDBits]); unseen += e.dbits.dirty.unseen.length }
  })
  return { log, perCheckpoint, unseen, stats: r.stats }
}
const distinct = (xs: readonly (readonly number[])[]): number[] => [...new Set(xs.flat())].sort((a, b) => a - b)
const total = (xs: readonly (readonly number[])[]): number => xs.reduce((n, x) => n + x.length, 0)

test('dguest, a checkpoint after every step: 17 pages by D bits (6 data stores, 11 superpage pages), 6 distinct, none written outside the G-stage; the log is Spike\'s', () => {
  const r = everyStep(loadRedundancyGolden('dguest', 'rv64imah_zicsr_svadu'), [{ kind: 'step', at: 150 }, { kind: 'copy', at: 170, after: 1 }])
  assert.is(total(r.perCheckpoint), 17)
  assert.equal(distinct(r.perCheckpoint), [0x8000a, 0x8000b, 0x8000c, 0x8000d, 0x80400, 0x80401])
  // The superpage's stores in order: page 0 alone, then pages 0 and 1 each time.
  assert.equal(r.perCheckpoint.filter((ps) => ps.some((pn) => pn >= 0x80400)), [[0x80400], [0x80400, 0x80401], [0x80400, 0x80401], [0x80400, 0x80401], [0x80400, 0x80401], [0x80400, 0x80401]])
  assert.is(r.unseen, 0)
  assert.is(r.stats.dbits?.byDBits, 17)
  assert.is(r.log, readFileSync(new URL('dguest.spike.commits', import.meta.url), 'latin1'))
})

test('hvdemo under Svadu, a checkpoint after every step: 199 pages by D bits (7 guest PTE stores, 192 fills), 6 distinct, none written outside the G-stage; the log is Spike\'s', () => {
  const r = everyStep(withGStageAdue(loadGolden('hvdemo', 'rv64imah_zicsr_svadu')))
  assert.is(total(r.perCheckpoint), 199)
  assert.equal(distinct(r.perCheckpoint), [0x8000a, 0x8000b, 0x8000c, 0x8000d, 0x8000e, 0x8000f])
  assert.is(r.unseen, 0)
  assert.is(r.log, spikeLog('hvdemo'))
})

// Through the fast engine and the byte writer, as `memvirt run --dirty-source dbits` runs: every golden
// hypervisor program with a Spike log, run with Svadu and menvcfg.ADUE = 1 from reset (their leaves have A
// and D preset, so nothing else changes), checkpointed every 37 steps with a fault at a third and one
// mid-copy at two thirds, releases Spike's log byte for byte — the engine's TLB mirror sees the entries whose
// D the tracker withdrew.
const engineAdvance: Advance<Buffer> = (m, maxSteps) => {
  const parts: Buffer[] = []
  const w = new CommitLogWriter((b, n) => parts.push(Buffer.from(b.subarray(0, n))))
  const r = run(m, { maxSteps }, { commits: w })
  w.flush()
  return { machine: r.machine, steps: r.steps, trace: Buffer.concat(parts) }
}
for (const name of ['hvdemo', 'hyp', 'remap_often', 'remap_rare']) {
  test(`${name} under Svadu through the fast engine, dbits checkpoints every 37 steps and two faults: the released log is Spike's`, () => {
    const m = withGStageAdue(loadGolden(name, 'rv64imah_zicsr_svadu'))
    const steps = run(m, { maxSteps: 50_000 }).steps
    const parts: Buffer[] = []
    const r = protectedRun(m, {
      every: 37, mode: 'incremental', dirtySource: 'dbits', maxSteps: 50_000, bandwidth: 1 << 30,
      faults: [{ kind: 'step', at: Math.floor(steps / 3) }, { kind: 'copy', at: Math.floor(2 * steps / 3), after: 1 }],
    }, engineAdvance, (e) => { if (e._tag === 'Release') parts.push(...e.traces) })
    assert.is(r.stats.failovers, 2)
    assert.ok((r.stats.dbits?.byDBits ?? 0) > 0, 'D bits found pages')
    assert.is(Buffer.concat(parts).toString('latin1'), spikeLog(name))
  })
}

test.run()
