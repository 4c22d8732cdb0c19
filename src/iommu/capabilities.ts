// The IOMMU `capabilities` register decoded (RISC-V IOMMU spec v1.0, "IOMMU capabilities"): which
// translation schemes, directory depths and features the modelled IOMMU implements. Read-only; every
// check elsewhere ("is Sv48x4 supported?", "is PD17 supported?") asks this record.
import { bit, bits } from '../bits/bits.ts'

export interface Capabilities {
  readonly raw: bigint
  readonly version: number
  readonly sv32: boolean, readonly sv39: boolean, readonly sv48: boolean, readonly sv57: boolean
  readonly svrsw60t59b: boolean
  readonly svpbmt: boolean
  readonly sv32x4: boolean, readonly sv39x4: boolean, readonly sv48x4: boolean, readonly sv57x4: boolean
  readonly amoMrif: boolean
  readonly msiFlat: boolean
  readonly msiMrif: boolean
  readonly amoHwad: boolean
  readonly ats: boolean
  readonly t2gpa: boolean
  /** END: both endiannesses supported (fctl.BE writable). */
  readonly end: boolean
  /** IGS: 0 MSI only, 1 WSI only, 2 both, 3 reserved. */
  readonly igs: number
  readonly hpm: boolean
  readonly dbg: boolean
  /** Physical address size in bits. */
  readonly pas: number
  readonly pd8: boolean, readonly pd17: boolean, readonly pd20: boolean
  readonly qosid: boolean
  readonly nl: boolean
  readonly s: boolean
}

/** Decodes the 64-bit `capabilities` value field by field (bit positions from the register's table). */
export const decodeCapabilities = (raw: bigint): Capabilities => ({
  raw,
  version: Number(bits(raw, 7, 0)),
  sv32: bit(raw, 8), sv39: bit(raw, 9), sv48: bit(raw, 10), sv57: bit(raw, 11),
  svrsw60t59b: bit(raw, 14),
  svpbmt: bit(raw, 15),
  sv32x4: bit(raw, 16), sv39x4: bit(raw, 17), sv48x4: bit(raw, 18), sv57x4: bit(raw, 19),
  amoMrif: bit(raw, 21),
  msiFlat: bit(raw, 22),
  msiMrif: bit(raw, 23),
  amoHwad: bit(raw, 24),
  ats: bit(raw, 25),
  t2gpa: bit(raw, 26),
  end: bit(raw, 27),
  igs: Number(bits(raw, 29, 28)),
  hpm: bit(raw, 30),
  dbg: bit(raw, 31),
  pas: Number(bits(raw, 37, 32)),
  pd8: bit(raw, 38), pd17: bit(raw, 39), pd20: bit(raw, 40),
  qosid: bit(raw, 41),
  nl: bit(raw, 42),
  s: bit(raw, 43),
})

/**
 * Capability bits this model does not implement, by name: a scenario that sets one is refused at the
 * edge rather than silently run with the feature missing. Sv32/Sv32x4 (4-byte PTEs), the big-endian
 * mode (END), the HPM, the debug interface, QoS IDs and the NL/S invalidation extensions.
 */
export const UNMODELLED_CAPABILITIES: readonly (readonly [number, string])[] = [
  [8, 'Sv32'], [14, 'Svrsw60t59b'], [16, 'Sv32x4'],
  [27, 'END'], [30, 'HPM'], [31, 'DBG'], [41, 'QOSID'], [42, 'NL'], [43, 'S'],
]

/** The names of the unmodelled capability bits set in `raw` (empty when the model covers them all). */
export const unmodelledCapabilities = (raw: bigint): readonly string[] =>
  UNMODELLED_CAPABILITIES.filter(([b]) => bit(raw, b)).map(([, name]) => name)

/** The capabilities the examples and golden scenarios use: v1.0, Sv39/48/57, Sv39x4/48x4/57x4, Svpbmt, AMO_HWAD, ATS, T2GPA, PAS 56, PD8/17/20. */
export const EXAMPLE_CAPABILITIES = 0x1f8_070e_8e10n
