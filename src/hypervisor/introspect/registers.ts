// Introspection of the hart's registers: pc, x0–x31, the privilege level with V, and every CSR the model
// implements, each by its number as the hart itself numbers it (Priv. ISA ch. "Control and Status
// Registers", table of CSR addresses; H chapter for the hypervisor and VS CSRs). Pure reads of a Machine.
import { type Either, left, right } from '../../bits/either.ts'
import { type Hart, type Priv, PRV_M, PRV_S, PRV_U, withMode, resumed } from '../../cpu/hart.ts'
import { type Isa } from '../../cpu/isa.ts'
import { CSR, csrExists, csrRead, csrWrite } from '../../cpu/csr/access.ts'
import { type Machine, withHart } from '../../machine/machine.ts'
import { type IntrospectError, introspectError } from './memory.ts'

const CSR_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(CSR).map(([name, n]) => [n, name]))

/** The CSR's name (`mstatus`, `pmpaddr3`, `mhpmcounter5`…), or `csr0x…` for a number without one. */
export const csrName = (n: number): string => {
  const known = CSR_NAMES.get(n)
  if (known !== undefined) return known
  if (n >= 0x3a0 && n <= 0x3af) return `pmpcfg${n - 0x3a0}`
  if (n >= 0x3b0 && n <= 0x3ef) return `pmpaddr${n - 0x3b0}`
  if (n >= 0xb03 && n <= 0xb1f) return `mhpmcounter${n - 0xb00}`
  if (n >= 0x323 && n <= 0x33f) return `mhpmevent${n - 0x320}`
  return `csr0x${n.toString(16).padStart(3, '0')}`
}

/** The number of the CSR called `name` (as csrName spells it), or undefined. */
export const csrNumber = (name: string): number | undefined => {
  for (let n = 0; n < 0x1000; n++) if (csrName(n) === name) return n
  return undefined
}

/** Every CSR number that exists on a hart of `isa`, ascending. */
export const implementedCsrs = (isa: Isa): readonly number[] => {
  const out: number[] = []
  for (let n = 0; n < 0x1000; n++) if (csrExists(n, isa)) out.push(n)
  return out
}

/**
 * CSR `n` as M-mode reads it: the supervisor numbers (sstatus, satp…) are the HS-level registers,
 * whatever V is now; the VS registers are read by their own numbers (vsstatus, vsatp…). This is the
 * view of a debugger (the Debug spec's abstract commands run CSR accesses at M-level, V = 0).
 */
export const readCsr = (m: Machine, n: number): Either<IntrospectError, bigint> =>
  csrExists(n, m.isa) ? right(csrRead(m.hart, m.isa, n, false)) : left(introspectError(`CSR ${csrName(n)} does not exist on ${m.isa.name}`))

/** The machine with CSR `n` written as M-mode (V = 0) would write it, legalized as the hart does. */
export const writeCsr = (m: Machine, n: number, value: bigint): Either<IntrospectError, Machine> => {
  if (!csrExists(n, m.isa)) return left(introspectError(`CSR ${csrName(n)} does not exist on ${m.isa.name}`))
  if (((n >> 10) & 3) === 3) return left(introspectError(`CSR ${csrName(n)} is read-only`))
  const h = m.hart
  const asM = withMode(h, PRV_M, false)
  const w = csrWrite(asM, m.isa, n, value).hart
  return right(withHart(m, resumed(h, w.pc, w.x, w.csr, w.reservation, w.instret, w.cycle)))
}

// ---- the privilege level as one register -------------------------------------------------------------

/**
 * The privilege level as one register, encoded as the RISC-V Debug spec's virtual register `priv`
 * ("Virtual Debug Registers"): bits 1:0 the privilege (0 U, 1 S, 3 M), bit 2 the V bit. So VS-mode
 * reads 5, VU-mode 4, HS-mode 1. (QEMU's `priv` register shows bits 1:0 only.)
 */
export const privRegister = (h: Hart): bigint => BigInt(h.priv) | (h.virt ? 4n : 0n)

/** The mode a `priv` register value names, or undefined (priv 2 is reserved; V needs H and priv < M). */
export const decodePrivRegister = (value: bigint, isa: Isa): { priv: Priv; virt: boolean } | undefined => {
  if (value >> 3n !== 0n) return undefined
  const p = Number(value & 3n)
  const v = (value & 4n) !== 0n
  if (p === 2) return undefined
  const priv: Priv = p === 0 ? PRV_U : p === 1 ? PRV_S : PRV_M
  if (v && (!isa.h || priv === PRV_M)) return undefined
  return { priv, virt: v }
}

/** A mode's usual name: M, HS (S with H), S, U, VS, VU. */
export const modeName = (priv: Priv, virt: boolean, isa: Isa): string =>
  priv === PRV_M ? 'M' : priv === PRV_S ? (virt ? 'VS' : isa.h ? 'HS' : 'S') : virt ? 'VU' : 'U'

/** The hart's mode by its usual name. */
export const modeText = (h: Hart, isa: Isa): string => modeName(h.priv, h.virt, isa)

/** The hart's registers in one record: what `introspect --json` prints. */
export interface RegisterView {
  readonly pc: bigint
  readonly x: readonly bigint[]
  readonly priv: Priv
  readonly virt: boolean
  readonly mode: string
  readonly instret: bigint
}

export const registers = (m: Machine): RegisterView =>
  ({ pc: m.hart.pc, x: m.hart.x, priv: m.hart.priv, virt: m.hart.virt, mode: modeText(m.hart, m.isa), instret: m.hart.instret })

/** ABI names of x0–x31 (RISC-V psABI "Integer Register Convention"). */
export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
]
