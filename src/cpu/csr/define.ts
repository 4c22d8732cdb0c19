// What one CSR definition holds, in the manner of Sail's per-CSR clauses and Spike's csr_t classes:
// whether the CSR exists, its access rules beyond those its number encodes, its read, and its write
// with the WARL legalization. Priv. ISA ch. "Control and Status Registers (CSRs)" (address map,
// field specifications WPRI/WLRL/WARL). The chapter files (machine.ts, supervisor.ts, ...) list the
// definitions; table.ts indexes them by number.
import { type Csrs, type Hart, withCsrs } from '../hart.ts'
import { type Isa } from '../isa.ts'

/** Why an access is refused: Spike throws illegal-instruction or virtual-instruction. */
export type CsrDenial = 'illegal' | 'virtual'

/** The result of a CSR write: the new hart and the CSR numbers Spike's commit log records for it. */
export interface CsrWrite {
  readonly hart: Hart
  /** Physical CSR numbers written (a view such as sstatus logs as the register it writes, mstatus). */
  readonly logged: readonly number[]
  /** Values fixed at write time for CSRs whose logged value is not their value after the instruction. */
  readonly values?: readonly (readonly [number, bigint])[]
  /** minstret / mcycle were written: this instruction does not also increment them (Spike). */
  readonly wroteInstret: boolean
  readonly wroteCycle: boolean
}

/** One CSR: its existence, extra access rule, read and legalizing write, side by side. */
export interface CsrDef {
  /** Its number. Bits [9:8] are the lowest privilege that may access it, bits [11:10] = 3 make it read-only. */
  readonly number: number
  /** Does it exist on a hart with this ISA? A number that does not exist is illegal, never virtual. */
  readonly exists: (isa: Isa) => boolean
  /**
   * With V = 1 this supervisor number reaches that VS CSR instead (H chapter §"Hypervisor and Virtual
   * Supervisor CSRs": the VS CSRs substitute for the supervisor CSRs they shadow).
   */
  readonly vs: number | undefined
  /** An access rule beyond the number's privilege and read-only bits (Spike's verify_permissions overrides). */
  readonly deny: ((h: Hart, isa: Isa) => CsrDenial | undefined) | undefined
  /** Its value as seen with virtualization mode `virt`. */
  readonly read: (h: Hart, isa: Isa, virt: boolean) => bigint
  /** The hart after writing `value`, legalized, and what the commit log shows. */
  readonly write: (h: Hart, isa: Isa, value: bigint) => CsrWrite
}

/** The parts a chapter file gives; `vs`, `deny` and `write` may be left out. */
export interface CsrSpec {
  readonly number: number
  readonly exists: (isa: Isa) => boolean
  readonly vs?: number
  readonly deny?: (h: Hart, isa: Isa) => CsrDenial | undefined
  readonly read: (h: Hart, isa: Isa, virt: boolean) => bigint
  readonly write?: (h: Hart, isa: Isa, value: bigint) => CsrWrite
}

/**
 * A definition with every field present (one object shape for the whole table). A CSR given no write
 * ignores writes and logs nothing, as Spike's const_csr_t does.
 */
export const define = (s: CsrSpec): CsrDef => ({
  number: s.number, exists: s.exists, vs: s.vs, deny: s.deny, read: s.read, write: s.write ?? ignoreWrite,
})

// ---- existence --------------------------------------------------------------------------------------------
export const always = (): boolean => true
export const withS = (isa: Isa): boolean => isa.s
export const withU = (isa: Isa): boolean => isa.u
export const withH = (isa: Isa): boolean => isa.h
export const withZicntr = (isa: Isa): boolean => isa.zicntr

// ---- writing --------------------------------------------------------------------------------------------------

/** A write that changed `h` into the given hart and logs `logged`. */
export const done = (h: Hart, logged: readonly number[]): CsrWrite => ({ hart: h, logged, wroteInstret: false, wroteCycle: false })
/** The hart with the stored registers in `patch` replaced; the write logs `logged`. */
export const set = (h: Hart, patch: Partial<Csrs>, logged: readonly number[]): CsrWrite =>
  done(withCsrs(h, { ...h.csr, ...patch }), logged)
/** A write that changes nothing and logs nothing. */
export const ignoreWrite = (h: Hart): CsrWrite => done(h, [])
/** `old` with the bits under `mask` taken from `value`. */
export const merge = (old: bigint, value: bigint, mask: bigint): bigint => (old & ~mask) | (value & mask)
