// Page-table entry format shared by Sv39/Sv48/Sv57 and the G-stage x4 schemes (Priv. ISA,
// "Sv39: Page-Based 39-bit Virtual-Memory System", Svnapot and Svpbmt chapters).
// Bits: 0 V, 1 R, 2 W, 3 X, 4 U, 5 G, 6 A, 7 D, 9:8 RSW, 53:10 PPN, 60:54 reserved,
// 62:61 PBMT (Svpbmt), 63 N (Svnapot).

export const PTE_V = 1n << 0n
export const PTE_R = 1n << 1n
export const PTE_W = 1n << 2n
export const PTE_X = 1n << 3n
export const PTE_U = 1n << 4n
export const PTE_G = 1n << 5n
export const PTE_A = 1n << 6n
export const PTE_D = 1n << 7n
/**
 * The same flags as small numbers, for checks on a PTE's low byte (`Number(pte & 0xffn)`) without
 * bigint arithmetic: the walkers and the TLB test these on every access.
 */
export const FLAG_V = 1, FLAG_R = 2, FLAG_W = 4, FLAG_X = 8, FLAG_U = 16, FLAG_G = 32, FLAG_A = 64, FLAG_D = 128
/** Bits 60:54, reserved for future standard use: a PTE with any of them set faults. */
export const PTE_RESERVED = 0x7fn << 54n
/** Bits 62:61: page-based memory type (0 PMA, 1 NC, 2 IO, 3 reserved). */
export const PTE_PBMT = 3n << 61n
export const PTE_N = 1n << 63n
/** PPN: bits 53:10 (44 bits). */
export const PTE_PPN_SHIFT = 10n
export const PPN_MASK = (1n << 44n) - 1n
/** Bytes per PTE in RV64 schemes. */
export const PTESIZE = 8n

export type Pbmt = 'PMA' | 'NC' | 'IO' | 'reserved'
const PBMT_NAMES: readonly Pbmt[] = ['PMA', 'NC', 'IO', 'reserved']

/** Every field of a PTE, decoded. */
export interface Pte {
  readonly v: boolean
  readonly r: boolean
  readonly w: boolean
  readonly x: boolean
  readonly u: boolean
  readonly g: boolean
  readonly a: boolean
  readonly d: boolean
  readonly rsw: number
  readonly ppn: bigint
  readonly reserved: number
  readonly pbmt: Pbmt
  readonly n: boolean
}

const has = (pte: bigint, flag: bigint): boolean => (pte & flag) !== 0n

export const decodePte = (raw: bigint): Pte => ({
  v: has(raw, PTE_V), r: has(raw, PTE_R), w: has(raw, PTE_W), x: has(raw, PTE_X),
  u: has(raw, PTE_U), g: has(raw, PTE_G), a: has(raw, PTE_A), d: has(raw, PTE_D),
  rsw: Number((raw >> 8n) & 3n),
  ppn: pteppn(raw),
  reserved: Number((raw >> 54n) & 0x7fn),
  pbmt: PBMT_NAMES[Number((raw >> 61n) & 3n)]!,
  n: has(raw, PTE_N),
})

export const encodePte = (p: Pte): bigint =>
  (p.v ? PTE_V : 0n) | (p.r ? PTE_R : 0n) | (p.w ? PTE_W : 0n) | (p.x ? PTE_X : 0n) |
  (p.u ? PTE_U : 0n) | (p.g ? PTE_G : 0n) | (p.a ? PTE_A : 0n) | (p.d ? PTE_D : 0n) |
  (BigInt(p.rsw & 3) << 8n) | ((p.ppn & PPN_MASK) << PTE_PPN_SHIFT) |
  (BigInt(p.reserved & 0x7f) << 54n) | (BigInt(PBMT_NAMES.indexOf(p.pbmt)) << 61n) | (p.n ? PTE_N : 0n)

/** The PPN field of a raw PTE. */
export const pteppn = (raw: bigint): bigint => (raw >> PTE_PPN_SHIFT) & PPN_MASK

/** A PTE is a pointer to the next level when V=1 and R=W=X=0. */
export const isPointer = (raw: bigint): boolean => (raw & (PTE_V | PTE_R | PTE_W | PTE_X)) === PTE_V

/** A compact flag string like "VRWXUGAD" with '-' for clear bits, for explanations. */
export const pteFlags = (raw: bigint): string =>
  ['V', 'R', 'W', 'X', 'U', 'G', 'A', 'D'].map((c, i) => (has(raw, 1n << BigInt(i)) ? c : '-')).join('')

/** Convenience for tests and scenarios: a PTE pointing at physical address `pa` with the given flag bits. */
export const makePte = (pa: bigint, flags: bigint): bigint => ((pa >> 12n) << PTE_PPN_SHIFT) | flags
