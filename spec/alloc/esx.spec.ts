// ESX idle memory tax (Waldspurger, OSDI 2002, §5.2): the hand-worked two-VM example.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { adjustedSharesPerPage, esxDefaults, esxPolicy, reclaimByShares } from '../../src/alloc/esx.ts'
import { seeded } from '../../src/alloc/prng.ts'
import type { HostState } from '../../src/alloc/model.ts'

test('§5.2: S=1000, P=100, f=1, τ=0.75 → ρ = 1000/(100·1) = 10', () => {
  assert.is(adjustedSharesPerPage(1000, 100, 1, 0.75), 10)
})

test('§5.2: S=1000, P=100, f=0.2, τ=0.75 → k=4, ρ = 1000/(100·(0.2+4·0.8)) = 1000/340 ≈ 2.94', () => {
  assert.ok(Math.abs(adjustedSharesPerPage(1000, 100, 0.2, 0.75) - 1000 / 340) < 1e-12)
  assert.ok(Math.abs(adjustedSharesPerPage(1000, 100, 0.2, 0.75) - 2.94) < 0.01)
})

test('τ = 0: no tax, ρ = S/P whatever the active fraction', () => {
  assert.is(adjustedSharesPerPage(1000, 100, 0.2, 0), 10)
})

test('reclaiming 20 KiB from the two VMs takes it all from the idle one (lowest ρ)', () => {
  // c = f + k(1 − f): 1 for the active VM, 3.4 for the idle one; capacity 180 for 200 wanted.
  // Reclaiming from VM 2 raises its ρ to 1000/(80·3.4) ≈ 3.68, still below VM 1's 10.
  assert.equal(reclaimByShares(180, [1000, 1000], [1, 3.4], [0, 0], [100, 100]), [100, 80])
})

test('when both VMs pay the same cost the reclaimed memory is split by shares', () => {
  // equal ρ after reclaiming: 2000/P1 = 1000/P2 with P1 + P2 = 150 → P1 = 100, P2 = 50
  assert.equal(reclaimByShares(150, [2000, 1000], [1, 1], [0, 0], [100, 100]), [100, 50])
})

test('the water level is found with exact floors: weights 5:1:1:1:1 on 4037 KiB → [2244, 448, 448, 448, 448]', () => {
  // P_i(μ) = ⌊μ·S_i⌋ with S = 5000, 1000 ×4 (c = 1). Just below μ = 0.449: ⌊2244.99…⌋ + 4·⌊448.99…⌋ = 2244 + 1792 = 4036
  // ≤ 4037; at μ = 0.449 itself every VM steps up at once: 2245 + 4·449 = 4041 > 4037. So no level gives
  // [2245, 448, …] (sum 4037): that answer only appears when μ·S is rounded before the floor.
  assert.equal(reclaimByShares(4037, [5000, 1000, 1000, 1000, 1000], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [1e6, 1e6, 1e6, 1e6, 1e6]), [2244, 448, 448, 448, 448])
})

test('reclamation never goes below a VM\'s min reservation', () => {
  // the idle VM would drop to 80 but its min is 90, so the active VM gives up the other 10
  assert.equal(reclaimByShares(180, [1000, 1000], [1, 3.4], [0, 90], [100, 100]), [90, 90])
})

test('an ESX epoch: the fully active VM keeps 100 KiB and the 20 %-active VM gives up 20 KiB', () => {
  const vms = [
    { id: 'active', weight: 1, minKib: 0, maxKib: 100 },
    { id: 'idle', weight: 1, minKib: 0, maxKib: 100 },
  ]
  const host: HostState = { epoch: 1, capacityKib: 180, vms }
  const policy = esxPolicy(esxDefaults)
  // both VMs held 100 KiB; estimates already settled at f = 1 and f = 0.2
  const s0 = { prng: seeded(3), fast: Float64Array.of(1, 0.2), slow: Float64Array.of(1, 0.2), alloc: [100, 100] }
  const step = policy.step(s0, host, { demandKib: [100, 100], activeKib: [100, 20] })
  assert.equal(step.targets, [100, 80])
  assert.equal(step.events, [{ _tag: 'Reclaim', vm: 1, kib: 20 }])
  // the fully active VM's sample is exactly 1: every sampled page is active
  assert.is(step.state.fast[0], 1)
})

test('an ESX epoch that fits the host gives every VM what it touched, clamped to [min, max]', () => {
  const vms = [{ id: 'a', weight: 1, minKib: 50, maxKib: 100 }, { id: 'b', weight: 1, minKib: 0, maxKib: 60 }]
  const policy = esxPolicy()
  const step = policy.step(policy.init({ epoch: 0, capacityKib: 1000, vms }, 1), { epoch: 0, capacityKib: 1000, vms }, { demandKib: [10, 90], activeKib: [10, 90] })
  assert.equal(step.targets, [50, 60])
})

test('§5.3 sampling: an all-idle VM samples f = 0; from f = 1 the fast average drops to 0.5, the slow to 0.9, and f = max = 0.9', () => {
  const vms = [{ id: 'idle', weight: 1, minKib: 0, maxKib: 100 }]
  const host: HostState = { epoch: 1, capacityKib: 1000, vms }
  const s0 = { prng: seeded(9), fast: Float64Array.of(1), slow: Float64Array.of(1), alloc: [100] }
  const step = esxPolicy().step(s0, host, { demandKib: [100], activeKib: [0] })
  // every sampled page is idle, so the sample is exactly 0: fast = 1 + 0.5·(0 − 1), slow = 1 + 0.1·(0 − 1)
  assert.is(step.state.fast[0], 0.5)
  assert.ok(Math.abs(step.state.slow[0]! - 0.9) < 1e-15)
})

test.run()
