// One instruction, or one trap, as a pure function of the machine: `step(machine) → { machine', event }`.
// This is the readable specification of the hart (unprivileged ISA for RV64IMAC, Zicsr, Zifencei,
// Zicntr; Priv. ISA for M/S/U and the H extension). Check order and trap values follow Spike
// (riscv/insns/*.h, riscv/mmu.cc, riscv/processor.cc at 55b4658) wherever the spec leaves a choice.
//
// Inside one call the effects of the instruction are gathered in a local record (`Exec`, exec.ts) that
// never escapes: the machine passed in is never modified, and the result is a new Machine built with
// constructor functions. A trap discards the instruction's effects on the hart except the hit bits of a
// trigger that fired; memory keeps what Spike keeps (A/D updates, the first part of a page-crossing store). How instructions reach memory: memory-access.ts; what each does:
// execute/; the CLINT: clint.ts; debug triggers: triggers.ts.
import { type PhysMemory, peek } from '../memory/memory.ts'
import { phys } from '../bits/address.ts'
import { type Tlb, flushTlb } from '../mmu/tlb.ts'
import { type Insn, decodeInstruction } from './decode/index.ts'
import { type Csrs, type Hart, PRV_M, PRV_S, hart, withRegister } from './hart.ts'
import { type Isa, effectiveIsa } from './isa.ts'
import { CSR, csrRead, midelegRead, mipRead } from './csr/access.ts'
import { MIP_MTIP, MSTATUS_MIE, MSTATUS_MPP, MSTATUS_MPRV, MSTATUS_MXR, MSTATUS_SIE, MSTATUS_SUM } from './csr/fields.ts'
import { INTERRUPT_BIT, type Trap, illegalInstruction, takeTrap, trap } from './trap.ts'
import { NO_TRANSLATIONS, type StepEvent, type TranslationCounts } from './event.ts'
import { type Exec, isTrap } from './exec.ts'
import { fetch } from './memory-access.ts'
import { execute } from './execute/base.ts'
import { type Machine, type Platform, SPIKE_INSNS_PER_RTC_TICK, machine, platform } from '../machine/machine.ts'
import { exitCommand, htif as htifOf, serviceHtif } from '../machine/htif.ts'

export interface StepResult {
  readonly machine: Machine
  readonly event: StepEvent
}

// ---- decode (memoised by instruction word: a pure memo) --------------------------------------------------

const decoded = new Map<number, Insn>()
export const decodeMemo = (bits: number): Insn => {
  let insn = decoded.get(bits)
  if (insn === undefined) {
    insn = decodeInstruction(bits)
    if (decoded.size > 1 << 16) decoded.clear()
    decoded.set(bits, insn)
  }
  return insn
}

/** Extensions an instruction needs (bits of `needs`): without one it is an illegal instruction. */
const NEEDS_C = 1, NEEDS_M = 2, NEEDS_A = 4, NEEDS_H = 8, NEEDS_S = 16

/** The extensions `insn` needs beyond the base ISA, Zicsr and Zifencei. */
const needs = (insn: Insn): number => {
  const c = insn.length === 2 ? NEEDS_C : 0
  switch (insn._tag) {
    case 'R': return c | (MUL_DIV.has(insn.op) ? NEEDS_M : 0)
    case 'Amo': return c | NEEDS_A
    case 'Hlv': case 'Hsv': return c | NEEDS_H
    case 'FenceVma': return c | (insn.op === 'sfence.vma' ? NEEDS_S : NEEDS_H)
    // FENCE.I is one of Spike's base instructions: legal whether or not the ISA string names Zifencei.
    case 'System': return c | (insn.op === 'sret' ? NEEDS_S : 0)
    default: return c
  }
}
const MUL_DIV = new Set(['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'])

/** The extensions of `needs` that an ISA has, for the last ISA asked about (a hart keeps its ISA until misa changes). */
let lastIsa: Isa | undefined
let lastHas = 0
const extensionsOf = (isa: Isa): number => {
  if (isa !== lastIsa) {
    lastHas = (isa.c ? NEEDS_C : 0) | (isa.m ? NEEDS_M : 0) | (isa.a ? NEEDS_A : 0) | (isa.h ? NEEDS_H : 0) | (isa.s ? NEEDS_S : 0)
    lastIsa = isa
  }
  return lastHas
}

/** Is the decoded instruction part of the configured ISA? Otherwise it is an illegal instruction. */
export const implemented = (insn: Insn, isa: Isa): boolean => (needs(insn) & ~extensionsOf(isa)) === 0

/**
 * What `step` asks of an instruction word besides executing it, worked out once per word (a pure memo).
 * One record shape for every instruction: the tests below read fixed fields instead of the tag of an
 * instruction union with a dozen shapes, which V8 answers far more slowly.
 */
interface Decoded {
  readonly insn: Insn
  readonly length: 2 | 4
  /** The extensions it needs (NEEDS_*). */
  readonly needs: number
  /** A Zicsr instruction: it serializes before executing, so pending interrupts are checked first. */
  readonly csr: boolean
  /** CSR instructions, MRET and SRET: the next step starts a new batch (Spike's serializing instructions). */
  readonly serializing: boolean
  /** MRET or SRET: Spike flushes its TLB when the privilege is set. */
  readonly trapReturn: boolean
  readonly wfi: boolean
}

const describe = (bits: number): Decoded => {
  const insn = decodeMemo(bits)
  const csr = insn._tag === 'Csr' || insn._tag === 'CsrI'
  const trapReturn = insn._tag === 'System' && (insn.op === 'mret' || insn.op === 'sret')
  return {
    insn, length: insn.length, needs: needs(insn), csr, serializing: csr || trapReturn, trapReturn,
    wfi: insn._tag === 'System' && insn.op === 'wfi',
  }
}

// A direct-mapped memo of DECODED_SLOTS entries, indexed by a hash of the word and checked against it:
// cheaper than a Map lookup, and a loop's instructions rarely collide.
const DECODED_SLOTS = 1 << 12
const slotWords = new Int32Array(DECODED_SLOTS)               // the word (as int32) whose record slotDecoded holds
const slotDecoded: (Decoded | undefined)[] = new Array<Decoded | undefined>(DECODED_SLOTS).fill(undefined)
const decodeForStep = (bits: number): Decoded => {
  const i = (bits ^ (bits >>> 12) ^ (bits >>> 20)) & (DECODED_SLOTS - 1)
  const d = slotDecoded[i]
  if (d !== undefined && slotWords[i] === (bits | 0)) return d
  const fresh = describe(bits)
  slotWords[i] = bits | 0
  slotDecoded[i] = fresh
  return fresh
}

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
 * The end of a Spike chunk (after `interleave` steps, a trap, or WFI): the LR/SC reservation is dropped,
 * the CLINT advances mtime by interleave / INSNS_PER_RTC_TICK, time and MTIP follow, and the next step
 * starts a new batch.
 */
const endChunk = (h: Hart, p: Platform, interleave: number, inWfi: boolean): { hart: Hart; platform: Platform } => {
  const mtime = BigInt.asUintN(64, p.mtime + BigInt(Math.floor(interleave / SPIKE_INSNS_PER_RTC_TICK)))
  const c = h.csr
  const mip = mtime >= p.mtimecmp ? c.mip | MIP_MTIP : c.mip & ~MIP_MTIP
  return {
    hart: hart(h.pc, h.x, h.priv, h.virt, { ...c, mip, time: mtime }, undefined, h.instret, h.cycle),
    platform: platform(mtime, p.mtimecmp, 0, true, inWfi),
  }
}

/**
 * Where Spike flushes its TLB and PTE cache (mmu_t::flush_tlb): whenever it sets the privilege (every trap,
 * MRET and SRET), and on CSR writes that change translation: satp/vsatp (a new value), hgatp, PMP, misa,
 * and mstatus (or vsstatus while V = 1) changing MPP, MPRV, SUM or MXR. The model's TLB is flushed at the
 * same points, so a stale translation lasts exactly as long as it would in Spike.
 */
const flushed = (tlb: Tlb): Tlb => flushTlb(tlb)

const TRANSLATION_STATUS = MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR

const spikeFlushes = (d: Decoded, e: Exec, before: Hart, after: Hart): boolean => {
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
 * (page-table A/D updates made by a walk, the first page's part of a page-crossing store).
 */
const trapped = (m: Machine, h: Hart, memory: PhysMemory, tlb: Tlb, t: Trap, bits: number | undefined, isa: Isa, xlate: TranslationCounts = NO_TRANSLATIONS): StepResult => {
  const entry = takeTrap(h, isa, t, h.pc)
  const next = endChunk(entry.hart, m.platform, m.options.interleave, false)
  const host = serviceHtif(memory, m.htif)
  return {
    machine: machine(m.isa, m.options, next.hart, host.memory, flushed(tlb), host.htif, next.platform),
    event: { _tag: 'Trapped', pc: h.pc, bits, priv: h.priv, virt: h.virt, trap: t, target: entry.target, xlate },
  }
}

/**
 * The hart after a retired step: registers `x`, the next pc, and the counters advanced by one unless
 * written by the instruction or stopped by mcountinhibit (IR bit 2, CY bit 0).
 */
const retire = (h: Hart, x: readonly bigint[], pc: bigint, wroteInstret: boolean, wroteCycle: boolean): Hart => {
  const inhibit = h.csr.mcountinhibit
  const instret = wroteInstret || (inhibit !== 0n && (inhibit & 4n) !== 0n) ? h.instret : h.instret + 1n
  const cycle = wroteCycle || (inhibit !== 0n && (inhibit & 1n) !== 0n) ? h.cycle : h.cycle + 1n
  return hart(pc, x, h.priv, h.virt, h.csr, h.reservation, instret, cycle)
}

const withTriggers = (h: Hart, ts: Csrs['triggers'] | undefined): Hart =>
  ts === undefined ? h : hart(h.pc, h.x, h.priv, h.virt, { ...h.csr, triggers: ts }, h.reservation, h.instret, h.cycle)

/**
 * Executes one instruction of `m`, or takes an interrupt, or (after WFI) waits one step, and returns the
 * new machine and what happened. A machine whose program has exited (htif.exitCode set) still steps;
 * callers stop on it. Interrupts are taken where Spike takes them: when a batch starts (after a trap,
 * WFI, a chunk end or a serializing instruction) and before a CSR instruction.
 */
export const step = (m: Machine): StepResult => {
  const h0 = m.hart
  const isa = effectiveIsa(m.isa, h0.csr.misa)
  const p = m.platform
  let inWfi = p.inWfi
  if (p.batchStart) {
    if ((mipRead(h0.csr) & h0.csr.mie) !== 0n) inWfi = false      // any pending interrupt ends WFI
    const irq = pendingInterrupt(h0, isa)
    if (irq !== undefined) return trapped(m, h0, m.memory, m.tlb, trap(INTERRUPT_BIT | irq), undefined, isa)
  }
  if (inWfi) {
    // Still waiting: Spike counts the wait as a retired step (minstret and mcycle advance) and ends the chunk.
    const waited = endChunk(retire(h0, h0.x, h0.pc, false, false), p, m.options.interleave, true)
    const host = serviceHtif(m.memory, m.htif)
    return { machine: machine(m.isa, m.options, waited.hart, host.memory, m.tlb, host.htif, waited.platform), event: { _tag: 'Waiting', pc: h0.pc } }
  }
  const e: Exec = {
    isa, pc: h0.pc, bits: 0, h: h0, memory: m.memory, tlb: m.tlb,
    rd: 0, rdValue: 0n, logged: undefined, loads: undefined, stores: undefined, wroteInstret: false, wroteCycle: false,
    loggedValues: undefined, mtime: p.mtime, mtimecmp: p.mtimecmp, firedTriggers: undefined,
    tlbHits: 0, walks: 0, twoStageWalks: 0, lastGpa: undefined, lastPa: 0n,
  }
  const bits = fetch(e)
  if (isTrap(bits)) return trapped(m, withTriggers(h0, e.firedTriggers), e.memory, e.tlb, bits, undefined, isa, counts(e))
  e.bits = bits
  const d = decodeForStep(bits)
  const insn = d.insn
  if (d.csr && !p.batchStart) {
    // A CSR instruction serializes before it executes: a new batch starts, so interrupts are checked.
    const irq = pendingInterrupt(h0, isa)
    if (irq !== undefined) return trapped(m, h0, e.memory, e.tlb, trap(INTERRUPT_BIT | irq), undefined, isa, counts(e))
  }
  const npc = (d.needs & ~extensionsOf(isa)) === 0 ? execute(e, insn, d.length) : illegalInstruction(d.length === 2 ? bits & 0xffff : bits)
  if (isTrap(npc)) return trapped(m, withTriggers(h0, e.firedTriggers), e.memory, e.tlb, npc, bits, isa, counts(e))
  const h1 = e.h
  // The instruction retires: its destination register is written, pc moves on, the counters count it.
  const h2 = retire(h1, withRegister(h1.x, e.rd, e.rdValue), npc, e.wroteInstret, e.wroteCycle)
  const wfi = d.wfi
  const chunk = p.chunk + 1
  const htif = e.stores !== undefined ? exitOnStore(m, e.memory) : m.htif
  const tlb = spikeFlushes(d, e, h0, h1) ? flushed(e.tlb) : e.tlb
  const length = d.length
  const event: StepEvent = {
    _tag: 'Retired', pc: e.pc, bits: length === 2 ? bits & 0xffff : bits, length, priv: h0.priv, virt: h0.virt,
    rd: e.rd, rdValue: e.rdValue, csrs: loggedCsrs(e, h1), loads: e.loads ?? NO_ACCESSES, stores: e.stores ?? NO_ACCESSES, xlate: counts(e),
  }
  // After `interleave` steps, or at WFI, the chunk ends (endChunk) and the host polls HTIF.
  if (wfi || chunk >= m.options.interleave) {
    const next = endChunk(h2, platform(e.mtime, e.mtimecmp, chunk, false, false), m.options.interleave, wfi)
    const host = serviceHtif(e.memory, htif)
    return { machine: machine(m.isa, m.options, next.hart, host.memory, tlb, host.htif, next.platform), event }
  }
  return { machine: machine(m.isa, m.options, h2, e.memory, tlb, htif, platform(e.mtime, e.mtimecmp, chunk, d.serializing, false)), event }
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

/**
 * An exit command stored to tohost ends the run at that store, so a commit log ends with it (Spike
 * itself notices at its next poll, after spinning; those spins are not part of the reference).
 */
const exitOnStore = (m: Machine, memory: PhysMemory): Machine['htif'] => {
  const h = m.htif
  if (h.tohost === undefined || h.exitCode !== undefined) return h
  const v = peek(memory, phys(h.tohost), 8)
  const code = v === 0n ? undefined : exitCommand(v)     // 0: no command (the common case, without exitCommand's shifts)
  return code === undefined ? h : htifOf(h.tohost, h.fromhost, code, h.pending, h.output)
}

