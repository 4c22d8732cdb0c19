// Xen squeezed's proportional policy and iteration rules (xapi-project/xen-api squeeze.ml),
// with values worked out by hand from its formulas.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { allocateMemoryInProportion, computeTargetAdjustments, hasHitTarget, maxmemFor, oneIteration, squeezePolicy, squeezerInit, updateStuckness } from '../../src/alloc/squeeze.ts'
import { domainMake } from '../../src/alloc/squeeze-scenarios.ts'

test('proportional policy: surplus 1000 over total range 2000 → γ = 0.5 for every domain', () => {
  const a = domainMake(0, true, 1000, 1500, 2000, 1500, 1500, 0)  // range 1000
  const b = domainMake(1, true, 2000, 2500, 3000, 2500, 2500, 0)  // range 1000
  assert.equal(allocateMemoryInProportion(1000, [a, b]).map(([, t]) => t), [1500, 2500])
})

test('γ is clamped to 1: surplus beyond the total range is left unallocated', () => {
  const a = domainMake(0, true, 1000, 1500, 2000, 1500, 1500, 0)
  assert.equal(allocateMemoryInProportion(5000, [a]).map(([, t]) => t), [2000])
})

test('shares truncate toward zero: γ = 1/3 of range 1000 gives 333', () => {
  const a = domainMake(0, true, 0, 0, 1000, 0, 0, 0)
  const b = domainMake(1, true, 0, 0, 2000, 0, 0, 0)
  // surplus 1000 over range 3000: 1000/3 = 333.33 → 333; 2000/3 = 666.67 → 666
  assert.equal(allocateMemoryInProportion(1000, [a, b]).map(([, t]) => t), [333, 666])
})

test('scenario c arithmetic: free 0 + freeable (500 + 500) − target 1500 → surplus 0, all at dynamic_min', () => {
  const a = domainMake(0, true, 1000, 1500, 2000, 1500, 1500, 0)
  const b = domainMake(1, true, 2000, 2500, 3000, 2500, 2500, 0)
  assert.equal(computeTargetAdjustments([], { domains: [a, b], freeMemKib: 0 }, 1500).map(([, t]) => t), [1000, 2000])
})

test('min_freeable keeps twice the inaccuracy in reserve unless the fistpoint disables it', () => {
  const a = domainMake(0, true, 1000, 1500, 2000, 1500, 1500, 4)
  // free 0 + (1500 − 1000 − 8) − 0 = 492 over range 1000 → target 1000 + 492 = 1492
  assert.equal(computeTargetAdjustments([], { domains: [a], freeMemKib: 0 }, 0).map(([, t]) => t), [1492])
  assert.equal(computeTargetAdjustments(['DisableInaccuracyCompensation'], { domains: [a], freeMemKib: 0 }, 0).map(([, t]) => t), [1500])
})

test('two phases: while one domain must free, the allocating domain\'s target is not issued', () => {
  // scenario e: domain 0 should go 7000 → 5500, domain 1 6000 → 6500 (free 0 + 2000 + 1000 − 1000 = 2000 surplus
  // over range 2000 + 6000: γ = 0.25 → 5000 + 500 and 5000 + 1500)
  const d0 = domainMake(0, true, 5000, 7000, 7000, 7000, 7000, 0)
  const d1 = domainMake(1, true, 5000, 6000, 11000, 6000, 6000, 0)
  const it = oneIteration([], (x) => x >= 1000, squeezerInit, { domains: [d0, d1], freeMemKib: 0 }, 1000, 0)
  assert.equal(it.result, { _tag: 'AdjustTargets', actions: [{ domid: 0, newTargetKib: 5500 }] })
  const one = oneIteration(['DisableTwoPhaseTargetSets'], (x) => x >= 1000, squeezerInit, { domains: [d0, d1], freeMemKib: 0 }, 1000, 0)
  assert.equal(one.result, { _tag: 'AdjustTargets', actions: [{ domid: 0, newTargetKib: 5500 }, { domid: 1, newTargetKib: 6500 }] })
})

test('stuck detection: a domain with work to do and no progress for more than 5 s is stuck', () => {
  const d = domainMake(0, true, 0, 100, 1000, 500, 1000, 0)
  const h = { domains: [d], freeMemKib: 0 }
  const s0 = updateStuckness(new Map(), h, 0)
  assert.is(updateStuckness(s0, h, 5).get(0)!.stuck, false)
  assert.is(updateStuckness(s0, h, 5.1).get(0)!.stuck, true)
})

test('a target within the inaccuracy counts as hit', () => {
  assert.ok(hasHitTarget(4, 1004, 1000))
  assert.not.ok(hasHitTarget(4, 1005, 1000))
})

test('CA-41832: an inactive domain\'s maxmem is min(target, actual) clipped to [dynamic_min, dynamic_max]', () => {
  const d = domainMake(3, true, 1000, 1500, 2000, 900, 1500, 0)
  assert.is(maxmemFor(d, [3], new Map()), 1000)
  assert.is(maxmemFor(d, [], new Map([[3, 1700]])), 1700)
  assert.is(maxmemFor(d, [], new Map()), 1500)
})

test('squeeze epochs: booted at dynamic_min, the domains are raised to equal ratios of their ranges', () => {
  const vms = [{ id: 'a', weight: 1, minKib: 1000, maxKib: 3000 }, { id: 'b', weight: 1, minKib: 2000, maxKib: 6000 }]
  const host = { epoch: 0, capacityKib: 6000, vms }
  const p = squeezePolicy({ targetFreeKib: 0, balloonKibPerEpoch: 100_000, inaccuracyKib: 0, epochSeconds: 30 })
  const obs = { demandKib: [0, 0], activeKib: [0, 0] }
  // surplus = 6000 − 3000 = 3000 over range 6000: γ = 0.5 → 2000 and 4000
  const s1 = p.step(p.init(host, 0), host, obs)
  assert.equal(s1.targets, [2000, 4000])
  assert.equal((2000 - 1000) / 2000, (4000 - 2000) / 4000)
})

test.run()
