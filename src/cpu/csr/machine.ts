// Machine-level CSRs: Priv. ISA ch. "Machine-Level ISA" §"Machine-Level CSRs" — the information
// registers, misa, mstatus (with the H chapter's GVA and MPV), mtvec, medeleg/mideleg, mip/mie,
// mscratch, mepc, mcause, mtval, menvcfg. Counters, PMP and the H chapter's mtval2/mtinst live in
// counters.ts, pmp.ts and hypervisor.ts. Every WARL choice is Spike's (riscv/csrs.cc at 55b4658).
import { type AccessMode, type Csrs, type Hart, type Priv, PRV_M, accessMode } from '../hart.ts'
import { type Isa, misaWritable } from '../isa.ts'
import { type CsrDef, always, define, done, merge, set, withS, withU } from './define.ts'
import { CSR } from './numbers.ts'
import {
  ENVCFG_ADUE, ENVCFG_PBMTE, MIP_HS_MASK, MIP_MEIP, MIP_MSIP, MIP_MTIP, MIP_SEIP, MIP_SSIP, MIP_STIP, MIP_VSEIP,
  MIP_VSSIP, MIP_VSTIP, MSTATUS_FS, MSTATUS_GVA, MSTATUS_MIE, MSTATUS_MPIE, MSTATUS_MPP, MSTATUS_MPRV,
  MSTATUS_MPV, MSTATUS_SD, MSTATUS_TSR, MSTATUS_TVM, MSTATUS_TW, MSTATUS_VS, MSTATUS_XS, SSTATUS_WRITE,
  getField, setField,
} from './fields.ts'

// ---- mstatus ------------------------------------------------------------------------------------------------

/** SD is set when FS (or VS/XS) is Dirty (Spike's adjust_sd). */
export const adjustSd = (v: bigint): bigint =>
  (v & MSTATUS_FS) === MSTATUS_FS || (v & MSTATUS_VS) === MSTATUS_VS || (v & MSTATUS_XS) === MSTATUS_XS ? v | MSTATUS_SD : v & ~MSTATUS_SD

/**
 * mstatus WARL (Spike's mstatus_csr_t): writable SIE, MIE, SPIE, MPIE, SPP, MPP, FS, MPRV, SUM, MXR,
 * TVM, TW, TSR, and with H also GVA and MPV. MPP = 2 (reserved) becomes U; SD follows FS.
 */
export const legalizeMstatus = (old: bigint, value: bigint, isa: Isa): bigint => {
  const mask = SSTATUS_WRITE | MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPRV | MSTATUS_MPP | MSTATUS_TW | MSTATUS_TSR |
    MSTATUS_TVM | (isa.h ? MSTATUS_GVA | MSTATUS_MPV : 0n)
  const mpp = getField(value, MSTATUS_MPP)
  const legalMpp = mpp === 2n ? 0n : mpp
  return adjustSd(merge(old, setField(value, MSTATUS_MPP, legalMpp), mask))
}

/**
 * §"Memory Privilege in mstatus": the privilege a load/store is checked at. With MPRV = 1 an M-mode data
 * access uses MPP, and MPV too (H chapter) — except that MPV is ignored when MPP = M.
 */
export const effectiveDataMode = (h: Hart): AccessMode => {
  const s = h.csr.mstatus
  if (h.priv === PRV_M && (s & MSTATUS_MPRV) !== 0n) {
    const mpp = Number(getField(s, MSTATUS_MPP)) as Priv
    return accessMode(mpp, (s & MSTATUS_MPV) !== 0n && mpp !== PRV_M)
  }
  return accessMode(h.priv, h.virt)
}

// ---- trap delegation and interrupts -----------------------------------------------------------------------

/** medeleg WARL: exceptions that may be delegated (Spike's medeleg_csr_t). */
export const medelegMask = (isa: Isa): bigint => {
  let m = 0b1011_1011_1111_1110n                     // causes 1–9 and 12, 13, 15
  if (!isa.c) m |= 1n                                  // misaligned fetch only exists without C
  m &= ~(1n << 10n) & ~(1n << 11n) & ~(1n << 14n)
  if (isa.h) m |= (1n << 10n) | (1n << 20n) | (1n << 21n) | (1n << 22n) | (1n << 23n)
  if (isa.zicntr) m |= 1n << 19n                       // Spike ties hardware-error (19) to Zicntr
  return m
}

/** mideleg bits forced to 1 when H is implemented (VSSIP, VSTIP, VSEIP, SGEIP). */
const MIDELEG_FORCED = MIP_VSSIP | MIP_VSTIP | MIP_VSEIP | (1n << 12n)
/** mideleg as read: with H, the VS-level and SGEI bits read as 1 (Spike's MIDELEG_FORCED_MASK). */
export const midelegRead = (c: Csrs, isa: Isa): bigint => (isa.h ? c.mideleg | MIDELEG_FORCED : c.mideleg)
/** mip as read: hvip.VSEIP and hvip.VSTIP appear in mip. */
export const mipRead = (c: Csrs): bigint => c.mip | c.hvip
/** Spike's mvip as read (AIA; mvien = 0): SEIP of its own, STIP and SSIP from mip. */
export const mvipRead = (c: Csrs, seip: bigint): bigint => seip | (c.mip & (MIP_STIP | MIP_SSIP))

// ---- trap vector and exception pc (shared with the S and VS copies) ---------------------------------------

/** xtvec WARL: bit 1 is cleared (MODE is 1 bit wide: direct or vectored), as Spike's tvec_csr_t. */
export const legalizeTvec = (value: bigint): bigint => value & ~2n
/** xepc WARL: bit 0 is always 0 (Spike's epc_csr_t). */
export const legalizeEpc = (value: bigint): bigint => value & ~1n
/** xepc as read: bit 1 reads as 0 while C is off. */
export const epcRead = (v: bigint, isa: Isa): bigint => v & (isa.c ? ~1n : ~3n)

/** menvcfg/henvcfg writable bits: ADUE with Svadu, PBMTE with Svpbmt (no FIOM, CBIE, STCE here). */
export const envcfgMask = (isa: Isa): bigint => (isa.svadu ? ENVCFG_ADUE : 0n) | (isa.svpbmt ? ENVCFG_PBMTE : 0n)

// ---- the definitions ------------------------------------------------------------------------------------------

/** The machine-level CSRs of this chapter, for table.ts. */
export const MACHINE_CSRS: readonly CsrDef[] = [
  // Machine information registers: read-only. Spike's marchid is 5; vendor, implementation, hart ID and
  // configuration pointer are 0.
  define({ number: CSR.mvendorid, exists: always, read: () => 0n }),
  define({ number: CSR.marchid, exists: always, read: () => 5n }),
  define({ number: CSR.mimpid, exists: always, read: () => 0n }),
  define({ number: CSR.mhartid, exists: always, read: () => 0n }),
  define({ number: CSR.mconfigptr, exists: always, read: () => 0n }),

  define({
    number: CSR.mstatus, exists: always,
    read: (h) => h.csr.mstatus,
    write: (h, isa, v) => set(h, { mstatus: legalizeMstatus(h.csr.mstatus, v, isa) }, [CSR.mstatus]),
  }),

  // misa: M, A and C can be turned off and on (H cannot here; Spike would allow it). Clearing C is
  // ignored while the instruction is at a pc that is 2 mod 4 (it would misalign the pc).
  define({
    number: CSR.misa, exists: always,
    read: (h) => h.csr.misa,
    write: (h, isa, v) => {
      const keepC = (v & 4n) === 0n && (h.csr.misa & 4n) !== 0n && (h.pc & 2n) !== 0n
      if (keepC) return done(h, [])
      return set(h, { misa: merge(h.csr.misa, v, misaWritable(isa)) }, [CSR.misa])
    },
  }),

  define({
    number: CSR.medeleg, exists: withS,
    read: (h) => h.csr.medeleg,
    write: (h, isa, v) => set(h, { medeleg: v & medelegMask(isa) }, [CSR.medeleg]),
  }),
  // mideleg: only the supervisor interrupts are writable; the VS-level ones read as 1 with H.
  define({
    number: CSR.mideleg, exists: withS,
    read: (h, isa) => midelegRead(h.csr, isa),
    write: (h, isa, v) => set(h, { mideleg: v & (isa.s ? MIP_SSIP | MIP_STIP | MIP_SEIP : 0n) }, [CSR.mideleg]),
  }),

  define({
    number: CSR.mie, exists: always,
    read: (h) => h.csr.mie,
    write: (h, isa, v) => {
      const mask = MIP_SSIP | MIP_STIP | MIP_SEIP | (isa.h ? MIP_HS_MASK : 0n) | MIP_MSIP | MIP_MTIP | MIP_MEIP
      return set(h, { mie: merge(h.csr.mie, v, mask) }, [CSR.mie])
    },
  }),
  // mip: only the supervisor bits (and VSSIP with H) are software-writable (Spike's mip_csr_t).
  // mip.SEIP is Spike's alias of mvip.SEIP, so the write also logs mvip (0x309), valued before mip changes.
  define({
    number: CSR.mip, exists: always,
    read: (h) => mipRead(h.csr),
    write: (h, isa, v) => {
      const mask = MIP_SSIP | MIP_STIP | MIP_SEIP | (isa.h ? MIP_VSSIP : 0n)
      const w = set(h, { mip: merge(h.csr.mip, v, mask) }, [CSR.mvip, CSR.mip])
      return { ...w, values: [[CSR.mvip, mvipRead(h.csr, v & MIP_SEIP)]] }
    },
  }),

  define({
    number: CSR.mtvec, exists: always,
    read: (h) => h.csr.mtvec,
    write: (h, _isa, v) => set(h, { mtvec: legalizeTvec(v) }, [CSR.mtvec]),
  }),
  define({
    number: CSR.mscratch, exists: always,
    read: (h) => h.csr.mscratch,
    write: (h, _isa, v) => set(h, { mscratch: v }, [CSR.mscratch]),
  }),
  define({
    number: CSR.mepc, exists: always,
    read: (h, isa) => epcRead(h.csr.mepc, isa),
    write: (h, _isa, v) => set(h, { mepc: legalizeEpc(v) }, [CSR.mepc]),
  }),
  define({
    number: CSR.mcause, exists: always,
    read: (h) => h.csr.mcause,
    write: (h, _isa, v) => set(h, { mcause: v }, [CSR.mcause]),
  }),
  define({
    number: CSR.mtval, exists: always,
    read: (h) => h.csr.mtval,
    write: (h, _isa, v) => set(h, { mtval: v }, [CSR.mtval]),
  }),

  define({
    number: CSR.menvcfg, exists: withU,
    read: (h) => h.csr.menvcfg,
    write: (h, isa, v) => set(h, { menvcfg: v & envcfgMask(isa) }, [CSR.menvcfg]),
  }),
]
