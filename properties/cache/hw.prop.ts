// The hardware cache model agrees with the policy zoo where they describe the same thing.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { phys } from '../../src/bits/address.ts'
import { hwAccess, initHwCache, type Replacement } from '../../src/cache/hw.ts'
import { pure } from '../../src/cache/simulate.ts'

// A fully associative hardware cache (1 set, k ways) with LRU/FIFO replacement is the LRU/FIFO
// policy of capacity k over line numbers.
const agrees = (replacement: Replacement, policy: 'lru' | 'fifo') =>
  fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (ways, lines) => {
    let hw = initHwCache({ sets: 1, ways, lineBytes: 64, replacement, writeBack: true, writeAllocate: true, seed: 0 })
    const p = pure(policy)
    let s = p.init(ways)
    return lines.every((l) => {
      const a = hwAccess(hw, phys(BigInt(l * 64 + 8)), 'read')
      hw = a.state
      const b = p.access(s, { id: l, next: Infinity })
      s = b.state
      return a.hit === b.hit
    })
  })

test('1 set × k ways with LRU replacement ≡ the LRU policy of capacity k', () => {
  fc.assert(agrees('lru', 'lru'), { numRuns: runs(200) })
})

test('1 set × k ways with FIFO replacement ≡ the FIFO policy of capacity k', () => {
  fc.assert(agrees('fifo', 'fifo'), { numRuns: runs(200) })
})

test('tree-PLRU never evicts the most recently used way', () => {
  fc.assert(fc.property(fc.constantFrom(2, 4, 8), fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 2, maxLength: 200 }), (ways, lines) => {
    let hw = initHwCache({ sets: 1, ways, lineBytes: 64, replacement: 'plru', writeBack: true, writeAllocate: true, seed: 0 })
    return lines.every((l, i) => {
      hw = hwAccess(hw, phys(BigInt(l * 64)), 'read').state
      const prev = lines[i - 1]
      // the line touched just before this one is still there after this access
      return i === 0 || prev === undefined || hwAccess(hw, phys(BigInt(prev * 64)), 'read').hit
    })
  }), { numRuns: runs(200) })
})

test.run()
