// RAM windows (src/cpu/bus.ts): with several RAM regions (Spike's -m<base>:<size>,…) an access is RAM
// exactly when one region wholly contains it, whichever region the first window is.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { inRam, ramWindows } from '../../src/cpu/bus.ts'
import { type AccessSize } from '../../src/memory/memory.ts'

const PAGE = 0x1000n
/** Up to four disjoint page-aligned regions (some touching) within a 1 MiB space, in any order. */
const regions = fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 4 }).chain((slots) =>
  fc.tuple(...slots.map((s) => fc.integer({ min: 1, max: 4 }).map((pages) => ({ base: BigInt(s) * 4n * PAGE, size: BigInt(pages) * PAGE }))))
    .chain((rs) => fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length })))

test('inRam(ramWindows(regions)) ⇔ one region wholly contains [pa, pa + size)', () => {
  fc.assert(fc.property(regions, fc.bigInt({ min: 0n, max: 0x10_0000n }), fc.constantFrom<AccessSize>(1, 2, 4, 8), (rs, probe, size) => {
    const w = ramWindows(rs)
    const n = BigInt(size)
    // probe at random and at each region's edges
    const points = [probe, ...rs.flatMap((r) => [r.base - n, r.base - 1n, r.base, r.base + r.size - n, r.base + r.size - n + 1n, r.base + r.size])]
    for (const pa of points.filter((p) => p >= 0n)) {
      const expected = rs.some((r) => pa >= r.base && pa + n <= r.base + r.size)
      if (inRam(w, pa, size) !== expected) return false
    }
    return true
  }), { numRuns: runs(300) })
})

test.run()
