// Lockstep co-simulation as a pure transition: (model state, DUT event) → (model state, verdict). The
// model is the machine of src/machine/ stepped by `step` (Spike's platform around `stepHart`); each
// event the design under test reports is checked against it, and the first difference comes back with
// the field, both values and the model's reasons (the walk trail of an address, the trap it took, the
// interrupt state). Anchored on lowRISC Ibex's co-simulation interface (dv/cosim/cosim.h: step,
// notify_dside_access, set_mip, set_nmi, set_debug_req, set_csr, backdoor writes), Spike behind it.
import { hex } from '../bits/bits.ts'
import { phys } from '../bits/address.ts'
import { type VirtAddr } from '../bits/address.ts'
import { type Machine, withHart, withMemory, withPlatform, withTlb, withTlbConfig, platform } from '../machine/machine.ts'
import { step } from '../machine/step.ts'
import { type StepEvent, type Retired } from '../cpu/event.ts'
import { type Hart, PMP_ENTRIES, withCsrs, withCounters } from '../cpu/hart.ts'
import { type HartAccel } from '../cpu/accel.ts'
import { CSR } from '../cpu/csr/access.ts'
import { INTERRUPT_BIT } from '../cpu/trap.ts'
import { inRam } from '../cpu/bus.ts'
import { type AccessSize, poke } from '../memory/memory.ts'
import { PMP_NAPOT } from '../memory/pmp.ts'
import { keepOnly, lookupOrWalk, specEngine, withEngine } from '../mmu/tlb.ts'
import { isLeft } from '../bits/either.ts'
import { untranslated } from '../mmu/translate.ts'
import {
  type AccessEvent, type CsrEvent, type DutEvent, type FetchEvent, type MipEvent, type Reply, type RetireEvent,
  type TrapEvent, type WriteEvent, MATCH, type ReplyValue, hex64,
} from './events.ts'
import { type CosimOptions, COSIM_EXACT_TLB, accelUnder, defaultCosimOptions, isaUnder } from './options.ts'
import {
  type AdWrite, accessModeOf, adLines, adWritesOfStep, faultAccess, insnText, interruptLines, trapText, walkLines,
} from './explain.ts'

/** The model's last step, kept until the next one: the access events of its instruction are checked against it. */
interface LastStep {
  readonly index: number
  readonly before: Machine
  readonly event: StepEvent
  /** How many of its loads and of its stores the DUT has reported so far. */
  readonly loadsSeen: number
  readonly storesSeen: number
  /**
   * Under tlb 'exact', when the step used stale translations: the same step with those entries dropped (the
   * fresh walks a DUT may have made instead). Its accesses are the other legal answers.
   */
  readonly fresh: ModelStep | undefined
  /** The machine the step left (the state may change only by the step's own access events until the next step). */
  readonly after: Machine
}

export interface CosimState {
  readonly machine: Machine
  readonly options: CosimOptions
  readonly accel: HartAccel
  /** The index of the next event (events count from 0; every request counts, refused ones too). */
  readonly index: number
  readonly last: LastStep | undefined
  /** The interrupt lines the DUT drives (mip events): bits of mip replaced after every model step. */
  readonly lines: bigint | undefined
  /** Page-table writes the model's walker made (hardware A/D updates), oldest first: for explanations. */
  readonly adWrites: readonly AdWrite[]
}

/** The outcome of one event: the state after it and the reply. */
export interface CosimStep {
  readonly state: CosimState
  readonly reply: Reply
}

/** mip bits driven from outside the hart: MSIP, MTIP, SEIP, MEIP, SGEIP. */
export const EXTERNAL_MIP = (1n << 3n) | (1n << 7n) | (1n << 9n) | (1n << 11n) | (1n << 12n)

/** How many steps the model may wait in WFI for an interrupt before it says it still waits. */
export const WFI_STEPS = 1_000_000

/**
 * The co-simulation of a machine out of reset (machine/machine.ts `loadMachine`) under `options`: the
 * machine's ISA is adjusted by the options (misaligned accesses); its TLB keeps the machine's (Spike's).
 */
export const startCosim = (m: Machine, options: Partial<CosimOptions> = {}): CosimState => {
  const o: CosimOptions = { ...defaultCosimOptions, ...options }
  // Another A/D choice means another translation-context maker: the spec's TLB engine, which remembers
  // no contexts, keeps it from answering with contexts made by the default one.
  const m1 = o.tlb === 'exact' ? withTlbConfig(m, COSIM_EXACT_TLB) : m
  const tlb = o.adUpdate === 'svadu' ? m1.tlb : withEngine(m1.tlb, specEngine)
  const machine: Machine = { ...m1, isa: isaUnder(m1.isa, o), tlb }
  return state(machine, o, accelUnder(o), 0, undefined, undefined, [])
}

const state = (machine: Machine, options: CosimOptions, accel: HartAccel, index: number, last: LastStep | undefined,
  lines: bigint | undefined, adWrites: readonly AdWrite[]): CosimState => ({ machine, options, accel, index, last, lines, adWrites })

const next = (s: CosimState, reply: Reply, machine = s.machine, last = s.last, lines = s.lines, adWrites = s.adWrites): CosimStep =>
  ({ state: state(machine, s.options, s.accel, s.index + 1, last, lines, adWrites), reply })

const mismatch = (index: number, field: string, dut: ReplyValue, model: ReplyValue, explain: readonly string[]): Reply =>
  ({ ok: false, index, field, dut, model, explain })

/** A request the model refuses (the state does not change, but the request counts). */
export const refuse = (s: CosimState, error: string): CosimStep => next(s, { ok: false, index: s.index, error })

/**
 * Checks one DUT event against the model and returns the model's new state and the verdict. Never
 * throws; the old state stays valid (a testbench may keep it to try another event).
 */
export const cosimStep = (s: CosimState, e: DutEvent): CosimStep => {
  switch (e.event) {
    case 'retire': return retire(s, e)
    case 'trap': return trapEvent(s, e)
    case 'access': return access(s, e)
    case 'fetch': return fetch(s, e)
    case 'mip': return mip(s, e)
    case 'csr': return csr(s, e)
    case 'write': return write(s, e)
    case 'nmi': return refuse(s, 'nmi: not supported: the model has no non-maskable interrupt (Smrnmi is not modelled; Spike\'s set_nmi has no counterpart here)')
    case 'debug_req': return refuse(s, 'debug_req: not supported: the model has no debug mode (Sdext is not modelled)')
  }
}

/** Runs a whole stream: the replies, one per event, up to and including the first mismatch (or all). */
export const cosimRun = (s0: CosimState, events: readonly DutEvent[]): { state: CosimState; replies: Reply[] } => {
  let s = s0
  const replies: Reply[] = []
  for (const e of events) {
    const r = cosimStep(s, e)
    s = r.state
    replies.push(r.reply)
    if (!r.reply.ok) break
  }
  return { state: s, replies }
}

// ---- stepping the model ---------------------------------------------------------------------------------

/** The CSR numbers whose access reads or writes mie (mie, sie, vsie, hie): not stepped with mie masked. */
const MIE_VIEWS = new Set([0x304, 0x104, 0x204, 0x604])
const touchesMie = (bits: number | undefined): boolean =>
  bits !== undefined && (bits & 0x7f) === 0x73 && ((bits >>> 12) & 7) !== 0 && MIE_VIEWS.has(bits >>> 20)

const withMie = (h: Hart, mie: bigint): Hart => withCsrs(h, { ...h.csr, mie })

/** The interrupt lines the DUT drives, put into the model's mip (the CLINT re-drives them at chunk ends). */
const driven = (m: Machine, lines: bigint | undefined): Machine => {
  if (lines === undefined) return m
  const c = m.hart.csr
  const mip = (c.mip & ~EXTERNAL_MIP) | (lines & EXTERNAL_MIP)
  return mip === c.mip ? m : withHart(m, withCsrs(m.hart, { ...c, mip }))
}

/** pmpaddr as a PMP of `g` bytes' granularity reads it (Spike's pmpaddr_csr_t::read): low bits 0, or 1 under NAPOT. */
const granular = (m: Machine, g: bigint): Machine => {
  if (g <= 4n) return m
  const G = BigInt(g.toString(2).length - 3)                 // granularity = 2^(G+2)
  const c = m.hart.csr
  const pmpaddr = c.pmpaddr.map((a, i) => {
    if (i >= PMP_ENTRIES) return a
    const napot = ((c.pmpcfg[i] ?? 0) & 0x18) === PMP_NAPOT
    return napot ? a | ((1n << (G - 1n)) - 1n) : a & ~((1n << G) - 1n)
  })
  return pmpaddr.every((a, i) => a === c.pmpaddr[i]) ? m : withHart(m, withCsrs(m.hart, { ...c, pmpaddr }))
}

interface ModelStep { readonly machine: Machine; readonly event: StepEvent }

/**
 * The model's next step for a DUT event that retires or traps. While the hart waits in WFI it steps
 * until something happens (Spike counts those steps). Under interrupts 'dut' an interrupt is taken only
 * when the DUT reports one (`dutInterrupt`: the step starts a batch, where a pending interrupt is taken);
 * otherwise the step runs with mie masked, so that the model takes none of its own.
 */
const modelStep = (s: CosimState, dutInterrupt: boolean): ModelStep => {
  const m0 = s.machine
  const finish = (r: ModelStep): ModelStep => ({ machine: granular(driven(r.machine, s.lines), s.options.pmpGranularity), event: r.event })
  if (m0.platform.inWfi) {
    let m = m0
    for (let i = 0; i < WFI_STEPS; i++) {
      const r = step(driven(m, s.lines), s.accel)
      if (r.event._tag !== 'Waiting') return finish(r)
      m = r.machine
    }
    return finish({ machine: m, event: { _tag: 'Waiting', pc: m.hart.pc } })
  }
  if (s.options.interrupts === 'model') return finish(step(m0, s.accel))
  if (dutInterrupt) {
    const p = m0.platform
    return finish(step(withPlatform(m0, platform(p.chunk, true, p.inWfi)), s.accel))
  }
  const mie = m0.hart.csr.mie
  if (mie === 0n) return finish(step(m0, s.accel))
  const masked = step(withHart(m0, withMie(m0.hart, 0n)), s.accel)
  const bits = masked.event._tag === 'Waiting' ? undefined : masked.event.bits
  if (touchesMie(bits)) {
    // Reads or writes mie: stepped as it is, outside a batch start (only a CSR instruction's own check remains).
    const p = m0.platform
    return finish(step(withPlatform(m0, platform(p.chunk, false, p.inWfi)), s.accel))
  }
  return finish({ machine: withHart(masked.machine, withMie(masked.machine.hart, mie)), event: masked.event })
}

/** The step's A/D writes (its walks re-run on the machine before it), added to the record. */
const recordAd = (s: CosimState, before: Machine, ev: StepEvent, index: number): readonly AdWrite[] => {
  if (ev._tag !== 'Retired' || ev.xlate.walks === 0) return s.adWrites
  const found = adWritesOfStep(before, s.accel, index, ev.pc, ev.bits, [
    { va: ev.pc, access: 'fetch' },
    ...ev.loads.map((l) => ({ va: l.va, access: 'load' as const })),
    ...ev.stores.map((w) => ({ va: w.va, access: 'store' as const })),
  ])
  return found.length === 0 ? s.adWrites : [...s.adWrites, ...found]
}

const stepped = (s: CosimState, r: ModelStep, index: number, reply: Reply, fresh?: ModelStep): CosimStep => {
  const last: LastStep = { index, before: s.machine, event: r.event, loadsSeen: 0, storesSeen: 0, fresh, after: r.machine }
  return next(s, reply, r.machine, last, s.lines, recordAd(s, s.machine, r.event, index))
}

/**
 * Under tlb 'exact', the step again without the entries that answered stale (their pages dropped from the
 * TLB): what a DUT whose TLB no longer held them did. Undefined when the step used no stale translation.
 */
const freshStep = (s: CosimState, r: ModelStep, dutInterrupt: boolean): ModelStep | undefined => {
  const ev = r.event
  if (s.options.tlb !== 'exact' || ev._tag === 'Waiting' || ev.stale === undefined || ev.stale.length === 0) return undefined
  const pages = new Set(ev.stale.map((x) => Number(x.va >> 12n)))
  const m = s.machine
  return modelStep({ ...s, machine: withTlb(m, keepOnly(m.tlb, (e) => !pages.has(e.vpn))) }, dutInterrupt)
}

/** The reply of a retire or trap event for one candidate step (`check`), preferring the model's own. */
const either = (s: CosimState, i: number, r: ModelStep, dutInterrupt: boolean, check: (r: ModelStep) => Reply): CosimStep => {
  const reply = check(r)
  const fresh = freshStep(s, r, dutInterrupt)
  if (reply.ok || fresh === undefined) return stepped(s, r, i, reply, fresh)
  const other = check(fresh)
  return other.ok ? stepped(s, fresh, i, other, undefined) : stepped(s, r, i, reply, fresh)
}

// ---- retire and trap --------------------------------------------------------------------------------------

/** What the model did instead, in words (for an 'event' mismatch). */
const modelDid = (s: CosimState, before: Machine, ev: StepEvent, index: number): string[] => {
  switch (ev._tag) {
    case 'Waiting': return [`the model still waits in WFI at pc ${hex(ev.pc)} after ${WFI_STEPS} steps`, ...interruptLines(before.hart, before)]
    case 'Retired': return [`the model retires ${insnText(ev.bits, ev.pc)} at pc ${hex(ev.pc)}${ev.rd === 0 ? '' : `, x${ev.rd} = ${hex(ev.rdValue)}`}: no trap`]
    case 'Trapped': return trapLines(s, before, ev, index)
  }
}

/** The model's trap in words, with the walk trail of a translation-related fault. */
const trapLines = (s: CosimState, before: Machine, ev: Extract<StepEvent, { _tag: 'Trapped' }>, index: number): string[] => {
  const lines = [`the model takes ${trapText(ev.trap.cause, ev.trap.tval)} at pc ${hex(ev.pc)}${ev.bits === undefined ? '' : ` (${insnText(ev.bits, ev.pc)})`}, into ${ev.target}-mode`]
  if ((ev.trap.cause & INTERRUPT_BIT) !== 0n) return [...lines, ...interruptLines(before.hart, before)]
  const access = faultAccess(ev.trap.cause)
  if (access !== undefined && !((ev.trap.cause === 5n || ev.trap.cause === 7n || ev.trap.cause === 1n) && untranslatedHere(before, access, ev.bits))) {
    lines.push(...walkLines(before, s.accel, index, ev.trap.tval, access, ev.bits))
  }
  return lines
}

const untranslatedHere = (m: Machine, access: 'fetch' | 'load' | 'store', bits: number | undefined): boolean => {
  const mode = accessModeOf(m.hart, access, bits)
  return untranslated((['U', 'S', 'S', 'M'] as const)[mode.priv], mode.virt, m.hart.csr.satp)
}

const eventName = (ev: StepEvent): string => (ev._tag === 'Retired' ? 'retire' : ev._tag === 'Trapped' ? 'trap' : 'wait')

const retire = (s: CosimState, e: RetireEvent): CosimStep => {
  const i = s.index
  const before = s.machine
  if (before.hart.pc !== e.pc && !before.platform.inWfi) {
    return next(s, mismatch(i, 'pc', hex64(e.pc), hex64(before.hart.pc), [`the model's next instruction is at pc ${hex(before.hart.pc)}`]))
  }
  return either(s, i, modelStep(s, false), false, (r) => retireVerdict(s, e, i, before, r.event))
}

const retireVerdict = (s: CosimState, e: RetireEvent, i: number, before: Machine, ev: StepEvent): Reply => {
  if (ev._tag !== 'Retired') {
    if (ev.pc !== e.pc) return mismatch(i, 'pc', hex64(e.pc), hex64(ev.pc), modelDid(s, before, ev, i))
    return mismatch(i, 'event', 'retire', eventName(ev), modelDid(s, before, ev, i))
  }
  if (ev.pc !== e.pc) return mismatch(i, 'pc', hex64(e.pc), hex64(ev.pc), modelDid(s, before, ev, i))
  if (ev.bits !== e.insn) return mismatch(i, 'insn', hex32(e.insn), hex32(ev.bits), [`the model fetched ${insnText(ev.bits, ev.pc)} at pc ${hex(ev.pc)}`])
  const modelRd = ev.rd === 0 ? null : ev.rd
  const dutRd = e.rd ?? null
  if (modelRd !== dutRd) {
    return mismatch(i, 'rd', dutRd, modelRd, [`${insnText(ev.bits, ev.pc)} ${modelRd === null ? 'writes no register' : `writes x${modelRd}`} in the model`])
  }
  if (e.value !== undefined && e.value !== ev.rdValue) return mismatch(i, 'value', hex64(e.value), hex64(ev.rdValue), valueLines(s, ev))
  return MATCH
}

/** Why the model's register value is what it is: the instruction, and for a load where it read from. */
const valueLines = (s: CosimState, ev: Retired): string[] => {
  const lines = [`${insnText(ev.bits, ev.pc)} at pc ${hex(ev.pc)}: the model writes x${ev.rd} = ${hex(ev.rdValue)}`]
  for (const l of ev.loads) {
    lines.push(`loaded ${l.size} bytes = ${hex(l.value)} from VA ${hex(l.va)}${l.gpa === undefined ? '' : `, GPA ${hex(l.gpa)}`}, PA ${hex(l.pa)}`)
    lines.push(...adLines(s.adWrites, l.pa))
  }
  return lines
}

const hex32 = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0')

const trapEvent = (s: CosimState, e: TrapEvent): CosimStep => {
  const i = s.index
  const before = s.machine
  const interrupt = (e.cause & INTERRUPT_BIT) !== 0n
  if (before.hart.pc !== e.pc && !before.platform.inWfi) {
    return next(s, mismatch(i, 'pc', hex64(e.pc), hex64(before.hart.pc), [`the model's next instruction is at pc ${hex(before.hart.pc)}`]))
  }
  return either(s, i, modelStep(s, interrupt), interrupt, (r) => trapVerdict(s, e, i, before, r.event, interrupt))
}

const trapVerdict = (s: CosimState, e: TrapEvent, i: number, before: Machine, ev: StepEvent, interrupt: boolean): Reply => {
  if (ev._tag !== 'Trapped') {
    if (interrupt) {
      return mismatch(i, 'cause', hex64(e.cause), null,
        [`the model takes no interrupt before pc ${hex(e.pc)}:`, ...interruptLines(before.hart, before), ...modelDid(s, before, ev, i)])
    }
    return mismatch(i, 'event', 'trap', eventName(ev), modelDid(s, before, ev, i))
  }
  if (ev.pc !== e.pc) return mismatch(i, 'pc', hex64(e.pc), hex64(ev.pc), trapLines(s, before, ev, i))
  if (ev.trap.cause !== e.cause) return mismatch(i, 'cause', hex64(e.cause), hex64(ev.trap.cause), trapLines(s, before, ev, i))
  if (ev.trap.tval !== e.tval) return mismatch(i, 'tval', hex64(e.tval), hex64(ev.trap.tval), trapLines(s, before, ev, i))
  return MATCH
}

// ---- data accesses and fetches ------------------------------------------------------------------------------

const access = (s: CosimState, e: AccessEvent): CosimStep => {
  const i = s.index
  const last = s.last
  const dutAccess = { va: hex64(e.va), pa: hex64(e.pa), size: e.size, store: e.store, value: hex64(e.value) }
  if (last === undefined || last.event._tag !== 'Retired') {
    const why = last === undefined ? 'no instruction has retired yet' : `the model's last step (event ${last.index}) did not retire an instruction`
    return next(s, mismatch(i, 'access', dutAccess, null, [why]))
  }
  const ev = last.event
  if (ev.pc !== e.pc) {
    return next(s, mismatch(i, 'pc', hex64(e.pc), hex64(ev.pc), [`the access names pc ${hex(e.pc)}; the last instruction retired was at pc ${hex(ev.pc)} (event ${last.index})`]))
  }
  const list = e.store ? ev.stores : ev.loads
  const k = e.store ? last.storesSeen : last.loadsSeen
  const m = list[k]
  if (m === undefined) {
    return next(s, mismatch(i, 'access', dutAccess, null,
      [`${insnText(ev.bits, ev.pc)} makes ${list.length} ${e.store ? 'store' : 'load'}${list.length === 1 ? '' : 's'} in the model; this is one more`]))
  }
  const seen: LastStep = e.store ? { ...last, storesSeen: k + 1 } : { ...last, loadsSeen: k + 1 }
  const about = `${insnText(ev.bits, ev.pc)} at pc ${hex(ev.pc)}: the model's ${e.store ? 'store' : 'load'} of ${m.size} bytes at VA ${hex(m.va)}${m.gpa === undefined ? '' : `, GPA ${hex(m.gpa)}`}, PA ${hex(m.pa)}, value ${hex(m.value)}`
  const walk = (): string[] => walkLines(last.before, s.accel, i, m.va, e.store ? 'store' : 'load', ev.bits)
  if ((m.pa !== e.pa || m.value !== e.value) && last.fresh !== undefined && s.machine === last.after) {
    // tlb 'exact': the model answered from a stale entry; the DUT may have walked afresh instead.
    const f = last.fresh
    const fev = f.event
    const fm = fev._tag === 'Retired' ? (e.store ? fev.stores : fev.loads)[k] : undefined
    if (fev._tag === 'Retired' && fev.rd === ev.rd && fev.rdValue === ev.rdValue && fm !== undefined &&
      fm.va === e.va && fm.size === e.size && fm.pa === e.pa && fm.value === e.value) {
      const chosen: LastStep = { ...last, event: fev, fresh: undefined, after: f.machine, loadsSeen: seen.loadsSeen, storesSeen: seen.storesSeen }
      return next(s, MATCH, f.machine, chosen)
    }
  }
  if (m.va !== e.va) return next(s, mismatch(i, 'va', hex64(e.va), hex64(m.va), [about]), s.machine, seen)
  if (m.size !== e.size) return next(s, mismatch(i, 'size', e.size, m.size, [about]), s.machine, seen)
  if (m.pa !== e.pa) return next(s, mismatch(i, 'pa', hex64(e.pa), hex64(m.pa), [about, ...staleLines(ev, m.va), ...tlbNote(s, last.before, m.va, e.store, ev.bits), ...walk()]), s.machine, seen)
  if (m.value !== e.value) return next(s, mismatch(i, 'value', hex64(e.value), hex64(m.value), [about, ...adLines(s.adWrites, m.pa)]), s.machine, seen)
  return next(s, MATCH, s.machine, seen)
}

/** Under tlb 'exact': the stale entry that answered this access, what a fresh walk gives, and the fence that covers it. */
const staleLines = (ev: Retired, va: bigint): string[] => {
  const st = ev.stale?.find((x) => x.va === va && x.access !== 'fetch')
  if (st === undefined) return []
  const fresh = st.fresh._tag === 'Translated' ? `PA ${hex(st.fresh.pa)}` : `a ${st.fresh.fault._tag} (cause ${st.fresh.fault.cause})`
  const f = st.fence
  const fence = f.insn === 'hfence.gvma' ? `hfence.gvma (GPA ${hex(f.gpa)}, VMID ${f.vmid})` : `${f.insn} (VA ${hex(f.va)}${f.asid === undefined ? '' : `, ASID ${f.asid}`})`
  return [`the model's TLB answered from a stale entry (PA ${hex(st.stalePa)}); a fresh walk gives ${fresh}; ${fence} would cover it`]
}

/** Did the model's TLB answer this access (the walk below is then what the tables say now, not what was cached)? */
const tlbNote = (s: CosimState, before: Machine, va: bigint, store: boolean, bits: number): string[] => {
  const h = before.hart
  const mode = accessModeOf(h, store ? 'store' : 'load', bits)
  const hc = s.accel.context(h.csr, mode.priv * 2 + (mode.virt ? 1 : 0), before.isa)
  if (hc.key.tag === undefined) return []
  const out = lookupOrWalk(before.tlb, before.memory, hc.key, hc.ctx, { va: va as VirtAddr, access: store ? 'store' : 'load' })
  return out.hit ? ['the model\'s TLB answered this access from an entry an earlier walk cached; the walk the tables give now:'] : []
}

const fetch = (s: CosimState, e: FetchEvent): CosimStep => {
  const i = s.index
  const m = s.machine
  const h = m.hart
  if (h.pc !== e.pc) return next(s, mismatch(i, 'pc', hex64(e.pc), hex64(h.pc), [`the model's next instruction is at pc ${hex(h.pc)}`]))
  const hc = s.accel.context(h.csr, h.priv * 2 + (h.virt ? 1 : 0), m.isa)
  let pa: bigint | undefined = e.pc
  if (!untranslated((['U', 'S', 'S', 'M'] as const)[h.priv], h.virt, h.csr.satp)) {
    const out = lookupOrWalk(m.tlb, m.memory, hc.key, hc.ctx, { va: e.pc as VirtAddr, access: 'fetch' })
    pa = isLeft(out.result) ? undefined : out.result.right.pa
  }
  if (pa === e.pa) return next(s, MATCH)
  return next(s, mismatch(i, 'pa', hex64(e.pa), pa === undefined ? null : hex64(pa),
    [pa === undefined ? `the model's fetch at pc ${hex(e.pc)} faults` : `the model fetches pc ${hex(e.pc)} from PA ${hex(pa)}`,
      ...walkLines(m, s.accel, i, e.pc, 'fetch', undefined)]))
}

// ---- asynchronous and backdoor events ----------------------------------------------------------------------

const mip = (s: CosimState, e: MipEvent): CosimStep => next(s, MATCH, driven(s.machine, e.value), s.last, e.value)

/** The implementation-defined counters a DUT may set (Ibex's set_csr): mcycle, minstret and time. */
const csr = (s: CosimState, e: CsrEvent): CosimStep => {
  const m = s.machine
  const h = m.hart
  switch (e.csr) {
    case CSR.mcycle: return next(s, MATCH, withHart(m, withCounters(h, h.instret, e.value)))
    case CSR.minstret: return next(s, MATCH, withHart(m, withCounters(h, e.value, h.cycle)))
    case CSR.time: return next(s, MATCH, withHart(m, withCsrs(h, { ...h.csr, time: e.value })))
    default: return refuse(s, `csr: 0x${e.csr.toString(16)} cannot be set: only mcycle (0xb00), minstret (0xb02) and time (0xc01) are implementation-defined here`)
  }
}

const write = (s: CosimState, e: WriteEvent): CosimStep => {
  const m = s.machine
  if (!inRam(m.bus.ram, e.pa, e.size as AccessSize)) return refuse(s, `write: PA ${hex(e.pa)} (${e.size} bytes) is not in the model's RAM`)
  return next(s, MATCH, withMemory(m, poke(m.memory, phys(e.pa), e.size as AccessSize, e.value)))
}
