// The VM's G-stage as the PVIOMMU laws build it, with an independent reference reading of it, and the
// random guest requests and DMAs the laws share (pviommu.prop.ts, physical.prop.ts).
import { phys } from '../../../src/bits/address.ts'
import { emptyMemory, poke } from '../../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import type { GStage } from '../../../src/iommu/virtio/g-stage.ts'
import { fc } from '../../fc.ts'
import { A, D, R, U, V, W, X, pte } from '../../mmu/configs.ts'
import { PAGE, PAGES, type Op } from './reference.ts'

// G-stage layout: Sv39x4 root (16 KiB) at 0x9000_0000, one L1 at 0x9000_4000 and one L0 at 0x9000_5000.
// root[0] → L1; L1[0] → L0 (GPA 0 – 0x1f_ffff, 4 KiB leaves L0[0..L0_LEAVES−1]); L1[1] a 2 MiB leaf
// (GPA 0x20_0000 – 0x3f_ffff) or empty. Every other GPA is unmapped.
export const ROOT = 0x9000_0000n, L1 = 0x9000_4000n, L0 = 0x9000_5000n
const HGATP = (8n << 60n) | (ROOT >> 12n)
const L0_LEAVES = 40
const SUPER = 0x20_0000n

export interface Leaf { readonly spaPage: bigint; readonly flags: bigint }

/** true with probability n/8. */
const often = (n: number): fc.Arbitrary<boolean> => fc.oneof({ weight: n, arbitrary: fc.constant(true) }, { weight: 8 - n, arbitrary: fc.constant(false) })

const leafArb = (align: bigint): fc.Arbitrary<Leaf | undefined> => fc.option(
  fc.record({ r: often(7), w: often(6), x: fc.boolean(), u: often(7), a: often(7), d: often(6), page: fc.bigInt({ min: 0x80000n, max: 0xfffffn }) })
    // Never W without R (a reserved encoding, not what this law is about).
    .map((l): Leaf => ({ spaPage: l.page & ~(align - 1n), flags: V | (l.r || l.w || !l.x ? R : 0n) | (l.w ? W : 0n) | (l.x ? X : 0n) | (l.u ? U : 0n) | (l.a ? A : 0n) | (l.d ? D : 0n) })),
  { freq: 4, nil: undefined },
)

export const gArb = fc.record({
  small: fc.array(leafArb(1n), { minLength: L0_LEAVES, maxLength: L0_LEAVES }),
  big: leafArb(512n),
})
export type GTables = { readonly small: readonly (Leaf | undefined)[]; readonly big: Leaf | undefined }

export const build = (t: GTables): GStage => {
  let m = emptyMemory(defaultMemoryMap)
  const put = (a: bigint, v: bigint): void => { m = poke(m, phys(a), 8, v) }
  put(ROOT, pte(L1 >> 12n, V))
  put(L1, pte(L0 >> 12n, V))
  if (t.big !== undefined) put(L1 + 8n, pte(t.big.spaPage, t.big.flags))
  t.small.forEach((l, i) => { if (l !== undefined) put(L0 + 8n * BigInt(i), pte(l.spaPage, l.flags)) })
  return { memory: m, hgatp: HGATP }
}

/** The reference G-stage: an SPA, or the guest-page fault cause. */
export const refG = (t: GTables, gpa: bigint, write: boolean): bigint | { cause: bigint } => {
  const refuse = { cause: write ? 23n : 21n }
  const leaf = gpa < SUPER ? (gpa / PAGE < BigInt(L0_LEAVES) ? t.small[Number(gpa / PAGE)] : undefined)
    : gpa < 2n * SUPER ? t.big : undefined
  if (leaf === undefined) return refuse
  const has = (b: bigint): boolean => (leaf.flags & b) !== 0n
  if (!has(U) || !has(A) || (write ? !has(W) || !has(D) : !has(R))) return refuse
  const span = gpa < SUPER ? PAGE : SUPER
  return leaf.spaPage * PAGE + (gpa % span)
}

// Guest maps land in GPA pages 0 .. 0x47f, mostly on the 4 KiB leaves and the 2 MiB leaf, sometimes on
// GPAs the G-stage leaves unmapped.
export const gpaPageArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: L0_LEAVES - 1 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0x200, max: 0x3fa }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x47a }) },
)
export const guestOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant<'map'>('map'), first: fc.integer({ min: 0, max: PAGES - 1 }), count: fc.integer({ min: 1, max: 6 }), physPage: gpaPageArb, flags: fc.oneof({ weight: 3, arbitrary: fc.constant(3) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }) }) }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: PAGES - 1 }), fc.integer({ min: 0, max: PAGES - 1 })).map(([a, b]): Op => ({ kind: 'unmap', first: Math.min(a, b), last: Math.max(a, b) })) },
)

export const dmaArb = fc.record({
  bypass: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  page: fc.integer({ min: 0, max: PAGES + 4 }),
  /** Aim at a page the guest has mapped (most DMAs), the n-th of them; else at `page`. */
  aim: fc.option(fc.nat(), { freq: 3, nil: undefined }),
  gpaPage: gpaPageArb,
  offset: fc.bigInt({ min: 0n, max: PAGE - 1n }),
  write: fc.boolean(),
})

