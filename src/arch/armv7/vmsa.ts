// The ARMv7 Virtual Memory System Architecture's inputs to a PL1&0 stage 1 translation: the CP15
// registers that select and shape the walk (ARM ARM DDI 0406C, B3.5 short-descriptor, B3.6 long-
// descriptor, B4.1 register descriptions), the kinds of access, and access permissions as values.

/** The kind of access asking for a translation (a data read, a data write, an instruction fetch). */
export type ArmAccess = 'read' | 'write' | 'fetch'

/** The privilege level of the access: PL1 (kernel) or PL0 (user). */
export type Pl = 0 | 1

/**
 * The CP15 registers a PL1&0 stage 1 walk reads (B3.5.4 "Selecting between TTBR0 and TTBR1", B4.1.153
 * TTBCR, B4.1.43 DACR, B4.1.130 SCTLR). 32-bit registers are held as numbers, the 64-bit TTBRs of the
 * long-descriptor format as bigints (the short-descriptor format reads their low 32 bits).
 */
export interface VmsaRegs {
  /** SCTLR.M (bit 0): the stage 1 MMU is enabled. */
  readonly mmu: boolean
  /** SCTLR.AFE (bit 29): AP[0] is an Access flag (short-descriptor format only). */
  readonly afe: boolean
  /** TTBCR: EAE (bit 31) selects the long-descriptor format; N, PD0, PD1 or T0SZ, T1SZ, EPD0, EPD1, A1. */
  readonly ttbcr: number
  readonly ttbr0: bigint
  readonly ttbr1: bigint
  /** DACR: sixteen 2-bit domain fields (short-descriptor format only). */
  readonly dacr: number
  /** CONTEXTIDR: its low 8 bits are the current ASID with the short-descriptor format. */
  readonly contextidr: number
}

/** A register state with the MMU on, short-descriptor format, TTBCR = 0, every domain Client. */
export const vmsaRegs = (over: Partial<VmsaRegs> = {}): VmsaRegs => ({
  mmu: true, afe: false, ttbcr: 0, ttbr0: 0n, ttbr1: 0n, dacr: 0x5555_5555, contextidr: 0, ...over,
})

/** TTBCR.EAE (bit 31): the long-descriptor (LPAE) translation table format is in use. */
export const usesLongDescriptors = (r: VmsaRegs): boolean => ((r.ttbcr >>> 31) & 1) === 1

/**
 * The current ASID: CONTEXTIDR[7:0] with short descriptors (B4.1.36); with long descriptors the ASID
 * field of TTBR0, or of TTBR1 when TTBCR.A1 (bit 22) is set (B3.6.4, B4.1.154).
 */
export const currentAsid = (r: VmsaRegs): number => {
  if (!usesLongDescriptors(r)) return r.contextidr & 0xff
  const ttbr = ((r.ttbcr >>> 22) & 1) === 1 ? r.ttbr1 : r.ttbr0
  return Number((ttbr >> 48n) & 0xffn)
}

/** What one privilege level may do in a region. */
export interface Rights {
  readonly read: boolean
  readonly write: boolean
  readonly execute: boolean
}

/** Rights at PL1 and at PL0: the access permissions a descriptor (or a composition of them) grants. */
export interface Permissions {
  readonly pl1: Rights
  readonly pl0: Rights
}

export const NO_RIGHTS: Rights = { read: false, write: false, execute: false }
export const ALL_RIGHTS: Rights = { read: true, write: true, execute: true }

export const rights = (read: boolean, write: boolean, execute: boolean): Rights => ({ read, write, execute })

/** Rights both sides grant. */
export const intersectRights = (a: Rights, b: Rights): Rights =>
  rights(a.read && b.read, a.write && b.write, a.execute && b.execute)

/** Whether `rights` allow `access`. */
export const allows = (r: Rights, access: ArmAccess): boolean =>
  access === 'read' ? r.read : access === 'write' ? r.write : r.execute

/** The rights at one level. */
export const rightsAt = (p: Permissions, pl: Pl): Rights => (pl === 1 ? p.pl1 : p.pl0)

/** `a` grants nothing `b` does not. */
export const rightsWithin = (a: Rights, b: Rights): boolean =>
  (!a.read || b.read) && (!a.write || b.write) && (!a.execute || b.execute)

export const showRights = (r: Rights): string =>
  (r.read ? 'r' : '-') + (r.write ? 'w' : '-') + (r.execute ? 'x' : '-')

export const showPermissions = (p: Permissions): string => `PL1 ${showRights(p.pl1)} PL0 ${showRights(p.pl0)}`
