// The device context (RISC-V IOMMU spec v1.0, "Data Structures", "Leaf DDT entry" and "Device-context
// fields"): the base format (32 bytes: tc, iohgatp, ta, fsc) and the extended format (64 bytes: also
// msiptp, msi_addr_mask, msi_addr_pattern), as pure encode/decode, and the "Device-context
// configuration checks" that make a valid DC misconfigured (cause 259).
import { bit, bits, mask } from '../bits/bits.ts'
import type { Capabilities } from './capabilities.ts'

/** Translation control (`tc`). */
export interface TranslationControl {
  readonly v: boolean
  readonly enAts: boolean
  readonly enPri: boolean
  readonly t2gpa: boolean
  readonly dtf: boolean
  readonly pdtv: boolean
  readonly prpr: boolean
  readonly gade: boolean
  readonly sade: boolean
  readonly dpe: boolean
  readonly sbe: boolean
  readonly sxl: boolean
  /** Bits 23:12 and 63:32, reserved for standard use. */
  readonly reserved: bigint
  /** Bits 31:24, designated for custom use (carried, never interpreted). */
  readonly custom: number
}

/** A pointer-shaped field: `iohgatp` (with GSCID), `iosatp`, `pdtp`, `msiptp`: PPN 43:0, bits 59:44, MODE 63:60. */
export interface AtpField {
  readonly ppn: bigint
  /** Bits 59:44: the GSCID in iohgatp, reserved in every other pointer. */
  readonly mid: number
  readonly mode: number
}

/** Translation attributes (`DC.ta`). */
export interface DcTranslationAttributes {
  readonly pscid: number
  readonly rcid: number
  readonly mcid: number
  /** Bits 11:0 and 39:32. */
  readonly reserved: bigint
}

export interface DeviceContext {
  readonly format: 'base' | 'extended'
  readonly tc: TranslationControl
  readonly iohgatp: AtpField
  readonly ta: DcTranslationAttributes
  /** `iosatp` when tc.PDTV = 0, `pdtp` when tc.PDTV = 1 (same layout). */
  readonly fsc: AtpField
  /** Extended format only (zero in the base format). */
  readonly msiptp: AtpField
  readonly msiAddrMask: bigint
  readonly msiAddrPattern: bigint
  /** Extended format: bits 63:52 of msi_addr_mask and of msi_addr_pattern, and all of doubleword 7. */
  readonly msiReserved: { readonly mask: bigint, readonly pattern: bigint, readonly dword7: bigint }
}

// ---- constructors: fields ---------------------------------------------------------------------------

export const decodeTc = (x: bigint): TranslationControl => ({
  v: bit(x, 0), enAts: bit(x, 1), enPri: bit(x, 2), t2gpa: bit(x, 3), dtf: bit(x, 4), pdtv: bit(x, 5),
  prpr: bit(x, 6), gade: bit(x, 7), sade: bit(x, 8), dpe: bit(x, 9), sbe: bit(x, 10), sxl: bit(x, 11),
  reserved: (bits(x, 23, 12) << 12n) | (bits(x, 63, 32) << 32n),
  custom: Number(bits(x, 31, 24)),
})

const b = (flag: boolean, at: number): bigint => (flag ? 1n << BigInt(at) : 0n)

export const encodeTc = (t: TranslationControl): bigint =>
  b(t.v, 0) | b(t.enAts, 1) | b(t.enPri, 2) | b(t.t2gpa, 3) | b(t.dtf, 4) | b(t.pdtv, 5) | b(t.prpr, 6) |
  b(t.gade, 7) | b(t.sade, 8) | b(t.dpe, 9) | b(t.sbe, 10) | b(t.sxl, 11) |
  (t.reserved & ((mask(12) << 12n) | (mask(32) << 32n))) | (BigInt(t.custom & 0xff) << 24n)

export const decodeAtp = (x: bigint): AtpField => ({ ppn: bits(x, 43, 0), mid: Number(bits(x, 59, 44)), mode: Number(bits(x, 63, 60)) })
export const encodeAtp = (a: AtpField): bigint => (a.ppn & mask(44)) | (BigInt(a.mid & 0xffff) << 44n) | (BigInt(a.mode & 0xf) << 60n)

export const decodeDcTa = (x: bigint): DcTranslationAttributes => ({
  pscid: Number(bits(x, 31, 12)), rcid: Number(bits(x, 51, 40)), mcid: Number(bits(x, 63, 52)),
  reserved: bits(x, 11, 0) | (bits(x, 39, 32) << 32n),
})
export const encodeDcTa = (t: DcTranslationAttributes): bigint =>
  (t.reserved & (mask(12) | (mask(8) << 32n))) | (BigInt(t.pscid & 0xfffff) << 12n) |
  (BigInt(t.rcid & 0xfff) << 40n) | (BigInt(t.mcid & 0xfff) << 52n)

// ---- constructors: the whole context ------------------------------------------------------------------

/** DC size in bytes: 64 when capabilities.MSI_FLAT = 1 (extended format), else 32 (base format). */
export const dcSize = (caps: Capabilities): 32 | 64 => (caps.msiFlat ? 64 : 32)

/** Decodes a DC from its doublewords in memory order (4 for the base format, 8 for the extended). */
export const decodeDeviceContext = (dw: readonly bigint[]): DeviceContext => {
  const extended = dw.length === 8
  const at = (i: number): bigint => (extended || i < 4 ? dw[i] ?? 0n : 0n)
  return {
    format: extended ? 'extended' : 'base',
    tc: decodeTc(at(0)),
    iohgatp: decodeAtp(at(1)),
    ta: decodeDcTa(at(2)),
    fsc: decodeAtp(at(3)),
    msiptp: decodeAtp(at(4)),
    msiAddrMask: bits(at(5), 51, 0),
    msiAddrPattern: bits(at(6), 51, 0),
    msiReserved: { mask: bits(at(5), 63, 52), pattern: bits(at(6), 63, 52), dword7: at(7) },
  }
}

/** The doublewords of a DC in memory order: 4 for the base format, 8 for the extended format. */
export const encodeDeviceContext = (dc: DeviceContext): readonly bigint[] => {
  const base = [encodeTc(dc.tc), encodeAtp(dc.iohgatp), encodeDcTa(dc.ta), encodeAtp(dc.fsc)]
  if (dc.format === 'base') return base
  return [...base, encodeAtp(dc.msiptp),
    (dc.msiAddrMask & mask(52)) | ((dc.msiReserved.mask & mask(12)) << 52n),
    (dc.msiAddrPattern & mask(52)) | ((dc.msiReserved.pattern & mask(12)) << 52n),
    dc.msiReserved.dword7]
}

// ---- mode encodings ---------------------------------------------------------------------------------

/** iosatp.MODE / PC.fsc.MODE with SXL = 0 ("Encodings of iosatp.MODE field when DC.tc.SXL=0"). */
export const IOSATP_BARE = 0, IOSATP_SV39 = 8, IOSATP_SV48 = 9, IOSATP_SV57 = 10
/** iohgatp.MODE with fctl.GXL = 0. */
export const IOHGATP_BARE = 0, IOHGATP_SV39X4 = 8, IOHGATP_SV48X4 = 9, IOHGATP_SV57X4 = 10
/** pdtp.MODE. */
export const PDTP_BARE = 0, PDTP_PD8 = 1, PDTP_PD17 = 2, PDTP_PD20 = 3
/** msiptp.MODE. */
export const MSIPTP_OFF = 0, MSIPTP_FLAT = 1

/** Whether a first-stage MODE (iosatp or PC.fsc) with SXL = 0 is valid and supported; undefined if so, else why not. */
export const firstStageModeProblem = (caps: Capabilities, modeValue: number): string | undefined => {
  switch (modeValue) {
    case IOSATP_BARE: return undefined
    case IOSATP_SV39: return caps.sv39 ? undefined : 'Sv39 is not supported (capabilities.Sv39 = 0)'
    case IOSATP_SV48: return caps.sv48 ? undefined : 'Sv48 is not supported (capabilities.Sv48 = 0)'
    case IOSATP_SV57: return caps.sv57 ? undefined : 'Sv57 is not supported (capabilities.Sv57 = 0)'
    default: return `MODE ${modeValue} is a reserved or custom encoding`
  }
}

/** The fctl fields the checks consult. */
export interface FeatureControl { readonly be: boolean, readonly wsi: boolean, readonly gxl: boolean }

/** How writable fctl's fields are (implementation choices; see registers.ts). */
export interface FctlWritability { readonly gxlWritable: boolean }

/**
 * "Device-context configuration checks": why a DC with tc.V = 1 is misconfigured (cause 259), or
 * undefined when it is not. Checks in the spec's order; the first that holds is the reason.
 */
export const deviceContextProblem = (
  dc: DeviceContext, caps: Capabilities, fctl: FeatureControl, writable: FctlWritability,
): string | undefined => {
  const { tc } = dc
  const pdtpMode = dc.fsc.mode
  // 1. Reserved bits and encodings.
  if (tc.reserved !== 0n) return 'tc has reserved bits set'
  if (dc.ta.reserved !== 0n) return 'ta has reserved bits set'
  if (dc.fsc.mid !== 0) return (tc.pdtv ? 'pdtp' : 'iosatp') + ' bits 59:44 are reserved and set'
  if (tc.pdtv && pdtpMode > PDTP_PD20) return `pdtp.MODE ${pdtpMode} is a reserved or custom encoding`
  if (dc.format === 'extended') {
    if (dc.msiptp.mid !== 0) return 'msiptp bits 59:44 are reserved and set'
    if (dc.msiReserved.mask !== 0n || dc.msiReserved.pattern !== 0n) return 'msi_addr_mask/pattern bits 63:52 are reserved and set'
    if (dc.msiReserved.dword7 !== 0n) return 'DC doubleword 7 is reserved and non-zero'
  }
  // 2.–6. ATS, PRI and T2GPA enables.
  if (!caps.ats && (tc.enAts || tc.enPri || tc.prpr)) return 'EN_ATS, EN_PRI or PRPR set but capabilities.ATS = 0'
  if (!tc.enAts && tc.t2gpa) return 'T2GPA = 1 with EN_ATS = 0'
  if (!tc.enAts && tc.enPri) return 'EN_PRI = 1 with EN_ATS = 0'
  if (!tc.enPri && tc.prpr) return 'PRPR = 1 with EN_PRI = 0'
  if (!caps.t2gpa && tc.t2gpa) return 'T2GPA = 1 but capabilities.T2GPA = 0'
  // 7. T2GPA needs a G-stage.
  if (tc.t2gpa && dc.iohgatp.mode === IOHGATP_BARE) return 'T2GPA = 1 with iohgatp.MODE = Bare'
  // 8. A PDT of a supported depth.
  if (tc.pdtv) {
    if (pdtpMode === PDTP_PD20 && !caps.pd20) return 'pdtp.MODE = PD20 but capabilities.PD20 = 0'
    if (pdtpMode === PDTP_PD17 && !caps.pd17) return 'pdtp.MODE = PD17 but capabilities.PD17 = 0'
    if (pdtpMode === PDTP_PD8 && !caps.pd8) return 'pdtp.MODE = PD8 but capabilities.PD8 = 0'
  } else {
    // 9.–11. iosatp.MODE valid and supported (SXL = 1 is refused by check 20 below in this model).
    if (!tc.sxl) {
      const why = firstStageModeProblem(caps, dc.fsc.mode)
      if (why !== undefined) return `iosatp: ${why}`
    } else if (dc.fsc.mode !== IOSATP_BARE) {
      return `iosatp.MODE ${dc.fsc.mode} with SXL = 1: Sv32 is not supported`
    }
    // 12. DPE is reserved without a PDT.
    if (tc.dpe) return 'DPE = 1 with PDTV = 0'
  }
  // 13.–15. iohgatp.MODE valid and supported.
  const g = dc.iohgatp.mode
  if (!fctl.gxl) {
    if (g !== IOHGATP_BARE && g !== IOHGATP_SV39X4 && g !== IOHGATP_SV48X4 && g !== IOHGATP_SV57X4) return `iohgatp.MODE ${g} is a reserved encoding`
    if (g === IOHGATP_SV39X4 && !caps.sv39x4) return 'iohgatp.MODE = Sv39x4 but capabilities.Sv39x4 = 0'
    if (g === IOHGATP_SV48X4 && !caps.sv48x4) return 'iohgatp.MODE = Sv48x4 but capabilities.Sv48x4 = 0'
    if (g === IOHGATP_SV57X4 && !caps.sv57x4) return 'iohgatp.MODE = Sv57x4 but capabilities.Sv57x4 = 0'
  } else if (g !== IOHGATP_BARE && !(g === 8 && caps.sv32x4)) {
    return `iohgatp.MODE ${g} is not supported with fctl.GXL = 1`
  }
  // 16. msiptp.MODE Off or Flat.
  if (caps.msiFlat && dc.msiptp.mode !== MSIPTP_OFF && dc.msiptp.mode !== MSIPTP_FLAT) return `msiptp.MODE ${dc.msiptp.mode} is reserved`
  // 17. The G-stage root is 16 KiB and 16-KiB aligned.
  if (g !== IOHGATP_BARE && (dc.iohgatp.ppn & 3n) !== 0n) return 'iohgatp.PPN is not 16-KiB aligned'
  // 18. Hardware A/D updating needs AMO_HWAD.
  if (!caps.amoHwad && (tc.sade || tc.gade)) return 'SADE or GADE set but capabilities.AMO_HWAD = 0'
  // 19. One endianness only: SBE must equal fctl.BE.
  if (!caps.end && fctl.be !== tc.sbe) return 'SBE differs from fctl.BE and capabilities.END = 0'
  // 20. SXL legal: 1 when GXL = 1; 0 or 1 when GXL = 0 and writable; 0 when GXL = 0 and read-only.
  if (fctl.gxl ? !tc.sxl : (!writable.gxlWritable && tc.sxl)) return `SXL = ${tc.sxl ? 1 : 0} is not legal with fctl.GXL = ${fctl.gxl ? 1 : 0}`
  // 21. SBE legal: with fctl.BE read-only (END = 0), SBE must equal it (covered by 19).
  // 22. QoS IDs no wider than supported: QOSID = 0 here, so RCID and MCID are reserved.
  if (!caps.qosid && (dc.ta.rcid !== 0 || dc.ta.mcid !== 0)) return 'ta.RCID/MCID set but capabilities.QOSID = 0'
  // Recommended: msiptp.MODE must be Off when iohgatp.MODE is Bare.
  if (dc.format === 'extended' && g === IOHGATP_BARE && dc.msiptp.mode !== MSIPTP_OFF) return 'msiptp.MODE ≠ Off with iohgatp.MODE = Bare'
  return undefined
}
