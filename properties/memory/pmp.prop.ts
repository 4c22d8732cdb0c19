// PMP laws: a NAPOT entry and the TOR pair with the same bounds are two encodings of one range, so
// they decide every access alike; and the reset state allows every S/U access of any size.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { PMP_NAPOT, PMP_TOR, type Pmp, pmpAllows, resetPmp } from '../../src/memory/pmp.ts'

const pmpOf = (set: Record<number, readonly [number, bigint]>): Pmp => ({
  pmpcfg: Array.from({ length: 16 }, (_, i) => set[i]?.[0] ?? 0),
  pmpaddr: Array.from({ length: 16 }, (_, i) => set[i]?.[1] ?? 0n),
})

test('NAPOT region ≡ TOR [base, base+size) for every access, mode and permission', () => {
  fc.assert(fc.property(
    fc.integer({ min: 3, max: 40 }),                     // region size 2^k bytes (NAPOT needs ≥ 8)
    fc.bigInt({ min: 0n, max: (1n << 20n) - 1n }),       // which region of that size
    fc.integer({ min: 0, max: 7 }),                      // R W X
    fc.bigInt({ min: 0n, max: (1n << 44n) - 1n }), fc.constantFrom(1, 2, 4, 8),
    fc.constantFrom('fetch' as const, 'load' as const, 'store' as const), fc.constantFrom('M' as const, 'S' as const, 'U' as const),
    (k, n, rwx, addr, size, access, priv) => {
      const sizeBytes = 1n << BigInt(k)
      const base = n * sizeBytes
      // NAPOT: pmpaddr = (base >> 2) | (size/8 − 1); TOR: entry 0 = base (OFF), entry 1 = top.
      const napot = pmpOf({ 0: [PMP_NAPOT | rwx, (base >> 2n) | ((sizeBytes >> 3n) - 1n)] })
      const tor = pmpOf({ 0: [0, base >> 2n], 1: [PMP_TOR | rwx, (base + sizeBytes) >> 2n] })
      // Probe near the region's edges as well as at random.
      for (const pa of [addr, base, base + sizeBytes - BigInt(size), base + sizeBytes, base - 4n].filter((x) => x >= 0n)) {
        assert.is(pmpAllows(napot, pa, size, access, priv), pmpAllows(tor, pa, size, access, priv), `pa 0x${pa.toString(16)} size ${size}`)
      }
    }), { numRuns: runs(500) })
})

test('Spike reset state: every S- and U-mode access is allowed', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 56n) - 16n }), fc.constantFrom(1, 2, 4, 8), fc.constantFrom('fetch' as const, 'load' as const, 'store' as const), fc.constantFrom('S' as const, 'U' as const),
    (pa, size, access, priv) => pmpAllows(resetPmp(), pa, size, access, priv)), { numRuns: runs(300) })
})

test.run()
