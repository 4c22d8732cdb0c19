// Exact objects and bounded lists. An object's fields are looked up as its own properties only, so a
// key like "__proto__", "toString" or "constructor" in the input is an unknown field like any other,
// never a prototype lookup; a misspelt field is an error, never silently ignored.
import * as t from 'io-ts'
import { isLeft } from '../bits/either.ts'
import { showValue } from './errors.ts'

type Fields = Readonly<Record<string, t.Mixed>>
type Decoded<R extends Fields, O extends Fields> =
  { readonly [K in keyof R]: t.TypeOf<R[K]> } & { readonly [K in keyof O]?: t.TypeOf<O[K]> }
type Encoded<R extends Fields, O extends Fields> =
  { [K in keyof R]: t.OutputOf<R[K]> } & { [K in keyof O]?: t.OutputOf<O[K]> }

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

/** A JSON object (not a list, not null). */
export const isJsonObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * An object with `required` and `optional` fields and no others. A missing required field and an
 * unknown field are reported at their own path; encoding writes the fields in the order given here,
 * whatever the value's key order, so the same value is always the same bytes.
 *
 * @example
 * exact('a word', { addr: Hex64, value: Hex64 }, { size: oneOf([1, 2, 4, 8]) })
 */
export const exact = <R extends Fields, O extends Fields = Record<never, t.Mixed>>(
  name: string, required: R, optional: O = {} as O,
): t.Type<Decoded<R, O>, Encoded<R, O>, unknown> => {
  const order = [...Object.keys(required), ...Object.keys(optional)]
  // A Map, not an object: looking up a key from the input never reaches a prototype.
  const codecs = new Map<string, { codec: t.Mixed; required: boolean }>([
    ...Object.entries(required).map(([k, codec]) => [k, { codec, required: true }] as const),
    ...Object.entries(optional).map(([k, codec]) => [k, { codec, required: false }] as const),
  ])
  return new t.Type<Decoded<R, O>, Encoded<R, O>, unknown>(
    name,
    (u): u is Decoded<R, O> => isJsonObject(u) && Object.keys(u).every((k) => codecs.has(k)) &&
      order.every((k) => own(u, k) ? codecs.get(k)!.codec.is(u[k]) : !codecs.get(k)!.required),
    (u, c) => {
      if (!isJsonObject(u)) return t.failure(u, c, `expected ${name}, got ${showValue(u)}`)
      for (const k of Object.keys(u)) {
        if (!codecs.has(k)) return t.failure(u[k], t.appendContext(c, k, t.unknown, u[k]), `unknown field (known: ${order.join(', ')})`)
      }
      const out: Record<string, unknown> = {}
      for (const k of order) {
        const { codec, required: needed } = codecs.get(k)!
        if (!own(u, k)) {
          if (needed) return t.failure(undefined, t.appendContext(c, k, codec, undefined), `missing (expected ${codec.name})`)
          continue
        }
        const r = codec.validate(u[k], t.appendContext(c, k, codec, u[k]))
        if (isLeft(r)) return r
        out[k] = r.right
      }
      return t.success(out as Decoded<R, O>)
    },
    (a) => {
      const out: Record<string, unknown> = {}
      for (const k of order) {
        const v = (a as Readonly<Record<string, unknown>>)[k]
        if (own(a, k) && v !== undefined) out[k] = codecs.get(k)!.codec.encode(v)
      }
      return out as Encoded<R, O>
    },
  )
}

/**
 * A list of `item`s with between `min` and `max` entries.
 *
 * @example
 * list(Hex64, { min: 1 })  // refuses [] with 'expected at least 1 entry, got an empty list'
 */
export const list = <A, O>(item: t.Type<A, O, unknown>, length: { min?: number; max?: number } = {}): t.Type<readonly A[], O[], unknown> => {
  const min = length.min ?? 0
  const max = length.max ?? Number.MAX_SAFE_INTEGER
  return new t.Type<readonly A[], O[], unknown>(
    `a list of ${item.name}`,
    (u): u is readonly A[] => Array.isArray(u) && u.length >= min && u.length <= max && u.every((x) => item.is(x)),
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c, `expected a list, got ${showValue(u)}`)
      if (u.length < min) return t.failure(u, c, `expected at least ${min} entr${min === 1 ? 'y' : 'ies'}, got ${u.length === 0 ? 'an empty list' : `${u.length}`}`)
      if (u.length > max) return t.failure(u, c, `expected at most ${max} entr${max === 1 ? 'y' : 'ies'}, got ${u.length}`)
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
}

/** `codec`'s values or null. */
export const nullable = <A, O>(codec: t.Type<A, O, unknown>): t.Type<A | null, O | null, unknown> =>
  new t.Type<A | null, O | null, unknown>(
    `${codec.name} or null`,
    (u): u is A | null => u === null || codec.is(u),
    (u, c) => (u === null ? t.success(null) : codec.validate(u, c)),
    (a) => (a === null ? null : codec.encode(a)),
  )
