// CSR access: which CSR numbers exist, who may access them (illegal vs virtual-instruction), what
// they read, and how a write is legalized (WARL). Priv. ISA ch. "Control and Status Registers" and
// "Machine-Level ISA"; H chapter §"Hypervisor and Virtual Supervisor CSRs". Every WARL choice is
// Spike's (riscv/csrs.cc, riscv/csr_init.cc at 55b4658); each is noted where it is made.
//
// Reads and writes take `virt`: with V = 1 the supervisor CSR numbers (sstatus, sie, stvec, sscratch,
// sepc, scause, stval, sip, satp) reach the VS CSRs instead, as the H chapter requires.
import { type AccessMode, type Csrs, type Hart, type Priv, PMP_ENTRIES, PRV_M, PRV_S, TDATA1_DISABLED, accessMode, hart } from '../hart.ts'
import { type Isa, misaWritable } from '../isa.ts'
import { legalizePmpcfg, pmpaddrWritable } from '../../memory/pmp.ts'
import {
  ENVCFG_ADUE, ENVCFG_PBMTE, ENVCFG_STCE, HSTATUS_GVA, HSTATUS_HU, HSTATUS_SPV, HSTATUS_SPVP, HSTATUS_VTSR,
  HSTATUS_VTVM, HSTATUS_VTW, MIP_HS_MASK, MIP_MEIP, MIP_MSIP, MIP_MTIP, MIP_SEIP, MIP_SSIP, MIP_STIP, MIP_VSEIP,
  MIP_VSSIP, MIP_VSTIP, MIP_VS_MASK, MSTATUS_FS, MSTATUS_GVA, MSTATUS_MIE, MSTATUS_MPIE, MSTATUS_MPP, MSTATUS_MPRV,
  MSTATUS_MPV, MSTATUS_MXR, MSTATUS_SD, MSTATUS_SIE, MSTATUS_SPIE, MSTATUS_SPP, MSTATUS_SUM, MSTATUS_TSR,
  MSTATUS_TVM, MSTATUS_TW, MSTATUS_UBE, MSTATUS_UXL, MSTATUS_VS, MSTATUS_XS, getField, setField,
} from './fields.ts'

// ---- CSR numbers ---------------------------------------------------------------------------------------
export const CSR = {
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a, sscratch: 0x140, sepc: 0x141,
  scause: 0x142, stval: 0x143, sip: 0x144, satp: 0x180, scontext: 0x5a8,
  vsstatus: 0x200, vsie: 0x204, vstvec: 0x205, vsscratch: 0x240, vsepc: 0x241, vscause: 0x242, vstval: 0x243,
  vsip: 0x244, vsatp: 0x280,
  hstatus: 0x600, hedeleg: 0x602, hideleg: 0x603, hie: 0x604, htimedelta: 0x605, hcounteren: 0x606, hgeie: 0x607,
  henvcfg: 0x60a, htval: 0x643, hip: 0x644, hvip: 0x645, htinst: 0x64a, hgatp: 0x680, hcontext: 0x6a8, hgeip: 0xe12,
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305, mcounteren: 0x306,
  menvcfg: 0x30a, mcountinhibit: 0x320, mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  mtinst: 0x34a, mtval2: 0x34b, mvip: 0x309, pmpcfg0: 0x3a0, pmpaddr0: 0x3b0,
  tselect: 0x7a0, tdata1: 0x7a1, tdata2: 0x7a2, tdata3: 0x7a3, tinfo: 0x7a4, mcontext: 0x7a8,
  mcycle: 0xb00, minstret: 0xb02, cycle: 0xc00, time: 0xc01, instret: 0xc02,
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
} as const

// ---- fixed masks (Spike's choices for RV64 with S, U and an MMU, without F/V/custom extensions) --------

/** sstatus write mask: SIE, SPIE, SPP, SUM, MXR and FS (Spike keeps FS writable whenever S exists). */
const SSTATUS_WRITE = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_FS
/** sstatus read mask: the writable bits plus UBE, UXL and SD. */
const SSTATUS_READ = SSTATUS_WRITE | MSTATUS_UBE | MSTATUS_UXL | MSTATUS_SD
/** mideleg bits forced to 1 when H is implemented (VSSIP, VSTIP, VSEIP, SGEIP). */
const MIDELEG_FORCED = MIP_VSSIP | MIP_VSTIP | MIP_VSEIP | (1n << 12n)
const PPN_MASK = (1n << 44n) - 1n                       // Spike: paddr_bits = 56 → 44-bit PPN
const SATP_ASID = 0xffffn << 44n
const HGATP_VMID = 0x3fffn << 44n
const MODE_SHIFT = 60n

// ---- existence and permission -----------------------------------------------------------------------

/** Why an access is refused: Spike throws illegal-instruction or virtual-instruction. */
export type CsrDenial = 'illegal' | 'virtual'

const inRange = (n: number, lo: number, hi: number): boolean => n >= lo && n <= hi

/** Does CSR `n` exist on this hart? Non-existent CSRs are always illegal (never virtual). */
export const csrExists = (n: number, isa: Isa): boolean => {
  switch (n) {
    case CSR.cycle: case CSR.time: case CSR.instret: return isa.zicntr
    case CSR.sstatus: case CSR.sie: case CSR.stvec: case CSR.scounteren: case CSR.senvcfg: case CSR.sscratch:
    case CSR.sepc: case CSR.scause: case CSR.stval: case CSR.sip: case CSR.satp: case CSR.scontext:
      return isa.s
    case CSR.vsstatus: case CSR.vsie: case CSR.vstvec: case CSR.vsscratch: case CSR.vsepc: case CSR.vscause:
    case CSR.vstval: case CSR.vsip: case CSR.vsatp:
    case CSR.hstatus: case CSR.hedeleg: case CSR.hideleg: case CSR.hie: case CSR.htimedelta: case CSR.hcounteren:
    case CSR.hgeie: case CSR.henvcfg: case CSR.htval: case CSR.hip: case CSR.hvip: case CSR.htinst: case CSR.hgatp:
    case CSR.hcontext: case CSR.hgeip: case CSR.mtinst: case CSR.mtval2:
      return isa.h
    case CSR.medeleg: case CSR.mideleg: return isa.s
    case CSR.mcounteren: case CSR.menvcfg: return isa.u
    case CSR.mstatus: case CSR.misa: case CSR.mie: case CSR.mtvec: case CSR.mcountinhibit: case CSR.mscratch:
    case CSR.mepc: case CSR.mcause: case CSR.mtval: case CSR.mip:
    case CSR.tselect: case CSR.tdata1: case CSR.tdata2: case CSR.tdata3: case CSR.tinfo: case CSR.mcontext:
    case CSR.mcycle: case CSR.minstret:
    case CSR.mvendorid: case CSR.marchid: case CSR.mimpid: case CSR.mhartid: case CSR.mconfigptr:
      return true
  }
  if (inRange(n, 0x3a0, 0x3af)) return (n & 1) === 0        // RV64: only the even pmpcfg exist
  if (inRange(n, 0x3b0, 0x3ef)) return true                 // pmpaddr0–63
  if (inRange(n, 0xb03, 0xb1f)) return true                 // mhpmcounter3–31 (hard-wired 0)
  if (inRange(n, 0x323, 0x33f)) return true                 // mhpmevent3–31
  return false
}

/** The privilege that counts for CSR access: HS-mode (S with V = 0) is level 2, VS is 1. */
const accessLevel = (h: Hart): number => (h.priv === PRV_S && !h.virt ? 2 : h.priv)

const counterEnabled = (reg: bigint, n: number): boolean => ((reg >> BigInt(n & 31)) & 1n) === 1n

/**
 * Spike's csr_t::verify_permissions and the per-CSR additions: undefined when the access is allowed.
 * The base rule: a write to a read-only number is illegal; too little privilege is virtual-instruction
 * when V = 1 and the CSR is supervisor- or hypervisor-level, illegal otherwise.
 */
export const csrDenial = (h: Hart, isa: Isa, n: number, write: boolean): CsrDenial | undefined => {
  if (!csrExists(n, isa)) return 'illegal'
  const csrPriv = (n >> 8) & 3
  if (write && ((n >> 10) & 3) === 3) return 'illegal'
  if (accessLevel(h) < csrPriv) return h.virt && csrPriv <= 2 ? 'virtual' : 'illegal'
  const c = h.csr
  switch (n) {
    case CSR.satp:
      // From VS-mode satp is vsatp, controlled by hstatus.VTVM; otherwise mstatus.TVM traps S-mode.
      if (h.virt) return (c.hstatus & HSTATUS_VTVM) !== 0n ? 'virtual' : undefined
      return (c.mstatus & MSTATUS_TVM) !== 0n && h.priv !== PRV_M ? 'illegal' : undefined
    case CSR.hgatp:
      return !h.virt && (c.mstatus & MSTATUS_TVM) !== 0n && h.priv !== PRV_M ? 'illegal' : undefined
    case CSR.cycle: case CSR.time: case CSR.instret: {
      // Zicntr: mcounteren gates S/U, hcounteren gates VS/VU, scounteren gates U/VU.
      if (h.priv < PRV_M && !counterEnabled(c.mcounteren, n)) return 'illegal'
      if (h.virt && !counterEnabled(c.hcounteren, n)) return 'virtual'
      if (isa.s && h.priv < PRV_S && !counterEnabled(c.scounteren, n)) return h.virt ? 'virtual' : 'illegal'
      return undefined
    }
  }
  return undefined
}

// ---- reads ------------------------------------------------------------------------------------------------

/** mideleg as read: with H, the VS-level and SGEI bits read as 1 (Spike's MIDELEG_FORCED_MASK). */
export const midelegRead = (c: Csrs, isa: Isa): bigint => (isa.h ? c.mideleg | MIDELEG_FORCED : c.mideleg)
/** mip as read: hvip.VSEIP and hvip.VSTIP appear in mip. */
export const mipRead = (c: Csrs): bigint => c.mip | c.hvip
const hidelegRead = (c: Csrs, isa: Isa): bigint => c.hideleg & midelegRead(c, isa)
/** henvcfg bits that menvcfg does not grant read as 0 (ADUE, PBMTE, STCE). */
export const henvcfgRead = (c: Csrs): bigint => (c.menvcfg | ~(ENVCFG_PBMTE | ENVCFG_STCE | ENVCFG_ADUE)) & c.henvcfg
const epcRead = (v: bigint, isa: Isa): bigint => v & (isa.c ? ~1n : ~3n)

/** The value of CSR `n` (assumed to exist), as seen with virtualization mode `virt`. */
export const csrRead = (h: Hart, isa: Isa, n: number, virt: boolean = h.virt): bigint => {
  const c = h.csr
  switch (n) {
    case CSR.mstatus: return c.mstatus
    case CSR.sstatus: return virt ? c.vsstatus & SSTATUS_READ : c.mstatus & SSTATUS_READ
    case CSR.vsstatus: return c.vsstatus & SSTATUS_READ
    case CSR.misa: return c.misa
    case CSR.medeleg: return c.medeleg
    case CSR.mideleg: return midelegRead(c, isa)
    case CSR.mie: return c.mie
    case CSR.mip: return mipRead(c)
    case CSR.sie: return virt ? vsieRead(c, isa) : c.mie & midelegRead(c, isa) & ~MIP_HS_MASK
    case CSR.sip: return virt ? vsipRead(c, isa) : mipRead(c) & midelegRead(c, isa) & ~MIP_HS_MASK
    case CSR.vsie: return vsieRead(c, isa)
    case CSR.vsip: return vsipRead(c, isa)
    case CSR.hie: return c.mie & midelegRead(c, isa) & MIP_HS_MASK
    case CSR.hip: return mipRead(c) & midelegRead(c, isa) & MIP_HS_MASK
    case CSR.hvip: return c.hvip | (c.mip & MIP_VSSIP)
    case CSR.mtvec: return c.mtvec
    case CSR.stvec: return virt ? c.vstvec : c.stvec
    case CSR.vstvec: return c.vstvec
    case CSR.mscratch: return c.mscratch
    case CSR.sscratch: return virt ? c.vsscratch : c.sscratch
    case CSR.vsscratch: return c.vsscratch
    case CSR.mepc: return epcRead(c.mepc, isa)
    case CSR.sepc: return epcRead(virt ? c.vsepc : c.sepc, isa)
    case CSR.vsepc: return epcRead(c.vsepc, isa)
    case CSR.mcause: return c.mcause
    case CSR.scause: return virt ? c.vscause : c.scause
    case CSR.vscause: return c.vscause
    case CSR.mtval: return c.mtval
    case CSR.stval: return virt ? c.vstval : c.stval
    case CSR.vstval: return c.vstval
    case CSR.satp: return virt ? c.vsatp : c.satp
    case CSR.vsatp: return c.vsatp
    case CSR.mtval2: return c.mtval2
    case CSR.mtinst: return c.mtinst
    case CSR.mcounteren: return c.mcounteren
    case CSR.scounteren: return c.scounteren
    case CSR.hcounteren: return c.hcounteren
    case CSR.mcountinhibit: return c.mcountinhibit
    case CSR.menvcfg: return c.menvcfg
    case CSR.senvcfg: return c.senvcfg
    case CSR.henvcfg: return henvcfgRead(c)
    case CSR.scontext: return c.scontext
    case CSR.hcontext: case CSR.mcontext: return c.hcontext
    case CSR.hstatus: return c.hstatus
    case CSR.hedeleg: return c.hedeleg
    case CSR.hideleg: return hidelegRead(c, isa)
    case CSR.htval: return c.htval
    case CSR.htinst: return c.htinst
    case CSR.hgatp: return c.hgatp
    case CSR.htimedelta: return c.htimedelta
    case CSR.hgeie: case CSR.hgeip: return 0n
    case CSR.mcycle: case CSR.cycle: return h.cycle
    case CSR.minstret: case CSR.instret: return h.instret
    // time: the CLINT's mtime as last synchronised (plus htimedelta in VS/VU, as Spike adds).
    case CSR.time: return virt ? BigInt.asUintN(64, c.time + c.htimedelta) : c.time
    case CSR.tselect: return c.tselect
    // Triggers (Sdtrig): the one tselect names. tdata3 (textra) is not modelled: it reads 0.
    case CSR.tdata1: return c.triggers[Number(c.tselect)]![0]
    case CSR.tdata2: return c.triggers[Number(c.tselect)]![1]
    case CSR.tdata3: return 0n
    // Spike's tinfo: types mcontrol (2), icount (3), itrigger (4), etrigger (5), mcontrol6 (6), disabled (15), version 1
    case CSR.tinfo: return (1n << 2n) | (1n << 3n) | (1n << 4n) | (1n << 5n) | (1n << 6n) | (1n << 15n) | (1n << 24n)
    case CSR.marchid: return 5n                      // Spike's architecture ID
    case CSR.mvendorid: case CSR.mimpid: case CSR.mhartid: case CSR.mconfigptr: return 0n
  }
  if (n >= 0x3a0 && n <= 0x3af) {
    const first = (n - 0x3a0) * 4
    let v = 0n
    for (let i = 0; i < 8; i++) v |= BigInt(c.pmpcfg[first + i] ?? 0) << BigInt(8 * i)
    return v
  }
  if (n >= 0x3b0 && n <= 0x3ef) return c.pmpaddr[n - 0x3b0] ?? 0n
  return 0n                                          // mhpmcounterN, mhpmeventN
}

/** Spike's mvip as read (AIA; mvien = 0): SEIP of its own, STIP and SSIP from mip. */
const mvipRead = (c: Csrs, seip: bigint): bigint => seip | (c.mip & (MIP_STIP | MIP_SSIP))

const vsieRead = (c: Csrs, isa: Isa): bigint => (c.mie & hidelegRead(c, isa) & MIP_VS_MASK) >> 1n
const vsipRead = (c: Csrs, isa: Isa): bigint => (mipRead(c) & hidelegRead(c, isa) & MIP_VS_MASK) >> 1n

// ---- writes -------------------------------------------------------------------------------------------------

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

const setCsrs = (h: Hart, csr: Csrs): Hart => hart(h.pc, h.x, h.priv, h.virt, csr, h.reservation, h.instret, h.cycle)
const done = (h: Hart, logged: readonly number[]): CsrWrite => ({ hart: h, logged, wroteInstret: false, wroteCycle: false })
const merge = (old: bigint, value: bigint, mask: bigint): bigint => (old & ~mask) | (value & mask)

/** SD is set when FS (or VS/XS) is Dirty (Spike's adjust_sd). */
const adjustSd = (v: bigint): bigint =>
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

/** vsstatus WARL: the sstatus bits only. */
const legalizeVsstatus = (old: bigint, value: bigint): bigint => adjustSd(merge(old, value, SSTATUS_WRITE))

/** Is `mode` a satp MODE this hart supports (Spike with Sv57: Bare, Sv39, Sv48, Sv57)? */
const satpModeValid = (mode: bigint): boolean => mode === 0n || mode === 8n || mode === 9n || mode === 10n

/**
 * satp/vsatp WARL (Spike's compute_new_satp): an unsupported MODE leaves MODE unchanged while ASID and
 * PPN are still written; ASID is 16 bits, PPN 44 bits.
 */
export const legalizeSatp = (old: bigint, value: bigint): bigint => {
  const modeMask = 0xfn << MODE_SHIFT
  const valid = satpModeValid(value >> MODE_SHIFT)
  return (value & ((valid ? modeMask : 0n) | SATP_ASID | PPN_MASK)) | (valid ? 0n : old & modeMask)
}

/** hgatp WARL (Spike's hgatp_csr_t): MODE only if Bare/Sv39x4/Sv48x4/Sv57x4, VMID 14 bits, PPN[1:0] = 0. */
export const legalizeHgatp = (old: bigint, value: bigint): bigint => {
  let mask = (PPN_MASK | HGATP_VMID) & ~3n
  if (satpModeValid(value >> MODE_SHIFT)) mask |= 0xfn << MODE_SHIFT
  return merge(old, value, mask)
}

/** medeleg WARL: exceptions that may be delegated (Spike's medeleg_csr_t). */
export const medelegMask = (isa: Isa): bigint => {
  let m = 0b1011_1011_1111_1110n                     // causes 1–9 and 12, 13, 15
  if (!isa.c) m |= 1n                                  // misaligned fetch only exists without C
  m &= ~(1n << 10n) & ~(1n << 11n) & ~(1n << 14n)
  if (isa.h) m |= (1n << 10n) | (1n << 20n) | (1n << 21n) | (1n << 22n) | (1n << 23n)
  if (isa.zicntr) m |= 1n << 19n                       // Spike ties hardware-error (19) to Zicntr
  return m
}

/** hedeleg WARL: causes 0–8 and 12, 13, 15 (never 9–11 or guest faults), plus 19 with Zicntr (Spike). */
export const hedelegMask = (isa: Isa): bigint =>
  0b1011_0001_1111_1111n | (isa.zicntr ? 1n << 19n : 0n)

const counterenMask = (isa: Isa): bigint => (isa.zicntr ? 7n : 0n)
const envcfgMask = (isa: Isa): bigint => (isa.svadu ? ENVCFG_ADUE : 0n) | (isa.svpbmt ? ENVCFG_PBMTE : 0n)


/**
 * Writes CSR `n` (assumed to exist and be permitted) with `value`, applying Spike's legalization.
 * Returns the new hart and the CSR numbers Spike's commit log shows for this write.
 */
export const csrWrite = (h: Hart, isa: Isa, n: number, value: bigint): CsrWrite => {
  const c = h.csr
  const set = (patch: Partial<Csrs>, logged: readonly number[]): CsrWrite => done(setCsrs(h, { ...c, ...patch }), logged)
  switch (n) {
    case CSR.mstatus: return set({ mstatus: legalizeMstatus(c.mstatus, value, isa) }, [CSR.mstatus])
    case CSR.sstatus:
      if (h.virt) return set({ vsstatus: legalizeVsstatus(c.vsstatus, value) }, [CSR.vsstatus])
      return set({ mstatus: legalizeMstatus(c.mstatus, merge(c.mstatus, value, SSTATUS_WRITE), isa) }, [CSR.mstatus])
    case CSR.vsstatus: return set({ vsstatus: legalizeVsstatus(c.vsstatus, value) }, [CSR.vsstatus])
    // misa: M, A and C can be turned off and on (H cannot here; Spike would allow it). Clearing C is
    // ignored while the instruction is at a pc that is 2 mod 4 (it would misalign the pc).
    case CSR.misa: {
      const keepC = (value & 4n) === 0n && (c.misa & 4n) !== 0n && (h.pc & 2n) !== 0n
      if (keepC) return done(h, [])
      return set({ misa: merge(c.misa, value, misaWritable(isa)) }, [CSR.misa])
    }
    case CSR.medeleg: return set({ medeleg: value & medelegMask(isa) }, [CSR.medeleg])
    case CSR.mideleg: return set({ mideleg: value & (isa.s ? MIP_SSIP | MIP_STIP | MIP_SEIP : 0n) }, [CSR.mideleg])
    case CSR.mie: {
      const mask = MIP_SSIP | MIP_STIP | MIP_SEIP | (isa.h ? MIP_HS_MASK : 0n) | MIP_MSIP | MIP_MTIP | MIP_MEIP
      return set({ mie: merge(c.mie, value, mask) }, [CSR.mie])
    }
    case CSR.mip: {
      // Only the supervisor bits (and VSSIP with H) are software-writable in mip (Spike's mip_csr_t).
      // mip.SEIP is Spike's alias of mvip.SEIP, so the write also logs mvip (0x309), valued before mip changes.
      const mask = MIP_SSIP | MIP_STIP | MIP_SEIP | (isa.h ? MIP_VSSIP : 0n)
      const w = set({ mip: merge(c.mip, value, mask) }, [CSR.mvip, CSR.mip])
      return { ...w, values: [[CSR.mvip, mvipRead(c, value & MIP_SEIP)]] }
    }
    case CSR.sie:
      if (h.virt) return set({ mie: merge(c.mie, value << 1n, hidelegRead(c, isa) & MIP_VS_MASK) }, [CSR.mie])
      return set({ mie: merge(c.mie, value, midelegRead(c, isa) & ~MIP_HS_MASK) }, [CSR.sie, CSR.mie])
    case CSR.vsie: return set({ mie: merge(c.mie, value << 1n, hidelegRead(c, isa) & MIP_VS_MASK) }, [CSR.mie])
    case CSR.sip:
      if (h.virt) return set({ mip: merge(c.mip, value << 1n, hidelegRead(c, isa) & MIP_VSSIP) }, [CSR.mip])
      {
        // Spike's sip_csr_t first writes mvip (with an empty mask, but logged), then mip.
        const w = set({ mip: merge(c.mip, value, midelegRead(c, isa) & MIP_SSIP) }, [CSR.mvip, CSR.mip])
        return { ...w, values: [[CSR.mvip, mvipRead(c, c.mip & MIP_SEIP)]] }
      }
    case CSR.vsip: return set({ mip: merge(c.mip, value << 1n, hidelegRead(c, isa) & MIP_VSSIP) }, [CSR.mip])
    case CSR.hie: return set({ mie: merge(c.mie, value, midelegRead(c, isa) & MIP_HS_MASK) }, [CSR.mie])
    case CSR.hip: return set({ mip: merge(c.mip, value, midelegRead(c, isa) & MIP_VSSIP) }, [CSR.mip])
    case CSR.hvip:
      return set({ mip: merge(c.mip, value, MIP_VSSIP), hvip: value & (MIP_VSEIP | MIP_VSTIP) }, [CSR.mip, CSR.hvip])
    // xtvec: bit 1 is cleared (MODE is 1 bit wide: direct or vectored), as Spike's tvec_csr_t.
    case CSR.mtvec: return set({ mtvec: value & ~2n }, [CSR.mtvec])
    case CSR.stvec: return h.virt ? set({ vstvec: value & ~2n }, [CSR.vstvec]) : set({ stvec: value & ~2n }, [CSR.stvec])
    case CSR.vstvec: return set({ vstvec: value & ~2n }, [CSR.vstvec])
    case CSR.mscratch: return set({ mscratch: value }, [CSR.mscratch])
    case CSR.sscratch: return h.virt ? set({ vsscratch: value }, [CSR.vsscratch]) : set({ sscratch: value }, [CSR.sscratch])
    case CSR.vsscratch: return set({ vsscratch: value }, [CSR.vsscratch])
    // xepc: bit 0 is always 0; bit 1 reads as 0 while C is off (Spike's epc_csr_t).
    case CSR.mepc: return set({ mepc: value & ~1n }, [CSR.mepc])
    case CSR.sepc: return h.virt ? set({ vsepc: value & ~1n }, [CSR.vsepc]) : set({ sepc: value & ~1n }, [CSR.sepc])
    case CSR.vsepc: return set({ vsepc: value & ~1n }, [CSR.vsepc])
    case CSR.mcause: return set({ mcause: value }, [CSR.mcause])
    case CSR.scause: return h.virt ? set({ vscause: value }, [CSR.vscause]) : set({ scause: value }, [CSR.scause])
    case CSR.vscause: return set({ vscause: value }, [CSR.vscause])
    case CSR.mtval: return set({ mtval: value }, [CSR.mtval])
    case CSR.stval: return h.virt ? set({ vstval: value }, [CSR.vstval]) : set({ stval: value }, [CSR.stval])
    case CSR.vstval: return set({ vstval: value }, [CSR.vstval])
    case CSR.satp: {
      // Through the satp number an unsupported MODE leaves the register unchanged altogether (Spike's
      // virtualized_satp_csr_t); only a direct vsatp write keeps MODE and still takes ASID and PPN.
      const old = h.virt ? c.vsatp : c.satp
      const v = legalizeSatp(old, satpModeValid(value >> MODE_SHIFT) ? value : old)
      return h.virt ? set({ vsatp: v }, [CSR.vsatp]) : set({ satp: v }, [CSR.satp])
    }
    case CSR.vsatp: return set({ vsatp: legalizeSatp(c.vsatp, value) }, [CSR.vsatp])
    case CSR.mtval2: return set({ mtval2: value }, [CSR.mtval2])
    case CSR.mtinst: return set({ mtinst: value }, [CSR.mtinst])
    case CSR.mcounteren: return set({ mcounteren: value & counterenMask(isa) }, [CSR.mcounteren])
    case CSR.scounteren: return set({ scounteren: value & counterenMask(isa) }, [CSR.scounteren])
    case CSR.hcounteren: return set({ hcounteren: value & counterenMask(isa) }, [CSR.hcounteren])
    case CSR.mcountinhibit: return set({ mcountinhibit: value & counterenMask(isa) & ~2n }, [CSR.mcountinhibit])
    case CSR.menvcfg: return set({ menvcfg: value & envcfgMask(isa) }, [CSR.menvcfg])
    case CSR.senvcfg: return set({ senvcfg: 0n }, [CSR.senvcfg])
    case CSR.henvcfg: {
      // ADUE/PBMTE are writable only while menvcfg grants them (Spike's henvcfg_csr_t).
      const mask = envcfgMask(isa) & (c.menvcfg | ~(ENVCFG_PBMTE | ENVCFG_STCE | ENVCFG_ADUE))
      return set({ henvcfg: merge(c.henvcfg, value, mask) }, [CSR.henvcfg])
    }
    case CSR.scontext: return set({ scontext: value & 0xffff_ffffn }, [CSR.scontext])
    case CSR.hcontext: case CSR.mcontext: return set({ hcontext: value & ((1n << (isa.h ? 14n : 13n)) - 1n) }, [CSR.hcontext])
    case CSR.hstatus: {
      const mask = HSTATUS_VTSR | HSTATUS_VTW | HSTATUS_VTVM | HSTATUS_HU | HSTATUS_SPVP | HSTATUS_SPV | HSTATUS_GVA
      return set({ hstatus: merge(c.hstatus, value, mask) }, [CSR.hstatus])
    }
    case CSR.hedeleg: return set({ hedeleg: value & hedelegMask(isa) }, [CSR.hedeleg])
    case CSR.hideleg: return set({ hideleg: value & MIP_VS_MASK }, [CSR.hideleg])
    case CSR.htval: return set({ htval: value }, [CSR.htval])
    case CSR.htinst: return set({ htinst: value }, [CSR.htinst])
    case CSR.hgatp: return set({ hgatp: legalizeHgatp(c.hgatp, value) }, [CSR.hgatp])
    case CSR.htimedelta: return set({ htimedelta: value }, [CSR.htimedelta])
    case CSR.hgeie: return done(h, [])                     // read-only zero: Spike's const_csr_t logs nothing
    // Spike has 4 triggers: tselect keeps values below 4.
    case CSR.tselect: return set({ tselect: value < 4n ? value : c.tselect }, [CSR.tselect])
    case CSR.tdata1: {
      const i = Number(c.tselect)
      return set({ triggers: c.triggers.with(i, [legalizeTdata1(value, isa), c.triggers[i]![1]]) }, [CSR.tdata1])
    }
    case CSR.tdata2: {
      const i = Number(c.tselect)
      return set({ triggers: c.triggers.with(i, [c.triggers[i]![0], value]) }, [CSR.tdata2])
    }
    case CSR.tdata3: return done(h, [CSR.tdata3])
    case CSR.minstret:
      return { hart: hart(h.pc, h.x, h.priv, h.virt, c, h.reservation, value, h.cycle), logged: [CSR.minstret], wroteInstret: true, wroteCycle: false }
    case CSR.mcycle:
      return { hart: hart(h.pc, h.x, h.priv, h.virt, c, h.reservation, h.instret, value), logged: [CSR.mcycle], wroteInstret: false, wroteCycle: true }
  }
  if (n >= 0x3a0 && n <= 0x3af) {
    const first = (n - 0x3a0) * 4
    if (first >= PMP_ENTRIES) return done(h, [])           // no implemented entry: Spike reports no write
    const pmpcfg = c.pmpcfg.slice()
    for (let i = first; i < first + 8 && i < PMP_ENTRIES; i++) {
      pmpcfg[i] = legalizePmpcfg(c.pmpcfg[i]!, Number((value >> BigInt(8 * (i - first))) & 0xffn))
    }
    return set({ pmpcfg }, [n])
  }
  if (n >= 0x3b0 && n <= 0x3ef) {
    const i = n - 0x3b0
    if (i >= PMP_ENTRIES) return done(h, [n])              // unimplemented entries: write "succeeds", reads 0
    // Locked, or the pmpaddr below a locked TOR entry: the write is ignored (src/memory/pmp.ts).
    if (!pmpaddrWritable(c, i)) return done(h, [])
    return set({ pmpaddr: c.pmpaddr.with(i, value & ((1n << 54n) - 1n)) }, [n])
  }
  if (n >= 0x323 && n <= 0x33f) return done(h, [n])        // mhpmeventN: no events (mask 0), logged as 0
  return done(h, [])                                        // mhpmcounterN: hard-wired 0
}

// ---- triggers (Sdtrig) -----------------------------------------------------------------------------------

/** mcontrol (type 2) fields, as Spike's mcontrol_t keeps them. */
export const MCONTROL = {
  type: 0xfn << 60n, dmode: 1n << 59n, hit: 1n << 20n, select: 1n << 19n, timing: 1n << 18n, action: 0xfn << 12n,
  chain: 1n << 11n, match: 0xfn << 7n, m: 1n << 6n, s: 1n << 4n, u: 1n << 3n, execute: 1n << 2n, store: 1n << 1n, load: 1n,
} as const

/**
 * tdata1 WARL (Spike's module_t/mcontrol_t): type 2 (mcontrol) keeps its fields, with match values other
 * than equal/GE/LT/mask legalized to equal (maskmax = 0, so NAPOT too), an unsupported action to 0
 * (breakpoint exception), load-data triggers forced to timing = after; S and U bits need those modes.
 * Any other type is not modelled here and reads back as a disabled trigger (type 15).
 */
export const legalizeTdata1 = (value: bigint, isa: Isa): bigint => {
  if (value >> 60n !== 2n) return TDATA1_DISABLED
  const field = (m: bigint): bigint => getField(value, m)
  let match = field(MCONTROL.match)
  if (!(match === 0n || match === 2n || match === 3n || match === 4n || match === 5n)) match = 0n
  let action = field(MCONTROL.action)
  if (action > 1n || (action === 1n && field(MCONTROL.dmode) === 0n)) action = 0n
  const select = field(MCONTROL.select)
  const timing = select === 1n && field(MCONTROL.load) === 1n ? 1n : field(MCONTROL.timing)
  let v = 2n << 60n
  v = setField(v, MCONTROL.dmode, field(MCONTROL.dmode))
  v = setField(v, MCONTROL.hit, field(MCONTROL.hit))
  v = setField(v, MCONTROL.select, select)
  v = setField(v, MCONTROL.timing, timing)
  v = setField(v, MCONTROL.action, action)
  v = setField(v, MCONTROL.chain, field(MCONTROL.chain))
  v = setField(v, MCONTROL.match, match)
  v = setField(v, MCONTROL.m, field(MCONTROL.m))
  v = setField(v, MCONTROL.s, isa.s ? field(MCONTROL.s) : 0n)
  v = setField(v, MCONTROL.u, isa.u ? field(MCONTROL.u) : 0n)
  return v | (value & (MCONTROL.execute | MCONTROL.store | MCONTROL.load))
}

// ---- translation-relevant views --------------------------------------------------------------------------

/** The privilege a load/store is checked at: mstatus.MPRV substitutes MPP (and MPV) for M-mode data accesses. */
export const effectiveDataMode = (h: Hart): AccessMode => {
  const s = h.csr.mstatus
  if (h.priv === PRV_M && (s & MSTATUS_MPRV) !== 0n) {
    const mpp = Number(getField(s, MSTATUS_MPP)) as Priv
    return accessMode(mpp, (s & MSTATUS_MPV) !== 0n && mpp !== PRV_M)
  }
  return accessMode(h.priv, h.virt)
}

/** HLV/HLVX/HSV: V = 1 at the privilege in hstatus.SPVP. */
export const hypervisorAccessMode = (h: Hart): AccessMode =>
  accessMode((h.csr.hstatus & HSTATUS_SPVP) !== 0n ? PRV_S : 0, true)
