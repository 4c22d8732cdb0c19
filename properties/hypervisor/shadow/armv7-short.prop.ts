// Shadow ≡ nested on ARMv7 short descriptors (issue 15, "Laws"): for random guest tables (sections,
// supersections, page tables with small and large pages, four domains), random VMM block maps (4 KiB
// to 16 MiB blocks, some missing, some without write or execute), and random sequences of guest
// accesses at PL0 and PL1, guest table writes (through the guest's own mapping or by DMA), TLB
// maintenance, context switches, TTBR changes and DACR/SCTLR.AFE changes, every access gets the same
// host-physical address, page size and fault (kind, level, FSR, FAR) through the shadow tables as
// through the composed walk; no shadow leaf grants more than the composition; guest memory ends equal.
// The guest behaves as the ARM ARM requires: large pages and supersections are written as 16
// identical entries, and a TTBR change under the same ASID is followed by a TLBIASID or TLBIALL.
import { test } from 'uvu'
import { phys } from '../../../src/bits/address.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import { type PhysMemory, emptyMemory, poke } from '../../../src/memory/memory.ts'
import { type VmsaRegs, vmsaRegs } from '../../../src/arch/armv7/vmsa.ts'
import { type ArmShadowAccess, armShadowFormat } from '../../../src/hypervisor/shadow/armv7.ts'
import type { VmmMap } from '../../../src/hypervisor/shadow/vmm-map.ts'
import { hostOf, vmmArb } from './vmm-maps.ts'
import { fc, runs } from '../../fc.ts'
import { type Event, assertNoDifference, firstDifference } from './harness.ts'

// Guest-physical layout: two first-level tables (16 KiB each) and eight second-level tables (1 KiB).
const L1_TABLES = [0x0000n, 0x4000n] as const
const l2Table = (k: number): bigint => 0x8000n + BigInt(k) * 0x400n
const WINDOW_VA = 0x0f00_0000n      // a PL1 read/write section over the table region, domain 15, in every table
const SUPER_VA = 0x0100_0000n       // first-level entries 16..31: one supersection over GPA 0, or faults
const POOL = 0x8000_0000n

// ---- descriptors, hand-assembled from Figures B3-4 and B3-5 (independent of the encoders) -------------

const apBits = fc.constantFrom(0b011, 0b011, 0b011, 0b001, 0b010, 0b101, 0b111, 0b000)
const sectionArb = fc.record({ mib: fc.integer({ min: 1, max: 15 }), ap: apBits, xn: fc.boolean(), pxn: fc.boolean(), domain: fc.integer({ min: 0, max: 3 }), ng: fc.boolean() })
  .map((f) => (BigInt(f.mib) << 20n) | (f.ng ? 1n << 17n : 0n) | (BigInt(f.ap >> 2) << 15n) | (BigInt(f.ap & 3) << 10n) |
    (BigInt(f.domain) << 5n) | (f.xn ? 0x10n : 0n) | 2n | (f.pxn ? 1n : 0n))
const pageTableArb = fc.record({ k: fc.integer({ min: 0, max: 3 }), domain: fc.integer({ min: 0, max: 3 }), pxn: fc.boolean() })
  .map((f) => l2Table(f.k) | (BigInt(f.domain) << 5n) | (f.pxn ? 4n : 0n) | 1n)
const l1Arb = fc.oneof({ weight: 1, arbitrary: fc.constant(0n) }, { weight: 3, arbitrary: sectionArb }, { weight: 4, arbitrary: pageTableArb })

const smallArb = fc.record({ page: fc.integer({ min: 0x100, max: 0xfff }), ap: apBits, xn: fc.boolean(), ng: fc.boolean() })
  .map((f) => (BigInt(f.page) << 12n) | (f.ng ? 1n << 11n : 0n) | (BigInt(f.ap >> 2) << 9n) | (BigInt(f.ap & 3) << 4n) | 2n | (f.xn ? 1n : 0n))
const largeArb = fc.record({ page: fc.integer({ min: 0x10, max: 0xff }), ap: apBits, xn: fc.boolean() })
  .map((f) => (BigInt(f.page) << 16n) | (f.xn ? 1n << 15n : 0n) | (BigInt(f.ap >> 2) << 9n) | (BigInt(f.ap & 3) << 4n) | 1n)
/** Sixteen second-level entries: one large page repeated, or sixteen small pages and faults. */
const l2GroupArb: fc.Arbitrary<readonly bigint[]> = fc.oneof(
  largeArb.map((d) => Array.from({ length: 16 }, () => d)),
  fc.array(fc.oneof(fc.constant(0n), smallArb, smallArb, smallArb), { minLength: 16, maxLength: 16 }),
)
const supersectionArb = fc.oneof(
  fc.constant(0n),
  fc.record({ ap: fc.constantFrom(0b011, 0b001, 0b111), xn: fc.boolean() }).map((f) => (BigInt(f.ap & 3) << 10n) | (BigInt(f.ap >> 2) << 15n) | (1n << 18n) | (f.xn ? 0x10n : 0n) | 2n),
)
const windowDescriptor = (0x0n << 20n) | (0b01n << 10n) | (15n << 5n) | 0x10n | 2n

// ---- the guest's world and its events -----------------------------------------------------------------

interface World {
  readonly vmm: VmmMap
  readonly l1: readonly (readonly bigint[])[]       // two tables, entries 0..7
  readonly super: readonly bigint[]                 // one descriptor per table, repeated in entries 16..31
  readonly l2: readonly (readonly (readonly bigint[])[])[]   // eight tables, two groups of sixteen
}

const worldArb: fc.Arbitrary<World> = fc.record({
  vmm: vmmArb,
  l1: fc.array(fc.array(l1Arb, { minLength: 8, maxLength: 8 }), { minLength: 2, maxLength: 2 }),
  super: fc.array(supersectionArb, { minLength: 2, maxLength: 2 }),
  l2: fc.array(fc.array(l2GroupArb, { minLength: 2, maxLength: 2 }), { minLength: 8, maxLength: 8 }),
})

/** Every guest descriptor's (guest-physical address, value), as the guest first writes them. */
const descriptors = (w: World): [bigint, bigint][] => [
  ...w.l1.flatMap((t, a) => [
    ...t.map((d, i): [bigint, bigint] => [L1_TABLES[a]! + BigInt(i) * 4n, d]),
    ...Array.from({ length: 16 }, (_, i): [bigint, bigint] => [L1_TABLES[a]! + BigInt(16 + i) * 4n, w.super[a]!]),
    [L1_TABLES[a]! + (WINDOW_VA >> 20n) * 4n, windowDescriptor] as [bigint, bigint],
  ]),
  ...w.l2.flatMap((groups, k) => groups.flatMap((g, gi) => g.map((d, i): [bigint, bigint] => [l2Table(k) + BigInt(gi * 16 + i) * 4n, d]))),
]

const hostMemory = (w: World): PhysMemory =>
  descriptors(w).reduce((m, [gpa, d]) => poke(m, phys(hostOf(w.vmm, gpa)), 4, d), emptyMemory(defaultMemoryMap))

const accessArb: fc.Arbitrary<ArmShadowAccess> = fc.record({ kind: fc.constantFrom('read', 'read', 'write', 'fetch'), pl: fc.constantFrom(0, 1) })

/** Few distinct pages, so that accesses repeat and hit the shadow. */
const vaArb = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 1, 2, 3, 16, 17, 18, 19), fc.integer({ min: 0, max: 1023 })).map(([m, p, o]) => (BigInt(m) << 20n) | (BigInt(p) << 12n) | (BigInt(o) << 2n)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 0xfffff })).map(([m, o]) => SUPER_VA + (BigInt(m) << 20n) + (BigInt(o) & ~3n)) },
)

/** What one step of the guest does, before it is turned into events (which need the current registers). */
type Step =
  | { readonly t: 'access'; readonly va: bigint; readonly a: ArmShadowAccess; readonly value: bigint }
  | { readonly t: 'l1'; readonly table: number; readonly index: number; readonly d: bigint; readonly dma: boolean }
  | { readonly t: 'super'; readonly table: number; readonly d: bigint; readonly dma: boolean }
  | { readonly t: 'l2'; readonly k: number; readonly group: number; readonly ds: readonly bigint[]; readonly dma: boolean }
  | { readonly t: 'fence'; readonly f: 'all' | 'asid' | 'other asid' | 'va' | 'va all'; readonly va: bigint }
  | { readonly t: 'switch'; readonly asid: number }
  | { readonly t: 'rebind'; readonly all: boolean }
  | { readonly t: 'dacr'; readonly dacr: number }
  | { readonly t: 'afe'; readonly afe: boolean }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 24, arbitrary: fc.record({ t: fc.constant('access' as const), va: vaArb, a: accessArb, value: fc.bigInt({ min: 0n, max: 0xffff_ffffn }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('l1' as const), table: fc.integer({ min: 0, max: 1 }), index: fc.integer({ min: 0, max: 3 }), d: l1Arb, dma: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('super' as const), table: fc.integer({ min: 0, max: 1 }), d: supersectionArb, dma: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('l2' as const), k: fc.integer({ min: 0, max: 7 }), group: fc.integer({ min: 0, max: 1 }), ds: l2GroupArb, dma: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fence' as const), f: fc.constantFrom('all', 'asid', 'other asid', 'va', 'va all'), va: vaArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('switch' as const), asid: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('rebind' as const), all: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('dacr' as const), dacr: fc.array(fc.constantFrom(1, 1, 1, 3, 0, 2), { minLength: 4, maxLength: 4 }).map((ds) => ds.reduce((acc, d, i) => acc | (d << (2 * i)), 0x4000_0000)) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('afe' as const), afe: fc.boolean() }) },
)

const PL1_WRITE: ArmShadowAccess = { kind: 'write', pl: 1 }

/** Turns steps into events, tracking the registers and which first-level table each ASID uses. */
const eventsOf = (w: World, steps: readonly Step[]): { regs: VmsaRegs; events: Event<VmsaRegs, ArmShadowAccess>[] } => {
  const binding = new Map<number, number>([[1, 0], [2, 1], [3, 0]])
  const regs0 = vmsaRegs({ ttbr0: L1_TABLES[0], contextidr: 1, dacr: 0x4000_0055 })
  let regs = regs0
  const events: Event<VmsaRegs, ArmShadowAccess>[] = []
  const write = (gpa: bigint, d: bigint, dma: boolean, midUpdate = false): void => {
    const data = { size: 4 as const, value: d }
    events.push(dma ? { kind: 'dma', hpa: hostOf(w.vmm, gpa), data, midUpdate } : { kind: 'access', va: WINDOW_VA + gpa, access: PL1_WRITE, data, midUpdate })
  }
  const tagOf = (asid: number) => `vmid 0 asid ${asid}`
  for (const s of steps) {
    switch (s.t) {
      case 'access': events.push({ kind: 'access', va: s.va, access: s.a, ...(s.a.kind === 'write' ? { data: { size: 4, value: s.value } } : {}) }); break
      case 'l1': write(L1_TABLES[s.table]! + BigInt(s.index) * 4n, s.d, s.dma); break
      case 'super': for (let i = 16; i < 32; i++) write(L1_TABLES[s.table]! + BigInt(i) * 4n, s.d, s.dma, i < 31); break
      case 'l2': s.ds.forEach((d, i) => write(l2Table(s.k) + BigInt(s.group * 16 + i) * 4n, d, s.dma, i < 15)); break
      case 'fence': {
        const asid = regs.contextidr & 0xff
        const scope = s.f === 'all' ? { kind: 'all' as const }
          : s.f === 'asid' ? { kind: 'asid' as const, tag: tagOf(asid) }
            : s.f === 'other asid' ? { kind: 'asid' as const, tag: tagOf(asid === 1 ? 2 : 1) }
              : { kind: 'va' as const, va: s.va, tag: s.f === 'va' ? tagOf(asid) : undefined }
        events.push({ kind: 'fence', scope })
        break
      }
      case 'switch': regs = { ...regs, contextidr: s.asid, ttbr0: L1_TABLES[binding.get(s.asid)!]! }; events.push({ kind: 'regs', regs }); break
      case 'rebind': {
        // A new table under the same ASID: the ARM ARM requires TLB maintenance before relying on it.
        const asid = regs.contextidr & 0xff
        binding.set(asid, 1 - binding.get(asid)!)
        regs = { ...regs, ttbr0: L1_TABLES[binding.get(asid)!]! }
        events.push({ kind: 'regs', regs, then: s.all ? { kind: 'all' } : { kind: 'asid', tag: tagOf(asid) } })
        break
      }
      case 'dacr': regs = { ...regs, dacr: s.dacr }; events.push({ kind: 'regs', regs }); break
      case 'afe': regs = { ...regs, afe: s.afe }; events.push({ kind: 'regs', regs }); break
    }
  }
  return { regs: regs0, events }
}

const TRIES: readonly ArmShadowAccess[] = (['read', 'write', 'fetch'] as const).flatMap((kind) => [0, 1].map((pl) => ({ kind, pl: pl as 0 | 1 })))

test('shadow ≡ nested, ARMv7 short descriptors: same HPA, page size and fault for every access; no leaf grants more; memory equal', () => {
  const arb = fc.tuple(worldArb, fc.array(stepArb, { minLength: 10, maxLength: 80 }), fc.integer({ min: 1, max: 3 }))
  assertNoDifference(arb, ([w, steps, maxRoots]) => {
    const format = armShadowFormat(w.vmm, false)
    const { regs, events } = eventsOf(w, steps)
    const watch = descriptors(w).map(([gpa]) => hostOf(w.vmm, gpa))
    return firstDifference(format, hostMemory(w), regs, { maxRoots, poolBase: POOL, poolBytes: 0x40_0000n }, events, TRIES, watch).difference
  }, runs(60))
})

test.run()
