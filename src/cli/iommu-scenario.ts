// The raw scenario of `memvirt iommu` (README, "memvirt iommu"): capabilities, fctl, memory words and
// the steps software and devices take, decoded once at the edge with io-ts (the one file that uses it
// for the IOMMU, so it can move to the project's codec kit). Every error names its field's path
// (`scenario.steps[3].iova`).
import * as t from 'io-ts'
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js'
import { phys } from '../bits/address.ts'
import { hex } from '../bits/bits.ts'
import { emptyMemory, poke, type PhysMemory } from '../memory/memory.ts'
import { defaultMemoryMap, regionAt } from '../memory/memory-map.ts'
import { unmodelledCapabilities } from '../iommu/capabilities.ts'
import type { Step } from '../iommu/steps.ts'
import { describeSyntaxError, parseJson } from '../codec/json.ts'
import { subPath } from '../codec/errors.ts'

export interface IommuScenario {
  readonly capabilities: bigint
  readonly fctl: bigint
  readonly memory: PhysMemory
  readonly steps: readonly Step[]
}

export interface IommuScenarioError { readonly path: string, readonly message: string }

// ---- leaf codecs --------------------------------------------------------------------------------------

const show = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  const s = JSON.stringify(u)
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}
const HEX = /^0x[0-9a-fA-F]+(_[0-9a-fA-F]+)*$/

/** A 64-bit value as a hex string ("0x8000_1000"); JSON numbers would lose bits above 2^53. */
const Hex64 = new t.Type<bigint, string, unknown>('a hex string like 0x8000_1000', (u): u is bigint => typeof u === 'bigint',
  (u, c) => {
    if (typeof u !== 'string' || !HEX.test(u)) return t.failure(u, c, `expected a hex string like 0x8000_1000, got ${show(u)}`)
    const v = BigInt(u.replaceAll('_', ''))
    return v >> 64n === 0n ? t.success(v) : t.failure(u, c, `expected at most 64 bits, got ${show(u)}`)
  }, (v) => hex(v))

const uint = (bits: number, what: string) => new t.Type<number, number, unknown>(what, (u): u is number => typeof u === 'number',
  (u, c) => (typeof u === 'number' && Number.isInteger(u) && u >= 0 && u < 2 ** bits ? t.success(u) : t.failure(u, c, `expected ${what}, got ${show(u)}`)), t.identity)

const oneOf = <L extends string | number | boolean>(values: readonly L[], what: string) => new t.Type<L, L, unknown>(what, (u): u is L => values.includes(u as L),
  (u, c) => (values.includes(u as L) ? t.success(u as L) : t.failure(u, c, `expected ${what}, got ${show(u)}`)), t.identity)

const Size = oneOf([4, 8] as const, '4 or 8')
const Bool = oneOf([true, false] as const, 'true or false')

// ---- objects and lists --------------------------------------------------------------------------------

type Req<P extends t.Props> = { readonly [K in keyof P]: t.TypeOf<P[K]> }
type Opt<P extends t.Props> = { readonly [K in keyof P]?: t.TypeOf<P[K]> }

/** An object with these required and optional fields; an unknown field is an error (a misspelling would otherwise be ignored). */
const struct = <R extends t.Props, O extends t.Props>(required: R, optional: O) => {
  const known = [...Object.keys(required), ...Object.keys(optional)]
  return new t.Type<Req<R> & Opt<O>, unknown, unknown>(`an object with ${known.join(', ')}`, (u): u is Req<R> & Opt<O> => typeof u === 'object' && u !== null,
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `expected an object, got ${show(u)}`)
      const o = u as Record<string, unknown>
      for (const k of Object.keys(o)) if (!known.includes(k)) return t.failure(o[k], t.appendContext(c, k, t.unknown, o[k]), `unknown field (expected one of ${known.join(', ')})`)
      const out: Record<string, unknown> = {}
      for (const [k, codec] of Object.entries(required)) {
        if (!(k in o)) return t.failure(undefined, t.appendContext(c, k, codec, undefined), `missing (expected ${codec.name})`)
        const r = codec.validate(o[k], t.appendContext(c, k, codec, o[k]))
        if (isLeft(r)) return r
        out[k] = r.right
      }
      for (const [k, codec] of Object.entries(optional)) {
        if (!(k in o)) continue
        const r = codec.validate(o[k], t.appendContext(c, k, codec, o[k]))
        if (isLeft(r)) return r
        out[k] = r.right
      }
      return t.success(out as Req<R> & Opt<O>)
    }, t.identity)
}

const list = <A>(item: t.Type<A, unknown, unknown>) => new t.Type<readonly A[], unknown, unknown>(`a list of ${item.name}`, (u): u is readonly A[] => Array.isArray(u),
  (u, c) => {
    if (!Array.isArray(u)) return t.failure(u, c, `expected a list, got ${show(u)}`)
    const out: A[] = []
    for (let i = 0; i < u.length; i++) {
      const r = item.validate(u[i], t.appendContext(c, String(i), item, u[i]))
      if (isLeft(r)) return r
      out.push(r.right)
    }
    return t.success(out)
  }, t.identity)

// ---- the steps ----------------------------------------------------------------------------------------

const STEP_CODECS = {
  'write-register': struct({ op: t.literal('write-register'), offset: uint(12, 'a register offset 0–4095'), size: Size, value: Hex64 }, {}),
  'read-register': struct({ op: t.literal('read-register'), offset: uint(12, 'a register offset 0–4095'), size: Size }, {}),
  memory: struct({ op: t.literal('memory'), addr: Hex64, value: Hex64 }, {}),
  command: struct({ op: t.literal('command'), words: new t.Type<readonly [bigint, bigint], unknown, unknown>('two hex doublewords', (u): u is readonly [bigint, bigint] => Array.isArray(u),
    (u, c) => {
      if (!Array.isArray(u) || u.length !== 2) return t.failure(u, c, `expected two hex doublewords, got ${show(u)}`)
      const a = Hex64.validate(u[0], t.appendContext(c, '0', Hex64, u[0]))
      if (isLeft(a)) return a
      const b = Hex64.validate(u[1], t.appendContext(c, '1', Hex64, u[1]))
      return isLeft(b) ? b : t.success([a.right, b.right] as const)
    }, t.identity) }, {}),
  translate: struct({
    op: t.literal('translate'), deviceId: uint(24, 'a 24-bit device_id'), access: oneOf(['read', 'write', 'execute'] as const, '"read", "write" or "execute"'),
    privileged: Bool, type: oneOf(['untranslated', 'translated', 'ats'] as const, '"untranslated", "translated" or "ats"'), iova: Hex64,
  }, { processId: uint(20, 'a 20-bit process_id') }),
} as const
const OPS = Object.keys(STEP_CODECS) as (keyof typeof STEP_CODECS)[]

const StepCodec = new t.Type<Step, unknown, unknown>('a step', (u): u is Step => typeof u === 'object' && u !== null, (u, c) => {
  const op = typeof u === 'object' && u !== null ? (u as { op?: unknown }).op : undefined
  if (typeof op !== 'string' || !OPS.includes(op as keyof typeof STEP_CODECS)) {
    return t.failure(op, t.appendContext(c, 'op', t.unknown, op), `expected one of ${OPS.map((o) => `"${o}"`).join(', ')}, got ${show(op)}`)
  }
  return STEP_CODECS[op as keyof typeof STEP_CODECS].validate(u, c)
}, t.identity)

const ScenarioCodec = struct({ capabilities: Hex64, steps: list(StepCodec) }, {
  description: t.string, fctl: Hex64, memory: list(struct({ addr: Hex64, value: Hex64 }, {})),
})

const pathOf = (c: t.Context): string => c.slice(1).reduce((p, e) => subPath(p, /^\d+$/.test(e.key) ? Number(e.key) : e.key), 'scenario')

const inRam = (a: bigint): boolean => a % 8n === 0n && regionAt(defaultMemoryMap, phys(a), 8n)?.kind === 'ram'

/** Decodes a parsed JSON value into a scenario, or the first error with its field's path. */
export const decodeIommuScenario = (u: unknown): Either<IommuScenarioError, IommuScenario> => {
  const r = ScenarioCodec.validate(u, [{ key: '', type: ScenarioCodec, actual: u }])
  if (isLeft(r)) {
    const e = r.left[0]!
    return left({ path: pathOf(e.context), message: e.message ?? `invalid value ${show(e.value)}` })
  }
  const json = r.right
  const unmodelled = unmodelledCapabilities(json.capabilities)
  if (unmodelled.length > 0) return left({ path: 'scenario.capabilities', message: `sets ${unmodelled.join(', ')}, which this model does not implement` })
  // fctl is the reset value: only WSI may be set (BE and GXL select big-endian and Sv32x4, not modelled),
  // and it must agree with capabilities.IGS (MSI only: WSI = 0; WSI only: WSI = 1).
  const fctl = json.fctl ?? 0n
  const igs = Number((json.capabilities >> 28n) & 3n)
  if ((fctl & ~2n) !== 0n) return left({ path: 'scenario.fctl', message: `only WSI (bit 1) may be set (BE and GXL are not modelled), got ${hex(fctl)}` })
  if ((igs === 0 && fctl !== 0n) || (igs === 1 && fctl !== 2n)) return left({ path: 'scenario.fctl', message: `WSI = ${fctl >> 1n} contradicts capabilities.IGS = ${igs}` })
  if (igs === 3) return left({ path: 'scenario.capabilities', message: 'IGS = 3 is reserved' })
  let memory = emptyMemory(defaultMemoryMap)
  for (const [i, w] of (json.memory ?? []).entries()) {
    if (!inRam(w.addr)) return left({ path: `scenario.memory[${i}].addr`, message: `expected an 8-byte-aligned address in RAM (0x8000_0000–0xffff_ffff), got ${hex(w.addr)}` })
    memory = poke(memory, phys(w.addr), 8, w.value)
  }
  for (const [i, s] of json.steps.entries()) {
    if (s.op === 'memory' && !inRam(s.addr)) return left({ path: `scenario.steps[${i}].addr`, message: `expected an 8-byte-aligned address in RAM (0x8000_0000–0xffff_ffff), got ${hex(s.addr)}` })
  }
  return right({ capabilities: json.capabilities, fctl, memory, steps: json.steps })
}

/**
 * Parses and decodes scenario text; a JSON syntax error is reported at its line and column, in one
 * line (V8's own message quotes the text around the error, newlines and all), and nesting is bounded.
 */
export const parseIommuScenario = (text: string): Either<IommuScenarioError, IommuScenario> => {
  const u = parseJson(text)
  if (isLeft(u)) return left({ path: `scenario:${u.left.line}:${u.left.column}`, message: describeSyntaxError(u.left) })
  return decodeIommuScenario(u.right)
}
