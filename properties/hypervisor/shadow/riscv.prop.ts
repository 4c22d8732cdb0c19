// Shadow ≡ nested on RISC-V (issue 15, "Laws"): a guest's VS-stage Sv39 or Sv48 tables over the VMM's
// Sv39x4 or Sv48x4 G-stage (random leaves at every level, A/D clear or set, U, G, reserved W-without-R;
// G-stage 2 MiB and 4 KiB leaves with missing ones and reduced rights), hardware A/D updating (Svadu)
// on or off, and random sequences of VS/VU accesses, 8-byte PTE writes through the guest's own
// mapping or by DMA, SFENCE.VMA scopes, ASID switches, vsatp changes under the same ASID followed by
// a fence, SUM/MXR changes and eager prefills. Every access gets the same HPA, page size and trap
// (cause, tval, htval, tinst) through the shadow as through two-stage translation; no shadow leaf
// grants more; the guest's PTEs (A/D bits included) end equal.
import { test } from 'uvu'
import { phys } from '../../../src/bits/address.ts'
import { type PhysMemory, emptyMemory, poke } from '../../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import { type RiscvAccess, type RiscvRegs, riscvShadowFormat, sfenceScope } from '../../../src/hypervisor/shadow/riscv.ts'
import { fc, runs } from '../../fc.ts'
import { type Event, assertNoDifference, firstDifference } from './harness.ts'

// PTE bits from the Priv. ISA's Sv39 PTE figure.
const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, G = 32n, A = 64n, D = 128n
const pte = (pa: bigint, flags: bigint): bigint => ((pa >> 12n) << 10n) | flags

// Guest-physical layout (guest RAM at 0x8000_0000): VS roots, four level-1 and four level-0 tables, Sv48 roots.
const GUEST = 0x8000_0000n
const ROOTS = [GUEST, GUEST + 0x1000n] as const
const ROOTS48 = [GUEST + 0xa000n, GUEST + 0xb000n] as const
const vsL1 = (k: number): bigint => GUEST + 0x2000n + BigInt(k) * 0x1000n
const vsL0 = (k: number): bigint => GUEST + 0x6000n + BigInt(k) * 0x1000n
const WINDOW_VA = 0x3f_c000_0000n          // VS root entry 255: a 1 GiB S-mode read/write leaf over guest RAM
// Host layout: the G-stage (the VMM's), guest RAM, the shadow pool.
const G_ROOT = 0xf000_0000n, G_L2 = 0xf000_8000n, G_L1 = 0xf000_4000n
const gL0 = (j: number): bigint => 0xf001_0000n + BigInt(j) * 0x1000n
const POOL = 0xe000_0000n
const tablesHpa = (gpa: bigint): bigint => 0x9000_0000n + (gpa - GUEST)

const likely = (n: number) => fc.oneof({ weight: n, arbitrary: fc.constant(true) }, { weight: 16 - n, arbitrary: fc.constant(false) })
const vsFlags = fc.record({ r: likely(14), w: likely(10), x: likely(8), u: likely(4), g: likely(3), a: likely(11), d: likely(9), wNoR: likely(1) })
  .map((f) => V | (f.r || !f.x ? R : 0n) | (f.w && (f.r || f.wNoR) ? W : 0n) | (f.x ? X : 0n) | (f.u ? U : 0n) | (f.g ? G : 0n) | (f.a ? A : 0n) | (f.d ? D : 0n))
const gFlags = fc.record({ w: likely(12), x: likely(12), u: likely(15) })
  .map((f) => V | R | (f.w ? W : 0n) | (f.x ? X : 0n) | (f.u ? U : 0n) | A | D)

/** A guest page: a data page in one of the eight 2 MiB regions, or (rarely) a page of the guest's own tables. */
const dataPage = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 15 })).map(([j, p]) => GUEST + (BigInt(j) << 21n) + (j === 0 ? 0x10_0000n : 0n) + (BigInt(p) << 12n)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }).map((p) => GUEST + (BigInt(p) << 12n)) },
)
const rootEntry = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 1, arbitrary: vsFlags.map((f) => pte(GUEST, f)) },
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 1 }).map((k) => pte(vsL1(k), V)) },
)
const l1Entry = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 7 }), vsFlags).map(([j, f]) => pte(GUEST + (BigInt(j) << 21n), f)) },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1 }).map((k) => pte(vsL0(k), V)) },
)
const l0Entry = fc.oneof({ weight: 1, arbitrary: fc.constant(0n) }, { weight: 8, arbitrary: fc.tuple(dataPage, vsFlags).map(([p, f]) => pte(p, f)) })
const windowPte = pte(GUEST, V | R | W | A | D)

type GRegion = { readonly t: 'none' } | { readonly t: '2M'; readonly f: bigint } | { readonly t: '4K'; readonly fs: readonly (bigint | null)[] }

/** The G-stage's view of one 2 MiB region j: unmapped, one 2 MiB leaf, or 4 KiB leaves for its first sixteen pages. */
const gRegion: fc.Arbitrary<GRegion> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ t: 'none' as const }) },
  { weight: 2, arbitrary: gFlags.map((f) => ({ t: '2M' as const, f })) },
  { weight: 3, arbitrary: fc.array(fc.option(gFlags, { freq: 6 }), { minLength: 16, maxLength: 16 }).map((fs) => ({ t: '4K' as const, fs })) },
)

interface World {
  readonly levels: 3 | 4
  readonly adue: boolean
  readonly k: number
  readonly g: readonly GRegion[]
  readonly roots: readonly (readonly bigint[])[]
  readonly l1: readonly (readonly bigint[])[]
  readonly l0: readonly (readonly bigint[])[]
  readonly sum: boolean
  readonly mxr: boolean
}

const worldArb: fc.Arbitrary<World> = fc.record({
  levels: fc.constantFrom<3 | 4>(3, 3, 4),
  adue: fc.boolean(),
  k: fc.integer({ min: 0, max: 3 }).map((x) => 2 * x),
  g: fc.array(gRegion, { minLength: 8, maxLength: 8 }),
  roots: fc.array(fc.array(rootEntry, { minLength: 2, maxLength: 2 }), { minLength: 2, maxLength: 2 }),
  l1: fc.array(fc.array(l1Entry, { minLength: 4, maxLength: 4 }), { minLength: 4, maxLength: 4 }),
  l0: fc.array(fc.array(l0Entry, { minLength: 8, maxLength: 8 }), { minLength: 4, maxLength: 4 }),
  sum: fc.boolean(),
  mxr: fc.boolean(),
})

/** The guest's PTEs as (GPA, value). */
const guestPtes = (w: World): [bigint, bigint][] => [
  ...w.roots.flatMap((t, a) => [...t.map((d, i): [bigint, bigint] => [ROOTS[a]! + BigInt(i) * 8n, d]), [ROOTS[a]! + 255n * 8n, windowPte] as [bigint, bigint]]),
  ...(w.levels === 4 ? ROOTS48.map((r, a): [bigint, bigint] => [r, pte(ROOTS[a]!, V)]) : []),
  ...w.l1.flatMap((t, k) => t.map((d, i): [bigint, bigint] => [vsL1(k) + BigInt(i) * 8n, d])),
  ...w.l0.flatMap((t, k) => t.map((d, i): [bigint, bigint] => [vsL0(k) + BigInt(i) * 8n, d])),
]

/** The G-stage (the VMM's map): guest tables at 0x9000_0000, data regions shuffled. */
const gStagePtes = (w: World): [bigint, bigint][] => {
  const out: [bigint, bigint][] = []
  if (w.levels === 4) out.push([G_ROOT, pte(G_L2, V)], [G_L2 + 2n * 8n, pte(G_L1, V)])
  else out.push([G_ROOT + 2n * 8n, pte(G_L1, V)])
  // Region 0: its first sixteen pages hold the guest's tables; pages 256..271 are data.
  out.push([G_L1, pte(gL0(0), V)])
  for (let p = 0; p < 16; p++) out.push([gL0(0) + BigInt(p) * 8n, pte(tablesHpa(GUEST + (BigInt(p) << 12n)), V | R | W | X | U | A | D)])
  w.g.forEach((r, j) => {
    const dataBase = j === 0 ? 256 : 0
    if (r.t === 'none') return
    if (r.t === '2M' && j > 0) { out.push([G_L1 + BigInt(j) * 8n, pte(0x9100_0000n + (BigInt(j ^ w.k) << 21n), r.f)]); return }
    if (j > 0) out.push([G_L1 + BigInt(j) * 8n, pte(gL0(j), V)])
    const fs = r.t === '4K' ? r.fs : Array.from({ length: 16 }, () => V | R | W | X | U | A | D)
    fs.forEach((f, p) => { if (f !== null) out.push([gL0(j) + BigInt(dataBase + p) * 8n, pte(0x9200_0000n + (BigInt(j) << 21n) + (BigInt(p) << 12n), f)]) })
  })
  return out
}

const hostMemory = (w: World): PhysMemory =>
  [...gStagePtes(w), ...guestPtes(w).map(([gpa, d]): [bigint, bigint] => [tablesHpa(gpa), d])]
    .reduce((m, [a, v]) => poke(m, phys(a), 8, v), emptyMemory(defaultMemoryMap))

const accessArb = fc.record({ kind: fc.constantFrom('load', 'load', 'store', 'fetch'), priv: fc.constantFrom('S', 'S', 'S', 'U') }) as fc.Arbitrary<RiscvAccess>
const vaArb = fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 511 }))
  .map(([a, b, c, o]) => (BigInt(a) << 30n) | (BigInt(b) << 21n) | (BigInt(c) << 12n) | (BigInt(o) << 3n))

type Step =
  | { readonly t: 'access'; readonly va: bigint; readonly a: RiscvAccess; readonly value: bigint }
  | { readonly t: 'write'; readonly gpa: bigint; readonly d: bigint; readonly dma: boolean }
  | { readonly t: 'fence'; readonly f: 'all' | 'asid' | 'va' | 'va all'; readonly va: bigint }
  | { readonly t: 'switch'; readonly asid: number }
  | { readonly t: 'rebind' }
  | { readonly t: 'status'; readonly sum: boolean; readonly mxr: boolean; readonly hsMxr: boolean }
  | { readonly t: 'prefill'; readonly va: bigint; readonly a: RiscvAccess }

const writeArb: fc.Arbitrary<Step> = fc.tuple(
  fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), rootEntry).map(([a, i, d]) => [ROOTS[a]! + BigInt(i) * 8n, d] as const),
    fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), l1Entry).map(([k, i, d]) => [vsL1(k) + BigInt(i) * 8n, d] as const),
    fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 3 }), l0Entry).map(([k, i, d]) => [vsL0(k) + BigInt(i) * 8n, d] as const),
  ),
  fc.boolean(),
).map(([[gpa, d], dma]) => ({ t: 'write' as const, gpa, d, dma }))

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 14, arbitrary: fc.record({ t: fc.constant('access' as const), va: vaArb, a: accessArb, value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }) },
  { weight: 4, arbitrary: writeArb },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fence' as const), f: fc.constantFrom('all', 'asid', 'va', 'va all'), va: vaArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('switch' as const), asid: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'rebind' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('status' as const), sum: fc.boolean(), mxr: fc.boolean(), hsMxr: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('prefill' as const), va: fc.oneof(vaArb, fc.integer({ min: 0, max: 15 }).map((p) => WINDOW_VA + (BigInt(p) << 12n))), a: accessArb }) },
)

const vsatp = (w: World, asid: number, table: number): bigint =>
  ((w.levels === 3 ? 8n : 9n) << 60n) | (BigInt(asid) << 44n) | ((w.levels === 3 ? ROOTS : ROOTS48)[table]! >> 12n)

const eventsOf = (w: World, steps: readonly Step[]): { regs: RiscvRegs; events: Event<RiscvRegs, RiscvAccess>[] } => {
  const binding = new Map<number, number>([[1, 0], [2, 1], [3, 0]])
  let asid = 1
  const regs0: RiscvRegs = {
    vsatp: vsatp(w, 1, 0), hgatp: ((w.levels === 3 ? 8n : 9n) << 60n) | (1n << 44n) | (G_ROOT >> 12n),
    vsstatus: { sum: w.sum, mxr: w.mxr }, mstatus: { sum: false, mxr: false }, adue: w.adue,
  }
  let regs = regs0
  const events: Event<RiscvRegs, RiscvAccess>[] = []
  for (const s of steps) {
    switch (s.t) {
      case 'access': events.push({ kind: 'access', va: s.va, access: s.a, ...(s.a.kind === 'store' ? { data: { size: 8, value: s.value } } : {}) }); break
      case 'write': {
        const data = { size: 8 as const, value: s.d }
        events.push(s.dma ? { kind: 'dma', hpa: tablesHpa(s.gpa), data } : { kind: 'access', va: WINDOW_VA + (s.gpa - GUEST), access: { kind: 'store', priv: 'S' }, data })
        break
      }
      case 'fence':
        events.push({ kind: 'fence', scope: sfenceScope(regs, s.f === 'va' || s.f === 'va all' ? s.va : undefined, s.f === 'asid' || s.f === 'va' ? asid : undefined) })
        break
      case 'switch': asid = s.asid; regs = { ...regs, vsatp: vsatp(w, asid, binding.get(asid)!) }; events.push({ kind: 'regs', regs }); break
      case 'rebind':
        binding.set(asid, 1 - binding.get(asid)!)
        regs = { ...regs, vsatp: vsatp(w, asid, binding.get(asid)!) }
        events.push({ kind: 'regs', regs, then: sfenceScope(regs, undefined, asid) })
        break
      case 'status': regs = { ...regs, vsstatus: { sum: s.sum, mxr: s.mxr }, mstatus: { sum: false, mxr: s.hsMxr } }; events.push({ kind: 'regs', regs }); break
      case 'prefill': events.push({ kind: 'prefill', va: s.va, access: s.a }); break
    }
  }
  return { regs: regs0, events }
}

const TRIES: readonly RiscvAccess[] = (['load', 'store', 'fetch'] as const).flatMap((kind) => (['S', 'U'] as const).map((priv) => ({ kind, priv })))

test('shadow ≡ nested, RISC-V Sv39/Sv48 over Sv39x4/Sv48x4: same HPA, page size and trap for every access; no leaf grants more; PTEs (A/D) equal', () => {
  // The guest first writes some of its tables through its own mapping (as a kernel setting up an address space), then runs.
  const setUp = fc.array(writeArb.map((w) => ({ ...w, dma: false })), { minLength: 1, maxLength: 6 })
  const arb = fc.tuple(worldArb, fc.tuple(setUp, fc.array(stepArb, { minLength: 10, maxLength: 80 })).map(([a, b]) => [...a, ...b]), fc.integer({ min: 1, max: 3 }))
  assertNoDifference(arb, ([w, steps, maxRoots]) => {
    const { regs, events } = eventsOf(w, steps)
    const watch = guestPtes(w).map(([gpa]) => tablesHpa(gpa))
    return firstDifference(riscvShadowFormat(w.levels), hostMemory(w), regs, { maxRoots, poolBase: POOL, poolBytes: 0x40_0000n }, events, TRIES, watch).difference
  }, runs(60))
})

test.run()
