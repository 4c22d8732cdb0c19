// The allocation model shared by every policy: a workload (per-VM memory demand per epoch), the
// host, a policy as a pure per-epoch transition, and a simulation as a fold over epochs.
// Memory is integer KiB throughout; floating point appears only inside forecasts and scores.

/** One VM (or user) of a workload, with the limits every policy must respect. */
export type VmSpec = {
  readonly id: string
  /** Relative importance: ESX shares, squeeze/static/balloon weights, blocks user weight. */
  readonly weight: number
  /** Reservation floor (ESX min, squeezed dynamic-min, blocks minimum size), KiB. */
  readonly minKib: number
  /** Ceiling (ESX max, squeezed dynamic-max, the guest's configured memory), KiB. */
  readonly maxKib: number
}

/**
 * Demand per epoch per VM, flat and row-major: `demandKib[epoch * vms.length + vm]`.
 * `activeKib` is the part of the demand the guest touched recently (ESX's "active" pages); it
 * equals the demand when the workload does not say otherwise.
 */
export type Workload = {
  readonly vms: readonly VmSpec[]
  readonly epochs: number
  readonly demandKib: Float64Array
  readonly activeKib: Float64Array
}

/** What the host offers the policy in one epoch. */
export type HostState = {
  readonly epoch: number
  readonly capacityKib: number
  readonly vms: readonly VmSpec[]
}

/**
 * What the policy observed before deciding epoch t: the demand and active memory measured
 * during epoch t − 1 (policies are causal: they never see the demand they are sized for).
 * Before epoch 0 every VM is observed at its minimum reservation, with everything active.
 */
export type Observation = {
  readonly demandKib: ArrayLike<number>
  readonly activeKib: ArrayLike<number>
}

/** Something a policy did that a reader of the trace wants to see. */
export type AllocEvent =
  | { readonly _tag: 'Reclaim'; readonly vm: number; readonly kib: number }
  | { readonly _tag: 'BalloonRequest'; readonly vm: number; readonly numPages: number }
  | { readonly _tag: 'BalloonAck'; readonly vm: number; readonly actualPages: number }
  | { readonly _tag: 'DeclaredStuck'; readonly vm: number }
  | { readonly _tag: 'DeclaredActive'; readonly vm: number }
  | { readonly _tag: 'Denied'; readonly vm: number; readonly kib: number }

/** One epoch's transition result: the next state, what each VM holds this epoch, and events. */
export type Step<S> = {
  readonly state: S
  /** KiB each VM holds during this epoch (index-aligned with `HostState.vms`). */
  readonly targets: readonly number[]
  readonly events: readonly AllocEvent[]
}

/** An allocation policy: an initial state and a pure per-epoch transition. */
export type Policy<S> = {
  readonly name: string
  readonly init: (host: HostState, seed: number) => S
  readonly step: (state: S, host: HostState, obs: Observation) => Step<S>
}

// ---------------------------------------------------------------------------------------------
// integer water-filling (static, balloon and ar-aco repair use it)

/**
 * Shares `budgetKib` among VMs in proportion to `weight`, each between `lo[i]` and `hi[i]`
 * (integers), giving every VM its floor first. The result is integer, Σ ≤ budget, and equals
 * `hi` wherever the budget allows it. Rounding leftovers go one KiB at a time to the largest
 * fractional remainders, ties to the lower index. If the floors alone exceed the budget the
 * floors are granted in index order while they fit and later VMs get 0 (admission control).
 */
export const fillByWeight = (
  budgetKib: number, weight: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>,
): number[] => {
  const n = weight.length
  const out = new Array<number>(n).fill(0)
  let left = budgetKib
  for (let i = 0; i < n; i++) {
    const l = lo[i]!
    if (l <= left) { out[i] = l; left -= l }
  }
  let active: number[] = []
  for (let i = 0; i < n; i++) if (out[i]! < hi[i]! && (out[i]! > 0 || lo[i]! === 0)) active.push(i)
  while (left > 0 && active.length > 0) {
    let w = 0
    for (const i of active) w += weight[i]!
    if (w <= 0) break
    const saturated: number[] = []
    for (const i of active) if (out[i]! + (left * weight[i]!) / w >= hi[i]!) saturated.push(i)
    if (saturated.length > 0) {
      for (const i of saturated) { left -= hi[i]! - out[i]!; out[i] = hi[i]! }
      active = active.filter((i) => out[i]! < hi[i]!)
      continue
    }
    const frac: number[] = []
    let given = 0
    for (const i of active) {
      const exact = (left * weight[i]!) / w
      const g = Math.floor(exact)
      out[i] = out[i]! + g
      given += g
      frac.push(exact - g)
    }
    left -= given
    const order = active.map((i, k) => k).sort((a, b) => frac[b]! - frac[a]! || a - b)
    for (const k of order) {
      if (left <= 0) break
      const i = active[k]!
      if (out[i]! < hi[i]!) { out[i] = out[i]! + 1; left -= 1 }
    }
    break
  }
  return out
}

/** Clamps `x` to [lo, hi] (lo wins if they cross). */
export const clamp = (x: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, x))

// ---------------------------------------------------------------------------------------------
// metrics

/**
 * Jain's fairness index J = (Σx)² / (n·Σx²) (Jain, Chiu & Hawe 1984): 1 when all shares are
 * equal, 1/n when one party gets everything. By convention 1 for an empty or all-zero vector.
 */
export const jainIndex = (xs: ArrayLike<number>): number => {
  let s = 0
  let s2 = 0
  for (let i = 0; i < xs.length; i++) { s += xs[i]!; s2 += xs[i]! * xs[i]! }
  return s2 === 0 ? 1 : (s * s) / (xs.length * s2)
}

/**
 * Satisfaction of one VM in one epoch (the memory-blocks paper's user satisfaction, in KiB):
 * 0 below its minimum, else the fraction of its preferred size (its demand) that it holds,
 * capped at 1. A VM that wants nothing is fully satisfied.
 */
export const satisfaction = (allocKib: number, demandKib: number, minKib: number): number =>
  allocKib < minKib ? 0 : demandKib <= 0 ? 1 : Math.min(1, allocKib / demandKib)

/** The figures the comparison table prints for one policy run. */
export type Metrics = {
  /** Σ min(alloc, demand) / Σ alloc over all epochs and VMs: how much of what was given was used. */
  readonly utilization: number
  /** Σ min(alloc, demand) / (epochs · capacity): how much of the host did useful work. */
  readonly hostUtilization: number
  /** Σ max(0, demand − alloc) / Σ demand. */
  readonly unmetFraction: number
  /** Jain's index over each VM's served fraction Σ min(alloc, demand) / Σ demand. */
  readonly fairness: number
  /** Mean per-epoch, per-VM satisfaction (see `satisfaction`). */
  readonly satisfaction: number
  /** Mean KiB allocated per epoch. */
  readonly meanAllocKib: number
  /** Per VM: Σ min(alloc, demand) / Σ demand (what `fairness` is computed over). */
  readonly served: readonly number[]
  /** Per VM: mean KiB held per epoch. */
  readonly meanAllocByVm: readonly number[]
}

/** One epoch of a recorded run. */
export type EpochRecord = {
  readonly epoch: number
  readonly capacity: number
  readonly alloc: readonly number[]
  readonly demand: readonly number[]
}

export type RunResult<S> = {
  readonly policy: string
  readonly final: S
  readonly epochs: readonly EpochRecord[]
  readonly events: number
  readonly metrics: Metrics
}

/**
 * Runs a policy over a workload: a left fold of `policy.step` over the epochs, feeding each
 * epoch the previous epoch's measurements. `record` keeps every epoch's allocation (the JSON
 * output and the plot need it; the benchmark does not).
 */
export const simulate = <S>(
  policy: Policy<S>, capacityKib: number, workload: Workload, seed: number, record = true,
): RunResult<S> => {
  const { vms, epochs, demandKib, activeKib } = workload
  const n = vms.length
  const host = (epoch: number): HostState => ({ epoch, capacityKib, vms })
  const boot = vms.map((v) => v.minKib)
  let state = policy.init(host(0), seed)
  let obs: Observation = { demandKib: boot, activeKib: boot }
  const records: EpochRecord[] = []
  let events = 0
  let used = 0
  let given = 0
  let unmet = 0
  let demanded = 0
  let sat = 0
  const usedBy = new Float64Array(n)
  const allocBy = new Float64Array(n)
  const demandBy = new Float64Array(n)
  for (let e = 0; e < epochs; e++) {
    const step = policy.step(state, host(e), obs)
    state = step.state
    events += step.events.length
    const row = e * n
    for (let i = 0; i < n; i++) {
      const a = step.targets[i]!
      const d = demandKib[row + i]!
      const u = Math.min(a, d)
      used += u
      given += a
      unmet += d - u
      demanded += d
      usedBy[i] = usedBy[i]! + u
      allocBy[i] = allocBy[i]! + a
      demandBy[i] = demandBy[i]! + d
      sat += satisfaction(a, d, vms[i]!.minKib)
    }
    if (record) {
      records.push({ epoch: e, capacity: capacityKib, alloc: step.targets, demand: Array.from(demandKib.subarray(row, row + n)) })
    }
    obs = { demandKib: demandKib.subarray(row, row + n), activeKib: activeKib.subarray(row, row + n) }
  }
  const served = Array.from(usedBy, (u, i) => (demandBy[i]! === 0 ? 1 : u / demandBy[i]!))
  return {
    policy: policy.name,
    final: state,
    epochs: records,
    events,
    metrics: {
      utilization: given === 0 ? 0 : used / given,
      hostUtilization: epochs === 0 || capacityKib === 0 ? 0 : used / (epochs * capacityKib),
      unmetFraction: demanded === 0 ? 0 : unmet / demanded,
      fairness: jainIndex(served),
      satisfaction: epochs * n === 0 ? 1 : sat / (epochs * n),
      meanAllocKib: epochs === 0 ? 0 : given / epochs,
      served,
      meanAllocByVm: Array.from(allocBy, (a) => (epochs === 0 ? 0 : a / epochs)),
    },
  }
}
