// The random RISC-V worlds of the shadow laws (issue 15): a guest's VS-stage Sv39 or Sv48 tables over
// the VMM's Sv39x4 or Sv48x4 G-stage, laid out in host memory. Shared by riscv.prop.ts (the algorithm)
// and hart.prop.ts (the hart under --guest-translation shadow).
import { phys } from '../../../src/bits/address.ts'
import { type PhysMemory, emptyMemory, poke } from '../../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import { fc } from '../../fc.ts'

// PTE bits from the Priv. ISA's Sv39 PTE figure.
export const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, G = 32n, A = 64n, D = 128n
export const pte = (pa: bigint, flags: bigint): bigint => ((pa >> 12n) << 10n) | flags

// Guest-physical layout (guest RAM at 0x8000_0000): VS roots, four level-1 and four level-0 tables, Sv48 roots.
export const GUEST = 0x8000_0000n
export const ROOTS = [GUEST, GUEST + 0x1000n] as const
export const ROOTS48 = [GUEST + 0xa000n, GUEST + 0xb000n] as const
export const vsL1 = (k: number): bigint => GUEST + 0x2000n + BigInt(k) * 0x1000n
export const vsL0 = (k: number): bigint => GUEST + 0x6000n + BigInt(k) * 0x1000n
export const WINDOW_VA = 0x3f_c000_0000n          // VS root entry 255: a 1 GiB S-mode read/write leaf over guest RAM
// Host layout: the G-stage (the VMM's), guest RAM, the shadow pool.
export const G_ROOT = 0xf000_0000n, G_L2 = 0xf000_8000n, G_L1 = 0xf000_4000n
export const gL0 = (j: number): bigint => 0xf001_0000n + BigInt(j) * 0x1000n
export const POOL = 0xe000_0000n
export const tablesHpa = (gpa: bigint): bigint => 0x9000_0000n + (gpa - GUEST)

export const likely = (n: number) => fc.oneof({ weight: n, arbitrary: fc.constant(true) }, { weight: 16 - n, arbitrary: fc.constant(false) })
export const vsFlags = fc.record({ r: likely(14), w: likely(10), x: likely(8), u: likely(4), g: likely(3), a: likely(11), d: likely(9), wNoR: likely(1) })
  .map((f) => V | (f.r || !f.x ? R : 0n) | (f.w && (f.r || f.wNoR) ? W : 0n) | (f.x ? X : 0n) | (f.u ? U : 0n) | (f.g ? G : 0n) | (f.a ? A : 0n) | (f.d ? D : 0n))
export const gFlags = fc.record({ w: likely(12), x: likely(12), u: likely(15) })
  .map((f) => V | R | (f.w ? W : 0n) | (f.x ? X : 0n) | (f.u ? U : 0n) | A | D)

/** A guest page: a data page in one of the eight 2 MiB regions, or (rarely) a page of the guest's own tables. */
export const dataPage = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 15 })).map(([j, p]) => GUEST + (BigInt(j) << 21n) + (j === 0 ? 0x10_0000n : 0n) + (BigInt(p) << 12n)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }).map((p) => GUEST + (BigInt(p) << 12n)) },
)
export const rootEntry = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 1, arbitrary: vsFlags.map((f) => pte(GUEST, f)) },
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 1 }).map((k) => pte(vsL1(k), V)) },
)
export const l1Entry = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 7 }), vsFlags).map(([j, f]) => pte(GUEST + (BigInt(j) << 21n), f)) },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1 }).map((k) => pte(vsL0(k), V)) },
)
export const l0Entry = fc.oneof({ weight: 1, arbitrary: fc.constant(0n) }, { weight: 8, arbitrary: fc.tuple(dataPage, vsFlags).map(([p, f]) => pte(p, f)) })
export const windowPte = pte(GUEST, V | R | W | A | D)

export type GRegion = { readonly t: 'none' } | { readonly t: '2M'; readonly f: bigint } | { readonly t: '4K'; readonly fs: readonly (bigint | null)[] }

/** The G-stage's view of one 2 MiB region j: unmapped, one 2 MiB leaf, or 4 KiB leaves for its first sixteen pages. */
export const gRegion: fc.Arbitrary<GRegion> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ t: 'none' as const }) },
  { weight: 2, arbitrary: gFlags.map((f) => ({ t: '2M' as const, f })) },
  { weight: 3, arbitrary: fc.array(fc.option(gFlags, { freq: 6 }), { minLength: 16, maxLength: 16 }).map((fs) => ({ t: '4K' as const, fs })) },
)

export interface World {
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

export const worldArb: fc.Arbitrary<World> = fc.record({
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
export const guestPtes = (w: World): [bigint, bigint][] => [
  ...w.roots.flatMap((t, a) => [...t.map((d, i): [bigint, bigint] => [ROOTS[a]! + BigInt(i) * 8n, d]), [ROOTS[a]! + 255n * 8n, windowPte] as [bigint, bigint]]),
  ...(w.levels === 4 ? ROOTS48.map((r, a): [bigint, bigint] => [r, pte(ROOTS[a]!, V)]) : []),
  ...w.l1.flatMap((t, k) => t.map((d, i): [bigint, bigint] => [vsL1(k) + BigInt(i) * 8n, d])),
  ...w.l0.flatMap((t, k) => t.map((d, i): [bigint, bigint] => [vsL0(k) + BigInt(i) * 8n, d])),
]

/** The G-stage (the VMM's map): guest tables at 0x9000_0000, data regions shuffled. */
export const gStagePtes = (w: World): [bigint, bigint][] => {
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

export const hostMemory = (w: World): PhysMemory =>
  [...gStagePtes(w), ...guestPtes(w).map(([gpa, d]): [bigint, bigint] => [tablesHpa(gpa), d])]
    .reduce((m, [a, v]) => poke(m, phys(a), 8, v), emptyMemory(defaultMemoryMap))

