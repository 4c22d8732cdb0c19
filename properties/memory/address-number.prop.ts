// u64ToNumber and low32 (src/memory/memory.ts) convert without the runtime call of Number(bigint):
// u64ToNumber must be Number itself on every unsigned 64-bit value, exact below 2^53 and rounded the
// same way above; low32 must be the value mod 2^32.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { low32, u64ToNumber } from '../../src/memory/memory.ts'
import { fc, runs } from '../fc.ts'

const u64s = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: (1n << 53n) + 64n }),
  // around the rounding boundaries: 2^k ± small, and values with a tie in the lowest kept bit
  fc.tuple(fc.integer({ min: 31, max: 63 }), fc.bigInt({ min: -4096n, max: 4096n })).map(([k, d]) => BigInt.asUintN(64, (1n << BigInt(k)) + d)),
  fc.tuple(fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }), fc.integer({ min: 1, max: 11 })).map(([m, s]) => BigInt.asUintN(64, ((1n << 52n) | m) << BigInt(s) | (1n << BigInt(s - 1)))),
)

test('u64ToNumber(v) === Number(v) for every unsigned 64-bit v', () => {
  fc.assert(fc.property(u64s, (v) => { assert.is(u64ToNumber(v), Number(v)) }), { numRuns: runs(5000) })
  for (const v of [0n, 1n, 0xffff_ffffn, 0x1_0000_0000n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, (1n << 64n) - 1n]) {
    assert.is(u64ToNumber(v), Number(v), `0x${v.toString(16)}`)
  }
})

test('low32(v) === Number(v mod 2^32) for every unsigned 64-bit v', () => {
  fc.assert(fc.property(u64s, (v) => { assert.is(low32(v), Number(v & 0xffff_ffffn)) }), { numRuns: runs(5000) })
})

test.run()
