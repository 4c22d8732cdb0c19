// Closed sets of JSON values: an access kind, a privilege, a PTE size, true/false. Membership is
// tested with ===, so nothing outside the list (and nothing inherited from a prototype) is accepted.
import * as t from 'io-ts'
import { showValue } from './errors.ts'

/** The list in words: `one of "fetch", "load", "store"`. */
const listed = (values: readonly unknown[]): string => `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`

/**
 * A codec for exactly the listed strings or numbers.
 *
 * @example
 * oneOf(['fetch', 'load', 'store'] as const).decode('read')
 * // a failure: 'expected one of "fetch", "load", "store", got "read"'
 */
export const oneOf = <A extends string | number>(values: readonly A[]): t.Type<A, A, unknown> => {
  const is = (u: unknown): u is A => (values as readonly unknown[]).includes(u)
  return new t.Type<A, A, unknown>(
    listed(values),
    is,
    (u, c) => (is(u) ? t.success(u) : t.failure(u, c, `expected ${listed(values)}, got ${showValue(u)}`)),
    t.identity,
  )
}

/** true or false. */
export const Bool = new t.Type<boolean, boolean, unknown>(
  'true or false',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => (typeof u === 'boolean' ? t.success(u) : t.failure(u, c, `expected true or false, got ${showValue(u)}`)),
  t.identity,
)

/** Any JSON string (a name, a note). */
export const Text = new t.Type<string, string, unknown>(
  'a string',
  (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' ? t.success(u) : t.failure(u, c, `expected a string, got ${showValue(u)}`)),
  t.identity,
)
