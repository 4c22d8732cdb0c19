// From outside input to a typed value in one step: JSON text is parsed with a depth limit, then run
// through a codec; the first error comes back as a value naming its line and column or its field.
import type * as t from 'io-ts'
import { type Either, isLeft, left, right } from '../bits/either.ts'
import { type DecodeError, type FieldError, fromValidation } from './errors.ts'
import { DEFAULT_MAX_DEPTH, parseJson } from './json.ts'

/** Runs a codec over an already-parsed value; the error names the first bad field. */
export const decodeValue = <A>(codec: t.Decoder<unknown, A>, u: unknown): Either<FieldError, A> => {
  const r = codec.decode(u)
  return isLeft(r) ? left(fromValidation(r.left)) : right(r.right)
}

/**
 * Parses JSON text (at most `maxDepth` levels deep) and decodes it with `codec`.
 *
 * @example
 * decodeJsonText(exact('a host', { capacityKib: bounded(intRange(1, 2 ** 40)) }), '{"capacityKib": 0}')
 * // left({ _tag: 'FieldError', path: 'capacityKib', message: 'expected an integer from 1 to 2^40, got 0' })
 */
export const decodeJsonText = <A>(codec: t.Decoder<unknown, A>, text: string, maxDepth: number = DEFAULT_MAX_DEPTH): Either<DecodeError, A> => {
  const json = parseJson(text, maxDepth)
  return isLeft(json) ? json : decodeValue(codec, json.right)
}
