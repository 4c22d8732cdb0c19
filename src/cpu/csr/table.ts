// The CSR file as one table: every definition from the chapter files, indexed by CSR number, and the
// three operations the Zicsr instructions need — may this access happen, read, write. Priv. ISA ch.
// "Control and Status Registers (CSRs)" §"CSR Address Mapping Conventions" (the privilege and read-only
// bits of a number) and H chapter §"Hypervisor and Virtual Supervisor CSRs" (V = 1 reaches the VS CSRs).
import { type Hart, PRV_S } from '../hart.ts'
import { type Isa } from '../isa.ts'
import { type CsrDef, type CsrDenial, type CsrWrite, ignoreWrite } from './define.ts'
import { MACHINE_CSRS } from './machine.ts'
import { SUPERVISOR_CSRS } from './supervisor.ts'
import { HYPERVISOR_CSRS } from './hypervisor.ts'
import { PMP_CSR_DEFS } from './pmp.ts'
import { COUNTER_CSRS } from './counters.ts'
import { DEBUG_CSRS } from './debug.ts'

/** 12-bit CSR numbers. */
const CSR_NUMBERS = 4096

/** The definitions at their numbers (a constant built once; a number defined twice is a model error). */
const byNumber = (defs: readonly CsrDef[]): readonly (CsrDef | undefined)[] => {
  const table: (CsrDef | undefined)[] = Array.from({ length: CSR_NUMBERS }, () => undefined)
  for (const d of defs) {
    if (table[d.number] !== undefined) throw new Error(`CSR 0x${d.number.toString(16)} is defined twice`)
    table[d.number] = d
  }
  return table
}

const TABLE = byNumber([...MACHINE_CSRS, ...SUPERVISOR_CSRS, ...HYPERVISOR_CSRS, ...PMP_CSR_DEFS, ...COUNTER_CSRS, ...DEBUG_CSRS])
/** The same numbers as reached with V = 1: a supervisor number with a `vs` twin holds that VS definition. */
const TABLE_V = TABLE.map((d) => (d?.vs !== undefined ? TABLE[d.vs] : d))

/** Does CSR `n` exist on this hart? Non-existent CSRs are always illegal (never virtual). */
export const csrExists = (n: number, isa: Isa): boolean => TABLE[n]?.exists(isa) ?? false

/** The privilege that counts for CSR access: HS-mode (S with V = 0) is level 2, VS is 1. */
const accessLevel = (h: Hart): number => (h.priv === PRV_S && !h.virt ? 2 : h.priv)

/**
 * Spike's csr_t::verify_permissions and the per-CSR additions: undefined when the access is allowed.
 * The base rule: a write to a read-only number is illegal; too little privilege is virtual-instruction
 * when V = 1 and the CSR is supervisor- or hypervisor-level, illegal otherwise. Then the CSR's own rule.
 */
export const csrDenial = (h: Hart, isa: Isa, n: number, write: boolean): CsrDenial | undefined => {
  const d = TABLE[n]
  if (d === undefined || !d.exists(isa)) return 'illegal'
  const csrPriv = (n >> 8) & 3
  if (write && ((n >> 10) & 3) === 3) return 'illegal'
  if (accessLevel(h) < csrPriv) return h.virt && csrPriv <= 2 ? 'virtual' : 'illegal'
  return d.deny === undefined ? undefined : d.deny(h, isa)
}

/** The value of CSR `n` (assumed to exist), as seen with virtualization mode `virt`; 0 for a number the model lacks. */
export const csrRead = (h: Hart, isa: Isa, n: number, virt: boolean = h.virt): bigint => {
  const d = (virt ? TABLE_V : TABLE)[n]
  return d === undefined ? 0n : d.read(h, isa, virt)
}

/**
 * Writes CSR `n` (assumed to exist and be permitted) with `value`, applying Spike's legalization.
 * Returns the new hart and the CSR numbers Spike's commit log shows for this write.
 */
export const csrWrite = (h: Hart, isa: Isa, n: number, value: bigint): CsrWrite => {
  const d = (h.virt ? TABLE_V : TABLE)[n]
  return d === undefined ? ignoreWrite(h) : d.write(h, isa, value)
}
