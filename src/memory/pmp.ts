// Physical memory protection (Priv. ISA, "Physical Memory Protection"): up to 16 entries, each a
// pmpcfg byte (R W X, address-matching mode A, lock L) and a pmpaddr register holding address bits
// 55:2. The lowest-numbered entry that matches any byte of an access decides; an access only partly
// inside it fails. Granularity is 4 bytes (G = 0), as on Spike; Smepmp (mseccfg) is not modelled.
import type { PhysAddr } from '../bits/address.ts'

export const PMP_R = 0x01
export const PMP_W = 0x02
export const PMP_X = 0x04
export const PMP_A = 0x18
export const PMP_L = 0x80
/** Address-matching modes, the A field of pmpcfg. */
export const PMP_OFF = 0x00, PMP_TOR = 0x08, PMP_NA4 = 0x10, PMP_NAPOT = 0x18

/** pmpaddr holds physical address bits 55:2 (Spike: 56 physical address bits for RV64). */
const PMPADDR_MASK = (1n << 54n) - 1n

/**
 * The PMP state as the CSRs hold it: pmpcfg bytes and pmpaddr registers (address >> 2), index = entry.
 * Only the first PMP_IMPLEMENTED entries take part in matching (a hart's CSR record, whose arrays may be
 * longer, is itself a Pmp).
 */
export interface Pmp {
  readonly pmpcfg: readonly number[]
  readonly pmpaddr: readonly bigint[]
}

/** Spike implements 16 PMP entries. */
export const PMP_IMPLEMENTED = 16

const entries = (pmp: Pmp): number => Math.min(PMP_IMPLEMENTED, pmp.pmpcfg.length)

export type PmpAccess = 'fetch' | 'load' | 'store'
export type PmpPrivilege = 'M' | 'S' | 'U'

/**
 * Spike's reset state: entry 0 = NAPOT over the whole address space with R W X (so software unaware
 * of PMP can run S- and U-mode code), every other entry OFF.
 */
export const resetPmp = (n = PMP_IMPLEMENTED): Pmp => ({
  pmpcfg: Array.from({ length: n }, (_, i) => (i === 0 ? PMP_R | PMP_W | PMP_X | PMP_NAPOT : 0)),
  pmpaddr: Array.from({ length: n }, (_, i) => (i === 0 ? PMPADDR_MASK : 0n)),
})

// ---- address matching -------------------------------------------------------------------------------

/**
 * The entry deciding an access of `size` bytes at `pa`: its index, 'partial', or undefined for none.
 * Entry i matches the 4-byte sectors in its range [lo, hi) (pmpEntryRange: both ends multiples of 4),
 * so it matches some sector of the access when the sectors [first, end) meet the range, and every
 * sector when they lie inside it.
 */
export const pmpMatch = (pmp: Pmp, pa: PhysAddr | bigint, size: number): number | 'partial' | undefined => {
  const first = pa & ~3n
  const end = (pa + BigInt(size) + 3n) & ~3n
  const n = entries(pmp)
  for (let i = 0; i < n; i++) {
    const r = pmpEntryRange(pmp, i)
    if (r === undefined || first >= r[1] || end <= r[0]) continue
    return r[0] <= first && end <= r[1] ? i : 'partial'
  }
  return undefined
}

/**
 * Is the access allowed? The matching entry's R/W/X decide, except that M-mode ignores unlocked
 * entries; with no matching entry only M-mode may access; an access only partly inside the matching
 * entry always fails. HLVX needs X as well as R (Spike).
 */
export const pmpAllows = (pmp: Pmp, pa: PhysAddr | bigint, size: number, access: PmpAccess, priv: PmpPrivilege, hlvx = false): boolean => {
  if (entries(pmp) === 0) return true
  const i = pmpMatch(pmp, pa, size)
  if (i === 'partial') return false
  if (i === undefined) return priv === 'M'
  const cfg = pmp.pmpcfg[i]!
  if (priv === 'M' && (cfg & PMP_L) === 0) return true
  switch (access) {
    case 'load': return (cfg & PMP_R) !== 0 && (!hlvx || (cfg & PMP_X) !== 0)
    case 'store': return (cfg & PMP_W) !== 0
    case 'fetch': return (cfg & PMP_X) !== 0
  }
}

// ---- the CSRs (WARL legalization as Spike does it) ----------------------------------------------------

/** pmpcfgN in RV64: only even N exist; pmpcfg0 holds entries 0–7, pmpcfg2 entries 8–15. */
export const readPmpcfg = (pmp: Pmp, n: number): bigint => {
  let v = 0n
  for (let k = 0; k < 8; k++) v |= BigInt(pmp.pmpcfg[n * 4 + k] ?? 0) << BigInt(8 * k)
  return v
}

/**
 * The pmpcfg byte a write leaves: a locked entry keeps its byte; the reserved bits 6:5 read as zero;
 * W=1 with R=0 is reserved, so W is cleared unless R is set (Spike's legalization).
 */
export const legalizePmpcfg = (old: number, written: number): number => {
  if ((old & PMP_L) !== 0) return old
  let cfg = written & (PMP_R | PMP_W | PMP_X | PMP_A | PMP_L)
  if ((cfg & PMP_R) === 0) cfg &= ~PMP_W
  return cfg
}

/** Writes pmpcfgN (entries 4N … 4N+7 of the implemented ones). */
export const writePmpcfg = (pmp: Pmp, n: number, value: bigint): Pmp => ({
  pmpcfg: pmp.pmpcfg.map((old, i) => {
    const k = i - n * 4
    return k < 0 || k >= 8 || i >= entries(pmp) ? old : legalizePmpcfg(old, Number((value >> BigInt(8 * k)) & 0xffn))
  }),
  pmpaddr: pmp.pmpaddr,
})

export const readPmpaddr = (pmp: Pmp, i: number): bigint => pmp.pmpaddr[i] ?? 0n

/** Can pmpaddrI be written? Not when entry I is locked, nor when entry I+1 is a locked TOR entry (whose range starts at pmpaddrI). */
export const pmpaddrWritable = (pmp: Pmp, i: number): boolean => {
  const cfg = pmp.pmpcfg[i]
  if (cfg === undefined || i >= entries(pmp) || (cfg & PMP_L) !== 0) return false
  const next = pmp.pmpcfg[i + 1]
  return !(next !== undefined && (next & PMP_L) !== 0 && (next & PMP_A) === PMP_TOR)
}

/** Writes pmpaddrI, keeping address bits 55:2, unless the entry is not writable (see pmpaddrWritable). */
export const writePmpaddr = (pmp: Pmp, i: number, value: bigint): Pmp =>
  pmpaddrWritable(pmp, i) ? { pmpcfg: pmp.pmpcfg, pmpaddr: pmp.pmpaddr.with(i, value & PMPADDR_MASK) } : pmp

/**
 * pmpAllows for a privilege as the hart numbers it (Spike's PRV_U = 0, PRV_S = 1, PRV_M = 3): the
 * hart's CSR record is itself a Pmp, so this is the whole of the hart's PMP check.
 */
export const pmpAllowsAt = (pmp: Pmp, pa: bigint, size: number, access: PmpAccess, priv: number, hlvx = false): boolean =>
  pmpAllows(pmp, pa, size, access, priv === 3 ? 'M' : priv === 1 ? 'S' : 'U', hlvx)

// ---- whole pages ------------------------------------------------------------------------------------

/** Bytes in the pages PMP is decided for at once (the engines' page memos, the fast engine's pages). */
export const PMP_PAGE = 4096

/** The byte range [lo, hi) of 4-byte sectors entry i matches, or undefined when it matches none. */
export const pmpEntryRange = (pmp: Pmp, i: number): readonly [bigint, bigint] | undefined => {
  const cfg = pmp.pmpcfg[i]!
  const a = cfg & PMP_A
  if (a === PMP_OFF) return undefined
  const top = pmp.pmpaddr[i]! << 2n
  if (a === PMP_TOR) {
    const base = i === 0 ? 0n : pmp.pmpaddr[i - 1]! << 2n
    return base < top ? [base, top] : undefined
  }
  if (a === PMP_NA4) return [top, top + 4n]
  // NAPOT: t trailing ones in pmpaddr make a region of 2^(t+3) bytes (Priv. ISA, "NAPOT range encoding"):
  // its byte offsets are the t ones shifted past the granule's 2 bits and the 8-byte minimum's third.
  const addr = pmp.pmpaddr[i]!
  const offsets = ((addr & ~(addr + 1n)) << 3n) | 7n
  const lo = top & ~offsets
  return [lo, lo + offsets + 1n]
}

/** The ranges of the implemented entries, in order (undefined for an entry that matches nothing). */
export type PmpRanges = readonly (readonly [bigint, bigint] | undefined)[]
export const pmpRanges = (pmp: Pmp): PmpRanges => Array.from({ length: entries(pmp) }, (_, i) => pmpEntryRange(pmp, i))

/** Page-wide answers: the accesses PMP allows everywhere in a page (0 when entries decide differently inside it). */
export const PAGE_LOAD = 1, PAGE_STORE = 2, PAGE_FETCH = 4

/**
 * What PMP allows on the PMP_PAGE-aligned page at `base` for privilege `priv` (hart numbering): the
 * PAGE_* bits of the accesses allowed at every address in it, or 0 when the deciding entry covers only
 * part of the page. When one entry (or none) decides the whole page, every access inside it is decided
 * as the page is: the entries below match none of its sectors and that entry matches all of them.
 * `rs` is pmpRanges(pmp) (passed so that a caller deciding many pages makes it once).
 */
export const pmpPageFlags = (pmp: Pmp, priv: number, base: bigint, rs: PmpRanges = pmpRanges(pmp)): number => {
  const end = base + BigInt(PMP_PAGE)
  for (const r of rs) {
    if (r === undefined || r[0] >= end || r[1] <= base) continue
    if (r[0] > base || r[1] < end) return 0          // the deciding entry covers only part of the page
    break
  }
  // One entry (or none) decides every access in the page: ask it with any access inside.
  return (pmpAllowsAt(pmp, base, 4, 'load', priv) ? PAGE_LOAD : 0) | (pmpAllowsAt(pmp, base, 4, 'store', priv) ? PAGE_STORE : 0)
    | (pmpAllowsAt(pmp, base, 4, 'fetch', priv) ? PAGE_FETCH : 0)
}

/**
 * The check for the page-table walker's implicit accesses, which PMP treats as S-mode accesses:
 * PTE reads as loads, A/D updates as stores.
 */
export const pmpForPageTables = (pmp: Pmp) => (pa: PhysAddr, size: number, op: 'read' | 'write'): boolean =>
  pmpAllows(pmp, pa, size, op === 'read' ? 'load' : 'store', 'S')
