// Laws of dirty tracking from G-stage D bits (src/hypervisor/redundancy/dirty-bits.ts), on the golden
// hypervisor programs (run with hardware G-stage A/D updating: Svadu, menvcfg.ADUE = 1 from reset) and
// dguest (which turns it on itself), under random checkpoint intervals and random faults:
// - where both apply the D-bit dirty set is the version dirty set: at each checkpoint, for the leaves the
//   tracker armed and that are still in place, every page a store wrote through the G-stage is found by D
//   bits; every leaf found dirty holds a page the versions list as written (a 4 KiB leaf: that page), or one
//   a failed SC aimed at (an SC translates as a store, setting D, before it checks its reservation); and
//   a written page under them that D bits did not find was written otherwise than through the G-stage (a
//   store at V=0 or in M, or the hart's D update of a G-stage leaf) — so without such writes the sets are equal;
// - incremental checkpoints with dbits still give backup ≡ primary after each commit, and the released
//   log is the uninterrupted run's (which is Spike's: the programs never read their G-stage PTEs).
// The stores are taken from the step fold's events, independently of both the D bits and the versions.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../../src/bits/address.ts'
import { changedPages, peek, pokeBytes } from '../../../src/memory/memory.ts'
import { PTE_A, PTE_D } from '../../../src/mmu/pte.ts'
import { type Fault, type RedundancyEvent, protectedRun } from '../../../src/hypervisor/redundancy/failover.ts'
import { migrate } from '../../../src/hypervisor/redundancy/migration.ts'
import { sameMachine } from '../../../src/hypervisor/redundancy/same-state.ts'
import { type Machine, withHart, withMemory } from '../../../src/machine/machine.ts'
import { withCsrs, withX } from '../../../src/cpu/hart.ts'
import { ENVCFG_ADUE } from '../../../src/cpu/csr/fields.ts'
import { amoType, encode, iType, sType } from '../../../src/cpu/decode/index.ts'
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

type CheckpointEvent = Extract<RedundancyEvent<StoreStretch>, { _tag: 'Checkpoint' }>
interface Seen { compared: number; superpages: number; implicit: number }

/**
 * Runs `m0` under dbits checkpoints and checks the law at each commit against the stores of the
 * surviving stretches since the last one (the Release that follows each Checkpoint); returns the log released.
 */
const checkedRun = (name: string, m0: Machine, every: number, faults: readonly Fault[], seen: Seen): string => {
  let log = ''
  let last: CheckpointEvent | undefined
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
    const at = `${name} at ${last!.position}`
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
    const failedSc = new Set(e.traces.flatMap((t) => t.failedSc))
    assert.equal(d.dirty.dirtyLeaves.map((l) => l.pteAddr), dirtyLeaves.map((l) => l.pteAddr), `${name}: the leaves with D = 1`)
    for (const pn of viaG) if (within(pn, inPlace) && versions.has(pn)) assert.ok(byD.has(pn), `${at}: page ${pn.toString(16)} stored through the G-stage, not found by D bits`)
    for (const l of dirtyLeaves) {
      const range = [...versions].filter((pn) => pn >= l.hostPn && pn < l.hostPn + l.pages)
      assert.ok(range.length > 0 || [...failedSc].some((pn) => pn >= l.hostPn && pn < l.hostPn + l.pages), `${at}: leaf at ${l.pteAddr.toString(16)} has D = 1, no page written and no SC failed there`)
      if (l.pages > 1) seen.superpages++
    }
    for (const pn of versions) {
      if (!within(pn, inPlace)) continue
      seen.compared++
      if (!byD.has(pn)) assert.ok(other.has(pn), `${at}: page ${pn.toString(16)} written, not found by D bits, and nothing outside the G-stage wrote it`)
      else if (!viaG.has(pn) && !other.has(pn)) seen.implicit++     // written by an implicit access only (a VS-stage A/D update)
    }
    for (const pn of byD) if (inPlace.some((l) => l.pages === 1 && l.hostPn === pn)) assert.ok(versions.has(pn) || failedSc.has(pn), `${name}: 4 KiB page ${pn.toString(16)} found by D bits, not written`)
    last = undefined
  })
  return log
}

test('where both apply the D-bit dirty set is the version dirty set; backup ≡ primary after each commit; the released log is the uninterrupted run\'s', () => {
  const seen: Seen = { compared: 0, superpages: 0, implicit: 0 }
  fc.assert(fc.property(scenarioArb, ({ p, every, faults }) => {
    const [name, m0] = PROGRAMS[p]!
    assert.is(checkedRun(name, m0, every, faults, seen), whole[p]!.trace, `${name}: the released log`)
  }), { numRuns: runs(14) })
  assert.ok(seen.compared > 0, 'some written pages lay under armed leaves')
  assert.ok(seen.superpages > 0, 'some superpage leaves were found dirty')
})

// Random guest programs: dguest stopped as its guest starts (V = 1, its G-stage armed-able: four 4 KiB data
// leaves and a 2 MiB leaf), its code page replaced by random stores, AMOs, LR/SC and loads through base
// registers at the data pages and at random pages of the superpage, then ECALL; sometimes with the guest's
// own Sv39 table (a 1 GiB leaf with A = D = 0 in data page 3) and henvcfg.ADUE = 1, so that the hart's
// VS-stage A/D updates write guest memory through the G-stage (implicit stores that set the G-stage D).
const start = (() => {
  let m = loadRedundancyGolden('dguest', 'rv64imah_zicsr_svadu')
  while (!m.hart.virt) m = foldAdvance(m, 1).machine
  return m
})()
const GUEST_CODE = 0x8000_3000n        // host page of dguest's guest code (GPA 0x8000_0000)
const DATA_GPA = 0x8000_1000n, SUPER_GPA = 0x8020_0000n
const BASES = [5, 6, 7, 8, 9, 28, 29, 30]   // t0–t4, t3–t5: data pages 0–3, four superpage pages
const VALUES = [12, 13, 14, 15]
type Op = { readonly kind: 'store' | 'load'; readonly op: string; readonly base: number; readonly off: number; readonly value: number }
  | { readonly kind: 'amo'; readonly op: string; readonly base: number; readonly value: number }
const STORES = [['sd', 8], ['sw', 4], ['sh', 2], ['sb', 1]] as const
const opArb = (bases: readonly number[]): fc.Arbitrary<Op> => fc.oneof(
  fc.record({ kind: fc.constant('store' as const), op: fc.constantFrom(...STORES.map(([o]) => o)), base: fc.constantFrom(...bases), off: fc.integer({ min: 0, max: 255 }), value: fc.constantFrom(...VALUES) }),
  fc.record({ kind: fc.constant('load' as const), op: fc.constant('ld'), base: fc.constantFrom(...bases), off: fc.integer({ min: 0, max: 255 }), value: fc.constantFrom(...VALUES) }),
  fc.record({ kind: fc.constant('amo' as const), op: fc.constantFrom('amoadd.d', 'amoswap.w', 'lr.d', 'sc.d', 'amoor.d'), base: fc.constantFrom(...bases), value: fc.constantFrom(...VALUES) }),
)
const encodeOp = (o: Op): number => {
  if (o.kind === 'amo') return encode(amoType(o.op as never, o.op === 'sc.d' ? 31 : 0, o.base, o.op.startsWith('lr') ? 0 : o.value, false, false))
  const size = o.kind === 'load' ? 8 : STORES.find(([n]) => n === o.op)![1]
  const off = BigInt(o.off * 8 - (o.off * 8) % size)
  return o.kind === 'load' ? encode(iType('ld', 31, o.base, off)) : encode(sType(o.op as never, o.base, o.value, off))
}
const ECALL = 0x0000_0073
const guestArb = fc.record({
  superPages: fc.array(fc.integer({ min: 0, max: 511 }), { minLength: 4, maxLength: 4 }),
  ops: fc.boolean().chain((vs) => fc.array(opArb(vs ? BASES.filter((_, i) => i !== 3) : BASES), { minLength: 1, maxLength: 60 }).map((ops) => ({ vs, ops }))),
  every: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 7, max: 80 })),
  faults: fc.array(faultArb(70), { maxLength: 2 }),
})
const guestMachine = (vs: boolean, superPages: readonly number[], ops: readonly Op[]): Machine => {
  const code = new Uint8Array(4 * (ops.length + 1))
  const view = new DataView(code.buffer)
  ops.forEach((o, i) => view.setUint32(4 * i, encodeOp(o) >>> 0, true))
  view.setUint32(4 * ops.length, ECALL, true)
  let memory = pokeBytes(start.memory, phys(GUEST_CODE), code)
  const bases = [0, 1, 2, 3].map((i) => DATA_GPA + BigInt(i) * 4096n).concat(superPages.map((k) => SUPER_GPA + BigInt(k) * 4096n))
  let h = start.hart
  BASES.forEach((r, i) => { h = withX(h, r, bases[i]!) })
  VALUES.forEach((r, i) => { h = withX(h, r, BigInt(i + 1) * 0x0101_0101n) })
  h = withX(h, 10, 6n)                                     // a0 = the rounds dguest's hypervisor expects: a clean exit
  if (vs) {
    // The guest's Sv39 root in data page 3 (host 0x8000_d000): root[2] a 1 GiB RWX leaf, GVA = GPA, A = D = 0.
    memory = pokeBytes(memory, phys(0x8000_d000n + 16n), new Uint8Array(new BigUint64Array([(0x8000_0000n >> 12n) << 10n | 0xfn]).buffer))
    h = withCsrs(h, { ...h.csr, vsatp: (8n << 60n) | (DATA_GPA + 3n * 4096n) >> 12n, henvcfg: h.csr.henvcfg | ENVCFG_ADUE })
  }
  return withHart(withMemory(start, memory), h)
}

test('random guest programs (stores, AMOs, LR/SC, loads into 4 KiB and 2 MiB G-stage leaves; sometimes VS-stage A/D updates): where both apply the D-bit set is the version set; backup ≡ primary; the log is the uninterrupted run\'s', () => {
  const seen: Seen = { compared: 0, superpages: 0, implicit: 0 }
  fc.assert(fc.property(guestArb, ({ superPages, ops: { vs, ops }, every, faults }) => {
    const m = guestMachine(vs, superPages, ops)
    const want = foldAdvance(m, 50_000).trace
    assert.is(checkedRun('random guest', m, every, faults, seen), want)
  }), { numRuns: runs(40) })
  assert.ok(seen.compared > 0 && seen.superpages > 0, 'pages under armed leaves and dirty superpages were compared')
  assert.ok(seen.implicit > 0, 'some pages were written by VS-stage A/D updates alone')
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
