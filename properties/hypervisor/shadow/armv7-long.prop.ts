// Shadow ≡ nested on ARMv7 long descriptors (LPAE; issue 15, "Laws"): random three-level guest tables
// (1 GiB and 2 MiB blocks, 4 KiB pages, reserved level-3 entries, AF clear, APTable/XNTable/PXNTable
// limits, nG; pages over the guest's own tables), random VMM block maps (64 KiB and 1 MiB blocks split to pages, 16 MiB blocks split to
// 2 MiB), and random sequences of accesses at PL0/PL1, 8-byte table writes through the guest's own
// mapping or by DMA, TLB maintenance, context switches (the ASID in TTBR0) and TTBR changes under the
// same ASID followed by TLBIASID/TLBIALL. Same HPA, page size and fault (kind, level, STATUS, FAR)
// through the shadow as through the composed walk; no shadow leaf grants more; memory ends equal.
import { test } from 'uvu'
import { phys } from '../../../src/bits/address.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import { type PhysMemory, emptyMemory, poke } from '../../../src/memory/memory.ts'
import { type VmsaRegs, vmsaRegs } from '../../../src/arch/armv7/vmsa.ts'
import { type ArmShadowAccess, armShadowFormat } from '../../../src/hypervisor/shadow/armv7.ts'
import type { VmmMap } from '../../../src/hypervisor/shadow/vmm-map.ts'
import { fc, runs } from '../../fc.ts'
import { type Event, assertNoDifference, firstDifference } from './harness.ts'
import { hostOf, vmmArb } from './vmm-maps.ts'

// Guest-physical layout: two level-1 tables (4 entries, 32 bytes), four level-2 and four level-3 tables.
const L1_TABLES = [0x0000n, 0x0020n] as const
const l2Table = (k: number): bigint => 0x1000n * BigInt(1 + k)
const l3Table = (k: number): bigint => 0x1000n * BigInt(5 + k)
const WINDOW_L2 = 0xf000n          // level-1 entry 3 → this table, whose entry 0 is a PL1 read/write 2 MiB block over GPA 0
const WINDOW_VA = 0xc000_0000n
const POOL = 0x8000_0000n
const EAE = 0x8000_0000

// ---- descriptors, hand-assembled from Figures B3-15 and B3-16 -----------------------------------------

const leafBits = fc.record({ ap21: fc.constantFrom(1, 1, 0, 2, 3), af: fc.constantFrom(true, true, true, true, false), xn: fc.boolean(), pxn: fc.boolean(), ng: fc.boolean() })
  .map((f) => (f.xn ? 1n << 54n : 0n) | (f.pxn ? 1n << 53n : 0n) | (f.ng ? 1n << 11n : 0n) | (f.af ? 1n << 10n : 0n) | (BigInt(f.ap21) << 6n))
const tableLimits = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0n) },
  { weight: 1, arbitrary: fc.record({ ap: fc.integer({ min: 0, max: 3 }), xn: fc.boolean(), pxn: fc.boolean() }).map((f) => (BigInt(f.ap) << 61n) | (f.xn ? 1n << 60n : 0n) | (f.pxn ? 1n << 59n : 0n)) },
)
const l1Arb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 1, arbitrary: leafBits.map((b) => b | 1n) },                                     // a 1 GiB block over GPA 0
  { weight: 5, arbitrary: fc.tuple(fc.integer({ min: 0, max: 3 }), tableLimits).map(([k, l]) => l2Table(k) | l | 3n) },
)
const l2Arb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: 7 }), leafBits).map(([j, b]) => (BigInt(j) << 21n) | b | 1n) },
  { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 0, max: 3 }), tableLimits).map(([k, l]) => l3Table(k) | l | 3n) },
)
const l3Arb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 5, arbitrary: fc.tuple(fc.integer({ min: 0x100, max: 0xfff }), leafBits).map(([p, b]) => (BigInt(p) << 12n) | b | 3n) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 8 }), leafBits).map(([p, b]) => (BigInt(p) << 12n) | b | 3n) },   // a page of the guest's own tables
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0x100, max: 0xfff }), leafBits).map(([p, b]) => (BigInt(p) << 12n) | b | 1n) },   // reserved at level 3
)
const windowL1 = WINDOW_L2 | 3n
const windowBlock = (1n << 54n) | (1n << 10n) | 1n       // GPA 0, AP[2:1] = 0b00, AF, XN

interface World {
  readonly vmm: VmmMap
  readonly l1: readonly (readonly bigint[])[]   // two tables, entries 0..2
  readonly l2: readonly (readonly bigint[])[]   // four tables, entries 0..7
  readonly l3: readonly (readonly bigint[])[]   // four tables, entries 0..15
}

const worldArb: fc.Arbitrary<World> = fc.record({
  vmm: vmmArb,
  l1: fc.array(fc.array(l1Arb, { minLength: 3, maxLength: 3 }), { minLength: 2, maxLength: 2 }),
  l2: fc.array(fc.array(l2Arb, { minLength: 8, maxLength: 8 }), { minLength: 4, maxLength: 4 }),
  l3: fc.array(fc.array(l3Arb, { minLength: 16, maxLength: 16 }), { minLength: 4, maxLength: 4 }),
})

const descriptors = (w: World): [bigint, bigint][] => [
  ...w.l1.flatMap((t, a) => [...t.map((d, i): [bigint, bigint] => [L1_TABLES[a]! + BigInt(i) * 8n, d]), [L1_TABLES[a]! + 24n, windowL1] as [bigint, bigint]]),
  ...w.l2.flatMap((t, k) => t.map((d, i): [bigint, bigint] => [l2Table(k) + BigInt(i) * 8n, d])),
  ...w.l3.flatMap((t, k) => t.map((d, i): [bigint, bigint] => [l3Table(k) + BigInt(i) * 8n, d])),
  [WINDOW_L2, windowBlock],
]

const hostMemory = (w: World): PhysMemory =>
  descriptors(w).reduce((m, [gpa, d]) => poke(m, phys(hostOf(w.vmm, gpa)), 8, d), emptyMemory(defaultMemoryMap))

const accessArb = fc.record({ kind: fc.constantFrom('read', 'read', 'write', 'fetch'), pl: fc.constantFrom(0, 1) }) as fc.Arbitrary<ArmShadowAccess>
const vaArb = fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1023 }))
  .map(([i2, i3, o]) => (BigInt(i2) << 21n) | (BigInt(i3) << 12n) | (BigInt(o) << 2n))

type Step =
  | { readonly t: 'access'; readonly va: bigint; readonly a: ArmShadowAccess; readonly value: bigint }
  | { readonly t: 'write'; readonly gpa: bigint; readonly d: bigint; readonly dma: boolean }
  | { readonly t: 'fence'; readonly f: 'all' | 'asid' | 'va' | 'va all'; readonly va: bigint }
  | { readonly t: 'switch'; readonly asid: number }
  | { readonly t: 'rebind'; readonly all: boolean }

const tableWriteArb: fc.Arbitrary<Step> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 }), l1Arb).map(([a, i, d]) => ({ gpa: L1_TABLES[a]! + BigInt(i) * 8n, d })),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), l2Arb).map(([k, i, d]) => ({ gpa: l2Table(k) + BigInt(i) * 8n, d })),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 7 }), l3Arb).map(([k, i, d]) => ({ gpa: l3Table(k) + BigInt(i) * 8n, d })),
).chain((w) => fc.boolean().map((dma) => ({ t: 'write' as const, ...w, dma })))

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ t: fc.constant('access' as const), va: vaArb, a: accessArb, value: fc.bigInt({ min: 0n, max: 0xffff_ffffn }) }) },
  { weight: 4, arbitrary: tableWriteArb },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fence' as const), f: fc.constantFrom('all', 'asid', 'va', 'va all'), va: vaArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('switch' as const), asid: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('rebind' as const), all: fc.boolean() }) },
)

const ttbr = (asid: number, table: bigint): bigint => (BigInt(asid) << 48n) | table

const eventsOf = (w: World, steps: readonly Step[]): { regs: VmsaRegs; events: Event<VmsaRegs, ArmShadowAccess>[] } => {
  const binding = new Map<number, number>([[1, 0], [2, 1], [3, 0]])
  const regs0 = vmsaRegs({ ttbcr: EAE, ttbr0: ttbr(1, L1_TABLES[0]) })
  let regs = regs0
  let asid = 1
  const events: Event<VmsaRegs, ArmShadowAccess>[] = []
  const tagOf = (a: number) => `vmid 0 asid ${a}`
  for (const s of steps) {
    switch (s.t) {
      case 'access': events.push({ kind: 'access', va: s.va, access: s.a, ...(s.a.kind === 'write' ? { data: { size: 4, value: s.value } } : {}) }); break
      case 'write': {
        const data = { size: 8 as const, value: s.d }
        events.push(s.dma ? { kind: 'dma', hpa: hostOf(w.vmm, s.gpa), data } : { kind: 'access', va: WINDOW_VA + s.gpa, access: { kind: 'write', pl: 1 }, data })
        break
      }
      case 'fence':
        events.push({ kind: 'fence', scope: s.f === 'all' ? { kind: 'all' } : s.f === 'asid' ? { kind: 'asid', tag: tagOf(asid) } : { kind: 'va', va: s.va, tag: s.f === 'va' ? tagOf(asid) : undefined } })
        break
      case 'switch': asid = s.asid; regs = { ...regs, ttbr0: ttbr(asid, L1_TABLES[binding.get(asid)!]!) }; events.push({ kind: 'regs', regs }); break
      case 'rebind':
        binding.set(asid, 1 - binding.get(asid)!)
        regs = { ...regs, ttbr0: ttbr(asid, L1_TABLES[binding.get(asid)!]!) }
        events.push({ kind: 'regs', regs, then: s.all ? { kind: 'all' } : { kind: 'asid', tag: tagOf(asid) } })
        break
    }
  }
  return { regs: regs0, events }
}

const TRIES: readonly ArmShadowAccess[] = (['read', 'write', 'fetch'] as const).flatMap((kind) => [0, 1].map((pl) => ({ kind, pl: pl as 0 | 1 })))

test('shadow ≡ nested, ARMv7 long descriptors: same HPA, page size and fault for every access; no leaf grants more; memory equal', () => {
  const arb = fc.tuple(worldArb, fc.array(stepArb, { minLength: 10, maxLength: 80 }), fc.integer({ min: 1, max: 3 }))
  assertNoDifference(arb, ([w, steps, maxRoots]) => {
    const { regs, events } = eventsOf(w, steps)
    const watch = descriptors(w).map(([gpa]) => hostOf(w.vmm, gpa))
    return firstDifference(armShadowFormat(w.vmm, true), hostMemory(w), regs, { maxRoots, poolBase: POOL, poolBytes: 0x40_0000n }, events, TRIES, watch).difference
  }, runs(60))
})

test.run()
