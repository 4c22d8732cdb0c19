// Bit positions of the status, interrupt and environment-configuration CSRs (Priv. ISA ch. "Machine-Level
// ISA" §"Machine Status Registers (mstatus)", "Machine Interrupt Registers", "Machine Environment
// Configuration Register"; H chapter §"Hypervisor Status Register (hstatus)").

// ---- mstatus / sstatus / vsstatus ------------------------------------------------------------------
export const MSTATUS_SIE = 1n << 1n
export const MSTATUS_MIE = 1n << 3n
export const MSTATUS_SPIE = 1n << 5n
export const MSTATUS_UBE = 1n << 6n
export const MSTATUS_MPIE = 1n << 7n
export const MSTATUS_SPP = 1n << 8n
export const MSTATUS_VS = 3n << 9n
export const MSTATUS_MPP = 3n << 11n
export const MSTATUS_FS = 3n << 13n
export const MSTATUS_XS = 3n << 15n
export const MSTATUS_MPRV = 1n << 17n
export const MSTATUS_SUM = 1n << 18n
export const MSTATUS_MXR = 1n << 19n
export const MSTATUS_TVM = 1n << 20n
export const MSTATUS_TW = 1n << 21n
export const MSTATUS_TSR = 1n << 22n
export const MSTATUS_UXL = 3n << 32n
export const MSTATUS_SXL = 3n << 34n
export const MSTATUS_GVA = 1n << 38n
export const MSTATUS_MPV = 1n << 39n
export const MSTATUS_SD = 1n << 63n
/**
 * sstatus (and vsstatus) write mask: SIE, SPIE, SPP, SUM, MXR and FS (Spike keeps FS writable whenever
 * S exists; no F, V or custom extensions here).
 */
export const SSTATUS_WRITE = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_FS
/** sstatus read mask: the writable bits plus UBE, UXL and SD. */
export const SSTATUS_READ = SSTATUS_WRITE | MSTATUS_UBE | MSTATUS_UXL | MSTATUS_SD

// ---- hstatus ---------------------------------------------------------------------------------------
export const HSTATUS_GVA = 1n << 6n
export const HSTATUS_SPV = 1n << 7n
export const HSTATUS_SPVP = 1n << 8n
export const HSTATUS_HU = 1n << 9n
export const HSTATUS_VTVM = 1n << 20n
export const HSTATUS_VTW = 1n << 21n
export const HSTATUS_VTSR = 1n << 22n
export const HSTATUS_VSXL = 3n << 32n

// ---- mip / mie -----------------------------------------------------------------------------------------
export const MIP_SSIP = 1n << 1n
export const MIP_VSSIP = 1n << 2n
export const MIP_MSIP = 1n << 3n
export const MIP_STIP = 1n << 5n
export const MIP_VSTIP = 1n << 6n
export const MIP_MTIP = 1n << 7n
export const MIP_SEIP = 1n << 9n
export const MIP_VSEIP = 1n << 10n
export const MIP_MEIP = 1n << 11n
export const MIP_SGEIP = 1n << 12n
/** The interrupts that belong to HS-mode's hip/hie view. */
export const MIP_HS_MASK = MIP_VSSIP | MIP_VSTIP | MIP_VSEIP | MIP_SGEIP
/** The VS-level interrupts (hideleg can delegate only these). */
export const MIP_VS_MASK = MIP_VSSIP | MIP_VSTIP | MIP_VSEIP

// ---- envcfg ------------------------------------------------------------------------------------------
export const ENVCFG_ADUE = 1n << 61n
export const ENVCFG_PBMTE = 1n << 62n
export const ENVCFG_STCE = 1n << 63n

/** The value of a field given its (contiguous) mask. */
export const getField = (reg: bigint, mask: bigint): bigint => (reg & mask) / (mask & -mask)
/** reg with the field under `mask` replaced by `value`. */
export const setField = (reg: bigint, mask: bigint, value: bigint): bigint =>
  (reg & ~mask) | ((value * (mask & -mask)) & mask)
