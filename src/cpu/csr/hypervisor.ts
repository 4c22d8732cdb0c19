// Hypervisor and virtual-supervisor CSRs: Priv. ISA ch. "Hypervisor Extension" §"Hypervisor and Virtual
// Supervisor CSRs" (hstatus, hedeleg/hideleg, hvip/hip/hie, hgeie/hgeip, henvcfg, htimedelta, htval,
// htinst, hgatp, the vs* CSRs) and §"Machine-Level CSRs" (the H extension's mtval2 and mtinst).
// hcounteren is in counters.ts, hcontext in debug.ts. Every WARL choice is Spike's (riscv/csrs.cc at 55b4658).
import { type AccessMode, type Csrs, PRV_M, PRV_S, accessMode, type Hart } from '../hart.ts'
import { type Isa } from '../isa.ts'
import { type CsrDef, define, merge, set, withH } from './define.ts'
import { CSR } from './numbers.ts'
import { adjustSd, envcfgMask, epcRead, legalizeEpc, legalizeTvec, midelegRead, mipRead } from './machine.ts'
import { MODE_SHIFT, PPN_MASK, legalizeSatp, satpModeValid } from './supervisor.ts'
import {
  ENVCFG_ADUE, ENVCFG_PBMTE, ENVCFG_STCE, HSTATUS_GVA, HSTATUS_HU, HSTATUS_SPV, HSTATUS_SPVP, HSTATUS_VTSR,
  HSTATUS_VTVM, HSTATUS_VTW, MIP_HS_MASK, MIP_VSEIP, MIP_VSSIP, MIP_VSTIP, MIP_VS_MASK, MSTATUS_TVM, SSTATUS_READ,
  SSTATUS_WRITE,
} from './fields.ts'

// ---- delegation and the VS-level interrupt views ----------------------------------------------------------

/**
 * hedeleg WARL: causes 0–8 and 12, 13, 15, plus 19 with Zicntr (Spike). The H chapter makes bits 9–11
 * (environment calls from HS, VS and M) and 20–23 (guest-page faults, virtual instruction) read-only zero.
 */
export const hedelegMask = (isa: Isa): bigint =>
  0b1011_0001_1111_1111n | (isa.zicntr ? 1n << 19n : 0n)

/** hideleg as read: only what mideleg also delegates. */
const hidelegRead = (c: Csrs, isa: Isa): bigint => c.hideleg & midelegRead(c, isa)
/** vsie/vsip: the VS-level bits that hideleg delegates, shifted down one place (VSSIP appears as SSIP). */
const vsieRead = (c: Csrs, isa: Isa): bigint => (c.mie & hidelegRead(c, isa) & MIP_VS_MASK) >> 1n
const vsipRead = (c: Csrs, isa: Isa): bigint => (mipRead(c) & hidelegRead(c, isa) & MIP_VS_MASK) >> 1n

/** henvcfg bits that menvcfg does not grant read as 0 (ADUE, PBMTE, STCE). */
export const henvcfgRead = (c: Csrs): bigint => (c.menvcfg | ~(ENVCFG_PBMTE | ENVCFG_STCE | ENVCFG_ADUE)) & c.henvcfg

const HGATP_VMID = 0x3fffn << 44n
/** hgatp WARL (Spike's hgatp_csr_t): MODE only if Bare/Sv39x4/Sv48x4/Sv57x4, VMID 14 bits, PPN[1:0] = 0. */
export const legalizeHgatp = (old: bigint, value: bigint): bigint => {
  let mask = (PPN_MASK | HGATP_VMID) & ~3n
  if (satpModeValid(value >> MODE_SHIFT)) mask |= 0xfn << MODE_SHIFT
  return merge(old, value, mask)
}

/** vsstatus WARL: the sstatus bits only. */
const legalizeVsstatus = (old: bigint, value: bigint): bigint => adjustSd(merge(old, value, SSTATUS_WRITE))

/** §"Hypervisor Virtual-Machine Load and Store Instructions": HLV/HLVX/HSV run with V = 1 at hstatus.SPVP. */
export const hypervisorAccessMode = (h: Hart): AccessMode =>
  accessMode((h.csr.hstatus & HSTATUS_SPVP) !== 0n ? PRV_S : 0, true)

// ---- the definitions ------------------------------------------------------------------------------------------

/** The hypervisor, VS and H-added machine CSRs of this chapter, for table.ts. */
export const HYPERVISOR_CSRS: readonly CsrDef[] = [
  define({
    number: CSR.hstatus, exists: withH,
    read: (h) => h.csr.hstatus,
    write: (h, _isa, v) => {
      const mask = HSTATUS_VTSR | HSTATUS_VTW | HSTATUS_VTVM | HSTATUS_HU | HSTATUS_SPVP | HSTATUS_SPV | HSTATUS_GVA
      return set(h, { hstatus: merge(h.csr.hstatus, v, mask) }, [CSR.hstatus])
    },
  }),
  define({
    number: CSR.hedeleg, exists: withH,
    read: (h) => h.csr.hedeleg,
    write: (h, isa, v) => set(h, { hedeleg: v & hedelegMask(isa) }, [CSR.hedeleg]),
  }),
  // hideleg: only the VS-level interrupts can be delegated to VS-mode.
  define({
    number: CSR.hideleg, exists: withH,
    read: (h, isa) => hidelegRead(h.csr, isa),
    write: (h, _isa, v) => set(h, { hideleg: v & MIP_VS_MASK }, [CSR.hideleg]),
  }),
  // hie/hip: the HS-level bits (VS-level and SGEI) of mie/mip; of hip only VSSIP is writable.
  define({
    number: CSR.hie, exists: withH,
    read: (h, isa) => h.csr.mie & midelegRead(h.csr, isa) & MIP_HS_MASK,
    write: (h, isa, v) => set(h, { mie: merge(h.csr.mie, v, midelegRead(h.csr, isa) & MIP_HS_MASK) }, [CSR.mie]),
  }),
  define({
    number: CSR.hip, exists: withH,
    read: (h, isa) => mipRead(h.csr) & midelegRead(h.csr, isa) & MIP_HS_MASK,
    write: (h, isa, v) => set(h, { mip: merge(h.csr.mip, v, midelegRead(h.csr, isa) & MIP_VSSIP) }, [CSR.mip]),
  }),
  // hvip: VSEIP and VSTIP are its own; VSSIP is an alias of mip.VSSIP.
  define({
    number: CSR.hvip, exists: withH,
    read: (h) => h.csr.hvip | (h.csr.mip & MIP_VSSIP),
    write: (h, _isa, v) =>
      set(h, { mip: merge(h.csr.mip, v, MIP_VSSIP), hvip: v & (MIP_VSEIP | MIP_VSTIP) }, [CSR.mip, CSR.hvip]),
  }),
  // No guest external interrupts (GEILEN = 0): hgeie and hgeip are read-only zero, and a write to hgeie
  // logs nothing (Spike's const_csr_t).
  define({ number: CSR.hgeie, exists: withH, read: () => 0n }),
  define({ number: CSR.hgeip, exists: withH, read: () => 0n }),
  // henvcfg: ADUE/PBMTE are writable only while menvcfg grants them (Spike's henvcfg_csr_t).
  define({
    number: CSR.henvcfg, exists: withH,
    read: (h) => henvcfgRead(h.csr),
    write: (h, isa, v) => {
      const mask = envcfgMask(isa) & (h.csr.menvcfg | ~(ENVCFG_PBMTE | ENVCFG_STCE | ENVCFG_ADUE))
      return set(h, { henvcfg: merge(h.csr.henvcfg, v, mask) }, [CSR.henvcfg])
    },
  }),
  define({
    number: CSR.htimedelta, exists: withH,
    read: (h) => h.csr.htimedelta,
    write: (h, _isa, v) => set(h, { htimedelta: v }, [CSR.htimedelta]),
  }),
  define({
    number: CSR.htval, exists: withH,
    read: (h) => h.csr.htval,
    write: (h, _isa, v) => set(h, { htval: v }, [CSR.htval]),
  }),
  define({
    number: CSR.htinst, exists: withH,
    read: (h) => h.csr.htinst,
    write: (h, _isa, v) => set(h, { htinst: v }, [CSR.htinst]),
  }),
  // hgatp: mstatus.TVM traps HS-mode accesses too.
  define({
    number: CSR.hgatp, exists: withH,
    deny: (h) => (!h.virt && (h.csr.mstatus & MSTATUS_TVM) !== 0n && h.priv !== PRV_M ? 'illegal' : undefined),
    read: (h) => h.csr.hgatp,
    write: (h, _isa, v) => set(h, { hgatp: legalizeHgatp(h.csr.hgatp, v) }, [CSR.hgatp]),
  }),

  // The VS CSRs: reached by their own numbers from HS/M, and by the supervisor numbers when V = 1.
  define({
    number: CSR.vsstatus, exists: withH,
    read: (h) => h.csr.vsstatus & SSTATUS_READ,
    write: (h, _isa, v) => set(h, { vsstatus: legalizeVsstatus(h.csr.vsstatus, v) }, [CSR.vsstatus]),
  }),
  define({
    number: CSR.vsie, exists: withH,
    read: (h, isa) => vsieRead(h.csr, isa),
    write: (h, isa, v) => set(h, { mie: merge(h.csr.mie, v << 1n, hidelegRead(h.csr, isa) & MIP_VS_MASK) }, [CSR.mie]),
  }),
  // vsip: of the delegated VS-level interrupts only VSSIP (seen as SSIP) is writable.
  define({
    number: CSR.vsip, exists: withH,
    read: (h, isa) => vsipRead(h.csr, isa),
    write: (h, isa, v) => set(h, { mip: merge(h.csr.mip, v << 1n, hidelegRead(h.csr, isa) & MIP_VSSIP) }, [CSR.mip]),
  }),
  define({
    number: CSR.vstvec, exists: withH,
    read: (h) => h.csr.vstvec,
    write: (h, _isa, v) => set(h, { vstvec: legalizeTvec(v) }, [CSR.vstvec]),
  }),
  define({
    number: CSR.vsscratch, exists: withH,
    read: (h) => h.csr.vsscratch,
    write: (h, _isa, v) => set(h, { vsscratch: v }, [CSR.vsscratch]),
  }),
  define({
    number: CSR.vsepc, exists: withH,
    read: (h, isa) => epcRead(h.csr.vsepc, isa),
    write: (h, _isa, v) => set(h, { vsepc: legalizeEpc(v) }, [CSR.vsepc]),
  }),
  define({
    number: CSR.vscause, exists: withH,
    read: (h) => h.csr.vscause,
    write: (h, _isa, v) => set(h, { vscause: v }, [CSR.vscause]),
  }),
  define({
    number: CSR.vstval, exists: withH,
    read: (h) => h.csr.vstval,
    write: (h, _isa, v) => set(h, { vstval: v }, [CSR.vstval]),
  }),
  // vsatp written directly: an unsupported MODE keeps the old MODE but ASID and PPN are still taken.
  define({
    number: CSR.vsatp, exists: withH,
    read: (h) => h.csr.vsatp,
    write: (h, _isa, v) => set(h, { vsatp: legalizeSatp(h.csr.vsatp, v) }, [CSR.vsatp]),
  }),

  // The machine-level trap CSRs the H extension adds: mtval2 (a guest-physical address >> 2) and mtinst.
  define({
    number: CSR.mtval2, exists: withH,
    read: (h) => h.csr.mtval2,
    write: (h, _isa, v) => set(h, { mtval2: v }, [CSR.mtval2]),
  }),
  define({
    number: CSR.mtinst, exists: withH,
    read: (h) => h.csr.mtinst,
    write: (h, _isa, v) => set(h, { mtinst: v }, [CSR.mtinst]),
  }),
]
