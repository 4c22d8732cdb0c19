// Bounded numbers: every numeric parameter memvirt reads has a documented range, so no input can
// ask for 10^12 iterations or a rate of 10^-300 (which ran for ever or printed "NaN %"). A range is
// data, shown in the error message exactly as documented (README, "Decoding every input once", lists them all).
import * as t from 'io-ts'
import { type Either, left, right } from '../bits/either.ts'
import { showValue } from './errors.ts'

/** A closed or half-open interval of numbers, optionally integers only. */
export interface Range {
  readonly min: number
  readonly max: number
  /** min itself is excluded: (min, max]. */
  readonly minOpen?: boolean
  /** max itself is excluded: [min, max). */
  readonly maxOpen?: boolean
  readonly integer?: boolean
}

/** Integers from `min` to `max`, both included. */
export const intRange = (min: number, max: number): Range => ({ min, max, integer: true })
/** Real numbers from `min` to `max`; `open` excludes an end. */
export const realRange = (min: number, max: number, open: { minOpen?: boolean; maxOpen?: boolean } = {}): Range =>
  ({ min, max, ...open })

/** A bound as users read it: powers of two above 2^20 as 2^k, the largest safe integer as 2^53 - 1, others in plain digits. */
const bound = (n: number): string => {
  if (n === Number.MAX_SAFE_INTEGER) return '2^53 - 1'
  const k = Math.round(Math.log2(n))
  return n > 2 ** 20 && 2 ** k === n ? `2^${k}` : String(n)
}

/**
 * The range in words, as error messages and the README show it.
 *
 * @example
 * rangeText(intRange(1, 1000))            // 'an integer from 1 to 1000'
 * rangeText(realRange(0, 1, { maxOpen: true }))  // 'a number in [0, 1)'
 */
export const rangeText = (r: Range): string =>
  r.integer === true
    ? `an integer from ${bound(r.min)} to ${bound(r.max)}`
    : `a number in ${r.minOpen === true ? '(' : '['}${bound(r.min)}, ${bound(r.max)}${r.maxOpen === true ? ')' : ']'}`

/** Whether `n` lies in the range (NaN and the infinities never do). */
export const inRange = (r: Range, n: number): boolean =>
  Number.isFinite(n) &&
  (r.integer !== true || Number.isInteger(n)) &&
  (r.minOpen === true ? n > r.min : n >= r.min) &&
  (r.maxOpen === true ? n < r.max : n <= r.max)

/** A codec for JSON numbers in the range. */
export const bounded = (r: Range): t.Type<number, number, unknown> => new t.Type<number, number, unknown>(
  rangeText(r),
  (u): u is number => typeof u === 'number' && inRange(r, u),
  (u, c) => (typeof u === 'number' && inRange(r, u) ? t.success(u) : t.failure(u, c, `expected ${rangeText(r)}, got ${showValue(u)}`)),
  t.identity,
)

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/

/**
 * A number written in decimal in a command-line flag or a CSV field ("10", "0.5", "1e3"), in the
 * range; the message says what was expected and quotes the text.
 *
 * @example
 * numberFromText(intRange(1, 10), '11')  // left("expected an integer from 1 to 10, got '11'")
 */
export const numberFromText = (r: Range, text: string): Either<string, number> => {
  const s = text.trim()
  const n = DECIMAL.test(s) ? Number(s) : NaN
  return inRange(r, n) ? right(n) : left(`expected ${rangeText(r)}, got '${text.length > 40 ? `${text.slice(0, 37)}...` : text}'`)
}
