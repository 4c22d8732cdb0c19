// Laws of dirty tracking from G-stage D bits (src/hypervisor/redundancy/dirty-bits.ts), on the golden
// hypervisor programs (run with hardware G-stage A/D updating: Svadu, menvcfg.ADUE = 1 from reset) and
// dguest (which turns it on itself), under random checkpoint intervals and random faults:
// - where both apply the D-bit dirty set is the version dirty set: at each checkpoint, for the leaves the
//   tracker armed and that are still in place, every page a store wrote through the G-stage is found by D
//   bits; every leaf found dirty holds a page the versions list as written (a 4 KiB leaf: that page); and
//   a written page under them that D bits did not find was written otherwise than through the G-stage (a
//   store at V=0 or in M, or the hart's D update of a G-stage leaf) — so without such writes the sets are equal;
// - incremental checkpoints with dbits still give backup ≡ primary after each commit, and the released
//   log is the uninterrupted run's (which is Spike's: the programs never read their G-stage PTEs).
// The stores are taken from the step fold's events, independently of both the D bits and the versions.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../../src/bits/address.ts'
import { changedPages, peek } from '../../../src/memory/memory.ts'
import { PTE_A, PTE_D } from '../../../src/mmu/pte.ts'
import { type Fault, type RedundancyEvent, protectedRun } from '../../../src/hypervisor/redundancy/failover.ts'
import { migrate } from '../../../src/hypervisor/redundancy/migration.ts'
import { sameMachine } from '../../../src/hypervisor/redundancy/same-state.ts'
import { type Machine } from '../../../src/machine/machine.ts'
import {
  type StoreStretch, foldAdvance, loadGolden, loadRedundancyGolden, spikeLog, storeAdvance, withGStageAdue,
} from '../../../spec/hypervisor/redundancy/programs.ts'
import { fc, runs } from '../../fc.ts'

const PROGRAMS: readonly (readonly [string, Machine])[] = [
  ['hvdemo', withGStageAdue(loadGolden('hvdemo', 'rv64imah_zicsr_svadu'))],
  ['hyp', withGStageAdue(loadGolden('hyp', 'rv64imah_zicsr_svadu'))],
  ['dguest', loadRedundancyGolden('dguest', 'rv64imah_zicsr_svadu')],
]
const whole = PROGRAMS.map(([, m]) => foldAdvance(m, 50_000))

test('the programs under hardware G-stage A/D updating still give Spike\'s logs (the uninterrupted runs the law compares with)', () => {
  PROGRAMS.forEach(([name], i) => {
    const want = name === 'dguest' ? undefined : spikeLog(name)
    if (want !== undefined) assert.is(whole[i]!.trace, want, name)
    assert.is(whole[i]!.machine.htif.exitCode, 0, name)
  })
})

const faultArb = (steps: number): fc.Arbitrary<Fault> => fc.oneof(
  fc.integer({ min: 0, max: steps }).map((at): Fault => ({ kind: 'step', at })),
  fc.record({ kind: fc.constant('copy' as const), at: fc.integer({ min: 0, max: steps }), after: fc.integer({ min: 0, max: 4 }) }),
)
const scenarioArb = fc.integer({ min: 0, max: PROGRAMS.length - 1 }).chain((p) => fc.record({
  p: fc.constant(p),
  every: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 13, max: 400 })),
  faults: fc.array(faultArb(whole[p]!.steps), { maxLength: 3 }),
}))

const AD = PTE_A | PTE_D

test('where both apply the D-bit dirty set is the version dirty set; backup ≡ primary after each commit; the released log is the uninterrupted run\'s', () => {
  let compared = 0, superpages = 0
  fc.assert(fc.property(scenarioArb, ({ p, every, faults }) => {
    const [name, m0] = PROGRAMS[p]!
    let log = ''
    let last: Extract<RedundancyEvent<StoreStretch>, { _tag: 'Checkpoint' }> | undefined
    protectedRun(m0, { every, mode: 'incremental', dirtySource: 'dbits', faults, maxSteps: 50_000, bandwidth: 1 << 30 }, storeAdvance, (e) => {
      if (e._tag === 'Checkpoint') {
        assert.ok(sameMachine(e.backup, e.primary), `${name}: checkpoint ${e.index} at ${e.position}`)
        last = e
        return
      }
      if (e._tag !== 'Release') return
      log += e.traces.map((t) => t.log).join('')
      const d = last?.dbits
      if (d === undefined) return
      // The interval's stores, from the events of the surviving stretches since the last commit.
      // Outside the G-stage: stores without a GPA, and the hart's own D updates of the armed leaves (a
      // PTE write at a physical address: hyp's G-stage tables lie under its own 1 GiB identity leaf).
      const viaG = new Set(e.traces.flatMap((t) => t.viaG))
      const other = new Set([...e.traces.flatMap((t) => t.other),
        ...d.tracker.armed.filter((l) => peek(d.now, phys(l.pteAddr), 8) !== peek(d.base, phys(l.pteAddr), 8)).map((l) => Number(l.pteAddr >> 12n))])
      const versions = new Set(changedPages(d.base, d.now))
      const inPlace = d.tracker.armed.filter((l) => (peek(d.now, phys(l.pteAddr), 8) & ~AD) === (l.pte & ~AD))
      const dirtyLeaves = inPlace.filter((l) => (peek(d.now, phys(l.pteAddr), 8) & PTE_D) !== 0n)
      const within = (pn: number, ls: typeof inPlace): boolean => ls.some((l) => pn >= l.hostPn && pn < l.hostPn + l.pages)
      const byD = new Set(d.dirty.byDBits)
      assert.equal(d.dirty.dirtyLeaves.map((l) => l.pteAddr), dirtyLeaves.map((l) => l.pteAddr), `${name}: the leaves with D = 1`)
      for (const pn of viaG) if (within(pn, inPlace) && versions.has(pn)) assert.ok(byD.has(pn), `${name} at ${last!.position}: page ${pn.toString(16)} stored through the G-stage, not found by D bits`)
      for (const l of dirtyLeaves) {
        const range = [...versions].filter((pn) => pn >= l.hostPn && pn < l.hostPn + l.pages)
        assert.ok(range.length > 0, `${name} at ${last!.position}: leaf at ${l.pteAddr.toString(16)} has D = 1 and no page written`)
        if (l.pages > 1) superpages++
      }
      for (const pn of versions) {
        if (!within(pn, inPlace)) continue
        compared++
        if (!byD.has(pn)) assert.ok(other.has(pn), `${name} at ${last!.position}: page ${pn.toString(16)} written, not found by D bits, and no store outside the G-stage wrote it`)
      }
      for (const pn of byD) if (inPlace.some((l) => l.pages === 1 && l.hostPn === pn)) assert.ok(versions.has(pn), `${name}: 4 KiB page ${pn.toString(16)} found by D bits, not written`)
      last = undefined
    })
    assert.is(log, whole[p]!.trace, `${name}: the released log`)
  }), { numRuns: runs(14) })
  assert.ok(compared > 0, 'some written pages lay under armed leaves')
  assert.ok(superpages > 0, 'some superpage leaves were found dirty')
})

test('migration with dbits: the destination equals the source at switchover, and the migrated run is the unmigrated one', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: PROGRAMS.length - 1 }), fc.integer({ min: 0, max: 2500 }),
    fc.record({ bandwidth: fc.integer({ min: 4096, max: 1 << 22 }), downtimeMs: fc.integer({ min: 0, max: 5 }), maxRounds: fc.integer({ min: 1, max: 6 }), insnRate: fc.integer({ min: 1000, max: 400_000 }) }),
    (p, at, o) => {
      const before = foldAdvance(PROGRAMS[p]![1], at)
      const mig = migrate(before.machine, { ...o, autoConverge: false, dirtySource: 'dbits' }, foldAdvance)
      assert.ok(sameMachine(mig.destination, mig.source))
      const after = foldAdvance(mig.destination, 50_000)
      assert.is(before.trace + mig.traces.join('') + after.trace, whole[p]!.trace)
    }), { numRuns: runs(10) })
})

test.run()
