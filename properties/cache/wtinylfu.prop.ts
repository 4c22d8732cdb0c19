// W-TinyLFU's sketch hash: the 32-bit-halves XXH64 equals the BigInt one it replaces.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { xxh64Low32, xxh64Low32Fast } from '../../src/cache/policies/wtinylfu.ts'

test('xxh64Low32Fast ≡ xxh64Low32 for every safe-integer id and 32-bit seed', () => {
  fc.assert(fc.property(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.maxSafeNat()), fc.nat({ max: 0xffffffff }), (id, seed) =>
    xxh64Low32Fast(id, seed) === xxh64Low32(id, seed)), { numRuns: runs(2000) })
})

test.run()
