// Fixed-width unsigned values written as hex strings: `0x` then hex digits of either case, one `_`
// allowed between two digits ("0x8000_1000", as the RISC-V manuals group them). JSON numbers are
// refused: above 2^53 they silently lose bits.
import * as t from 'io-ts'
import { showValue } from './errors.ts'

const HEX = /^0x[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*$/

/**
 * The value of a hex string of at most `width` bits, or undefined when `s` is not one.
 *
 * @example
 * parseHex('0xffff_ffff_c000_0000', 64)  // 0xffffffffc0000000n
 * parseHex('0x_1000', 64)                // undefined: '_' only between digits
 */
export const parseHex = (s: string, width: number): bigint | undefined => {
  if (!HEX.test(s)) return undefined
  const digits = s.slice(2).replaceAll('_', '').replace(/^0+(?=.)/, '')
  if (digits.length * 4 > width + 3) return undefined  // cheap length check first: a long string is not parsed
  const v = BigInt('0x' + digits)
  return v >> BigInt(width) === 0n ? v : undefined
}

const expectedText = (width: number): string => `a ${width}-bit hex string like 0x8000_1000`

/** Why `u` is not a hex string of `width` bits, in words. */
const complaint = (u: unknown, width: number): string => {
  if (typeof u === 'string' && HEX.test(u)) return `${u} does not fit in ${width} bits`
  const got = typeof u === 'number' ? `the number ${showValue(u)} (${width}-bit values are written as hex strings)` : showValue(u)
  return `expected ${expectedText(width)}, got ${got}`
}

/**
 * A codec for `width`-bit values as hex strings. Encodes as `0x` and `width / 4` lower-case digits
 * (Spike's log style), so equal values are equal bytes.
 */
export const hexBits = (width: number): t.Type<bigint, string, unknown> => new t.Type<bigint, string, unknown>(
  expectedText(width),
  (u): u is bigint => typeof u === 'bigint' && u >= 0n && u >> BigInt(width) === 0n,
  (u, c) => {
    const v = typeof u === 'string' ? parseHex(u, width) : undefined
    return v === undefined ? t.failure(u, c, complaint(u, width)) : t.success(v)
  },
  (v) => '0x' + v.toString(16).padStart(Math.ceil(width / 4), '0'),
)

/** A 64-bit value (an address, a register, a PTE) as a hex string. */
export const Hex64 = hexBits(64)

/** A 32-bit value as a hex string, decoded to a JS number (instruction bits). */
export const Hex32 = new t.Type<number, string, unknown>(
  expectedText(32),
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0 && u < 2 ** 32,
  (u, c) => {
    const v = typeof u === 'string' ? parseHex(u, 32) : undefined
    return v === undefined ? t.failure(u, c, complaint(u, 32)) : t.success(Number(v))
  },
  (v) => '0x' + v.toString(16).padStart(8, '0'),
)
