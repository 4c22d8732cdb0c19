// Supervisor-level CSRs: Priv. ISA ch. "Supervisor-Level ISA" §"Supervisor CSRs" — sstatus, sie/sip
// (views of mstatus, mie and mip through mideleg), stvec, sscratch, sepc, scause, stval, senvcfg, satp.
// With V = 1 each of these numbers but satp reaches its VS CSR (hypervisor.ts) through the table's `vs`
// link; satp handles V itself because Spike legalizes a write through its number differently.
// scounteren is in counters.ts, scontext in debug.ts. Every WARL choice is Spike's (riscv/csrs.cc at 55b4658).
import { PRV_M } from '../hart.ts'
import { type CsrDef, define, merge, set, withS } from './define.ts'
import { CSR } from './numbers.ts'
import { epcRead, legalizeEpc, legalizeMstatus, legalizeTvec, midelegRead, mipRead, mvipRead } from './machine.ts'
import { HSTATUS_VTVM, MIP_HS_MASK, MIP_SEIP, MIP_SSIP, MSTATUS_TVM, SSTATUS_READ, SSTATUS_WRITE } from './fields.ts'

// ---- satp ----------------------------------------------------------------------------------------------------

export const PPN_MASK = (1n << 44n) - 1n                // Spike: paddr_bits = 56 → 44-bit PPN
const SATP_ASID = 0xffffn << 44n
export const MODE_SHIFT = 60n

/** Is `mode` a satp MODE this hart supports (Spike with Sv57: Bare, Sv39, Sv48, Sv57)? */
export const satpModeValid = (mode: bigint): boolean => mode === 0n || mode === 8n || mode === 9n || mode === 10n

/**
 * satp/vsatp WARL (Spike's compute_new_satp): an unsupported MODE leaves MODE unchanged while ASID and
 * PPN are still written; ASID is 16 bits, PPN 44 bits.
 */
export const legalizeSatp = (old: bigint, value: bigint): bigint => {
  const modeMask = 0xfn << MODE_SHIFT
  const valid = satpModeValid(value >> MODE_SHIFT)
  return (value & ((valid ? modeMask : 0n) | SATP_ASID | PPN_MASK)) | (valid ? 0n : old & modeMask)
}

// ---- the definitions ------------------------------------------------------------------------------------------

/** The supervisor-level CSRs of this chapter, for table.ts. */
export const SUPERVISOR_CSRS: readonly CsrDef[] = [
  // sstatus: the S-visible bits of mstatus; a write goes through mstatus's legalization.
  define({
    number: CSR.sstatus, exists: withS, vs: CSR.vsstatus,
    read: (h) => h.csr.mstatus & SSTATUS_READ,
    write: (h, isa, v) =>
      set(h, { mstatus: legalizeMstatus(h.csr.mstatus, merge(h.csr.mstatus, v, SSTATUS_WRITE), isa) }, [CSR.mstatus]),
  }),
  // sie/sip: the bits of mie/mip that mideleg delegates, without the HS-level (hie/hip) ones.
  define({
    number: CSR.sie, exists: withS, vs: CSR.vsie,
    read: (h, isa) => h.csr.mie & midelegRead(h.csr, isa) & ~MIP_HS_MASK,
    write: (h, isa, v) => set(h, { mie: merge(h.csr.mie, v, midelegRead(h.csr, isa) & ~MIP_HS_MASK) }, [CSR.sie, CSR.mie]),
  }),
  // Only SSIP is writable through sip. Spike's sip_csr_t first writes mvip (with an empty mask, but
  // logged), then mip.
  define({
    number: CSR.sip, exists: withS, vs: CSR.vsip,
    read: (h, isa) => mipRead(h.csr) & midelegRead(h.csr, isa) & ~MIP_HS_MASK,
    write: (h, isa, v) => {
      const c = h.csr
      const w = set(h, { mip: merge(c.mip, v, midelegRead(c, isa) & MIP_SSIP) }, [CSR.mvip, CSR.mip])
      return { ...w, values: [[CSR.mvip, mvipRead(c, c.mip & MIP_SEIP)]] }
    },
  }),

  define({
    number: CSR.stvec, exists: withS, vs: CSR.vstvec,
    read: (h) => h.csr.stvec,
    write: (h, _isa, v) => set(h, { stvec: legalizeTvec(v) }, [CSR.stvec]),
  }),
  define({
    number: CSR.sscratch, exists: withS, vs: CSR.vsscratch,
    read: (h) => h.csr.sscratch,
    write: (h, _isa, v) => set(h, { sscratch: v }, [CSR.sscratch]),
  }),
  define({
    number: CSR.sepc, exists: withS, vs: CSR.vsepc,
    read: (h, isa) => epcRead(h.csr.sepc, isa),
    write: (h, _isa, v) => set(h, { sepc: legalizeEpc(v) }, [CSR.sepc]),
  }),
  define({
    number: CSR.scause, exists: withS, vs: CSR.vscause,
    read: (h) => h.csr.scause,
    write: (h, _isa, v) => set(h, { scause: v }, [CSR.scause]),
  }),
  define({
    number: CSR.stval, exists: withS, vs: CSR.vstval,
    read: (h) => h.csr.stval,
    write: (h, _isa, v) => set(h, { stval: v }, [CSR.stval]),
  }),

  // senvcfg: no field is implemented (no FIOM, CBIE, CBCFE, CBZE here): reads 0.
  define({
    number: CSR.senvcfg, exists: withS,
    read: (h) => h.csr.senvcfg,
    write: (h) => set(h, { senvcfg: 0n }, [CSR.senvcfg]),
  }),

  // satp: from VS-mode it is vsatp, trapped by hstatus.VTVM (virtual instruction); otherwise mstatus.TVM
  // traps S-mode (illegal). Through the satp number an unsupported MODE leaves the register unchanged
  // altogether (Spike's virtualized_satp_csr_t); only a direct vsatp write keeps MODE and still takes
  // ASID and PPN.
  define({
    number: CSR.satp, exists: withS,
    deny: (h) => {
      if (h.virt) return (h.csr.hstatus & HSTATUS_VTVM) !== 0n ? 'virtual' : undefined
      return (h.csr.mstatus & MSTATUS_TVM) !== 0n && h.priv !== PRV_M ? 'illegal' : undefined
    },
    read: (h, _isa, virt) => (virt ? h.csr.vsatp : h.csr.satp),
    write: (h, _isa, v) => {
      const old = h.virt ? h.csr.vsatp : h.csr.satp
      const satp = legalizeSatp(old, satpModeValid(v >> MODE_SHIFT) ? v : old)
      return h.virt ? set(h, { vsatp: satp }, [CSR.vsatp]) : set(h, { satp }, [CSR.satp])
    },
  }),
]
