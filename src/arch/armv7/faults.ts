// ARMv7 VMSA MMU faults as values, with the fault status and address the abort reports (ARM ARM DDI
// 0406C, B3.12.1–B3.12.3 "MMU faults", B3.13.3 "Fault Status Register encodings": Table B3-23 for the
// short-descriptor DFSR/IFSR FS field and domain, Table B3-24 for the long-descriptor STATUS field).
import type { ArmAccess } from './vmsa.ts'

/** The four MMU faults of a stage 1 walk (B3.12.1), plus the VMM's refusal of a guest-physical address. */
export type ArmFaultKind = 'Translation' | 'AccessFlag' | 'Domain' | 'Permission' | 'Stage2'

export type DescriptorFormat = 'short' | 'long'

export interface ArmFault {
  readonly _tag: ArmFaultKind
  readonly format: DescriptorFormat
  /**
   * The lookup level the fault is reported at: 1 or 2 (short: section/first level, page/second level),
   * 1 to 3 (long). For Stage2, the level of the descriptor being read, or 0 for the final address.
   */
  readonly level: number
  /** The faulting virtual address: what DFAR (data) or IFAR (instruction fetch) receives. */
  readonly far: bigint
  /** DFSR for a data access, IFSR for a fetch (0 for Stage2: no guest-visible status). */
  readonly fsr: number
  /** The domain of the faulting region (short-descriptor), when the architecture reports one. */
  readonly domain: number | undefined
  readonly access: ArmAccess
  /** Which check failed, in the ARM ARM's words. */
  readonly reason: string
}

/**
 * Short-descriptor FS[4:0] (Table B3-23). Translation: 0b00101 section (first level), 0b00111 page
 * (second level). Access flag: 0b00011 section, 0b00110 page. Domain: 0b01001 section, 0b01011 page.
 * Permission: 0b01101 section, 0b01111 page.
 */
const SHORT_FS: Record<Exclude<ArmFaultKind, 'Stage2'>, readonly [number, number]> = {
  Translation: [0b00101, 0b00111],
  AccessFlag: [0b00011, 0b00110],
  Domain: [0b01001, 0b01011],
  Permission: [0b01101, 0b01111],
}

/** Long-descriptor STATUS[5:0] = 0b0001LL translation, 0b0010LL access flag, 0b0011LL permission (Table B3-24). */
const LONG_STATUS_BASE: Record<Exclude<ArmFaultKind, 'Stage2' | 'Domain'>, number> = {
  Translation: 0b000100, AccessFlag: 0b001000, Permission: 0b001100,
}

/**
 * The short-descriptor fault status register value. DFSR: FS[3:0] in bits 3:0, FS[4] in bit 10, the
 * domain in bits 7:4, WnR (bit 11) set for a write. IFSR holds the same FS bits and no domain or WnR.
 */
export const shortFsr = (kind: Exclude<ArmFaultKind, 'Stage2'>, level: 1 | 2, access: ArmAccess, domain: number | undefined): number => {
  const fs = SHORT_FS[kind][level - 1]!
  const status = (fs & 0xf) | (((fs >>> 4) & 1) << 10)
  if (access === 'fetch') return status
  return status | ((domain ?? 0) << 4) | (access === 'write' ? 1 << 11 : 0)
}

/** The long-descriptor fault status value: STATUS in bits 5:0, LPAE (bit 9) set, WnR (bit 11) for a data write. */
export const longFsr = (kind: Exclude<ArmFaultKind, 'Stage2' | 'Domain'>, level: 1 | 2 | 3, access: ArmAccess): number =>
  (LONG_STATUS_BASE[kind] | level) | (1 << 9) | (access === 'write' ? 1 << 11 : 0)

export const shortFault = (kind: Exclude<ArmFaultKind, 'Stage2'>, level: 1 | 2, va: bigint, access: ArmAccess, domain: number | undefined, reason: string): ArmFault =>
  ({ _tag: kind, format: 'short', level, far: va, fsr: shortFsr(kind, level, access, domain), domain, access, reason })

export const longFault = (kind: Exclude<ArmFaultKind, 'Stage2' | 'Domain'>, level: 1 | 2 | 3, va: bigint, access: ArmAccess, reason: string): ArmFault =>
  ({ _tag: kind, format: 'long', level, far: va, fsr: longFsr(kind, level, access), domain: undefined, access, reason })

/** The VMM has no (or not enough) mapping for a guest-physical address the walk or the access needs. */
export const stage2Fault = (format: DescriptorFormat, level: number, va: bigint, access: ArmAccess, reason: string): ArmFault =>
  ({ _tag: 'Stage2', format, level, far: va, fsr: 0, domain: undefined, access, reason })

const KIND_NAMES: Record<ArmFaultKind, string> = {
  Translation: 'translation fault', AccessFlag: 'access flag fault', Domain: 'domain fault',
  Permission: 'permission fault', Stage2: 'VMM (stage 2) fault',
}

/** "permission fault (page), DFSR 0x0000080f, DFAR 0x00401000". */
export const showFault = (f: ArmFault): string => {
  const where = f.format === 'short' ? (f.level === 1 ? 'section' : 'page') : `level ${f.level}`
  if (f._tag === 'Stage2') return `${KIND_NAMES[f._tag]} at ${f.level === 0 ? 'the final address' : `level ${f.level}`}: ${f.reason}`
  const reg = f.access === 'fetch' ? 'IFSR' : 'DFSR'
  const far = f.access === 'fetch' ? 'IFAR' : 'DFAR'
  return `${KIND_NAMES[f._tag]} (${where}), ${reg} 0x${f.fsr.toString(16).padStart(8, '0')}, ${far} 0x${f.far.toString(16).padStart(8, '0')}: ${f.reason}`
}
