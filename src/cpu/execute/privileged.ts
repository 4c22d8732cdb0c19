// The privileged instructions: ECALL, EBREAK, MRET, SRET, WFI, FENCE.I, SFENCE.VMA, and the hypervisor's
// HFENCE.VVMA/GVMA and HLV/HLVX/HSV, with their legality checks first (TW/TSR/TVM, VTW/VTSR/VTVM, HU),
// as in Spike's riscv/insns/*.h.
import { type AccessSize } from '../../memory/memory.ts'
import { sfenceVma, hfenceVvma, hfenceGvma } from '../../mmu/tlb.ts'
import { type Insn } from '../decode/index.ts'
import { type Priv, PRV_M, PRV_S, PRV_U, withMode } from '../hart.ts'
import { CSR, csrRead, csrWrite, hypervisorAccessMode, legalizeMstatus } from '../csr/access.ts'
import {
  HSTATUS_HU, HSTATUS_SPV, HSTATUS_VTSR, HSTATUS_VTVM, HSTATUS_VTW, MSTATUS_MIE, MSTATUS_MPIE, MSTATUS_MPP,
  MSTATUS_MPRV, MSTATUS_MPV, MSTATUS_SIE, MSTATUS_SPIE, MSTATUS_SPP, MSTATUS_TSR, MSTATUS_TVM, MSTATUS_TW, getField, setField,
} from '../csr/fields.ts'
import { CAUSE, type Trap, illegalInstruction, trap, virtualInstruction } from '../trap.ts'
import { type Exec, isTrap, logCsr, setCsrs, writeRd } from '../exec.ts'
import { contextFor, load, store } from '../memory-access.ts'
import { extendLoad } from './alu.ts'

export const executeSystem = (e: Exec, op: string, next: bigint): bigint | Trap => {
  const h = e.h
  const c = h.csr
  switch (op) {
    case 'ecall':
      return trap(h.priv === PRV_U ? CAUSE.userEcall : h.priv === PRV_M ? CAUSE.machineEcall
        : h.virt ? CAUSE.virtualSupervisorEcall : CAUSE.supervisorEcall)
    case 'ebreak':
      return trap(CAUSE.breakpoint, e.pc, h.virt)               // Spike: tval = pc
    case 'fence.i':
      return next
    case 'mret': {
      if (h.priv !== PRV_M) return illegalInstruction(e.bits)
      let s = c.mstatus
      const prevPriv = Number(getField(s, MSTATUS_MPP)) as Priv
      const prevVirt = (s & MSTATUS_MPV) !== 0n
      if (prevPriv !== PRV_M) s &= ~MSTATUS_MPRV
      s = setField(s, MSTATUS_MIE, getField(s, MSTATUS_MPIE))
      s = setField(s, MSTATUS_MPIE, 1n)
      s = setField(s, MSTATUS_MPP, e.isa.u ? BigInt(PRV_U) : BigInt(PRV_M))
      s &= ~MSTATUS_MPV
      // Spike rewrites vsstatus (clearing SDT) when returning to VU, which logs it.
      const toVu = prevVirt && prevPriv === PRV_U ? [CSR.vsstatus] : []
      setCsrs(e, { ...c, mstatus: legalizeMstatus(c.mstatus, s, e.isa) }, [...toVu, CSR.mstatus])
      setMode(e, prevPriv, prevVirt)
      return csrRead(h, e.isa, CSR.mepc)
    }
    case 'sret': {
      if (h.virt) {
        if (h.priv === PRV_U || (c.hstatus & HSTATUS_VTSR) !== 0n) return virtualInstruction(e.bits)
      } else if (h.priv < ((c.mstatus & MSTATUS_TSR) !== 0n ? PRV_M : PRV_S)) {
        return illegalInstruction(e.bits)
      }
      const target = csrRead(h, e.isa, CSR.sepc)
      let s = csrRead(h, e.isa, CSR.sstatus)
      const prevPriv = Number(getField(s, MSTATUS_SPP)) as Priv
      s = setField(s, MSTATUS_SIE, getField(s, MSTATUS_SPIE))
      s = setField(s, MSTATUS_SPIE, 1n)
      s = setField(s, MSTATUS_SPP, BigInt(PRV_U))
      let prevVirt = h.virt
      if (!h.virt) {
        if (e.isa.h) {
          prevVirt = (c.hstatus & HSTATUS_SPV) !== 0n
          setCsrs(e, { ...e.h.csr, hstatus: c.hstatus & ~HSTATUS_SPV }, [CSR.hstatus])
        }
        setCsrs(e, { ...e.h.csr, mstatus: e.h.csr.mstatus & ~MSTATUS_MPRV }, [CSR.mstatus])
      }
      const w = csrWrite(e.h, e.isa, CSR.sstatus, s)
      setCsrs(e, w.hart.csr, w.logged)
      // From HS into VU (or from M into VU), Spike rewrites vsstatus (clearing SDT), which logs it.
      if ((h.priv === PRV_M || (h.priv === PRV_S && !h.virt)) && prevVirt && prevPriv === PRV_U) logCsr(e, CSR.vsstatus)
      setMode(e, prevPriv, prevVirt)
      return target
    }
    case 'wfi':
      if ((c.mstatus & MSTATUS_TW) !== 0n) {
        if (h.priv !== PRV_M) return illegalInstruction(e.bits)
      } else if (h.virt) {
        if (h.priv === PRV_U || (c.hstatus & HSTATUS_VTW) !== 0n) return virtualInstruction(e.bits)
      } else if (e.isa.s && h.priv < PRV_S) {
        return illegalInstruction(e.bits)
      }
      // WFI retires; the hart then waits (Platform.inWfi) until an interrupt is pending (see step).
      return next
    default:
      return illegalInstruction(e.bits)
  }
}

export const setMode = (e: Exec, priv: Priv, virt: boolean): void => {
  e.h = withMode(e.h, priv, virt && priv !== PRV_M)
}

export const executeFenceVma = (e: Exec, op: string, rs1: number, rs2: number): Trap | undefined => {
  const h = e.h
  const c = h.csr
  const tvm = (c.mstatus & MSTATUS_TVM) !== 0n
  if (op === 'sfence.vma') {
    if (h.virt) {
      if (h.priv === PRV_U || (c.hstatus & HSTATUS_VTVM) !== 0n) return virtualInstruction(e.bits)
    } else if (h.priv < (tvm ? PRV_M : PRV_S)) return illegalInstruction(e.bits)
  } else {
    if (h.virt) return virtualInstruction(e.bits)
    if (h.priv < (op === 'hfence.gvma' && tvm ? PRV_M : PRV_S)) return illegalInstruction(e.bits)
  }
  const va = rs1 === 0 ? undefined : h.x[rs1]!
  const id = rs2 === 0 ? undefined : h.x[rs2]!
  const ctx = contextFor(c, e.isa, h.priv, h.virt)
  const fence = { ...(va === undefined ? {} : { va }), ...(id === undefined ? {} : { asid: id }) }
  if (op === 'sfence.vma') e.tlb = sfenceVma(e.tlb, ctx, fence)
  else if (op === 'hfence.vvma') e.tlb = hfenceVvma(e.tlb, contextFor(c, e.isa, PRV_S, true), fence)
  else e.tlb = hfenceGvma(e.tlb, { ...(va === undefined ? {} : { gpa: va << 2n }), ...(id === undefined ? {} : { vmid: id }) })
  return undefined
}

const HLV_SIZE: Record<string, AccessSize> = {
  'hlv.b': 1, 'hlv.bu': 1, 'hlv.h': 2, 'hlv.hu': 2, 'hlvx.hu': 2, 'hlv.w': 4, 'hlv.wu': 4, 'hlvx.wu': 4, 'hlv.d': 8,
  'hsv.b': 1, 'hsv.h': 2, 'hsv.w': 4, 'hsv.d': 8,
}

export const executeHypervisorAccess = (e: Exec, insn: Extract<Insn, { _tag: 'Hlv' | 'Hsv' }>): Trap | undefined => {
  const h = e.h
  if (h.virt) return virtualInstruction(e.bits)
  if (h.priv < ((h.csr.hstatus & HSTATUS_HU) !== 0n ? PRV_U : PRV_S)) return illegalInstruction(e.bits)
  const mode = hypervisorAccessMode(h)
  const size = HLV_SIZE[insn.op]!
  if (insn._tag === 'Hsv') return store(e, h.x[insn.rs1]!, size, h.x[insn.rs2]!, mode)
  const v = load(e, h.x[insn.rs1]!, size, { mode, hlvx: insn.op.startsWith('hlvx') })
  if (isTrap(v)) return v
  writeRd(e, insn.rd, extendLoad(insn.op, v))
  return undefined
}
