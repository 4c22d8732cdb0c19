// Hand-worked epochs of the static, balloon, blocks and ar-aco policies, and the shared helpers.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fillByWeight, jainIndex, satisfaction, simulate, type HostState, type Workload } from '../../src/alloc/model.ts'
import { staticPolicy } from '../../src/alloc/static.ts'
import { balloonPolicy, BALLOON_PAGE_KIB } from '../../src/alloc/balloon.ts'
import { blockSatisfaction, blocksPolicy } from '../../src/alloc/blocks.ts'
import { solutionCost, arAcoDefaults } from '../../src/alloc/ar-aco.ts'

test("Jain's index: equal shares → 1; one of four gets all → 1/4; (1, 2) → 9/10", () => {
  assert.is(jainIndex([3, 3, 3]), 1)
  assert.is(jainIndex([1, 0, 0, 0]), 0.25)
  // (1 + 2)² / (2 · (1 + 4)) = 9/10
  assert.ok(Math.abs(jainIndex([1, 2]) - 0.9) < 1e-15)
})

test('fillByWeight: 100 KiB by weights 1:3 → 25 and 75; a VM capped at 10 passes its share on', () => {
  assert.equal(fillByWeight(100, [1, 3], [0, 0], [1000, 1000]), [25, 75])
  assert.equal(fillByWeight(100, [1, 1], [0, 0], [10, 1000]), [10, 90])
})

test('fillByWeight: floors first, leftover KiB to the largest remainders', () => {
  // 10 KiB by 1:1:1 → 3.33 each: floors 3,3,3 and the 1 left goes to VM 0 (equal remainders, lower index)
  assert.equal(fillByWeight(10, [1, 1, 1], [0, 0, 0], [100, 100, 100]), [4, 3, 3])
  assert.equal(fillByWeight(10, [1, 1], [6, 0], [100, 100]), [8, 2])
})

test('satisfaction: 0 below the minimum, alloc/demand above it, capped at 1', () => {
  assert.is(satisfaction(40, 100, 50), 0)
  assert.is(satisfaction(60, 100, 50), 0.6)
  assert.is(satisfaction(200, 100, 50), 1)
})

test('static: reservations are the maxima when they fit, and never change', () => {
  const vms = [{ id: 'a', weight: 1, minKib: 0, maxKib: 300 }, { id: 'b', weight: 1, minKib: 0, maxKib: 500 }]
  const w: Workload = { vms, epochs: 2, demandKib: Float64Array.of(100, 100, 400, 400), activeKib: Float64Array.of(100, 100, 400, 400) }
  const r = simulate(staticPolicy, 1000, w, 0)
  assert.equal(r.epochs.map((e) => e.alloc), [[300, 500], [300, 500]])
  // used: min(300,100)+min(500,100) + min(300,400)+min(500,400) = 200 + 700 = 900 of 1600 given
  assert.is(r.metrics.utilization, 900 / 1600)
  // unmet: 0 + (100 + 0) of 1000 demanded
  assert.is(r.metrics.unmetFraction, 100 / 1000)
})

test('balloon: num_pages is the balloon that leaves the target; the guest acknowledges at its rate', () => {
  const vms = [{ id: 'a', weight: 1, minKib: 0, maxKib: 4000 }]
  const host: HostState = { epoch: 1, capacityKib: 4000, vms }
  const p = balloonPolicy({ headroom: 0, ackPagesPerEpoch: 100 })
  const s0 = { numPages: [0], actual: [0] }
  // demand 2000 → target 2000 → num_pages = (4000 − 2000)/4 = 500; the guest inflates 100 pages
  const s1 = p.step(s0, host, { demandKib: [2000], activeKib: [2000] })
  assert.equal(s1.state, { numPages: [500], actual: [100] })
  assert.equal(s1.targets, [4000 - 100 * BALLOON_PAGE_KIB])
})

test('balloon: a deflate only hands back memory that inflates have freed', () => {
  // capacity 4000: A holds 4000 − 250·4 = 3000 KiB, B holds 4000 − 750·4 = 1000 KiB, nothing free
  const vms = [{ id: 'a', weight: 1, minKib: 0, maxKib: 4000 }, { id: 'b', weight: 1, minKib: 0, maxKib: 4000 }]
  const host: HostState = { epoch: 1, capacityKib: 4000, vms }
  const p = balloonPolicy({ headroom: 0, ackPagesPerEpoch: 100 })
  // A now wants 1000, B 3000: A inflates 100 pages (frees 400 KiB), so B may deflate only 100 pages
  const s1 = p.step({ numPages: [250, 750], actual: [250, 750] }, host, { demandKib: [1000, 3000], activeKib: [1000, 3000] })
  assert.equal(s1.state.actual, [350, 650])
  assert.equal(s1.targets, [2600, 1400])
})

test('blocks: minimums first, then whole preferences by weight per preferred block', () => {
  // block 100 KiB, capacity 600 KiB = 6 blocks. A: min 1, pref 4 blocks, weight 1 (1/4 per block);
  // B: min 1, pref 2, weight 1 (1/2 per block) → B is served first: B 2, A 1 + 3 = 4
  const vms = [{ id: 'a', weight: 1, minKib: 100, maxKib: 1000 }, { id: 'b', weight: 1, minKib: 100, maxKib: 1000 }]
  const host: HostState = { epoch: 1, capacityKib: 600, vms }
  const p = blocksPolicy({ blockKib: 100 })
  assert.equal(p.step(p.init(host, 0), host, { demandKib: [400, 200], activeKib: [0, 0] }).targets, [400, 200])
  // 5 blocks only: B 2, A 1 + 2 = 3
  const h5: HostState = { epoch: 1, capacityKib: 550, vms }
  assert.equal(p.step(p.init(h5, 0), h5, { demandKib: [400, 200], activeKib: [0, 0] }).targets, [300, 200])
})

test('block satisfaction: 3 of 4 preferred blocks → 0.75; below the minimum → 0', () => {
  assert.is(blockSatisfaction(3, 2, 4), 0.75)
  assert.is(blockSatisfaction(1, 2, 4), 0)
})

test('ar-aco cost: allocation (100, 50) for forecast (80, 80) on 1000 KiB', () => {
  // utilization (80 + 50)/150; under 30/160; no overcommit
  const c = solutionCost([100, 50], [80, 80], 1000, arAcoDefaults)
  assert.ok(Math.abs(c - (1e-9 + (1 - 130 / 150) + 2 * (30 / 160))) < 1e-12)
})

test.run()
