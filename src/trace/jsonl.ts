// The JSONL golden trace (`memvirt run --trace FILE`): one JSON object per step, richer than Spike's
// commit log — privilege and V, every memory access with its virtual, guest-physical and physical
// address, the trap taken with all its CSR values (htval/mtval2, htinst/mtinst, GVA) and its target
// mode, and the step's TLB hits and page-table walks. The schema is an io-ts codec: the writer encodes
// with it and a reader decodes with it, so the published schema and the file cannot drift apart.
import * as t from 'io-ts'
import { type Either, left, right, isLeft } from '../bits/either.ts'
import { Bool, bounded, decodeJsonText, describeError, exact, Hex32, Hex64, intRange, list, nullable, oneOf, showValue, Text } from '../codec/index.ts'
import { type MemRead, type MemWrite, type StepEvent, type TranslationCounts } from '../cpu/event.ts'
import { type Priv } from '../cpu/hart.ts'
import { INTERRUPT_BIT, type TrapTarget } from '../cpu/trap.ts'
import { csrName } from '../cpu/decode/csr-names.ts'
import { type CallEvent } from '../hypervisor/introspect/calls.ts'

// ---- the record ---------------------------------------------------------------------------------

/**
 * One memory access. `va` is the address the instruction used (a guest-virtual address while V = 1 and
 * for HLV/HSV); `gpa` the guest-physical address after the VS stage of a two-stage access, else null;
 * `pa` the physical address.
 * `value` is the data read (zero-extended) or stored (its low `size` bytes).
 */
export interface TraceAccess {
  readonly va: bigint
  readonly gpa: bigint | null
  readonly pa: bigint
  readonly size: 1 | 2 | 4 | 8
  readonly value: bigint
}

/** An integer register write (x0 is never reported). */
export interface TraceRegWrite { readonly reg: number; readonly value: bigint }

/** A CSR write as Spike logs it: the CSR's number, its name, and its value after the instruction. */
export interface TraceCsrWrite { readonly csr: number; readonly name: string; readonly value: bigint }

/** An instruction retired. */
export interface RetiredRecord {
  /** The step's number in the run, from 1 (traps and waits count as steps). */
  readonly order: number
  readonly kind: 'retired'
  readonly pc: bigint
  /** The instruction bits: 16 of them when `len` is 2 (compressed), else 32. */
  readonly insn: number
  readonly len: 2 | 4
  /** Spike's privilege numbers: 3 = M, 1 = S (HS or VS), 0 = U (U or VU); `v` tells the virtual modes apart. */
  readonly priv: Priv
  readonly v: boolean
  readonly x: readonly TraceRegWrite[]
  /** In ascending CSR number, as Spike logs them. */
  readonly csrs: readonly TraceCsrWrite[]
  readonly loads: readonly TraceAccess[]
  readonly stores: readonly TraceAccess[]
  readonly xlate: TranslationCounts
}

/** A trap taken at `pc` (an exception of the instruction there, or an interrupt before it). */
export interface TrapRecord {
  readonly order: number
  readonly kind: 'trap'
  readonly pc: bigint
  /** The instruction bits when the instruction had been fetched, else null. */
  readonly insn: number | null
  /** The mode the trap was taken from. */
  readonly priv: Priv
  readonly v: boolean
  /** mcause's interrupt bit, and the exception or interrupt code (mcause without that bit). */
  readonly interrupt: boolean
  readonly cause: number
  readonly tval: bigint
  /** htval or mtval2: a guest-physical address shifted right by 2 (guest-page faults), else 0. */
  readonly tval2: bigint
  /** htinst or mtinst. */
  readonly tinst: bigint
  /** The trap's tval is a guest-virtual address (hstatus.GVA / mstatus.GVA is set). */
  readonly gva: boolean
  /** The mode that handles it. */
  readonly target: TrapTarget
  readonly xlate: TranslationCounts
}

/** The hart waits in WFI with no interrupt pending: nothing ran. */
export interface WaitRecord {
  readonly order: number
  readonly kind: 'wait'
  readonly pc: bigint
}

/**
 * A traced function's entry (`run --trace --trace-calls`, hypervisor/introspect/calls.ts): written after the
 * record of the step that retired the instruction at the symbol's address, with the same `order`. `args`
 * are a0–a7 before that instruction, `ra` and `sp` too (its return is found by them); `mode` as
 * introspection names it (M, HS, S, U, VS, VU).
 */
export interface CallRecord {
  readonly order: number
  readonly kind: 'call'
  readonly pc: bigint
  readonly mode: CallMode
  readonly symbol: string
  readonly args: readonly bigint[]
  readonly ra: bigint
  readonly sp: bigint
}

/** A traced function's return: after the record of the step after which pc = its entry's ra and sp = its entry's sp. */
export interface ReturnRecord {
  readonly order: number
  readonly kind: 'return'
  readonly pc: bigint
  readonly mode: CallMode
  readonly symbol: string
  readonly a0: bigint
  readonly sp: bigint
}

export type CallMode = 'M' | 'HS' | 'S' | 'U' | 'VS' | 'VU'

export type TraceRecord = RetiredRecord | TrapRecord | WaitRecord | CallRecord | ReturnRecord

// ---- from a step event to a record ---------------------------------------------------------------

const access = (a: MemRead | MemWrite): TraceAccess =>
  ({ va: a.va, gpa: a.gpa ?? null, pa: a.pa, size: a.size as TraceAccess['size'], value: a.value })

const counts = (c: TranslationCounts): TranslationCounts => ({ tlbHits: c.tlbHits, walks: c.walks, twoStageWalks: c.twoStageWalks })

/**
 * The trace record of one step event; `order` is the step's number in the run (from 1).
 *
 * @example
 * traceRecord({ _tag: 'Waiting', pc: 0x80000010n }, 7) // { order: 7, kind: 'wait', pc: 0x80000010n }
 */
export const traceRecord = (ev: StepEvent, order: number): TraceRecord => {
  switch (ev._tag) {
    case 'Retired':
      return {
        order, kind: 'retired', pc: ev.pc, insn: ev.bits, len: ev.length, priv: ev.priv, v: ev.virt,
        x: ev.rd === 0 ? [] : [{ reg: ev.rd, value: ev.rdValue }],
        csrs: ev.csrs.map(([csr, value]) => ({ csr, name: csrName(csr), value })),
        loads: ev.loads.map(access), stores: ev.stores.map(access), xlate: counts(ev.xlate),
      }
    case 'Trapped':
      return {
        order, kind: 'trap', pc: ev.pc, insn: ev.bits ?? null, priv: ev.priv, v: ev.virt,
        interrupt: (ev.trap.cause & INTERRUPT_BIT) !== 0n, cause: Number(ev.trap.cause & ~INTERRUPT_BIT),
        tval: ev.trap.tval, tval2: ev.trap.tval2, tinst: ev.trap.tinst, gva: ev.trap.gva, target: ev.target,
        xlate: counts(ev.xlate),
      }
    case 'Waiting':
      return { order, kind: 'wait', pc: ev.pc }
  }
}

/**
 * The trace record of a call tracer's entry or return event (its `step` is the record's `order`); a trap
 * event has none, the step's own trap record being the trap.
 */
export const callRecord = (e: CallEvent): CallRecord | ReturnRecord | undefined => {
  switch (e._tag) {
    case 'Entry': return { order: e.step, kind: 'call', pc: e.pc, mode: e.mode as CallMode, symbol: e.symbol, args: e.args, ra: e.ra, sp: e.sp }
    case 'Return': return { order: e.step, kind: 'return', pc: e.pc, mode: e.mode as CallMode, symbol: e.symbol, a0: e.value, sp: e.sp }
    case 'Trap': return undefined
  }
}

/** The call tracer's event a call or return record was written from (the inverse of `callRecord`). */
export const callEventOf = (r: CallRecord | ReturnRecord): CallEvent =>
  r.kind === 'call'
    ? { _tag: 'Entry', step: r.order, symbol: r.symbol, pc: r.pc, mode: r.mode, args: r.args, ra: r.ra, sp: r.sp }
    : { _tag: 'Return', step: r.order, symbol: r.symbol, pc: r.pc, mode: r.mode, value: r.a0, sp: r.sp }

// ---- leaf codecs (the rest come from the codec kit, src/codec/) -------------------------------------

/** A count or small number: a non-negative safe integer. */
const CountC = bounded(intRange(0, Number.MAX_SAFE_INTEGER))
const RegC = bounded(intRange(1, 31))
const CsrNumC = bounded(intRange(0, 4095))

// ---- the schema -------------------------------------------------------------------------------------

const PrivC = oneOf<Priv>([3, 1, 0])
const XlateC = exact('xlate counts', { tlbHits: CountC, walks: CountC, twoStageWalks: CountC })
const AccessC = exact('an access', { va: Hex64, gpa: nullable(Hex64), pa: Hex64, size: oneOf<1 | 2 | 4 | 8>([1, 2, 4, 8]), value: Hex64 })

export const RetiredRecordC = exact('a retired record', {
  order: CountC, kind: oneOf(['retired'] as const), pc: Hex64, insn: Hex32, len: oneOf<2 | 4>([2, 4]),
  priv: PrivC, v: Bool,
  x: list(exact('a register write', { reg: RegC, value: Hex64 })),
  csrs: list(exact('a CSR write', { csr: CsrNumC, name: Text, value: Hex64 })),
  loads: list(AccessC), stores: list(AccessC), xlate: XlateC,
})

export const TrapRecordC = exact('a trap record', {
  order: CountC, kind: oneOf(['trap'] as const), pc: Hex64, insn: nullable(Hex32), priv: PrivC, v: Bool,
  interrupt: Bool, cause: CountC, tval: Hex64, tval2: Hex64, tinst: Hex64, gva: Bool,
  target: oneOf<TrapTarget>(['M', 'HS', 'VS']), xlate: XlateC,
})

export const WaitRecordC = exact('a wait record', { order: CountC, kind: oneOf(['wait'] as const), pc: Hex64 })

const CallModeC = oneOf<CallMode>(['M', 'HS', 'S', 'U', 'VS', 'VU'])

export const CallRecordC = exact('a call record', {
  order: CountC, kind: oneOf(['call'] as const), pc: Hex64, mode: CallModeC, symbol: Text,
  args: list(Hex64, { min: 8, max: 8 }), ra: Hex64, sp: Hex64,
})

export const ReturnRecordC = exact('a return record', {
  order: CountC, kind: oneOf(['return'] as const), pc: Hex64, mode: CallModeC, symbol: Text, a0: Hex64, sp: Hex64,
})

// The codecs' types are the record interfaces above (checked by the compiler here).
const _sameTypes: [t.Type<RetiredRecord, unknown>, t.Type<TrapRecord, unknown>, t.Type<WaitRecord, unknown>, t.Type<CallRecord, unknown>, t.Type<ReturnRecord, unknown>] =
  [RetiredRecordC, TrapRecordC, WaitRecordC, CallRecordC, ReturnRecordC]
void _sameTypes

const BY_KIND = { retired: RetiredRecordC, trap: TrapRecordC, wait: WaitRecordC, call: CallRecordC, return: ReturnRecordC } as const
type Kind = keyof typeof BY_KIND
const isKind = (k: unknown): k is Kind => typeof k === 'string' && Object.hasOwn(BY_KIND, k)

/**
 * The trace record codec: a decoded record has bigints for 64-bit values, its JSON form hex strings.
 * The record's `kind` chooses the schema, so an error names a field of that kind, not of all three.
 */
export const TraceRecordC = new t.Type<TraceRecord, unknown, unknown>(
  'a trace record',
  (u): u is TraceRecord => typeof u === 'object' && u !== null && isKind((u as { kind?: unknown }).kind) &&
    BY_KIND[(u as { kind: Kind }).kind].is(u),
  (u, c) => {
    const kind = typeof u === 'object' && u !== null ? (u as { kind?: unknown }).kind : undefined
    if (!isKind(kind)) {
      return typeof u === 'object' && u !== null && !Array.isArray(u)
        ? t.failure(kind, t.appendContext(c, 'kind', t.unknown, kind), `expected "retired", "trap", "wait", "call" or "return", got ${showValue(kind)}`)
        : t.failure(u, c, `expected a trace record (a JSON object), got ${showValue(u)}`)
    }
    return BY_KIND[kind].validate(u, c)
  },
  (a) => {
    switch (a.kind) {
      case 'retired': return RetiredRecordC.encode(a)
      case 'trap': return TrapRecordC.encode(a)
      case 'wait': return WaitRecordC.encode(a)
      case 'call': return CallRecordC.encode(a)
      case 'return': return ReturnRecordC.encode(a)
    }
  },
)

// ---- lines --------------------------------------------------------------------------------------------

/** One trace line: the step's record as JSON, fields in schema order, and a newline. */
export const encodeTraceLine = (ev: StepEvent, order: number): string =>
  JSON.stringify(TraceRecordC.encode(traceRecord(ev, order))) + '\n'

/** One trace line of a call tracer's entry or return event (undefined for its trap events). */
export const encodeCallLine = (e: CallEvent): string | undefined => {
  const r = callRecord(e)
  return r === undefined ? undefined : JSON.stringify(TraceRecordC.encode(r)) + '\n'
}

/**
 * Decodes one trace line (with or without its newline). The error says where (`1:12: malformed JSON: …`,
 * the column within the line) or names the field: `field loads[0].pa: expected a 64-bit hex string …`.
 */
export const decodeTraceLine = (line: string): Either<string, TraceRecord> => {
  const r = decodeJsonText(TraceRecordC, line)
  return isLeft(r) ? left(describeError(r.left)) : right(r.right)
}
