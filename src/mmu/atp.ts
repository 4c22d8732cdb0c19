// The address-translation-and-protection registers: satp and vsatp (Priv. ISA, "Supervisor Address
// Translation and Protection Register") and hgatp ("Hypervisor Guest Address Translation and
// Protection Register"). Decoding them yields the paging scheme and the root table.

/** A paging scheme: how many levels, and whether the root is widened by 2 bits (G-stage x4). */
export interface Scheme {
  readonly name: 'Sv39' | 'Sv48' | 'Sv57' | 'Sv39x4' | 'Sv48x4' | 'Sv57x4'
  readonly levels: 3 | 4 | 5
  /** Extra index bits at the root level: 2 for the x4 G-stage schemes (16 KiB root), else 0. */
  readonly widenBits: 0 | 2
}

export const SV39: Scheme = { name: 'Sv39', levels: 3, widenBits: 0 }
export const SV48: Scheme = { name: 'Sv48', levels: 4, widenBits: 0 }
export const SV57: Scheme = { name: 'Sv57', levels: 5, widenBits: 0 }
export const SV39X4: Scheme = { name: 'Sv39x4', levels: 3, widenBits: 2 }
export const SV48X4: Scheme = { name: 'Sv48x4', levels: 4, widenBits: 2 }
export const SV57X4: Scheme = { name: 'Sv57x4', levels: 5, widenBits: 2 }

/** Width of the input address a scheme translates: 12 + 9·levels (+2 when widened). */
export const inputBits = (s: Scheme): number => 12 + 9 * s.levels + s.widenBits

// Per level count (3, 4, 5): the shift leaving bits 63:(width−1), and their value when all ones.
const TOP_SHIFT = [0n, 0n, 0n, 38n, 47n, 56n] as const
const TOP_ONES = [0n, 0n, 0n, (1n << 26n) - 1n, (1n << 17n) - 1n, (1n << 8n) - 1n] as const

/**
 * A virtual address is canonical for a first-stage scheme (Sv39/48/57) when bits 63 down to
 * width − 1 all equal bit width − 1 (sign extension); otherwise translation raises a page fault.
 */
export const isCanonical = (va: bigint, s: Scheme): boolean => {
  const top = va >> TOP_SHIFT[s.levels]
  return top === 0n || top === TOP_ONES[s.levels]
}

/** satp / vsatp decoded. `scheme` undefined means Bare (no translation). */
export interface Satp {
  readonly scheme: Scheme | undefined
  readonly asid: bigint
  readonly ppn: bigint
}

/** hgatp decoded. `scheme` undefined means Bare. */
export interface Hgatp {
  readonly scheme: Scheme | undefined
  readonly vmid: bigint
  readonly ppn: bigint
}

export const SATP_MODE = { Bare: 0n, Sv39: 8n, Sv48: 9n, Sv57: 10n } as const

const PPN_FIELD = (1n << 44n) - 1n
const SATP_SCHEMES: ReadonlyMap<bigint, Scheme | undefined> = new Map([[0n, undefined], [8n, SV39], [9n, SV48], [10n, SV57]])
const HGATP_SCHEMES: ReadonlyMap<bigint, Scheme | undefined> = new Map([[0n, undefined], [8n, SV39X4], [9n, SV48X4], [10n, SV57X4]])

/** A decoder for one of the atp registers: MODE[63:60], a tag field at bit 44 (`tagMask` wide), PPN[43:0]. */
const atpDecoder = <T>(schemes: ReadonlyMap<bigint, Scheme | undefined>, tagMask: bigint, make: (scheme: Scheme | undefined, tag: bigint, ppn: bigint) => T) =>
  (value: bigint): T | undefined => {
    const mode = (value >> 60n) & 0xfn
    if (!schemes.has(mode)) return undefined
    return make(schemes.get(mode), (value >> 44n) & tagMask, value & PPN_FIELD)
  }

/**
 * Decodes satp (or vsatp): MODE[63:60], ASID[59:44], PPN[43:0]. An unsupported MODE returns
 * undefined (a CSR write with such a MODE has no effect, so such a value never reaches the walker).
 */
export const decodeSatp: (satp: bigint) => Satp | undefined =
  atpDecoder(SATP_SCHEMES, 0xffffn, (scheme, asid, ppn): Satp => ({ scheme, asid, ppn }))

/**
 * Decodes hgatp: MODE[63:60], VMID[57:44] (14 bits), PPN[43:0]. The x4 root table is 16 KiB and
 * 16 KiB aligned, so PPN[1:0] read as zero (WARL); they are masked here (not for Bare).
 */
export const decodeHgatp: (hgatp: bigint) => Hgatp | undefined =
  atpDecoder(HGATP_SCHEMES, 0x3fffn, (scheme, vmid, ppn): Hgatp => ({ scheme, vmid, ppn: scheme === undefined ? ppn : ppn & ~3n }))

export const encodeSatp = (mode: bigint, asid: bigint, ppn: bigint): bigint =>
  (mode << 60n) | ((asid & 0xffffn) << 44n) | (ppn & ((1n << 44n) - 1n))
export const encodeHgatp = (mode: bigint, vmid: bigint, ppn: bigint): bigint =>
  (mode << 60n) | ((vmid & 0x3fffn) << 44n) | (ppn & ((1n << 44n) - 1n))
