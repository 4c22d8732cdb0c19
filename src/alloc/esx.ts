// VMware ESX Server memory allocation (Waldspurger, "Memory Resource Management in VMware ESX
// Server", OSDI 2002): proportional shares with min/max reservations, the idle memory tax, and
// active memory estimated by statistical sampling (§5.2–§5.3).
import { Cursor, seeded, type Prng } from './prng.ts'
import { clamp, fillByWeight, type AllocEvent, type Policy } from './model.ts'

export type EsxParams = {
  /** Idle memory tax rate τ in [0, 1); ESX's default is 75 % (§5.2). */
  readonly tau: number
  /** Pages sampled per period to estimate the active fraction f (ESX default 100, §5.3). */
  readonly samplePages: number
  /** Gain of the fast-adapting moving average of f (our choice; the paper gives none). */
  readonly fastGain: number
  /** Gain of the slow moving average of f (our choice; the paper gives none). */
  readonly slowGain: number
  /** Shares S per unit of VM weight. */
  readonly sharesPerWeight: number
}

/** ESX defaults: τ = 0.75, 100 sampled pages per 30 s period (one period per epoch). */
export const esxDefaults: EsxParams = { tau: 0.75, samplePages: 100, fastGain: 0.5, slowGain: 0.1, sharesPerWeight: 1000 }

export type EsxState = {
  readonly prng: Prng
  /** Fast and slow moving averages of each VM's sampled active fraction. */
  readonly fast: Float64Array
  readonly slow: Float64Array
  /** KiB each VM held in the previous epoch (the pages the sampler draws from). */
  readonly alloc: readonly number[]
}

/**
 * Adjusted shares-per-page ratio ρ = S / (P · (f + k·(1 − f))), k = 1/(1 − τ) (§5.2): an idle
 * page costs k times an active one, so idle VMs have a lower ρ and lose memory first.
 * @example adjustedSharesPerPage(1000, 100, 1, 0.75) === 10
 */
export const adjustedSharesPerPage = (shares: number, pages: number, activeFraction: number, tau: number): number => {
  const k = 1 / (1 - tau)
  return shares / (pages * (activeFraction + k * (1 - activeFraction)))
}

/** A finite double x ≥ 0 as the exact rational m / 2^e (m, e integers): doubling is exact in binary floating point. */
const dyadic = (x: number): { readonly m: bigint; readonly e: bigint } => {
  let e = 0n
  while (!Number.isInteger(x)) { x *= 2; e++ }
  return { m: BigInt(x), e }
}

/**
 * ⌊a·b / c⌋ computed exactly on the rationals the three doubles denote (a, b ≥ 0, c > 0). In floating point
 * a·b / c is rounded before the floor, so 0.449 × 5000 becomes 2245 where the exact product is 2244.99…,
 * and the allocation would match no single level μ.
 */
const floorOfProductRatio = (a: number, b: number, c: number): number => {
  const x = dyadic(a), y = dyadic(b), z = dyadic(c)
  // (x.m / 2^x.e)·(y.m / 2^y.e) / (z.m / 2^z.e) = x.m·y.m·2^z.e / (z.m·2^(x.e + y.e))
  return Number((x.m * y.m << z.e) / (z.m << (x.e + y.e)))
}

/**
 * Reclaims from the VM with the lowest ρ until the VMs fit the capacity. Reclaiming pages raises
 * that VM's ρ, so repeated one-page reclamation converges to a common level ρ* shared by every
 * VM that lost memory (VMs at their min, or whose ρ was never the lowest, keep theirs). We
 * compute that limit directly: P(μ) = clamp(⌊μ·S/c⌋, min, desired) with c = f + k(1 − f), μ = 1/ρ*
 * the largest value with Σ P ≤ capacity (bisection; the sum is monotone in μ). The floors are exact
 * (floorOfProductRatio): a rounded μ·S/c can step a VM up at a level where the others do not.
 */
export const reclaimByShares = (
  capacityKib: number, shares: ArrayLike<number>, cost: ArrayLike<number>,
  minKib: ArrayLike<number>, desiredKib: ArrayLike<number>,
): number[] => {
  const n = shares.length
  let total = 0
  let floor = 0
  for (let i = 0; i < n; i++) { total += desiredKib[i]!; floor += minKib[i]! }
  if (total <= capacityKib) return Array.from(desiredKib)
  if (floor > capacityKib) return fillByWeight(capacityKib, shares, minKib, minKib)
  const at = (mu: number, out: number[] | null): number => {
    let s = 0
    for (let i = 0; i < n; i++) {
      const p = clamp(floorOfProductRatio(mu, shares[i]!, cost[i]!), minKib[i]!, desiredKib[i]!)
      if (out !== null) out[i] = p
      s += p
    }
    return s
  }
  let lo = 0
  let hi = 0
  for (let i = 0; i < n; i++) hi = Math.max(hi, ((desiredKib[i]! + 1) * cost[i]!) / shares[i]!)
  for (let it = 0; it < 64 && lo < hi; it++) {
    const mid = (lo + hi) / 2
    if (mid === lo || mid === hi) break
    if (at(mid, null) <= capacityKib) lo = mid
    else hi = mid
  }
  const out = new Array<number>(n)
  at(lo, out)
  return out
}

/**
 * One ESX period: sample each VM's active fraction, update the moving averages (f = max of the
 * two), give every VM what it touched (between min and max), and if that overcommits the host,
 * reclaim from the lowest adjusted shares-per-page ratio first.
 */
export const esxPolicy = (params: EsxParams = esxDefaults): Policy<EsxState> => ({
  name: 'esx',
  init: (host, seed) => ({
    prng: seeded(seed),
    // a new VM is presumed fully active until sampling says otherwise (no tax at boot)
    fast: new Float64Array(host.vms.length).fill(1),
    slow: new Float64Array(host.vms.length).fill(1),
    alloc: host.vms.map((v) => v.minKib),
  }),
  step: (s0, host, obs) => {
    const n = host.vms.length
    const k = 1 / (1 - params.tau)
    const g = new Cursor(s0.prng)
    const fast = new Float64Array(n)
    const slow = new Float64Array(n)
    const shares = new Float64Array(n)
    const cost = new Float64Array(n)
    const minKib = new Float64Array(n)
    const desired = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const vm = host.vms[i]!
      // Sampling (§5.3): n random pages of the VM's memory; a page is "touched" with the
      // probability that a page of its allocation is in the active set.
      const held = s0.alloc[i]!
      const pActive = held <= 0 ? 0 : Math.min(1, obs.activeKib[i]! / held)
      let hits = 0
      for (let j = 0; j < params.samplePages; j++) if (g.unit() < pActive) hits++
      const sample = params.samplePages === 0 ? pActive : hits / params.samplePages
      fast[i] = s0.fast[i]! + params.fastGain * (sample - s0.fast[i]!)
      slow[i] = s0.slow[i]! + params.slowGain * (sample - s0.slow[i]!)
      const f = Math.max(fast[i]!, slow[i]!)
      shares[i] = vm.weight * params.sharesPerWeight
      cost[i] = f + k * (1 - f)
      minKib[i] = vm.minKib
      desired[i] = clamp(Math.ceil(obs.demandKib[i]!), vm.minKib, vm.maxKib)
    }
    const alloc = reclaimByShares(host.capacityKib, shares, cost, minKib, desired)
    const events: AllocEvent[] = []
    for (let i = 0; i < n; i++) {
      if (alloc[i]! < desired[i]!) events.push({ _tag: 'Reclaim', vm: i, kib: desired[i]! - alloc[i]! })
    }
    return { state: { prng: g.close(), fast, slow, alloc }, targets: alloc, events }
  },
})
