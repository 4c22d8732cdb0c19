// Random translation set-ups for the MMU properties: a two-level (VS over G) page-table world with
// random flags and corruptions on random PTEs, and a single-stage Sv39 one built from the same pieces.
// Tables are placed at fixed addresses so that a corruption (a cleared V, a reserved bit, a PPN
// pointing outside RAM or off alignment) lands on a PTE the walk really reads.
import { isLeft, type Either } from 'fp-ts/lib/Either.js'
import { phys } from '../../src/bits/address.ts'
import { type PhysMemory, poke } from '../../src/memory/memory.ts'
import type { AccessType, TranslationFault } from '../../src/mmu/faults.ts'
import type { Translation, TranslationContext } from '../../src/mmu/translate.ts'
import { ram } from '../../spec/mmu/fixtures.ts'
import { fc } from '../fc.ts'

// PTE bits, from the spec's Sv39 PTE figure (kept literal here, independent of src/mmu/pte.ts).
export const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, G = 32n, A = 64n, D = 128n
export const N = 1n << 63n
export const pte = (ppn: bigint, flags: bigint): bigint => (ppn << 10n) | flags
export const ppnOf = (p: bigint): bigint => (p >> 10n) & ((1n << 44n) - 1n)

/** Spike's RAM, as in spec/mmu/fixtures.ts: [0x8000_0000, 0x1_0000_0000). */
export const RAM_BASE = 0x8000_0000n
export const RAM_END = 0x1_0000_0000n
/** A page-aligned address well outside RAM (and 1 GiB aligned, so it is a legal superpage target). */
export const OUTSIDE = 0x2_0000_0000n

// ---- PTE corruptions --------------------------------------------------------------------------------

/** What may go wrong with one PTE; `none` most of the time. */
export type Mutation =
  | 'none' | 'clearV' | 'wNoR' | 'reservedBit' | 'nBit' | 'pbmt1' | 'pbmt3' | 'adu'
  | 'ppnOutside' | 'ppnPlusOne' | 'ppnRandom' | 'flipKind'

export const mutationArb = (pNone: number): fc.Arbitrary<{ m: Mutation; bit: number; ppn: bigint }> =>
  fc.record({
    m: fc.oneof(
      { weight: pNone, arbitrary: fc.constant<Mutation>('none') },
      { weight: 1, arbitrary: fc.constantFrom<Mutation>('clearV', 'wNoR', 'reservedBit', 'nBit', 'pbmt1', 'pbmt3', 'adu', 'ppnOutside', 'ppnPlusOne', 'ppnRandom', 'flipKind') },
    ),
    bit: fc.integer({ min: 54, max: 60 }),
    ppn: fc.bigInt({ min: 0n, max: (1n << 44n) - 1n }),
  })

/** Applies a corruption to a well-formed PTE. */
export const mutate = (raw: bigint, mu: { m: Mutation; bit: number; ppn: bigint }): bigint => {
  const flags = raw & ~(((1n << 44n) - 1n) << 10n)     // everything but the PPN, high bits included
  const ppn = ppnOf(raw)
  switch (mu.m) {
    case 'none': return raw
    case 'clearV': return raw & ~V
    case 'wNoR': return (raw & ~R) | W
    case 'reservedBit': return raw | (1n << BigInt(mu.bit))
    case 'nBit': return raw | N
    case 'pbmt1': return raw | (1n << 61n)
    case 'pbmt3': return raw | (3n << 61n)
    case 'adu': return raw | A | D | U
    case 'ppnOutside': return pte(OUTSIDE >> 12n, flags)
    case 'ppnPlusOne': return pte(ppn + 1n, flags)
    case 'ppnRandom': return pte(mu.ppn, flags)
    // A pointer becomes a leaf (R=1), a leaf becomes a pointer (R=W=X=0).
    case 'flipKind': return (raw & (R | W | X)) === 0n ? raw | R : raw & ~(R | W | X)
  }
}

// ---- the context ------------------------------------------------------------------------------------

export interface CtxBits {
  readonly priv: 'U' | 'S'
  readonly access: AccessType
  readonly hlvx: boolean
  readonly vsSum: boolean
  readonly vsMxr: boolean
  readonly hsSum: boolean
  readonly hsMxr: boolean
  readonly menvAdue: boolean
  readonly menvPbmte: boolean
  /** henvcfg bits are read-only 0 while menvcfg's are 0; generated legal. */
  readonly henvAdue: boolean
  readonly henvPbmte: boolean
  readonly svnapot: boolean
}

export const ctxBitsArb: fc.Arbitrary<CtxBits> = fc.record({
  priv: fc.constantFrom<'U' | 'S'>('U', 'S'),
  access: fc.constantFrom<AccessType>('fetch', 'load', 'store'),
  hlvx: fc.boolean(),
  vsSum: fc.boolean(), vsMxr: fc.boolean(), hsSum: fc.boolean(), hsMxr: fc.boolean(),
  menvAdue: fc.boolean(), menvPbmte: fc.boolean(), henvAdue: fc.boolean(), henvPbmte: fc.boolean(),
  svnapot: fc.boolean(),
}).map((c) => ({
  ...c,
  hlvx: c.hlvx && c.access === 'load',
  henvAdue: c.henvAdue && c.menvAdue,
  henvPbmte: c.henvPbmte && c.menvPbmte,
}))

export const translationContext = (c: CtxBits, over: Partial<TranslationContext>): TranslationContext => ({
  priv: c.priv, virt: false, satp: 0n, vsatp: 0n, hgatp: 0n,
  mstatus: { sum: c.hsSum, mxr: c.hsMxr },
  vsstatus: { sum: c.vsSum, mxr: c.vsMxr },
  menvcfg: { adue: c.menvAdue, pbmte: c.menvPbmte },
  henvcfg: { adue: c.henvAdue, pbmte: c.henvPbmte },
  svnapot: c.svnapot,
  ...over,
})

// ---- leaves -----------------------------------------------------------------------------------------

export interface LeafBits {
  readonly r: boolean; readonly w: boolean; readonly x: boolean; readonly u: boolean
  readonly a: boolean; readonly d: boolean; readonly g: boolean
  /** Svpbmt memory type 0 PMA, 1 NC, 2 IO (legal only with PBMTE; 3 comes from the `pbmt3` corruption). */
  readonly pbmt: 0 | 1 | 2
}

/** true with probability n/16. */
const likely = (n: number): fc.Arbitrary<boolean> =>
  fc.oneof({ weight: n, arbitrary: fc.constant(true) }, { weight: 16 - n, arbitrary: fc.constant(false) })

/**
 * Leaf permissions: R or X set so it is a leaf, and never W without R (that reserved encoding comes from `wNoR`).
 * `permissive` leans R, W, X, U towards 1 (G-stage leaves, which must allow implicit reads and U).
 */
export const leafBitsArb = (permissive: boolean): fc.Arbitrary<LeafBits> => {
  const bit = (n: number): fc.Arbitrary<boolean> => (permissive ? likely(n) : fc.boolean())
  const pbmt = fc.oneof({ weight: 6, arbitrary: fc.constant<0>(0) }, { weight: 1, arbitrary: fc.constantFrom<1 | 2>(1, 2) })
  return fc.record({ r: bit(15), w: bit(11), x: bit(12), u: bit(15), a: bit(14), d: fc.boolean(), g: fc.boolean(), pbmt })
    .map((l) => (l.r || l.x ? l : { ...l, r: true }))
    .map((l) => (l.w && !l.r ? { ...l, r: true } : l))
}

export const leafFlags = (l: LeafBits, adPreset: boolean): bigint =>
  V | (l.r ? R : 0n) | (l.w ? W : 0n) | (l.x ? X : 0n) | (l.u ? U : 0n) | (l.g ? G : 0n) |
  (adPreset || l.a ? A : 0n) | (adPreset || l.d ? D : 0n) | (BigInt(l.pbmt) << 61n)

// ---- the two-stage world ----------------------------------------------------------------------------

// Host (physical) layout. The G-stage root is 16 KiB; each G path k has its own L1 and L0 table.
export const G_ROOT = 0xf000_0000n
const gL1 = (k: number): bigint => 0xf001_0000n + BigInt(k) * 0x1000n
const gL0 = (k: number): bigint => 0xf002_0000n + BigInt(k) * 0x1000n
/**
 * Guest-physical pages: k = 0, 1, 2 hold the VS root, L1 and L0 tables; k = 3 is the data page. Each
 * sits under its own G root entry (4 + k, plus 512·high so that the entry may lie in any of the four
 * pages of the 16 KiB Sv39x4 root) and differs from the others in bits 29:21 and 20:12 too, so the
 * host pages of a 1 GiB or 2 MiB G leaf never coincide.
 */
const gpaOf = (k: number, high: number): bigint =>
  (BigInt(4 + k + 512 * high) << 30n) | (BigInt(k) << 21n) | (BigInt(k) << 12n)
/** With hgatp = Bare the VS tables sit at GPA = PA in RAM. */
const T_BARE = (k: number): bigint => 0xe000_0000n + BigInt(k) * 0x1000n
/** Where a G leaf at `level` for path k sends guest page `gpa` (1 GiB / 2 MiB / 4 KiB host regions). */
const hostOf = (k: number, level: number, gpa: bigint): { leafPpn: bigint; host: bigint } => {
  const base = level === 2 ? 0x8000_0000n : level === 1 ? 0xc000_0000n + BigInt(k) * 0x40_0000n : 0xd000_0000n + BigInt(k) * 0x1000n
  const span = 1n << BigInt(12 + 9 * level)
  return { leafPpn: base >> 12n, host: base + (gpa & (span - 1n) & ~0xfffn) }
}

export interface TwoStageConfig {
  readonly c: CtxBits
  readonly adPreset: boolean
  readonly vsatpBare: boolean
  readonly hgatpBare: boolean
  readonly vpn: readonly [number, number, number]   // vpn[2], vpn[1], vpn[0]
  readonly offset: number
  readonly nonCanonical: boolean
  readonly vsLeafLevel: number
  readonly vsLeaf: LeafBits
  /** Where in the 1 GiB data GPA region the VS leaf points (in 4 KiB pages). */
  readonly dataPage: number
  readonly gLeafLevel: readonly number[]              // per path k = 0..3
  /** Which 4 KiB page of the 16 KiB G root holds path k's root entry (0..3). */
  readonly gRootPage: readonly number[]
  /** A guest page whose G leaf points outside RAM (its VS table reads are then access faults), or -1. */
  readonly hostOutside: number
  readonly gLeaf: readonly LeafBits[]
  readonly vsMut: readonly { m: Mutation; bit: number; ppn: bigint }[]        // index = level
  readonly gMut: readonly (readonly { m: Mutation; bit: number; ppn: bigint }[])[]  // [k][level]
}

export const twoStageConfigArb: fc.Arbitrary<TwoStageConfig> = fc.record({
  c: ctxBitsArb,
  adPreset: fc.boolean(),
  vsatpBare: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  hgatpBare: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  vpn: fc.tuple(fc.integer({ min: 0, max: 511 }), fc.integer({ min: 0, max: 511 }), fc.integer({ min: 0, max: 511 })),
  offset: fc.integer({ min: 0, max: 4095 }),
  nonCanonical: fc.oneof({ weight: 20, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  vsLeafLevel: fc.constantFrom(0, 1, 2),
  vsLeaf: fc.oneof(leafBitsArb(false), leafBitsArb(true)),
  dataPage: fc.integer({ min: 0, max: (1 << 18) - 1 }),
  gLeafLevel: fc.array(fc.constantFrom(0, 1, 2), { minLength: 4, maxLength: 4 }),
  gRootPage: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }), { minLength: 4, maxLength: 4 }),
  hostOutside: fc.oneof({ weight: 9, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }) }),
  gLeaf: fc.array(leafBitsArb(true), { minLength: 4, maxLength: 4 }),
  vsMut: fc.array(mutationArb(40), { minLength: 3, maxLength: 3 }),
  gMut: fc.array(fc.array(mutationArb(60), { minLength: 3, maxLength: 3 }), { minLength: 4, maxLength: 4 }),
})

export interface World {
  readonly memory: PhysMemory
  readonly ctx: TranslationContext
  readonly va: bigint
  /** Every word the set-up wrote (the page-table entries), for comparing memories afterwards. */
  readonly words: readonly bigint[]
}

/** The guest-virtual address: Sv39 vpn[2..0] and offset, sign-extended from bit 38 (or made non-canonical). */
const gvaOf = (vpn: readonly [number, number, number], offset: number, nonCanonical: boolean): bigint => {
  const low = (BigInt(vpn[0]) << 30n) | (BigInt(vpn[1]) << 21n) | (BigInt(vpn[2]) << 12n) | BigInt(offset)
  const canon = BigInt.asUintN(64, BigInt.asIntN(39, low))
  return nonCanonical ? canon ^ (1n << 50n) : canon
}

export const buildTwoStage = (cfg: TwoStageConfig): World => {
  const words = new Map<bigint, bigint>()
  const put = (a: bigint, v: bigint): void => { words.set(a, v) }
  const va = gvaOf(cfg.vpn, cfg.offset, cfg.nonCanonical)
  const [v2, v1, v0] = cfg.vpn
  const T = (k: number): bigint => gpaOf(k, cfg.gRootPage[k]!)
  const tableGpa = cfg.hgatpBare ? T_BARE : T
  // The VS leaf's intended target: the data region (GPA 7 GiB) at a page chosen by dataPage.
  const vsLevel = cfg.vsLeafLevel
  const vsSpanPages = 1n << BigInt(9 * vsLevel)
  const dataGpaBase = T(3) & ~((1n << 30n) - 1n)
  const vsLeafPpn = ((dataGpaBase >> 12n) + BigInt(cfg.dataPage)) & ~(vsSpanPages - 1n)
  const finalGpaPage = (vsLeafPpn << 12n) | (va & ((1n << BigInt(12 + 9 * vsLevel)) - 1n) & ~0xfffn)
  const gpaPages = [tableGpa(0), tableGpa(1), tableGpa(2), cfg.vsatpBare ? va & ~0xfffn : finalGpaPage]

  // G-stage: for each guest page k, a root entry → L1 → L0 path ending in a leaf at gLeafLevel[k].
  const hostPage: bigint[] = []
  for (let k = 0; k < 4; k++) {
    const gpa = gpaPages[k]!
    const level = cfg.gLeafLevel[k]!
    const { leafPpn, host } = hostOf(k, level, gpa)
    hostPage.push(cfg.hgatpBare ? gpa : host)
    if (cfg.hgatpBare) continue
    const leaf = pte(k === cfg.hostOutside ? OUTSIDE >> 12n : leafPpn, leafFlags(cfg.gLeaf[k]!, cfg.adPreset))
    const muts = cfg.gMut[k]!
    const idx = [(gpa >> 12n) & 0x1ffn, (gpa >> 21n) & 0x1ffn, (gpa >> 30n) & 0x7ffn]
    const tables = [gL0(k), gL1(k), G_ROOT]
    for (let i = 2; i >= level; i--) {
      const raw = i === level ? leaf : pte(tables[i - 1]! >> 12n, V)
      put(tables[i]! + idx[i]! * 8n, mutate(raw, muts[i]!))
    }
  }
  // VS-stage tables at the host pages of guest pages 0..2.
  if (!cfg.vsatpBare) {
    const vsIdx = [BigInt(v0), BigInt(v1), BigInt(v2)]
    for (let i = 2; i >= vsLevel; i--) {
      const raw = i === vsLevel ? pte(vsLeafPpn, leafFlags(cfg.vsLeaf, cfg.adPreset)) : pte(tableGpa(3 - i) >> 12n, V)
      put(hostPage[2 - i]! + vsIdx[i]! * 8n, mutate(raw, cfg.vsMut[i]!))
    }
  }
  let memory = ram
  for (const [a, v] of words) memory = poke(memory, phys(a), 8, v)
  const ctx = translationContext(cfg.c, {
    virt: true,
    vsatp: cfg.vsatpBare ? 0n : (8n << 60n) | (tableGpa(0) >> 12n),
    hgatp: cfg.hgatpBare ? 0n : (8n << 60n) | (G_ROOT >> 12n),
  })
  return { memory, ctx, va, words: [...words.keys()] }
}

// ---- comparing results ------------------------------------------------------------------------------

/** What two translations must agree on: the PA, or the fault's cause and trap values. */
export type Observed = { readonly pa: bigint } | { readonly cause: bigint; readonly tval: bigint; readonly htval: bigint; readonly tinst: bigint }

export const observe = (r: Either<TranslationFault, Translation>): Observed =>
  isLeft(r)
    ? { cause: r.left.cause, tval: r.left.tval, htval: r.left.htval, tinst: r.left.tinst }
    : { pa: r.right.pa }

export const show = (o: Observed): string =>
  'pa' in o ? `pa 0x${o.pa.toString(16)}` : `cause ${o.cause} tval 0x${o.tval.toString(16)} htval 0x${o.htval.toString(16)} tinst 0x${o.tinst.toString(16)}`
