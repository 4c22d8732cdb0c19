// Traps as values, and trap entry with delegation (Priv. ISA §"Machine Trap Delegation Registers
// (medeleg and mideleg)", §"Machine Cause Register (mcause)"; H chapter §"Trap Entry", §"Hypervisor
// Trap Delegation Registers (hedeleg and hideleg)", §"Trap Value Registers"). The order of the CSR
// updates and the values written follow Spike's processor_t::take_trap.
import { type Csrs, type Hart, type Priv, PRV_M, PRV_S, entered } from './hart.ts'
import { type Isa } from './isa.ts'
import {
  HSTATUS_GVA, HSTATUS_SPV, HSTATUS_SPVP, MSTATUS_GVA, MSTATUS_MIE, MSTATUS_MPIE, MSTATUS_MPP, MSTATUS_MPV,
  MSTATUS_SIE, MSTATUS_SPIE, MSTATUS_SPP, getField, setField,
} from './csr/fields.ts'
import { midelegRead } from './csr/access.ts'
import { CAUSE } from '../mmu/exception-codes.ts'

/** Exception codes: the one table, shared with translation faults and device translation (mmu/exception-codes.ts). */
export { CAUSE }

export const INTERRUPT_BIT = 1n << 63n

/** A trap about to be taken: what the trap CSRs receive. */
export interface Trap {
  /** mcause value: exception code, or interrupt code with bit 63 set. */
  readonly cause: bigint
  readonly tval: bigint
  /** htval / mtval2: a guest-physical address shifted right by 2 (guest-page faults), else 0. */
  readonly tval2: bigint
  /** htinst / mtinst. */
  readonly tinst: bigint
  /** The trap's tval is a guest virtual address (sets mstatus.GVA / hstatus.GVA). */
  readonly gva: boolean
}

export const trap = (cause: bigint, tval = 0n, gva = false, tval2 = 0n, tinst = 0n): Trap => ({ cause, tval, tval2, tinst, gva })

/** Illegal instruction: Spike writes the instruction bits (at most 32) to xtval. */
export const illegalInstruction = (bits: number): Trap => trap(CAUSE.illegalInstruction, BigInt(bits >>> 0))
/** Virtual instruction (cause 22), tval = the instruction bits as Spike writes them. */
export const virtualInstruction = (bits: number): Trap => trap(CAUSE.virtualInstruction, BigInt(bits >>> 0))

/** Where a trap was taken: M-mode, HS-mode, or VS-mode. */
export type TrapTarget = 'M' | 'HS' | 'VS'

export interface TrapEntry {
  readonly hart: Hart
  readonly target: TrapTarget
}

const bitOf = (mask: bigint, code: bigint): boolean => code < 64n && ((mask >> code) & 1n) === 1n

/**
 * Takes `t` at `epc`: chooses the handling mode by delegation (M → HS by medeleg/mideleg, HS → VS by
 * hedeleg/hideleg, only from modes at or below S), writes cause/epc/tval (and htval/htinst or
 * mtval2/mtinst), stacks the interrupt enable and previous privilege, and jumps to the trap vector.
 */
export const takeTrap = (h: Hart, isa: Isa, t: Trap, epc: bigint): TrapEntry => {
  const c = h.csr
  const interrupt = (t.cause & INTERRUPT_BIT) !== 0n
  const code = t.cause & ~INTERRUPT_BIT
  const lowPriv = h.priv <= PRV_S
  let vsdeleg: bigint, hsdeleg: bigint
  if (interrupt) {
    vsdeleg = h.virt && lowPriv ? c.hideleg & midelegRead(c, isa) : 0n
    hsdeleg = lowPriv ? midelegRead(c, isa) : 0n
  } else {
    vsdeleg = h.virt && lowPriv ? c.medeleg & c.hedeleg : 0n
    hsdeleg = lowPriv ? c.medeleg : 0n
  }
  if (lowPriv && bitOf(vsdeleg, code)) {
    // VS-mode handles it: vs* CSRs, vsstatus; VS-level interrupt codes are reported one lower (VSSIP → SSIP).
    const cause = interrupt && code <= 10n ? code - 1n : code
    const vector = (c.vstvec & 1n) === 1n && interrupt ? 4n * cause : 0n
    let s = c.vsstatus
    s = setField(s, MSTATUS_SPIE, getField(s, MSTATUS_SIE))
    s = setField(s, MSTATUS_SPP, BigInt(h.priv))
    s = setField(s, MSTATUS_SIE, 0n)
    const csr: Csrs = { ...c, vscause: cause | (interrupt ? INTERRUPT_BIT : 0n), vsepc: epc & ~1n, vstval: t.tval, vsstatus: s }
    return { hart: enter(h, (c.vstvec & ~1n) + vector, PRV_S, true, csr), target: 'VS' }
  }
  if (lowPriv && bitOf(hsdeleg, code)) {
    const vector = (c.stvec & 1n) === 1n && interrupt ? 4n * code : 0n
    let s = c.mstatus
    s = setField(s, MSTATUS_SPIE, getField(s, MSTATUS_SIE))
    s = setField(s, MSTATUS_SPP, BigInt(h.priv))
    s = setField(s, MSTATUS_SIE, 0n)
    let hs = c.hstatus
    if (isa.h) {
      if (h.virt) hs = setField(hs, HSTATUS_SPVP, BigInt(h.priv))
      hs = setField(hs, HSTATUS_SPV, h.virt ? 1n : 0n)
      hs = setField(hs, HSTATUS_GVA, t.gva ? 1n : 0n)
    }
    const csr: Csrs = {
      ...c, scause: t.cause, sepc: epc & ~1n, stval: t.tval,
      htval: isa.h ? t.tval2 : c.htval, htinst: isa.h ? t.tinst : c.htinst, mstatus: s, hstatus: hs,
    }
    return { hart: enter(h, (c.stvec & ~1n) + vector, PRV_S, false, csr), target: 'HS' }
  }
  const vector = (c.mtvec & 1n) === 1n && interrupt ? 4n * code : 0n
  let s = c.mstatus
  s = setField(s, MSTATUS_MPIE, getField(s, MSTATUS_MIE))
  s = setField(s, MSTATUS_MPP, BigInt(h.priv))
  s = setField(s, MSTATUS_MIE, 0n)
  if (isa.h) {
    s = setField(s, MSTATUS_MPV, h.virt ? 1n : 0n)
    s = setField(s, MSTATUS_GVA, t.gva ? 1n : 0n)
  }
  const csr: Csrs = {
    ...c, mepc: epc & ~1n, mcause: t.cause, mtval: t.tval,
    mtval2: isa.h ? t.tval2 : c.mtval2, mtinst: isa.h ? t.tinst : c.mtinst, mstatus: s,
  }
  return { hart: enter(h, (c.mtvec & ~1n) + vector, PRV_M, false, csr), target: 'M' }
}

const enter = (h: Hart, pc: bigint, priv: Priv, virt: boolean, csr: Csrs): Hart =>
  entered(h, pc, priv, virt && priv !== PRV_M, csr)
