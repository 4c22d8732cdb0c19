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

/**
 * Decodes satp (or vsatp): MODE[63:60], ASID[59:44], PPN[43:0]. An unsupported MODE returns
 * undefined (a CSR write with such a MODE has no effect, so such a value never reaches the walker).
 */
export const decodeSatp = (satp: bigint): Satp | undefined => {
  if (satp === lastSatp) return lastSatpDecoded
  const mode = (satp >> 60n) & 0xfn
  const asid = (satp >> 44n) & 0xffffn
  const ppn = satp & ((1n << 44n) - 1n)
  switch (mode) {
    case 0n: return remember(satp, { scheme: undefined, asid, ppn })
    case 8n: return remember(satp, { scheme: SV39, asid, ppn })
    case 9n: return remember(satp, { scheme: SV48, asid, ppn })
    case 10n: return remember(satp, { scheme: SV57, asid, ppn })
    default: return undefined
  }
}

// One-entry memo of decodeSatp (a pure function of a bigint): translation decodes the same satp on
// every access, and the decoded value is immutable.
let lastSatp: bigint | undefined
let lastSatpDecoded: Satp | undefined
const remember = (satp: bigint, d: Satp): Satp => { lastSatp = satp; lastSatpDecoded = d; return d }

/**
 * Decodes hgatp: MODE[63:60], VMID[57:44] (14 bits), PPN[43:0]. The x4 root table is 16 KiB and
 * 16 KiB aligned, so PPN[1:0] read as zero (WARL); they are masked here.
 */
export const decodeHgatp = (hgatp: bigint): Hgatp | undefined => {
  if (hgatp === lastHgatp) return lastHgatpDecoded
  const mode = (hgatp >> 60n) & 0xfn
  const vmid = (hgatp >> 44n) & 0x3fffn
  const ppn = hgatp & ((1n << 44n) - 1n) & ~3n
  switch (mode) {
    case 0n: return rememberG(hgatp, { scheme: undefined, vmid, ppn: hgatp & ((1n << 44n) - 1n) })
    case 8n: return rememberG(hgatp, { scheme: SV39X4, vmid, ppn })
    case 9n: return rememberG(hgatp, { scheme: SV48X4, vmid, ppn })
    case 10n: return rememberG(hgatp, { scheme: SV57X4, vmid, ppn })
    default: return undefined
  }
}

let lastHgatp: bigint | undefined
let lastHgatpDecoded: Hgatp | undefined
const rememberG = (hgatp: bigint, d: Hgatp): Hgatp => { lastHgatp = hgatp; lastHgatpDecoded = d; return d }

export const encodeSatp = (mode: bigint, asid: bigint, ppn: bigint): bigint =>
  (mode << 60n) | ((asid & 0xffffn) << 44n) | (ppn & ((1n << 44n) - 1n))
export const encodeHgatp = (mode: bigint, vmid: bigint, ppn: bigint): bigint =>
  (mode << 60n) | ((vmid & 0x3fffn) << 44n) | (ppn & ((1n << 44n) - 1n))
