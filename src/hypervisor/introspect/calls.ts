// Call tracing from outside the guest: function entries (the instruction at a symbol's address retires),
// with the arguments a0–a7 as the RISC-V calling convention passes them (psABI "Integer Calling
// Convention"), returns found by the return address ra and stack pointer sp held at entry (sp is
// callee-saved, so a return leaves it as the call found it), and traps. Works for guest code too:
// symbols are matched against the pc, a guest-virtual address while V = 1. A pure fold over the step stream.
import { type Elf } from '../../elf/elf.ts'
import { type StepEvent } from '../../cpu/event.ts'
import { type Machine } from '../../machine/machine.ts'
import { modeName, modeText } from './registers.ts'
import { type IntrospectError, introspectError } from './memory.ts'
import { type Either, left, right } from '../../bits/either.ts'

const STT_FUNC = 2

/** A traced call event. */
export type CallEvent =
  | { readonly _tag: 'Entry'; readonly step: number; readonly symbol: string; readonly pc: bigint; readonly mode: string; readonly args: readonly bigint[]; readonly ra: bigint; readonly sp: bigint }
  | { readonly _tag: 'Return'; readonly step: number; readonly symbol: string; readonly pc: bigint; readonly mode: string; readonly value: bigint; readonly sp: bigint }
  | { readonly _tag: 'Trap'; readonly step: number; readonly pc: bigint; readonly mode: string; readonly cause: bigint; readonly tval: bigint; readonly target: string }

/** A call waiting for its return: the symbol, where it returns to, and the sp it was entered with. */
interface Pending { readonly symbol: string; readonly ra: bigint; readonly sp: bigint }

export interface CallTracer {
  /** Entry address → symbol name. */
  readonly entries: ReadonlyMap<bigint, string>
  /** Calls not yet returned, innermost last (bounded: the oldest dropped past `MAX_PENDING`). */
  readonly pending: readonly Pending[]
}

export const MAX_PENDING = 1024

/**
 * A tracer of the named symbols, or, with no names, of every function symbol (STT_FUNC) in the ELF.
 * Unknown names are an error.
 */
export const callTracer = (elf: Elf, names: readonly string[]): Either<IntrospectError, CallTracer> => {
  const entries = new Map<bigint, string>()
  if (names.length === 0) {
    for (const s of elf.symbols.values()) if (s.type === STT_FUNC) entries.set(s.value, s.name)
    if (entries.size === 0) return left(introspectError('the ELF has no function symbols (STT_FUNC): name the symbols to trace'))
  }
  for (const n of names) {
    const s = elf.symbols.get(n)
    if (s === undefined) return left(introspectError(`unknown symbol "${n}"`))
    entries.set(s.value, n)
  }
  return right({ entries, pending: [] })
}

/**
 * One step of the trace: `before` is the machine the step started from (its registers are the callee's
 * arguments at an entry), `ev` the step's event, `after` the machine it led to. An entry is the retirement
 * of the instruction at a traced address; its return is the first later step after which pc = the ra and
 * sp = the sp it was entered with (the return value is a0 then; the innermost such pending call returns).
 * A trap is reported with its cause, tval and target.
 */
export const traceStep = (t: CallTracer, before: Machine, ev: StepEvent, after: Machine, step: number): { tracer: CallTracer; events: readonly CallEvent[] } => {
  const events: CallEvent[] = []
  let pending = t.pending
  if (ev._tag === 'Trapped') {
    events.push({ _tag: 'Trap', step, pc: ev.pc, mode: modeName(ev.priv, ev.virt, before.isa), cause: ev.trap.cause, tval: ev.trap.tval, target: modeText(after.hart, after.isa) })
  } else if (ev._tag === 'Retired') {
    const symbol = t.entries.get(ev.pc)
    if (symbol !== undefined) {
      const x = before.hart.x
      events.push({ _tag: 'Entry', step, symbol, pc: ev.pc, mode: modeName(ev.priv, ev.virt, before.isa), args: x.slice(10, 18), ra: x[1]!, sp: x[2]! })
      pending = [...(pending.length >= MAX_PENDING ? pending.slice(1) : pending), { symbol, ra: x[1]!, sp: x[2]! }]
    }
  }
  if (pending.length > 0) {
    const pc = after.hart.pc, sp = after.hart.x[2]!
    for (let i = pending.length - 1; i >= 0; i--) {
      if (pending[i]!.ra !== pc || pending[i]!.sp !== sp) continue
      events.push({ _tag: 'Return', step, symbol: pending[i]!.symbol, pc, mode: modeText(after.hart, after.isa), value: after.hart.x[10]!, sp })
      pending = pending.slice(0, i)
      break
    }
  }
  return { tracer: pending === t.pending ? t : { entries: t.entries, pending }, events }
}

const h = (v: bigint): string => `0x${v.toString(16)}`

/** A text line: `step 12 S-mode call f(a0=0x1, …, a7=0x0) ra 0x… sp 0x…` / `return f → a0=0x2 at 0x… sp 0x…` / `trap cause 8 …`. */
export const callText = (e: CallEvent): string => {
  switch (e._tag) {
    case 'Entry': return `step ${e.step} ${e.mode}-mode call ${e.symbol}(${e.args.map((a, i) => `a${i}=${h(a)}`).join(', ')}) ra ${h(e.ra)} sp ${h(e.sp)}`
    case 'Return': return `step ${e.step} ${e.mode}-mode return ${e.symbol} → a0=${h(e.value)} at ${h(e.pc)} sp ${h(e.sp)}`
    case 'Trap': return `step ${e.step} ${e.mode}-mode trap cause ${e.cause} tval ${h(e.tval)} at ${h(e.pc)} → ${e.target}-mode`
  }
}

/** The same as one JSON object (64-bit values as hex strings). */
export const callJson = (e: CallEvent): string => {
  switch (e._tag) {
    case 'Entry': return JSON.stringify({ event: 'call', step: e.step, mode: e.mode, symbol: e.symbol, pc: h(e.pc), args: e.args.map(h), ra: h(e.ra), sp: h(e.sp) })
    case 'Return': return JSON.stringify({ event: 'return', step: e.step, mode: e.mode, symbol: e.symbol, pc: h(e.pc), a0: h(e.value), sp: h(e.sp) })
    case 'Trap': return JSON.stringify({ event: 'trap', step: e.step, mode: e.mode, pc: h(e.pc), cause: Number(e.cause), tval: h(e.tval), target: e.target })
  }
}
