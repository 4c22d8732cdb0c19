// Laws of the individual mechanisms: the ESX tax, squeezed's proportional policy, Jain's index,
// FCFS ordering, integer water-filling and the PRNG cursor.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { adjustedSharesPerPage, esxPolicy, esxDefaults, reclaimByShares } from '../../src/alloc/esx.ts'
import { allocateMemoryInProportion } from '../../src/alloc/squeeze.ts'
import { domainMake } from '../../src/alloc/squeeze-scenarios.ts'
import { fillByWeight, jainIndex } from '../../src/alloc/model.ts'
import { runGpu, homeGpu } from '../../src/alloc/gpu.ts'
import { Cursor, nextU32, seeded } from '../../src/alloc/prng.ts'

test('esx: ρ never decreases as the active fraction f rises', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 100000 }), fc.integer({ min: 1, max: 1 << 20 }),
    fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }),
    (s, p, f1, f2, tau) => {
      const [lo, hi] = f1 <= f2 ? [f1, f2] : [f2, f1]
      return adjustedSharesPerPage(s, p, lo, tau) <= adjustedSharesPerPage(s, p, hi, tau)
    }), { numRuns: runs(500) })
})

test('esx: with τ = 0 allocation is pure proportional share — within 2 KiB of capacity·w/Σw, whatever is active', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1000 })), { minLength: 1, maxLength: 8 }),
    fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 1000 }),
    (vms, capacityKib, seed) => {
      const specs = vms.map(([w], i) => ({ id: `v${i}`, weight: w, minKib: 0, maxKib: 1_000_000 }))
      const host = { epoch: 1, capacityKib, vms: specs }
      const p = esxPolicy({ ...esxDefaults, tau: 0 })
      const s0 = p.init(host, seed)
      // everyone wants far more than the capacity; the active amounts differ arbitrarily
      const step = p.step(s0, host, { demandKib: specs.map(() => 1_000_000), activeKib: vms.map(([, a]) => a) })
      const W = specs.reduce((s, v) => s + v.weight, 0)
      return step.targets.every((a, i) => Math.abs(a - (capacityKib * specs[i]!.weight) / W) <= 2)
    }), { numRuns: runs(200) })
})

/** Reclaim inputs from generated VMs [weight, cost per page, min, desired above min] and spare capacity. */
const reclaimInput = (vms: readonly (readonly [number, number, number, number])[], extra: number) => {
  const min = vms.map(([, , m]) => m)
  return {
    shares: vms.map(([w]) => w * 1000),
    cost: vms.map(([, c]) => c),
    min,
    desired: vms.map(([, , m, d]) => m + d),
    capacityKib: min.reduce((a, b) => a + b, 0) + extra,
  }
}

test('esx: memory is reclaimed lowest-ρ first — no VM that could take one more KiB would then outrank a VM still above its min', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.double({ min: 1, max: 4, noNaN: true }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 2000 })), { minLength: 2, maxLength: 8 }),
    fc.integer({ min: 0, max: 6000 }),
    (vms, extra) => {
      const { shares, cost, min, desired, capacityKib } = reclaimInput(vms, extra)
      const p = reclaimByShares(capacityKib, shares, cost, min, desired)
      const rho = (i: number, pages: number): number => shares[i]! / (pages * cost[i]!)
      for (let i = 0; i < p.length; i++) {
        if (p[i]! <= min[i]!) continue
        for (let j = 0; j < p.length; j++) {
          if (j !== i && p[j]! < desired[j]! && rho(j, p[j]! + 1) > rho(i, p[i]!) * (1 + 1e-9)) return false
        }
      }
      return true
    }), { numRuns: runs(300) })
})

test('squeeze: every domain gets the same ratio (target − dyn_min)/(dyn_max − dyn_min) within rounding', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 10000 }), fc.integer({ min: 1, max: 10000 })), { minLength: 1, maxLength: 8 }),
    fc.integer({ min: 0, max: 100000 }),
    (ds, surplus) => {
      const domains = ds.map(([min, r], i) => domainMake(i, true, min, min, min + r, min, min + r, 0))
      const out = allocateMemoryInProportion(surplus, domains)
      const total = domains.reduce((s, d) => s + d.dynamicMaxKib - d.dynamicMinKib, 0)
      const gamma = Math.min(1, surplus / total)
      // every ratio is the common γ less the truncation of under one KiB: in (γ − 1/range, γ]
      return out.every(([d, t]) => {
        const range = d.dynamicMaxKib - d.dynamicMinKib
        const ratio = (t - d.dynamicMinKib) / range
        return ratio <= gamma + 1e-12 && ratio > gamma - 1 / range - 1e-12
      })
    }), { numRuns: runs(300) })
})

test("Jain's index lies in [1/n, 1] and is 1 for equal shares", () => {
  fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 }), (xs) => {
    const j = jainIndex(xs)
    return j >= 1 / xs.length - 1e-12 && j <= 1 + 1e-12
  }), { numRuns: runs(300) })
  fc.assert(fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 20 }), (x, n) =>
    Math.abs(jainIndex(new Array<number>(n).fill(x)) - 1) < 1e-12), { numRuns: runs(100) })
})

test('fcfs: a later task never starts before an earlier one on the same GPU', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ vm: fc.integer({ min: 0, max: 3 }), arrivalS: fc.integer({ min: 0, max: 50 }), memKib: fc.integer({ min: 1, max: 100 }), workS: fc.integer({ min: 1, max: 20 }) }), { minLength: 1, maxLength: 12 }),
    fc.integer({ min: 1, max: 2 }),
    (tasks, gpus) => {
      const vms = [0, 1, 2, 3].map((i) => ({ id: `v${i}`, weight: 1 }))
      const r = runGpu('fcfs', { gpuMemKib: new Array<number>(gpus).fill(100), pcieKibPerSec: 10 }, vms, tasks)
      const order = tasks.map((_, i) => i).sort((a, b) => tasks[a]!.arrivalS - tasks[b]!.arrivalS || a - b)
      for (let g = 0; g < gpus; g++) {
        const starts = order.filter((t) => homeGpu(tasks[t]!.vm, gpus) === g).map((t) => { const o = r.outcomes[t]!; return o._tag === 'Done' ? o.startS : Infinity })
        for (let k = 1; k < starts.length; k++) if (starts[k]! < starts[k - 1]!) return false
      }
      return true
    }), { numRuns: runs(300) })
})

test('gpu: memory utilization stays within [0, 1] under every policy', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ vm: fc.integer({ min: 0, max: 2 }), arrivalS: fc.integer({ min: 0, max: 50 }), memKib: fc.integer({ min: 1, max: 150 }), workS: fc.integer({ min: 1, max: 20 }) }), { minLength: 1, maxLength: 10 }),
    (tasks) => {
      const vms = [0, 1, 2].map((i) => ({ id: `v${i}`, weight: i + 1 }))
      return (['fcfs', 'static', 'share-swap', 'migrate'] as const).every((p) => {
        const m = runGpu(p, { gpuMemKib: [100, 120], pcieKibPerSec: 10 }, vms, tasks).metrics
        return m.memUtilization >= 0 && m.memUtilization <= 1 + 1e-12
      })
    }), { numRuns: runs(200) })
})

test('fillByWeight: integer, within [lo, hi], Σ = min(budget, Σ hi) when the floors fit', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 })), { minLength: 1, maxLength: 10 }),
    fc.integer({ min: 0, max: 6000 }),
    (vs, extra) => {
      const lo = vs.map(([, l]) => l)
      const hi = vs.map(([, l, s]) => l + s)
      const budget = lo.reduce((a, b) => a + b, 0) + extra
      const out = fillByWeight(budget, vs.map(([w]) => w), lo, hi)
      const sum = out.reduce((a, b) => a + b, 0)
      return out.every((x, i) => Number.isInteger(x) && lo[i]! <= x && x <= hi[i]!) && sum === Math.min(budget, hi.reduce((a, b) => a + b, 0))
    }), { numRuns: runs(300) })
})

test('prng: a cursor draws exactly the pure nextU32 chain from any seed', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 1, max: 50 }), (seed, k) => {
    let p = seeded(seed)
    const c = new Cursor(p)
    for (let i = 0; i < k; i++) {
      const [u, q] = nextU32(p)
      if (c.u32() !== u) return false
      p = q
    }
    const q = c.close()
    return q.s0 === p.s0 && q.s1 === p.s1 && q.s2 === p.s2 && q.s3 === p.s3
  }), { numRuns: runs(200) })
})


// The readable definition ESX states (§5.2): take one KiB at a time from the VM with the lowest
// ρ = S/(P·c) among those above their min (ties to the lower index) until the VMs fit.
const reclaimOneKibAtATime = (capacityKib: number, shares: readonly number[], cost: readonly number[], min: readonly number[], desired: readonly number[]): number[] => {
  const p = desired.slice()
  let total = p.reduce((a, b) => a + b, 0)
  while (total > capacityKib) {
    let victim = -1
    for (let i = 0; i < p.length; i++) {
      if (p[i]! <= min[i]!) continue
      if (victim < 0 || shares[i]! / (p[i]! * cost[i]!) < shares[victim]! / (p[victim]! * cost[victim]!)) victim = i
    }
    if (victim < 0) break
    p[victim] = p[victim]! - 1
    total--
  }
  return p
}

test('esx: the water-level reclamation equals reclaiming one KiB at a time from the lowest ρ, within 1 KiB per VM', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.double({ min: 1, max: 4, noNaN: true }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 200 })), { minLength: 1, maxLength: 6 }),
    fc.integer({ min: 0, max: 600 }),
    (vms, extra) => {
      const { shares, cost, min, desired, capacityKib } = reclaimInput(vms, extra)
      const fast = reclaimByShares(capacityKib, shares, cost, min, desired)
      const literal = reclaimOneKibAtATime(capacityKib, shares, cost, min, desired)
      return fast.every((a, i) => Math.abs(a - literal[i]!) <= 1)
    }), { numRuns: runs(300) })
})

test.run()
