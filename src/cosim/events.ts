// The co-simulation protocol as data: what a design under test (DUT) reports, one JSON object per line,
// and the model's reply to each (issue 18's contract: hex strings for 64-bit values, field names as
// written there). Decoded once here by the codec kit; the core (core.ts) trusts what it gets.
import * as t from 'io-ts'
import { type Either, isLeft, left, right } from '../bits/either.ts'
import {
  Bool, Hex32, Hex64, bounded, decodeValue, describeError, describeSyntaxError, exact, intRange, isJsonObject, oneOf,
  parseJson, showValue,
} from '../codec/index.ts'

// ---- events ----------------------------------------------------------------------------------------

/** An instruction retired: its pc and bits, and the register it wrote (rd and value both absent: none). */
export interface RetireEvent { readonly event: 'retire'; readonly pc: bigint; readonly insn: number; readonly rd?: number; readonly value?: bigint }
/**
 * A trap taken before the instruction at pc retires: a synchronous exception of that instruction, or an
 * interrupt (cause bit 63 set) taken at that boundary.
 */
export interface TrapEvent { readonly event: 'trap'; readonly pc: bigint; readonly cause: bigint; readonly tval: bigint }
/**
 * A data-side access of the instruction at pc, reported after that instruction's retire event: the
 * address it used, the physical address it reached, the size, load or store, and the value (a load's
 * bytes zero-extended; a store's low `size` bytes).
 */
export interface AccessEvent {
  readonly event: 'access'; readonly pc: bigint; readonly va: bigint; readonly pa: bigint
  readonly size: number; readonly store: boolean; readonly value: bigint
}
/** An instruction fetch of the instruction at pc, reported before that instruction's retire or trap event. */
export interface FetchEvent { readonly event: 'fetch'; readonly pc: bigint; readonly pa: bigint }
/** The interrupt lines outside the hart (MSIP, MTIP, SEIP, MEIP, SGEIP of mip) as the DUT sees them now. */
export interface MipEvent { readonly event: 'mip'; readonly value: bigint }
/** An implementation-defined counter set to the DUT's value (Ibex's set_csr): mcycle, minstret, time. */
export interface CsrEvent { readonly event: 'csr'; readonly csr: number; readonly value: bigint }
/** A backdoor write to physical memory (a DMA, a preloaded image): `size` bytes of value at pa. */
export interface WriteEvent { readonly event: 'write'; readonly pa: bigint; readonly size: number; readonly value: bigint }
/** Ibex's set_nmi / set_debug_req: asynchronous events the model answers as unsupported. */
export interface NmiEvent { readonly event: 'nmi' }
export interface DebugReqEvent { readonly event: 'debug_req' }

export type DutEvent = RetireEvent | TrapEvent | AccessEvent | FetchEvent | MipEvent | CsrEvent | WriteEvent | NmiEvent | DebugReqEvent

export const EVENT_KINDS = ['retire', 'trap', 'access', 'fetch', 'mip', 'csr', 'write', 'nmi', 'debug_req'] as const

const Kind = oneOf(EVENT_KINDS)
const Size = oneOf([1, 2, 4, 8])
const Rd = bounded(intRange(1, 31))
const CsrNumber = bounded(intRange(0, 0xfff))

const CODECS = {
  retire: exact('a retire event', { event: Kind, pc: Hex64, insn: Hex32 }, { rd: Rd, value: Hex64 }),
  trap: exact('a trap event', { event: Kind, pc: Hex64, cause: Hex64, tval: Hex64 }),
  access: exact('an access event', { event: Kind, pc: Hex64, va: Hex64, pa: Hex64, size: Size, store: Bool, value: Hex64 }),
  fetch: exact('a fetch event', { event: Kind, pc: Hex64, pa: Hex64 }),
  mip: exact('a mip event', { event: Kind, value: Hex64 }),
  csr: exact('a csr event', { event: Kind, csr: CsrNumber, value: Hex64 }),
  write: exact('a write event', { event: Kind, pa: Hex64, size: Size, value: Hex64 }),
  nmi: exact('an nmi event', { event: Kind }),
  debug_req: exact('a debug_req event', { event: Kind }),
} as const

/**
 * One line of the protocol decoded: the event, or why it is not one (`field pc: expected …`).
 *
 * @example
 * decodeEvent('{"event":"retire","pc":"0x80000000","insn":"0x00000297","rd":5,"value":"0x80000000"}')
 * // right({ event: 'retire', pc: 0x80000000n, insn: 0x297, rd: 5, value: 0x80000000n })
 */
export const decodeEvent = (line: string): Either<string, DutEvent> => {
  const json = parseJson(line)
  if (isLeft(json)) return left(`column ${json.left.column}: ${describeSyntaxError(json.left)}`)
  const u = json.right
  if (!isJsonObject(u)) return left(`expected an event object, got ${showValue(u)}`)
  const kind = u['event']
  if (!(EVENT_KINDS as readonly unknown[]).includes(kind)) {
    return left(`field event: expected one of ${EVENT_KINDS.map((k) => `"${k}"`).join(', ')}, got ${showValue(kind)}`)
  }
  const r = decodeValue(CODECS[kind as DutEvent['event']] as t.Decoder<unknown, DutEvent>, u)
  if (isLeft(r)) return left(describeError(r.left))
  const e = r.right
  if (e.event === 'retire' && (e.rd === undefined) !== (e.value === undefined)) {
    return left(`field ${e.rd === undefined ? 'rd' : 'value'}: rd and value come together (both absent when no register is written)`)
  }
  if (e.event === 'access' || e.event === 'write') {
    if (e.value >> BigInt(8 * e.size) !== 0n) return left(`field value: ${Hex64.encode(e.value)} does not fit in ${e.size} bytes`)
  }
  return right(e)
}

/** An event as its protocol line (without the newline): fields in the contract's order, hex as Spike writes it. */
export const encodeEvent = (e: DutEvent): string => JSON.stringify((CODECS[e.event] as t.Encoder<DutEvent, unknown>).encode(e))

// ---- replies -----------------------------------------------------------------------------------------

/** A JSON value in a reply: a hex string, a number, a boolean, a word, or null (absent). */
export type ReplyValue = string | number | boolean | null | { readonly [k: string]: ReplyValue }

/** The model agrees with the event (or took it in: mip, csr, write). */
export interface Match { readonly ok: true }
/**
 * The first difference: which event (`index`, counting events from 0), which field, the DUT's value and
 * the model's, and lines explaining the model's value (for an address, the walk trail that made it).
 */
export interface Mismatch {
  readonly ok: false; readonly index: number; readonly field: string
  readonly dut: ReplyValue; readonly model: ReplyValue; readonly explain: readonly string[]
}
/** A request the model cannot take (malformed, or an event it does not support): nothing changed. */
export interface Refusal { readonly ok: false; readonly index: number; readonly error: string }

export type Verdict = Match | Mismatch
export type Reply = Verdict | Refusal

export const MATCH: Match = { ok: true }

/** A reply as its protocol line (without the newline). */
export const encodeReply = (r: Reply): string => JSON.stringify(r)

/** A 64-bit value as the protocol writes it. */
export const hex64 = (v: bigint): string => Hex64.encode(BigInt.asUintN(64, v))
