// The architectural state of one hart (Priv. ISA ch. "Machine-Level ISA"; H chapter for V): pc, the
// integer registers, the privilege mode and virtualization mode, the CSR file, the LR/SC reservation
// and the retired-instruction and cycle counters. Immutable: every change makes a new Hart with a
// constructor function (no spreads, no immer on the step path).
import { type Isa, misaOf } from './isa.ts'

/** Privilege levels as Spike numbers them (PRV_U = 0, PRV_S = 1, PRV_M = 3); HS is S with V = 0. */
export type Priv = 0 | 1 | 3
export const PRV_U: Priv = 0
export const PRV_S: Priv = 1
export const PRV_M: Priv = 3

/** tdata1 of a disabled trigger (type 15), Spike's reset state for every trigger. */
export const TDATA1_DISABLED = 0xfn << 60n

/** Number of PMP entries (Spike's default `--pmpregions=16`). Entries 16–63 exist as CSRs reading 0. */
export const PMP_ENTRIES = 16
export const PMP_CSRS = 64

/**
 * The CSR file: one field per stored register. Registers that are views of others (sstatus, sie,
 * sip, hip, hie, vsip, vsie, cycle, instret, ...) are not stored; csr/access.ts derives them.
 */
export interface Csrs {
  readonly mstatus: bigint
  readonly misa: bigint
  readonly medeleg: bigint
  readonly mideleg: bigint
  readonly mie: bigint
  readonly mip: bigint
  readonly mtvec: bigint
  readonly mscratch: bigint
  readonly mepc: bigint
  readonly mcause: bigint
  readonly mtval: bigint
  readonly mtval2: bigint
  readonly mtinst: bigint
  readonly mcounteren: bigint
  readonly mcountinhibit: bigint
  readonly menvcfg: bigint
  readonly stvec: bigint
  readonly sscratch: bigint
  readonly sepc: bigint
  readonly scause: bigint
  readonly stval: bigint
  readonly satp: bigint
  readonly scounteren: bigint
  readonly senvcfg: bigint
  readonly scontext: bigint
  readonly hstatus: bigint
  readonly hedeleg: bigint
  readonly hideleg: bigint
  /** hvip's own bits (VSEIP, VSTIP); hvip.VSSIP is an alias of mip.VSSIP. */
  readonly hvip: bigint
  readonly hcounteren: bigint
  readonly htval: bigint
  readonly htinst: bigint
  readonly hgatp: bigint
  readonly henvcfg: bigint
  readonly htimedelta: bigint
  readonly hcontext: bigint
  readonly vsstatus: bigint
  readonly vstvec: bigint
  readonly vsscratch: bigint
  readonly vsepc: bigint
  readonly vscause: bigint
  readonly vstval: bigint
  readonly vsatp: bigint
  /** pmpNcfg bytes, one per entry (0–63). */
  readonly pmpcfg: readonly number[]
  /** pmpaddrN, physical address bits [55:2] (0–63). */
  readonly pmpaddr: readonly bigint[]
  readonly tselect: bigint
  /** The time CSR's value: Spike's copy of the CLINT's mtime, synchronised at every CLINT tick. */
  readonly time: bigint
  /** Sdtrig triggers (Spike has 4): tdata1 (as read) and tdata2 of each. */
  readonly triggers: readonly (readonly [bigint, bigint])[]
}

export interface Hart {
  readonly pc: bigint
  /** x0–x31, unsigned 64-bit; x[0] is always 0n. */
  readonly x: readonly bigint[]
  readonly priv: Priv
  /** The virtualization mode V (VS/VU when 1). */
  readonly virt: boolean
  readonly csr: Csrs
  /** Physical address reserved by the last LR, or undefined. */
  readonly reservation: bigint | undefined
  /** minstret: instructions retired so far (Spike's `minstret`). */
  readonly instret: bigint
  /** mcycle: Spike models CPI = 1, so it advances with instret unless written. */
  readonly cycle: bigint
}

// ---- constructors -----------------------------------------------------------------------------------

/** A privilege and V: the mode an access is made in. */
export interface AccessMode { readonly priv: Priv; readonly virt: boolean }
const ACCESS_MODES: readonly (readonly [AccessMode, AccessMode])[] = [0, 1, 2, 3].map((p) =>
  [{ priv: p as Priv, virt: false }, { priv: p as Priv, virt: true }] as const)
/** The mode (priv, virt), one shared immutable value per pair: accesses ask for one every step. */
export const accessMode = (priv: Priv, virt: boolean): AccessMode => ACCESS_MODES[priv]![virt ? 1 : 0]

export const hart = (
  pc: bigint, x: readonly bigint[], priv: Priv, virt: boolean, csr: Csrs,
  reservation: bigint | undefined, instret: bigint, cycle: bigint,
): Hart => ({ pc, x, priv, virt, csr, reservation, instret, cycle })

/**
 * The register file with x[rd] = value (a copy; x0 stays 0). `slice` then one assignment: faster than
 * `Array.prototype.with` on Node 20, and this runs for nearly every retired instruction.
 */
export const withRegister = (x: readonly bigint[], rd: number, value: bigint): readonly bigint[] => {
  if (rd === 0) return x
  const copy = x.slice()
  copy[rd] = value
  return copy
}

export const withPc = (h: Hart, pc: bigint): Hart => hart(pc, h.x, h.priv, h.virt, h.csr, h.reservation, h.instret, h.cycle)
export const withX = (h: Hart, rd: number, value: bigint): Hart =>
  rd === 0 ? h : hart(h.pc, withRegister(h.x, rd, value), h.priv, h.virt, h.csr, h.reservation, h.instret, h.cycle)
export const withCsrs = (h: Hart, csr: Csrs): Hart => hart(h.pc, h.x, h.priv, h.virt, csr, h.reservation, h.instret, h.cycle)
export const withMode = (h: Hart, priv: Priv, virt: boolean): Hart => hart(h.pc, h.x, priv, virt, h.csr, h.reservation, h.instret, h.cycle)
export const withReservation = (h: Hart, r: bigint | undefined): Hart => hart(h.pc, h.x, h.priv, h.virt, h.csr, r, h.instret, h.cycle)
export const withCounters = (h: Hart, instret: bigint, cycle: bigint): Hart => hart(h.pc, h.x, h.priv, h.virt, h.csr, h.reservation, instret, cycle)
/** The hart after a retired instruction: the next pc, the register file, and the counters (step.ts). */
export const retired = (h: Hart, pc: bigint, x: readonly bigint[], instret: bigint, cycle: bigint): Hart =>
  hart(pc, x, h.priv, h.virt, h.csr, h.reservation, instret, cycle)
/** The hart entering a trap handler or returning from one: pc, privilege, V and the CSRs it wrote (trap.ts, privileged.ts). */
export const entered = (h: Hart, pc: bigint, priv: Priv, virt: boolean, csr: Csrs): Hart =>
  hart(pc, h.x, priv, virt, csr, h.reservation, h.instret, h.cycle)
/** The hart with CSRs and the LR/SC reservation replaced (a Spike chunk end drops the reservation). */
export const withCsrsAndReservation = (h: Hart, csr: Csrs, reservation: bigint | undefined): Hart =>
  hart(h.pc, h.x, h.priv, h.virt, csr, reservation, h.instret, h.cycle)
/** The hart as an engine hands it back after a stretch of steps: pc, registers, CSRs, reservation and counters. */
export const resumed = (h: Hart, pc: bigint, x: readonly bigint[], csr: Csrs, reservation: bigint | undefined, instret: bigint, cycle: bigint): Hart =>
  hart(pc, x, h.priv, h.virt, csr, reservation, instret, cycle)

/**
 * `{ ...c, mip, time }`, written out: the platform does this at every chunk end (machine/bus.ts, wires), and
 * a spread of this 48-field record costs V8 about 1.2 µs (a CreateDataProperty per field) against about
 * 0.13 µs for the literal (on the 52 M-instruction pageloop, 10 400 chunk ends: 144 M host instructions
 * of 4 G). The type makes the list complete: a field added to Csrs and not here fails to compile.
 */
export const withMipAndTime = (c: Csrs, mip: bigint, time: bigint): Csrs => ({
  mstatus: c.mstatus, misa: c.misa, medeleg: c.medeleg, mideleg: c.mideleg, mie: c.mie, mip, mtvec: c.mtvec,
  mscratch: c.mscratch, mepc: c.mepc, mcause: c.mcause, mtval: c.mtval, mtval2: c.mtval2, mtinst: c.mtinst,
  mcounteren: c.mcounteren, mcountinhibit: c.mcountinhibit, menvcfg: c.menvcfg, stvec: c.stvec, sscratch: c.sscratch,
  sepc: c.sepc, scause: c.scause, stval: c.stval, satp: c.satp, scounteren: c.scounteren, senvcfg: c.senvcfg,
  scontext: c.scontext, hstatus: c.hstatus, hedeleg: c.hedeleg, hideleg: c.hideleg, hvip: c.hvip,
  hcounteren: c.hcounteren, htval: c.htval, htinst: c.htinst, hgatp: c.hgatp, henvcfg: c.henvcfg,
  htimedelta: c.htimedelta, hcontext: c.hcontext, vsstatus: c.vsstatus, vstvec: c.vstvec, vsscratch: c.vsscratch,
  vsepc: c.vsepc, vscause: c.vscause, vstval: c.vstval, vsatp: c.vsatp, pmpcfg: c.pmpcfg, pmpaddr: c.pmpaddr,
  tselect: c.tselect, time, triggers: c.triggers,
})

/**
 * The CSR file as Spike resets it (riscv/csr_init.cc, processor_t::reset): mstatus.UXL = SXL = 2 and
 * MPP = U; hstatus.VSXL = 2; vsstatus.UXL = 2; pmpaddr0 = all ones and pmpcfg0 = NAPOT RWX (Spike
 * opens all memory to S/U for software unaware of PMP); everything else 0.
 */
export const resetCsrs = (isa: Isa): Csrs => {
  const pmpcfg = new Array<number>(PMP_CSRS).fill(0)
  const pmpaddr = new Array<bigint>(PMP_CSRS).fill(0n)
  pmpcfg[0] = 0x1f
  pmpaddr[0] = (1n << 54n) - 1n
  return {
    mstatus: (2n << 32n) | (isa.s ? 2n << 34n : 0n),
    misa: misaOf(isa),
    medeleg: 0n, mideleg: 0n, mie: 0n, mip: 0n, mtvec: 0n, mscratch: 0n, mepc: 0n, mcause: 0n, mtval: 0n,
    mtval2: 0n, mtinst: 0n, mcounteren: 0n, mcountinhibit: 0n, menvcfg: 0n,
    stvec: 0n, sscratch: 0n, sepc: 0n, scause: 0n, stval: 0n, satp: 0n, scounteren: 0n, senvcfg: 0n, scontext: 0n,
    hstatus: isa.h ? 2n << 32n : 0n,
    hedeleg: 0n, hideleg: 0n, hvip: 0n, hcounteren: 0n, htval: 0n, htinst: 0n, hgatp: 0n, henvcfg: 0n,
    htimedelta: 0n, hcontext: 0n,
    vsstatus: 2n << 32n,
    vstvec: 0n, vsscratch: 0n, vsepc: 0n, vscause: 0n, vstval: 0n, vsatp: 0n,
    pmpcfg, pmpaddr,
    tselect: 0n,
    time: 0n,
    triggers: [[TDATA1_DISABLED, 0n], [TDATA1_DISABLED, 0n], [TDATA1_DISABLED, 0n], [TDATA1_DISABLED, 0n]],
  }
}

/** A hart out of reset: M-mode, V = 0, at `pc` (Spike: the boot ROM at 0x1000), registers zero. */
export const resetHart = (isa: Isa, pc: bigint): Hart =>
  hart(pc, new Array<bigint>(32).fill(0n), PRV_M, false, resetCsrs(isa), undefined, 0n, 0n)
