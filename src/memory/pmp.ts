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
const U64 = (1n << 64n) - 1n

export interface PmpEntry {
  /** The entry's pmpcfg byte. */
  readonly cfg: number
  /** The pmpaddr register (address >> 2). */
  readonly addr: bigint
}

/** The PMP state: one entry per implemented PMP register (Spike implements 16). */
export type Pmp = readonly PmpEntry[]

export type PmpAccess = 'fetch' | 'load' | 'store'
export type PmpPrivilege = 'M' | 'S' | 'U'

const entry = (cfg: number, addr: bigint): PmpEntry => ({ cfg, addr })

/**
 * Spike's reset state: entry 0 = NAPOT over the whole address space with R W X (so software unaware
 * of PMP can run S- and U-mode code), every other entry OFF.
 */
export const resetPmp = (n = 16): Pmp =>
  Array.from({ length: n }, (_, i) => (i === 0 ? entry(PMP_R | PMP_W | PMP_X | PMP_NAPOT, PMPADDR_MASK) : entry(0, 0n)))

// ---- address matching -------------------------------------------------------------------------------

/** Top of a TOR range, or the base of a NAPOT/NA4 range: pmpaddr << 2. */
const topOf = (e: PmpEntry): bigint => e.addr << 2n

/** NAPOT/NA4: the mask of address bits that must equal those of pmpaddr << 2. */
const napotMask = (e: PmpEntry): bigint => {
  const na4 = (e.cfg & PMP_A) === PMP_NA4
  const m = (e.addr << 1n) | (na4 ? 0n : 1n)                 // trailing ones of m give the region size
  const trailing = m & ~(m + 1n) & U64
  return (~trailing << 2n) & U64
}

/** Does entry i match the 4-byte sector at `addr`? */
const matches4 = (pmp: Pmp, i: number, addr: bigint): boolean => {
  const e = pmp[i]!
  const a = e.cfg & PMP_A
  if (a === PMP_OFF) return false
  if (a === PMP_TOR) {
    const base = i === 0 ? 0n : topOf(pmp[i - 1]!)
    return base <= addr && addr < topOf(e)
  }
  return ((addr ^ topOf(e)) & napotMask(e)) === 0n
}

/** The entry deciding an access of `size` bytes at `pa`: its index, 'partial', or undefined for none. */
export const pmpMatch = (pmp: Pmp, pa: PhysAddr | bigint, size: number): number | 'partial' | undefined => {
  const first = (pa as bigint) & ~3n
  const end = ((pa as bigint) + BigInt(size) + 3n) & ~3n
  for (let i = 0; i < pmp.length; i++) {
    let any = false
    let all = true
    for (let sector = first; sector < end; sector += 4n) {
      const m = matches4(pmp, i, sector)
      any ||= m
      all &&= m
    }
    if (any) return all ? i : 'partial'
  }
  return undefined
}

/**
 * Is the access allowed? The matching entry's R/W/X decide, except that M-mode ignores unlocked
 * entries; with no matching entry only M-mode may access; an access only partly inside the matching
 * entry always fails. HLVX needs X as well as R (Spike).
 */
export const pmpAllows = (pmp: Pmp, pa: PhysAddr | bigint, size: number, access: PmpAccess, priv: PmpPrivilege, hlvx = false): boolean => {
  if (pmp.length === 0) return true
  const i = pmpMatch(pmp, pa, size)
  if (i === 'partial') return false
  if (i === undefined) return priv === 'M'
  const cfg = pmp[i]!.cfg
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
  for (let k = 0; k < 8; k++) v |= BigInt(pmp[n * 4 + k]?.cfg ?? 0) << BigInt(8 * k)
  return v
}

/**
 * Writes pmpcfgN: locked entries keep their byte; the reserved bits 6:5 read as zero; W=1 with R=0 is
 * reserved, so W is cleared unless R is set (Spike's legalization).
 */
export const writePmpcfg = (pmp: Pmp, n: number, value: bigint): Pmp =>
  pmp.map((e, i) => {
    const k = i - n * 4
    if (k < 0 || k >= 8 || (e.cfg & PMP_L) !== 0) return e
    let cfg = Number((value >> BigInt(8 * k)) & 0xffn) & (PMP_R | PMP_W | PMP_X | PMP_A | PMP_L)
    if ((cfg & PMP_R) === 0) cfg &= ~PMP_W
    return cfg === e.cfg ? e : entry(cfg, e.addr)
  })

export const readPmpaddr = (pmp: Pmp, i: number): bigint => pmp[i]?.addr ?? 0n

/**
 * Writes pmpaddrI: ignored when entry I is locked, or when entry I+1 is a locked TOR entry (whose
 * range starts at pmpaddrI); the value keeps address bits 55:2.
 */
export const writePmpaddr = (pmp: Pmp, i: number, value: bigint): Pmp => {
  const e = pmp[i]
  if (e === undefined || (e.cfg & PMP_L) !== 0) return pmp
  const next = pmp[i + 1]
  if (next !== undefined && (next.cfg & PMP_L) !== 0 && (next.cfg & PMP_A) === PMP_TOR) return pmp
  return pmp.map((x, k) => (k === i ? entry(x.cfg, value & PMPADDR_MASK) : x))
}

/**
 * The check for the page-table walker's implicit accesses, which PMP treats as S-mode accesses:
 * PTE reads as loads, A/D updates as stores.
 */
export const pmpForPageTables = (pmp: Pmp) => (pa: PhysAddr, size: number, op: 'read' | 'write'): boolean =>
  pmpAllows(pmp, pa, size, op === 'read' ? 'load' : 'store', 'S')
