// Laws every allocation policy obeys on arbitrary small workloads: capacity, limits,
// conservation and determinism.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { arbCase } from './arbitraries.ts'
import { policyNames, runPolicy, allocJson } from '../../src/alloc/report.ts'
import { allocHostDefaults } from '../../src/alloc/host.ts'
import { simulate } from '../../src/alloc/model.ts'
import { balloonPolicy, BALLOON_PAGE_KIB } from '../../src/alloc/balloon.ts'
import { arAcoDefaults } from '../../src/alloc/ar-aco.ts'

// a cheaper colony keeps the ar-aco runs fast; the laws do not depend on its size
const hostFor = (capacityKib: number) => ({ ...allocHostDefaults(capacityKib), arAco: { ...arAcoDefaults, ants: 3, iterations: 3 }, blocks: { blockKib: 512 } })

for (const name of policyNames) {
  test(`${name}: Σ allocations ≤ capacity at every epoch, and every allocation is a non-negative integer KiB`, () => {
    fc.assert(fc.property(arbCase, (c) => {
      const r = runPolicy(name, hostFor(c.capacityKib), c.workload, c.seed)
      return r.epochs.every((e) => e.alloc.reduce((s, a) => s + a, 0) <= c.capacityKib && e.alloc.every((a) => Number.isSafeInteger(a) && a >= 0))
    }), { numRuns: runs(name === 'ar-aco' ? 60 : 150) })
  })

  test(`${name}: the same seed gives byte-identical output`, () => {
    fc.assert(fc.property(arbCase, (c) => {
      const a = JSON.stringify(allocJson(c.workload, [runPolicy(name, hostFor(c.capacityKib), c.workload, c.seed)]))
      const b = JSON.stringify(allocJson(c.workload, [runPolicy(name, hostFor(c.capacityKib), c.workload, c.seed)]))
      return a === b
    }), { numRuns: runs(name === 'ar-aco' ? 30 : 60) })
  })
}

for (const name of ['static', 'esx', 'squeeze', 'ar-aco'] as const) {
  test(`${name}: min ≤ allocation ≤ max for every VM at every epoch`, () => {
    fc.assert(fc.property(arbCase, (c) => {
      const r = runPolicy(name, hostFor(c.capacityKib), c.workload, c.seed)
      return r.epochs.every((e) => e.alloc.every((a, i) => c.workload.vms[i]!.minKib <= a && a <= c.workload.vms[i]!.maxKib))
    }), { numRuns: runs(name === 'ar-aco' ? 60 : 150) })
  })
}

test('blocks: a VM holds at least its minimum (or nothing, if its minimum was denied) and at most its max', () => {
  fc.assert(fc.property(arbCase, (c) => {
    const r = runPolicy('blocks', hostFor(c.capacityKib), c.workload, c.seed)
    return r.epochs.every((e) => e.alloc.every((a, i) => (a === 0 || c.workload.vms[i]!.minKib <= a) && a <= c.workload.vms[i]!.maxKib))
  }), { numRuns: runs(150) })
})

test('balloon: memory is conserved per guest — held + balloon = configured size — and held never exceeds max', () => {
  fc.assert(fc.property(arbCase, (c) => {
    const r = simulate(balloonPolicy(), c.capacityKib, c.workload, c.seed)
    const s = r.final
    const last = r.epochs[r.epochs.length - 1]!
    return c.workload.vms.every((v, i) => {
      const balloon = s.actual[i]! * BALLOON_PAGE_KIB
      return last.alloc[i]! <= v.maxKib && (balloon > v.maxKib ? last.alloc[i] === 0 : last.alloc[i]! + balloon === v.maxKib)
    })
  }), { numRuns: runs(150) })
})

test('balloon: a guest never holds less than its minimum minus page rounding', () => {
  fc.assert(fc.property(arbCase, (c) => {
    const r = simulate(balloonPolicy(), c.capacityKib, c.workload, c.seed)
    return r.epochs.every((e) => e.alloc.every((a, i) => a >= c.workload.vms[i]!.minKib - (BALLOON_PAGE_KIB - 1)))
  }), { numRuns: runs(150) })
})

test('every policy: given + free = capacity with free ≥ 0, and the unmet + served demand is the whole demand', () => {
  fc.assert(fc.property(arbCase, (c) => {
    return policyNames.filter((p) => p !== 'ar-aco').every((p) => {
      const r = runPolicy(p, hostFor(c.capacityKib), c.workload, c.seed)
      let served = 0
      let unmet = 0
      let demand = 0
      for (const e of r.epochs) {
        const given = e.alloc.reduce((s, a) => s + a, 0)
        if (c.capacityKib - given < 0) return false
        e.alloc.forEach((a, i) => { served += Math.min(a, e.demand[i]!); unmet += Math.max(0, e.demand[i]! - a); demand += e.demand[i]! })
      }
      return served + unmet === demand
    })
  }), { numRuns: runs(80) })
})

test.run()
