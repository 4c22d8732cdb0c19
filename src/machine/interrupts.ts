// External interrupt lines, as the caller drives them (Priv. ISA, "Machine Interrupt (mip and mie)
// Registers": MEIP is set and cleared by a platform-specific interrupt controller; SEIP may also be set by
// one). Spike's PLIC raises and lowers them with a backdoor write of mip (riscv/plic.cc), so an external
// SEIP and the SEIP M-mode software writes are the same bit there, and here: the line writes that bit.
// The hart notices a changed line where Spike does: when the next batch of steps starts (after a trap,
// WFI, a chunk end or a serializing instruction such as a CSR access), not before an arbitrary instruction.
import { type Machine, withHart } from './machine.ts'
import { withCsrs } from '../cpu/hart.ts'
import { MIP_MEIP, MIP_SEIP } from '../cpu/csr/fields.ts'

/** The external interrupt lines a platform controller drives: machine-level (MEIP) and supervisor-level (SEIP). */
export type ExternalLine = 'machine' | 'supervisor'

const BIT: Readonly<Record<ExternalLine, bigint>> = { machine: MIP_MEIP, supervisor: MIP_SEIP }

/**
 * The machine with external interrupt line `line` raised (`level` true) or lowered. Nothing else
 * changes; a WFI in progress ends at the next step if the interrupt is enabled in mie, as in Spike.
 */
export const setExternalInterrupt = (m: Machine, line: ExternalLine, level: boolean): Machine => {
  const h = m.hart
  const mip = level ? h.csr.mip | BIT[line] : h.csr.mip & ~BIT[line]
  if (mip === h.csr.mip) return m
  return withHart(m, withCsrs(h, { ...h.csr, mip }))
}
