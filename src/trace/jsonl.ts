// The JSONL golden trace (`memvirt run --trace FILE`): one JSON object per step, richer than Spike's
// commit log — privilege and V, every memory access with its virtual, guest-physical and physical
// address, the trap taken with all its CSR values (htval/mtval2, htinst/mtinst, GVA) and its target
// mode, and the step's TLB hits and page-table walks. The schema is an io-ts codec: the writer encodes
// with it and a reader decodes with it, so the published schema and the file cannot drift apart.
import * as t from 'io-ts'
import { type Either, left, right, isLeft } from 'fp-ts/lib/Either.js'
import { type MemRead, type MemWrite, type StepEvent, type TranslationCounts } from '../cpu/event.ts'
import { type Priv } from '../cpu/hart.ts'
import { INTERRUPT_BIT, type TrapTarget } from '../cpu/trap.ts'
import { csrName } from '../cpu/decode/csr-names.ts'

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

export type TraceRecord = RetiredRecord | TrapRecord | WaitRecord

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

// ---- leaf codecs ----------------------------------------------------------------------------------

/** An offending JSON value, shortened for an error message. */
const shown = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  const s = JSON.stringify(u)
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}

/** A leaf codec from a guard-and-convert function; `expected` is what the error message asks for. */
const leaf = <A, O>(expected: string, decode: (u: unknown) => A | undefined, encode: (a: A) => O): t.Type<A, O, unknown> =>
  new t.Type<A, O, unknown>(
    expected,
    (u): u is A => decode(u) !== undefined,
    (u, c) => {
      const a = decode(u)
      return a === undefined ? t.failure(u, c, `expected ${expected}, got ${shown(u)}`) : t.success(a)
    },
    encode,
  )

const HEX64 = /^0x[0-9a-fA-F]{1,16}$/
/**
 * A 64-bit value as a hex string (JSON numbers lose bits above 2^53). Written as `0x` and 16 lower-case
 * digits, like Spike's logs; read with 1 to 16 digits of either case.
 */
export const Hex64C = leaf<bigint, string>('a hex string "0x" + at most 16 digits',
  (u) => (typeof u === 'string' && HEX64.test(u) ? BigInt(u) : undefined),
  (v) => '0x' + v.toString(16).padStart(16, '0'))

const HEX32 = /^0x[0-9a-fA-F]{1,8}$/
/** Instruction bits as a hex string of 8 digits (a compressed instruction has its upper 16 bits 0). */
const InsnC = leaf<number, string>('a hex string "0x" + at most 8 digits',
  (u) => (typeof u === 'string' && HEX32.test(u) ? Number(u) : undefined),
  (v) => '0x' + v.toString(16).padStart(8, '0'))

/** A count or small number: a non-negative safe integer. */
const CountC = leaf<number, number>('a non-negative integer',
  (u) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? u : undefined), t.identity)

/** One of a few JSON values (numbers or strings), compared with ===. */
const oneOf = <A extends string | number>(values: readonly A[]) => leaf<A, A>(
  `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
  (u) => (values as readonly unknown[]).includes(u) ? u as A : undefined, t.identity)

const BoolC = leaf<boolean, boolean>('true or false', (u) => (typeof u === 'boolean' ? u : undefined), t.identity)
const TextC = leaf<string, string>('a string', (u) => (typeof u === 'string' ? u : undefined), t.identity)
const RegC = leaf<number, number>('a register number 1 to 31',
  (u) => (typeof u === 'number' && Number.isInteger(u) && u >= 1 && u <= 31 ? u : undefined), t.identity)
const CsrNumC = leaf<number, number>('a CSR number 0 to 4095',
  (u) => (typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= 4095 ? u : undefined), t.identity)

const nullable = <A, O>(codec: t.Type<A, O, unknown>): t.Type<A | null, O | null, unknown> =>
  new t.Type<A | null, O | null, unknown>(
    `${codec.name} or null`,
    (u): u is A | null => u === null || codec.is(u),
    (u, c) => (u === null ? t.success(null) : codec.validate(u, c)),
    (a) => (a === null ? null : codec.encode(a)),
  )

// ---- structural codecs ----------------------------------------------------------------------------

type Fields = Record<string, t.Mixed>
type Decoded<F extends Fields> = { readonly [K in keyof F]: t.TypeOf<F[K]> }
type Encoded<F extends Fields> = { [K in keyof F]: t.OutputOf<F[K]> }

/**
 * A JSON object with exactly these fields. Unknown fields are errors (a misspelt field would otherwise be
 * ignored); encoding writes the fields in the order given here, whatever the order of the value's keys,
 * so that the same record is always the same bytes.
 */
const object = <F extends Fields>(name: string, fields: F): t.Type<Decoded<F>, Encoded<F>, unknown> => {
  const keys = Object.keys(fields)
  return new t.Type<Decoded<F>, Encoded<F>, unknown>(
    name,
    (u): u is Decoded<F> => typeof u === 'object' && u !== null && keys.every((k) => fields[k]!.is((u as Record<string, unknown>)[k])),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `expected ${name}, got ${shown(u)}`)
      const o = u as Record<string, unknown>
      for (const k of Object.keys(o)) {
        if (!(k in fields)) return t.failure(o[k], t.appendContext(c, k, t.unknown, o[k]), `unknown field (${name} has ${keys.join(', ')})`)
      }
      const out: Record<string, unknown> = {}
      for (const k of keys) {
        const codec = fields[k]!
        const r = codec.validate(o[k], t.appendContext(c, k, codec, o[k]))
        if (isLeft(r)) return r
        out[k] = r.right
      }
      return t.success(out as Decoded<F>)
    },
    (a) => {
      const out: Record<string, unknown> = {}
      for (const k of keys) out[k] = fields[k]!.encode((a as Record<string, unknown>)[k])
      return out as Encoded<F>
    },
  )
}

const list = <A, O>(item: t.Type<A, O, unknown>): t.Type<readonly A[], O[], unknown> =>
  new t.Type<readonly A[], O[], unknown>(
    `a list of ${item.name}`,
    (u): u is readonly A[] => Array.isArray(u) && u.every(item.is),
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c, `expected a list, got ${shown(u)}`)
      const out: A[] = []
      for (let i = 0; i < u.length; i++) {
        const r = item.validate(u[i], t.appendContext(c, String(i), item, u[i]))
        if (isLeft(r)) return r
        out.push(r.right)
      }
      return t.success(out)
    },
    (as) => as.map((a) => item.encode(a)),
  )

// ---- the schema -------------------------------------------------------------------------------------

const PrivC = oneOf<Priv>([3, 1, 0])
const XlateC = object('xlate counts', { tlbHits: CountC, walks: CountC, twoStageWalks: CountC })
const AccessC = object('an access', { va: Hex64C, gpa: nullable(Hex64C), pa: Hex64C, size: oneOf<1 | 2 | 4 | 8>([1, 2, 4, 8]), value: Hex64C })

export const RetiredRecordC = object('a retired record', {
  order: CountC, kind: oneOf(['retired'] as const), pc: Hex64C, insn: InsnC, len: oneOf<2 | 4>([2, 4]),
  priv: PrivC, v: BoolC,
  x: list(object('a register write', { reg: RegC, value: Hex64C })),
  csrs: list(object('a CSR write', { csr: CsrNumC, name: TextC, value: Hex64C })),
  loads: list(AccessC), stores: list(AccessC), xlate: XlateC,
})

export const TrapRecordC = object('a trap record', {
  order: CountC, kind: oneOf(['trap'] as const), pc: Hex64C, insn: nullable(InsnC), priv: PrivC, v: BoolC,
  interrupt: BoolC, cause: CountC, tval: Hex64C, tval2: Hex64C, tinst: Hex64C, gva: BoolC,
  target: oneOf<TrapTarget>(['M', 'HS', 'VS']), xlate: XlateC,
})

export const WaitRecordC = object('a wait record', { order: CountC, kind: oneOf(['wait'] as const), pc: Hex64C })

// The codecs' types are the record interfaces above (checked by the compiler here).
const _sameTypes: [t.Type<RetiredRecord, unknown>, t.Type<TrapRecord, unknown>, t.Type<WaitRecord, unknown>] = [RetiredRecordC, TrapRecordC, WaitRecordC]
void _sameTypes

const BY_KIND = { retired: RetiredRecordC, trap: TrapRecordC, wait: WaitRecordC } as const
type Kind = keyof typeof BY_KIND
const isKind = (k: unknown): k is Kind => k === 'retired' || k === 'trap' || k === 'wait'

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
        ? t.failure(kind, t.appendContext(c, 'kind', t.unknown, kind), `expected "retired", "trap" or "wait", got ${shown(kind)}`)
        : t.failure(u, c, `expected a trace record (a JSON object), got ${shown(u)}`)
    }
    return BY_KIND[kind].validate(u, c) as t.Validation<TraceRecord>
  },
  (a) => {
    switch (a.kind) {
      case 'retired': return RetiredRecordC.encode(a)
      case 'trap': return TrapRecordC.encode(a)
      case 'wait': return WaitRecordC.encode(a)
    }
  },
)

// ---- lines --------------------------------------------------------------------------------------------

/** The path of an io-ts context as a reader writes it: `loads[0].pa`. */
const pathOf = (c: t.Context): string =>
  c.slice(1).reduce((p, e) => (/^\d+$/.test(e.key) ? `${p}[${e.key}]` : p === '' ? e.key : `${p}.${e.key}`), '')

/** One trace line: the step's record as JSON, fields in schema order, and a newline. */
export const encodeTraceLine = (ev: StepEvent, order: number): string =>
  JSON.stringify(TraceRecordC.encode(traceRecord(ev, order))) + '\n'

/**
 * Decodes one trace line (with or without its newline). The error names the field and what is wrong:
 * `loads[0].pa: expected a hex string "0x" + at most 16 digits, got 12`.
 */
export const decodeTraceLine = (line: string): Either<string, TraceRecord> => {
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch (e) {
    return left(`not JSON: ${(e as Error).message}`)
  }
  const r = TraceRecordC.decode(json)
  if (isLeft(r)) {
    const err = r.left[0]
    if (err === undefined) return left('not a trace record')
    const path = pathOf(err.context)
    const message = err.message ?? `expected ${err.context.at(-1)?.type.name ?? 'a trace record'}`
    return left(path === '' ? message : `${path}: ${message}`)
  }
  return right(r.right)
}
