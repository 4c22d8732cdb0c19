// Dynamic memory allocation for Xen VMs by an AR usage forecast and Ant Colony Optimization (the
// seed paper of this area): each epoch every VM's next usage is forecast with AR(p) (Yule–Walker
// over a sliding window), then ants search per-VM allocation levels that maximize utilization
// subject to the host capacity, penalizing allocations below the forecast demand.
import { Cursor, seeded, type Prng } from './prng.ts'
import { clamp, fillByWeight, type AllocEvent, type Policy } from './model.ts'
import { forecastNext } from './forecast.ts'

export type ArAcoParams = {
  /** AR order p. */
  readonly order: number
  /** Sliding window of observations the AR model is fitted on. */
  readonly window: number
  /** Candidate allocation levels, as multiples of the forecast. */
  readonly levels: readonly number[]
  /** Safety margin: the heuristic η prefers the level closest to (1 + margin) × forecast. */
  readonly margin: number
  readonly ants: number
  readonly iterations: number
  /** Pheromone weight α, heuristic weight β, evaporation ρ (the defaults 1, 2, 0.1). */
  readonly alpha: number
  readonly beta: number
  readonly rho: number
  /** Cost per unit of forecast demand left unallocated (relative to the utilization loss). */
  readonly underPenalty: number
  /** Cost per unit of capacity overcommitted by a candidate solution. */
  readonly overPenalty: number
}

export const arAcoDefaults: ArAcoParams = {
  order: 2, window: 16, levels: [0.8, 0.9, 1, 1.1, 1.2, 1.35, 1.5], margin: 0.1,
  ants: 8, iterations: 10, alpha: 1, beta: 2, rho: 0.1, underPenalty: 2, overPenalty: 10,
}

export type ArAcoState = {
  readonly prng: Prng
  /** Ring of the last `window` observed demands per VM: history[vm * window + slot]. */
  readonly history: Float64Array
  /** Slot the next observation goes into, and how many slots are filled. */
  readonly head: number
  readonly count: number
}

/**
 * The cost an ant's solution is judged by: lost utilization (1 − Σ min(a, f) / Σ a), plus
 * `underPenalty` × the fraction of forecast demand not covered, plus `overPenalty` × the
 * fraction of capacity overcommitted. Lower is better; always > 0.
 */
export const solutionCost = (
  alloc: ArrayLike<number>, forecast: ArrayLike<number>, capacityKib: number, params: ArAcoParams,
): number => {
  let used = 0
  let given = 0
  let under = 0
  let wanted = 0
  for (let i = 0; i < alloc.length; i++) {
    const u = Math.min(alloc[i]!, forecast[i]!)
    used += u
    given += alloc[i]!
    under += forecast[i]! - u
    wanted += forecast[i]!
  }
  const util = given === 0 ? 1 : used / given
  const over = Math.max(0, given - capacityKib) / capacityKib
  return 1e-9 + (1 - util) + params.underPenalty * (wanted === 0 ? 0 : under / wanted) + params.overPenalty * over
}

/**
 * Ant colony search over per-VM levels. Each ant picks, for every VM, level ℓ with probability
 * ∝ τ[vm][ℓ]^α · η[ℓ]^β; after each iteration τ ← (1 − ρ)·τ + Σ_ants 1/cost on the levels that
 * ant chose. Pheromone starts at 1 every epoch. Returns the best solution any ant found.
 */
export const antColony = (
  g: Cursor, candidates: readonly Float64Array[], forecast: Float64Array, capacityKib: number, params: ArAcoParams,
): Float64Array => {
  const n = candidates.length
  const L = params.levels.length
  const eta = params.levels.map((m) => Math.pow(1 / (0.05 + Math.abs(m - (1 + params.margin))), params.beta))
  const tau = new Float64Array(n * L).fill(1)
  const choice = new Int32Array(params.ants * n)
  const alloc = new Float64Array(n)
  let best = new Float64Array(n)
  let bestCost = Infinity
  const weights = new Float64Array(L)
  for (let it = 0; it < params.iterations; it++) {
    const costs = new Float64Array(params.ants)
    for (let a = 0; a < params.ants; a++) {
      for (let v = 0; v < n; v++) {
        let sum = 0
        for (let l = 0; l < L; l++) { weights[l] = Math.pow(tau[v * L + l]!, params.alpha) * eta[l]!; sum += weights[l]! }
        let u = g.unit() * sum
        let l = 0
        while (l < L - 1 && u >= weights[l]!) { u -= weights[l]!; l++ }
        choice[a * n + v] = l
        alloc[v] = candidates[v]![l]!
      }
      costs[a] = solutionCost(alloc, forecast, capacityKib, params)
      if (costs[a]! < bestCost) { bestCost = costs[a]!; best = alloc.slice() }
    }
    for (let i = 0; i < tau.length; i++) tau[i] = (1 - params.rho) * tau[i]!
    for (let a = 0; a < params.ants; a++) {
      for (let v = 0; v < n; v++) tau[v * L + choice[a * n + v]!]! += 1 / costs[a]!
    }
  }
  return best
}

/** The observations of one VM in chronological order. */
const series = (s: ArAcoState, vm: number, window: number): Float64Array => {
  const out = new Float64Array(s.count)
  const start = (s.head - s.count + window) % window
  for (let k = 0; k < s.count; k++) out[k] = s.history[vm * window + ((start + k) % window)]!
  return out
}

export const arAcoPolicy = (params: ArAcoParams = arAcoDefaults): Policy<ArAcoState> => ({
  name: 'ar-aco',
  init: (host, seed) => ({ prng: seeded(seed), history: new Float64Array(host.vms.length * params.window), head: 0, count: 0 }),
  step: (s0, host, obs) => {
    const n = host.vms.length
    const W = params.window
    // 1. record the observation (a copy of the ring: the old state stays valid)
    const history = s0.history.slice()
    for (let v = 0; v < n; v++) history[v * W + s0.head] = obs.demandKib[v]!
    const s1: ArAcoState = { prng: s0.prng, history, head: (s0.head + 1) % W, count: Math.min(W, s0.count + 1) }
    // 2. forecast each VM's next usage
    const forecast = new Float64Array(n)
    for (let v = 0; v < n; v++) forecast[v] = Math.max(0, forecastNext(series(s1, v, W), params.order))
    // 3. candidate levels, integer KiB within [min, max]
    const candidates = host.vms.map((vm, v) =>
      Float64Array.from(params.levels, (m) => clamp(Math.ceil(forecast[v]! * m), vm.minKib, vm.maxKib)))
    // 4. ant colony search, then repair: never hand out more than the capacity
    const g = new Cursor(s1.prng)
    const best = antColony(g, candidates, forecast, host.capacityKib, params)
    let total = 0
    for (let v = 0; v < n; v++) total += best[v]!
    const targets = total <= host.capacityKib
      ? Array.from(best)
      : fillByWeight(host.capacityKib, host.vms.map((vm) => vm.weight), host.vms.map((vm) => vm.minKib), best)
    const events: AllocEvent[] = []
    for (let v = 0; v < n; v++) if (targets[v]! < best[v]!) events.push({ _tag: 'Reclaim', vm: v, kib: best[v]! - targets[v]! })
    const s2: ArAcoState = { prng: g.close(), history: s1.history, head: s1.head, count: s1.count }
    return { state: s2, targets, events }
  },
})
