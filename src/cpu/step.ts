// One instruction, or one trap, of a hart, as a pure function: `stepHart(hart, isa, memory, tlb, bus,
// devices, …) → { hart', memory', tlb', devices', event }`. This is the readable specification of the hart
// (unprivileged ISA for RV64IMAC, Zicsr, Zifencei, Zicntr; Priv. ISA for M/S/U and the H extension).
// Check order and trap values follow Spike (riscv/insns/*.h, riscv/mmu.cc, riscv/processor.cc at 55b4658)
// wherever the spec leaves a choice. The platform around the hart (Spike's chunks, the CLINT's clock,
// HTIF) is machine/step.ts, which wraps this; the hart sees the platform only through the bus (bus.ts).
//
// Inside one call the effects of the instruction are gathered in a local record (`Exec`, exec.ts) that
// never escapes: nothing passed in is modified, and the result is built with constructor functions. A
// trap discards the instruction's effects on the hart except the hit bits of a trigger that fired;
// memory keeps what Spike keeps (A/D updates, the first part of a page-crossing store). How
// instructions reach memory: memory-access.ts; what each does: execute/; debug triggers: triggers.ts.
// Hot-path helpers (decoding, PMP, …) come in as `accel` (accel.ts); the engines pass memoised ones.
import { type PhysMemory } from '../memory/memory.ts'
import { type Tlb, flushTlb } from '../mmu/tlb.ts'
import { type Csrs, type Hart, PRV_M, PRV_S, withRegister, retired, withCsrs } from './hart.ts'
import { type Isa } from './isa.ts'
import { CSR, csrRead, midelegRead, mipRead } from './csr/access.ts'
import { MSTATUS_MIE, MSTATUS_MPP, MSTATUS_MPRV, MSTATUS_MXR, MSTATUS_SIE, MSTATUS_SUM } from './csr/fields.ts'
import { INTERRUPT_BIT, type Trap, illegalInstruction, takeTrap, trap } from './trap.ts'
import { NO_TRANSLATIONS, type StaleTranslation, type StepEvent, type TranslationCounts } from './event.ts'
import { type Exec, isTrap } from './exec.ts'
import { fetch } from './memory-access.ts'
import { execute } from './execute/base.ts'
import { type Described, extensionsOf } from './decode/described.ts'
import { type HartBus } from './bus.ts'
import { type HartAccel, specAccel } from './accel.ts'

/**
 * How a step ends, for the platform's scheduling (Spike's batches and chunks): a trap was taken
 * ('trap'), the hart waits in WFI ('wait'), WFI retired ('wfi'), a serializing instruction retired (CSR
 * access, MRET, SRET: 'serialize'), or any other instruction retired ('next').
 */
export type StepEnd = 'trap' | 'wait' | 'wfi' | 'serialize' | 'next'

export interface HartStep<D> {
  readonly hart: Hart
  readonly memory: PhysMemory
  readonly tlb: Tlb
  readonly devices: D
  readonly event: StepEvent
  readonly end: StepEnd
  /** The instruction stored to memory or a device (the platform may watch for that: HTIF's tohost). */
  readonly stored: boolean
}

/**
 * What a caller does with a step's outcome, given the fields of HartStep in order and a context of its
 * own: `stepHartWith` hands the outcome over this way, so the per-instruction path makes no result record.
 */
export type StepOutcome<D, C, R> = (ctx: C, h: Hart, memory: PhysMemory, tlb: Tlb, devices: D, event: StepEvent, end: StepEnd, stored: boolean) => R

const hartStep = <D>(_: undefined, h: Hart, memory: PhysMemory, tlb: Tlb, devices: D, event: StepEvent, end: StepEnd, stored: boolean): HartStep<D> =>
  ({ hart: h, memory, tlb, devices, event, end, stored })

// ---- interrupts --------------------------------------------------------------------------------------

/** Spike's default interrupt priority: MEI, MSI, MTI, SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI. */
const PRIORITY = [11n, 3n, 7n, 9n, 1n, 5n, 12n, 10n, 2n, 6n]

/** The interrupt to take before the next instruction, if any (Spike's take_interrupt). */
export const pendingInterrupt = (h: Hart, isa: Isa): bigint | undefined => {
  const c = h.csr
  const pending = mipRead(c) & c.mie
  if (pending === 0n) return undefined
  const mideleg = midelegRead(c, isa)
  const mEnabled = h.priv < PRV_M || (c.mstatus & MSTATUS_MIE) !== 0n
  let enabled = mEnabled ? pending & ~mideleg : 0n
  if (enabled === 0n) {
    const hideleg = c.hideleg & mideleg
    const sie = (csrRead(h, isa, CSR.sstatus) & MSTATUS_SIE) !== 0n
    const hsEnabled = h.virt || h.priv < PRV_S || (h.priv === PRV_S && sie)
    enabled = hsEnabled ? pending & mideleg & ~hideleg : 0n
    if (h.virt && enabled === 0n) {
      const vsEnabled = h.priv < PRV_S || (h.priv === PRV_S && sie)
      enabled = vsEnabled ? pending & hideleg : 0n
    }
  }
  if (enabled === 0n) return undefined
  for (const code of PRIORITY) if ((enabled >> code) & 1n) return code
  return undefined
}

// ---- the step ------------------------------------------------------------------------------------------

/**
 * Where Spike flushes its TLB and PTE cache (mmu_t::flush_tlb): whenever it sets the privilege (every trap,
 * MRET and SRET), and on CSR writes that change translation: satp/vsatp (a new value), hgatp, PMP, misa,
 * and mstatus (or vsstatus while V = 1) changing MPP, MPRV, SUM or MXR. The model's TLB is flushed at the
 * same points, so a stale translation lasts exactly as long as it would in Spike. An exact TLB (`--tlb
 * exact`, mmu/tlb.ts) is not flushed there: only fences remove its entries, as the spec allows.
 */
const flushed = (tlb: Tlb): Tlb => tlb.config.exact === true ? tlb : flushTlb(tlb)

const TRANSLATION_STATUS = MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR

const spikeFlushes = (d: Described, e: Exec, before: Hart, after: Hart): boolean => {
  if (d.trapReturn) return true
  if (e.logged === undefined) return false
  const a = before.csr, b = after.csr
  return a.satp !== b.satp || a.vsatp !== b.vsatp || ((a.mstatus ^ b.mstatus) & TRANSLATION_STATUS) !== 0n ||
    (before.virt && ((a.vsstatus ^ b.vsstatus) & (MSTATUS_SUM | MSTATUS_MXR)) !== 0n) ||
    e.logged.some((n) => n === 0x680 || n === 0x301 || (n >= 0x3a0 && n <= 0x3ef))
}

/**
 * Takes trap `t` (an interrupt, or the exception of the instruction at h.pc). `memory` is memory as the
 * instruction left it: unchanged, except for what Spike also keeps when an instruction traps part-way
 * (page-table A/D updates made by a walk, the first part of a page-crossing store). The devices keep
 * their state from before the instruction.
 */
const trapped = <D, C, R>(ctx: C, k: StepOutcome<D, C, R>, h: Hart, memory: PhysMemory, tlb: Tlb, devices: D, t: Trap,
  bits: number | undefined, isa: Isa, xlate: TranslationCounts = NO_TRANSLATIONS, stale?: readonly StaleTranslation[]): R => {
  const entry = takeTrap(h, isa, t, h.pc)
  const event: StepEvent = { _tag: 'Trapped', pc: h.pc, bits, priv: h.priv, virt: h.virt, trap: t, target: entry.target, xlate }
  return k(ctx, entry.hart, memory, flushed(tlb), devices, stale === undefined ? event : { ...event, stale }, 'trap', false)
}

/**
 * The hart after a retired step: registers `x`, the next pc, and the counters advanced by one unless
 * written by the instruction or stopped by mcountinhibit (IR bit 2, CY bit 0).
 */
const retire = (h: Hart, x: readonly bigint[], pc: bigint, wroteInstret: boolean, wroteCycle: boolean): Hart => {
  const inhibit = h.csr.mcountinhibit
  const instret = wroteInstret || (inhibit !== 0n && (inhibit & 4n) !== 0n) ? h.instret : h.instret + 1n
  const cycle = wroteCycle || (inhibit !== 0n && (inhibit & 1n) !== 0n) ? h.cycle : h.cycle + 1n
  return retired(h, pc, x, instret, cycle)
}

const withTriggers = (h: Hart, ts: Csrs['triggers'] | undefined): Hart =>
  ts === undefined ? h : withCsrs(h, { ...h.csr, triggers: ts })

/**
 * Executes one instruction of hart h0, or takes an interrupt, or (in WFI) waits one step, and returns
 * what changed and what happened. `isa` is the configured ISA (misa may narrow it); `batchStart` says
 * the step starts a batch, where pending interrupts are taken (Spike: after a trap, WFI, a chunk end or
 * a serializing instruction, and before a CSR instruction); `inWfi` that the hart waits in WFI.
 */
export const stepHart = <D>(h0: Hart, isa: Isa, memory: PhysMemory, tlb: Tlb, bus: HartBus<D>, devices: D,
  batchStart: boolean, inWfi: boolean, accel: HartAccel = specAccel): HartStep<D> =>
  stepHartWith(h0, isa, memory, tlb, bus, devices, batchStart, inWfi, accel, undefined, hartStep)

/** `stepHart`, handing its outcome to `k` (with `ctx`) instead of returning a record. */
export const stepHartWith = <D, C, R>(h0: Hart, isa0: Isa, memory: PhysMemory, tlb: Tlb, bus: HartBus<D>, devices: D,
  batchStart: boolean, inWfi: boolean, accel: HartAccel, ctx: C, k: StepOutcome<D, C, R>): R => {
  // (misa as reset leaves the ISA as configured: decided here, without a call, for nearly every step)
  const isa = h0.csr.misa === isa0.maxMisa ? isa0 : accel.effectiveIsa(isa0, h0.csr.misa)
  let waiting = inWfi
  if (batchStart) {
    if ((mipRead(h0.csr) & h0.csr.mie) !== 0n) waiting = false      // any pending interrupt ends WFI
    const irq = pendingInterrupt(h0, isa)
    if (irq !== undefined) return trapped(ctx, k, h0, memory, tlb, devices, trap(INTERRUPT_BIT | irq), undefined, isa)
  }
  if (waiting) {
    // Still waiting: Spike counts the wait as a retired step (minstret and mcycle advance) and ends the chunk.
    return k(ctx, retire(h0, h0.x, h0.pc, false, false), memory, tlb, devices, { _tag: 'Waiting', pc: h0.pc }, 'wait', false)
  }
  const e: Exec = {
    isa, pc: h0.pc, bits: 0, h: h0, memory, tlb, bus, devices, accel,
    rd: 0, rdValue: 0n, logged: undefined, loads: undefined, stores: undefined, wroteInstret: false, wroteCycle: false,
    loggedValues: undefined, firedTriggers: undefined,
    tlbHits: 0, walks: 0, twoStageWalks: 0, lastGpa: undefined, lastPa: 0n, stale: undefined,
  }
  const bits = fetch(e)
  if (isTrap(bits)) return trapped(ctx, k, withTriggers(h0, e.firedTriggers), e.memory, e.tlb, devices, bits, undefined, isa, counts(e), e.stale)
  e.bits = bits
  const d = accel.describe(bits)
  if (d.csr && !batchStart) {
    // A CSR instruction serializes before it executes: a new batch starts, so interrupts are checked.
    const irq = pendingInterrupt(h0, isa)
    if (irq !== undefined) return trapped(ctx, k, h0, e.memory, e.tlb, devices, trap(INTERRUPT_BIT | irq), undefined, isa, counts(e), e.stale)
  }
  const npc = d.needs === 0 || (d.needs & ~extensionsOf(isa)) === 0 ? execute(e, d.insn, d.length) : illegalInstruction(d.length === 2 ? bits & 0xffff : bits)
  if (isTrap(npc)) return trapped(ctx, k, withTriggers(h0, e.firedTriggers), e.memory, e.tlb, devices, npc, bits, isa, counts(e), e.stale)
  const h1 = e.h
  // The instruction retires: its destination register is written, pc moves on, the counters count it.
  const h2 = retire(h1, withRegister(h1.x, e.rd, e.rdValue), npc, e.wroteInstret, e.wroteCycle)
  const length = d.length
  const event: StepEvent = {
    _tag: 'Retired', pc: e.pc, bits: length === 2 ? bits & 0xffff : bits, length, priv: h0.priv, virt: h0.virt,
    rd: e.rd, rdValue: e.rdValue, csrs: e.logged === undefined ? NO_CSRS : loggedCsrs(e, h1), loads: e.loads ?? NO_ACCESSES, stores: e.stores ?? NO_ACCESSES, xlate: counts(e),
  }
  return k(ctx, h2, e.memory, spikeFlushes(d, e, h0, h1) ? flushed(e.tlb) : e.tlb, e.devices as D, e.stale === undefined ? event : { ...event, stale: e.stale },
    d.wfi ? 'wfi' : d.serializing ? 'serialize' : 'next', e.stores !== undefined)
}

const counts = (e: Exec): TranslationCounts =>
  e.tlbHits === 0 && e.walks === 0 ? NO_TRANSLATIONS : { tlbHits: e.tlbHits, walks: e.walks, twoStageWalks: e.twoStageWalks }

const NO_CSRS: readonly (readonly [number, bigint])[] = []
const NO_ACCESSES: readonly never[] = []

/** The CSR items of the commit line: each CSR once, ascending by number, with its value after the instruction. */
const loggedCsrs = (e: Exec, h: Hart): readonly (readonly [number, bigint])[] => {
  if (e.logged === undefined) return NO_CSRS
  const nums = [...new Set(e.logged)].sort((a, b) => a - b)
  return nums.map((n) => [n, e.loggedValues?.get(n) ?? csrRead(h, e.isa, n, false)] as const)
}
