// 64-bit helpers on bigint. RISC-V registers and addresses are XLEN = 64 bits wide; every value the
// model stores is an unsigned bigint in [0, 2^64). These helpers keep that invariant explicit.

/** 2^64 − 1, the all-ones XLEN value. */
export const MASK64 = (1n << 64n) - 1n

/** Wraps any bigint to an unsigned 64-bit value (arithmetic modulo 2^64). */
export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x)

/** Reinterprets an unsigned 64-bit value as signed two's complement. */
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x)

/**
 * Bits [hi:lo] of x (inclusive, like the spec's notation), shifted down to bit 0.
 * @example bits(0xabcdn, 11, 4) === 0xbcn
 */
export const bits = (x: bigint, hi: number, lo: number): bigint =>
  (x >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n)

/** Bit i of x as a boolean. */
export const bit = (x: bigint, i: number): boolean => ((x >> BigInt(i)) & 1n) === 1n

/** A mask of `width` ones starting at bit 0. */
export const mask = (width: number): bigint => (1n << BigInt(width)) - 1n

/** Sign-extends the low `width` bits of x to 64 bits (result unsigned, in [0, 2^64)). */
export const sext = (x: bigint, width: number): bigint => u64(BigInt.asIntN(width, x))

/** Zero-extends: keeps the low `width` bits of x. */
export const zext = (x: bigint, width: number): bigint => BigInt.asUintN(width, x)

/** Hex with 0x and zero padding to `digits` digits, lower case (the format Spike prints). */
export const hex = (x: bigint, digits = 16): string => '0x' + x.toString(16).padStart(digits, '0')
