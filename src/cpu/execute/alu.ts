// Integer arithmetic of RV64I and M (unprivileged ISA ch. "RV32I/RV64I", "M" extension), load widths and
// extensions, and the AMO operations of A: pure functions of operand values.
import { type AccessSize } from '../../memory/memory.ts'
import { sext, u64, s64, MASK64 } from '../../bits/bits.ts'


export const M32 = 0xffff_ffffn
export const w32 = (v: bigint): bigint => sext(v, 32)
export const i32 = (v: bigint): bigint => BigInt.asIntN(32, v)
const MIN64 = -(1n << 63n)
const MIN32 = -(1n << 31n)

export const alu = (op: string, a: bigint, b: bigint): bigint => {
  switch (op) {
    case 'add': return u64(a + b)
    case 'sub': return u64(a - b)
    case 'sll': return u64(a << (b & 63n))
    case 'slt': return s64(a) < s64(b) ? 1n : 0n
    case 'sltu': return a < b ? 1n : 0n
    case 'xor': return a ^ b
    case 'srl': return a >> (b & 63n)
    case 'sra': return u64(s64(a) >> (b & 63n))
    case 'or': return a | b
    case 'and': return a & b
    case 'addw': return w32(a + b)
    case 'subw': return w32(a - b)
    case 'sllw': return w32(a << (b & 31n))
    case 'srlw': return w32((a & M32) >> (b & 31n))
    case 'sraw': return w32(i32(a) >> (b & 31n))
    case 'mul': return u64(a * b)
    case 'mulh': return u64((s64(a) * s64(b)) >> 64n)
    case 'mulhsu': return u64((s64(a) * b) >> 64n)
    case 'mulhu': return (a * b) >> 64n
    // Division by zero gives all ones (quotient) or the dividend (remainder); overflow gives MIN / 0.
    case 'div': return b === 0n ? MASK64 : s64(a) === MIN64 && s64(b) === -1n ? a : u64(s64(a) / s64(b))
    case 'divu': return b === 0n ? MASK64 : a / b
    case 'rem': return b === 0n ? a : s64(a) === MIN64 && s64(b) === -1n ? 0n : u64(s64(a) % s64(b))
    case 'remu': return b === 0n ? a : a % b
    case 'mulw': return w32(a * b)
    case 'divw': return i32(b) === 0n ? MASK64 : i32(a) === MIN32 && i32(b) === -1n ? w32(a) : w32(i32(a) / i32(b))
    case 'divuw': return (b & M32) === 0n ? MASK64 : w32((a & M32) / (b & M32))
    case 'remw': return i32(b) === 0n ? w32(a) : i32(a) === MIN32 && i32(b) === -1n ? 0n : w32(i32(a) % i32(b))
    case 'remuw': return (b & M32) === 0n ? w32(a) : w32((a & M32) % (b & M32))
    default: throw new Error(`alu: ${op}`)
  }
}

/** Bytes a load reads (a switch rather than a keyed record: a lookup by a varying key is slow in V8). */
export const loadSize = (op: string): AccessSize => {
  switch (op) {
    case 'lb': case 'lbu': return 1
    case 'lh': case 'lhu': return 2
    case 'lw': case 'lwu': return 4
    default: return 8                                                    // ld
  }
}
/** Bytes a store writes. */
export const storeSize = (op: string): AccessSize => {
  switch (op) {
    case 'sb': return 1
    case 'sh': return 2
    case 'sw': return 4
    default: return 8                                                    // sd
  }
}

export const extendLoad = (op: string, v: bigint): bigint => {
  switch (op) {
    case 'lb': case 'hlv.b': return sext(v, 8)
    case 'lh': case 'hlv.h': return sext(v, 16)
    case 'lw': case 'hlv.w': return sext(v, 32)
    default: return v
  }
}

export const amoOp = (op: string, old: bigint, src: bigint, width: 32 | 64): bigint => {
  const sx = (v: bigint): bigint => (width === 32 ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v))
  const zx = (v: bigint): bigint => BigInt.asUintN(width, v)
  switch (op.slice(0, -2)) {
    case 'amoswap': return zx(src)
    case 'amoadd': return zx(old + src)
    case 'amoxor': return zx(old ^ src)
    case 'amoand': return zx(old & src)
    case 'amoor': return zx(old | src)
    case 'amomin': return sx(old) < sx(src) ? zx(old) : zx(src)
    case 'amomax': return sx(old) > sx(src) ? zx(old) : zx(src)
    case 'amominu': return zx(old) < zx(src) ? zx(old) : zx(src)
    case 'amomaxu': return zx(old) > zx(src) ? zx(old) : zx(src)
    default: throw new Error(`amo: ${op}`)
  }
}
