// Xen squeezed's memory balancer (xapi-project/xen-api, ocaml/squeezed/lib/squeeze.ml): the
// proportional policy, the two-phase setting of balloon targets, stuck-domain detection and the
// maxmem rules, written as pure functions over the host snapshot. Names follow squeeze.ml
// (read at xen-api commit 033f5d01e730400ac56122fb6eb650b33dc278b7).
import { type AllocEvent, type Policy } from './model.ts'

/** Per-domain data (squeeze.ml `domain`). */
export type Domain = {
  readonly domid: number
  /** True if the domain has ballooning capability, i.e. is not paused. */
  readonly canBalloon: boolean
  readonly dynamicMinKib: number
  /** Current balloon target requested by the system. */
  readonly targetKib: number
  readonly dynamicMaxKib: number
  /** dom0's view of how much memory the guest is using. */
  readonly memoryActualKib: number
  /** Xen maxmem. */
  readonly memoryMaxKib: number
  /** How far memory_actual may be from the target and still count as a hit. */
  readonly inaccuracyKib: number
}

export type SqueezeHost = { readonly domains: readonly Domain[]; readonly freeMemKib: number }

export type Fistpoint = 'DisableTwoPhaseTargetSets' | 'DisableInaccuracyCompensation'

export type Action = { readonly domid: number; readonly newTargetKib: number }

export type IterationResult =
  | { readonly _tag: 'Success' }
  /** All domains are fully ballooned or stuck (the stuck, balloon-capable domids). */
  | { readonly _tag: 'Failed'; readonly domids: readonly number[] }
  | { readonly _tag: 'AdjustTargets'; readonly actions: readonly Action[] }

// 'Down' means the balloon goes down (memory_actual must rise), as in squeeze.ml.
type Direction = 'Up' | 'Down' | null

export const directionOfActual = (inaccuracyKib: number, actualKib: number, targetKib: number): Direction =>
  Math.abs(actualKib - targetKib) <= inaccuracyKib ? null : targetKib > actualKib ? 'Down' : 'Up'

/** The target may not be hit precisely: within the inaccuracy counts as a hit. */
export const hasHitTarget = (inaccuracyKib: number, actualKib: number, targetKib: number): boolean =>
  directionOfActual(inaccuracyKib, actualKib, targetKib) === null

// ---------------------------------------------------------------------------------------------
// Stuckness monitor (squeeze.ml `Stuckness_monitor`)

/** A driver asked to move that made no progress for this long is declared stuck. */
export const assumeBalloonDriverStuckAfter = 5 // seconds

type Progress = { readonly lastActualKib: number; readonly lastMakingProgressTime: number; readonly stuck: boolean }
export type Stuckness = ReadonlyMap<number, Progress>

/** Update per-domain progress from a host snapshot; dead domains are forgotten. */
export const updateStuckness = (x: Stuckness, host: SqueezeHost, now: number): Stuckness => {
  const next = new Map<number, Progress>()
  for (const d of host.domains) {
    const direction = directionOfActual(d.inaccuracyKib, d.memoryActualKib, d.targetKib)
    // new domains are considered to be making progress now and not stuck
    const st = x.get(d.domid) ?? { lastActualKib: d.memoryActualKib, lastMakingProgressTime: now, stuck: false }
    const deltaActual = d.memoryActualKib - st.lastActualKib
    const makingProgress = (deltaActual > 0 && direction === 'Down') || (deltaActual < 0 && direction === 'Up')
    let lastTime = st.lastMakingProgressTime
    let stuck = st.stuck
    if (makingProgress) { lastTime = now; stuck = false }
    if (direction !== null && now - lastTime > assumeBalloonDriverStuckAfter) stuck = true
    next.set(d.domid, { lastActualKib: d.memoryActualKib, lastMakingProgressTime: lastTime, stuck })
  }
  return next
}

const domidIsActive = (x: Stuckness, domid: number): boolean => {
  const st = x.get(domid)
  return st !== undefined && !st.stuck
}

// ---------------------------------------------------------------------------------------------
// The proportional policy (squeeze.ml `Proportional`)

/** The minimum amount we will free by setting target = dynamic_min. */
export const minFreeable = (fistpoints: readonly Fistpoint[], d: Domain): number =>
  fistpoints.includes('DisableInaccuracyCompensation')
    ? Math.max(0, d.memoryActualKib - d.dynamicMinKib)
    : Math.max(0, d.memoryActualKib - d.dynamicMinKib - 2 * d.inaccuracyKib)

/** The range over which the balloon target may vary. */
export const range = (d: Domain): number => Math.max(0, d.dynamicMaxKib - d.dynamicMinKib)

/**
 * Divide surplus memory (host free + what ballooning everyone to dynamic_min would free, less the
 * host's own target) so that (target − dynamic_min)/(dynamic_max − dynamic_min) = γ for every
 * domain, γ clamped to [0, 1] (NaN, from a zero total range, counts as 0). Each share truncates
 * toward zero like OCaml's Int64.of_float.
 */
export const allocateMemoryInProportion = (surplusKib: number, domains: readonly Domain[]): ReadonlyArray<readonly [Domain, number]> => {
  let totalRange = 0
  for (const d of domains) totalRange += range(d)
  const g = surplusKib / totalRange
  const gamma = g < 0 ? 0 : g > 1 ? 1 : Number.isNaN(g) ? 0 : g
  return domains.map((d) => [d, d.dynamicMinKib + Math.trunc(gamma * range(d))] as const)
}

export const computeTargetAdjustments = (
  fistpoints: readonly Fistpoint[], host: SqueezeHost, hostTargetKib: number,
): ReadonlyArray<readonly [Domain, number]> => {
  let maximumFree = host.freeMemKib
  for (const d of host.domains) maximumFree += minFreeable(fistpoints, d)
  return allocateMemoryInProportion(Math.max(0, maximumFree - hostTargetKib), host.domains)
}

// ---------------------------------------------------------------------------------------------
// One iteration of the squeezer (squeeze.ml `Squeezer.one_iteration`)

export type SqueezerState = { readonly stuckness: Stuckness; readonly nonActiveDomids: readonly number[] }
export const squeezerInit: SqueezerState = { stuckness: new Map(), nonActiveDomids: [] }

export type Iteration = {
  readonly state: SqueezerState
  readonly declaredActive: readonly number[]
  readonly declaredInactive: readonly number[]
  readonly result: IterationResult
}

/**
 * Given the host and the free memory wanted, return the balloon actions that help reach it.
 * 1. Domains that can balloon and are not stuck are active. 2. The proportional targets are
 * computed over the active domains. 3. Two phases (Xen heap workaround): while any target
 * frees memory, only freeing targets are issued; allocating ones wait until nothing is left to
 * free, so free memory never dips and low memory is not handed to guests. 4. Wait until every
 * active domain has hit its target and no target changes, then judge success.
 */
export const oneIteration = (
  fistpoints: readonly Fistpoint[], successCondition: (freeKib: number) => boolean,
  x: SqueezerState, host: SqueezeHost, hostTargetKib: number, now: number,
): Iteration => {
  // 1. which domains are still considered active
  const stuckness = updateStuckness(x.stuckness, host, now)
  const activeDomains = host.domains.filter((d) => d.canBalloon && domidIsActive(stuckness, d.domid))
  const activeIds = new Set(activeDomains.map((d) => d.domid))
  const nonActiveDomids = host.domains.filter((d) => !activeIds.has(d.domid)).map((d) => d.domid)
  const declaredInactive = nonActiveDomids.filter((d) => !x.nonActiveDomids.includes(d))
  const declaredActive = x.nonActiveDomids.filter((d) => !nonActiveDomids.includes(d))
  // 2. how we would adjust the targets
  const all = computeTargetAdjustments(fistpoints, { domains: activeDomains, freeMemKib: host.freeMemKib }, hostTargetKib)
  let maximumPossibleFree = host.freeMemKib
  for (const d of activeDomains) maximumPossibleFree += minFreeable(fistpoints, d)
  void maximumPossibleFree // squeeze.ml only logs it ("cannot free enough")
  // 3. two-phase target setting
  const isFreeing = ([d, t]: readonly [Domain, number]): boolean =>
    !hasHitTarget(d.inaccuracyKib, d.memoryActualKib, t) && t < d.memoryActualKib
  const freeing = all.filter(isFreeing)
  const allocating = all.filter((p) => !isFreeing(p))
  const targets = fistpoints.includes('DisableTwoPhaseTargetSets') ? all : freeing.length === 0 ? allocating : freeing
  // 4. have all the non-stuck domains reached their current targets?
  const allTargetsReached = activeDomains.every((d) => hasHitTarget(d.inaccuracyKib, d.memoryActualKib, d.targetKib))
  const success = successCondition(host.freeMemKib)
  const noTargetChanges = targets.every(([d, t]) => d.targetKib === t)
  // a domain that cannot balloon is never blamed for being stuck
  const byId = new Map(host.domains.map((d) => [d.domid, d]))
  const blamed = nonActiveDomids.filter((id) => byId.get(id)?.canBalloon === true)
  const result: IterationResult =
    !allTargetsReached || !noTargetChanges
      ? { _tag: 'AdjustTargets', actions: targets.map(([d, t]) => ({ domid: d.domid, newTargetKib: t })) }
      : success ? { _tag: 'Success' } : { _tag: 'Failed', domids: blamed }
  return { state: { stuckness, nonActiveDomids }, declaredActive, declaredInactive, result }
}

/**
 * The maxmem squeezed sets for each domain after an iteration (squeeze.ml
 * `change_host_free_memory`): a domain declared inactive is clipped to min(target, actual)
 * within [dynamic_min, dynamic_max] (CA-41832) — it may free memory while unwatched but never
 * allocate more; a domain with a new target gets it; others keep their target.
 */
export const maxmemFor = (d: Domain, declaredInactive: readonly number[], newTargets: ReadonlyMap<number, number>): number => {
  if (declaredInactive.includes(d.domid)) {
    const ideal = Math.min(d.targetKib, d.memoryActualKib)
    return Math.min(d.dynamicMaxKib, Math.max(d.dynamicMinKib, ideal))
  }
  return newTargets.get(d.domid) ?? d.targetKib
}

// ---------------------------------------------------------------------------------------------
// squeeze as an epoch policy for `memvirt alloc`

export type SqueezeParams = {
  /** Free memory the host keeps for itself (squeezed's target_host_free_mem_kib). */
  readonly targetFreeKib: number
  /** KiB a balloon driver moves per epoch (an idealised driver, as in squeeze_test.ml). */
  readonly balloonKibPerEpoch: number
  /** Balloon driver inaccuracy, KiB. */
  readonly inaccuracyKib: number
  /** Seconds per epoch (stuck detection runs on this clock). */
  readonly epochSeconds: number
}

export const squeezeDefaults: SqueezeParams = { targetFreeKib: 0, balloonKibPerEpoch: 4 * 1024 * 1024, inaccuracyKib: 0, epochSeconds: 30 }

export type SqueezeState = {
  readonly squeezer: SqueezerState
  readonly targetKib: readonly number[]
  readonly actualKib: readonly number[]
  readonly maxmemKib: readonly number[]
}

/**
 * One squeezer iteration per epoch, balancing (not freeing) memory: the success condition is
 * squeezed's `is_balanced`. Targets ignore demand — squeezed's policy is demand-blind; every
 * active domain gets the same fraction γ of its dynamic range. Every domain is booted at its
 * dynamic_min. Balloon drivers then move memory_actual towards the target by at most
 * `balloonKibPerEpoch`, and never allocate more than the host has free.
 */
export const squeezePolicy = (params: SqueezeParams = squeezeDefaults): Policy<SqueezeState> => ({
  name: 'squeeze',
  init: (host) => ({
    squeezer: squeezerInit,
    targetKib: host.vms.map((v) => v.minKib),
    actualKib: host.vms.map((v) => v.minKib),
    maxmemKib: host.vms.map((v) => v.minKib),
  }),
  step: (s0, host) => {
    const n = host.vms.length
    let used = 0
    for (let i = 0; i < n; i++) used += s0.actualKib[i]!
    const domains: Domain[] = host.vms.map((v, i) => ({
      domid: i, canBalloon: true, dynamicMinKib: v.minKib, targetKib: s0.targetKib[i]!, dynamicMaxKib: v.maxKib,
      memoryActualKib: s0.actualKib[i]!, memoryMaxKib: s0.maxmemKib[i]!, inaccuracyKib: params.inaccuracyKib,
    }))
    const snapshot: SqueezeHost = { domains, freeMemKib: host.capacityKib - used }
    const it = oneIteration([], (free) => free - params.targetFreeKib < 1, s0.squeezer, snapshot, params.targetFreeKib, host.epoch * params.epochSeconds)
    const events: AllocEvent[] = []
    for (const vm of it.declaredInactive) events.push({ _tag: 'DeclaredStuck', vm })
    for (const vm of it.declaredActive) events.push({ _tag: 'DeclaredActive', vm })
    const newTargets = new Map<number, number>(it.result._tag === 'AdjustTargets' ? it.result.actions.map((a) => [a.domid, a.newTargetKib]) : [])
    const maxmem = domains.map((d) => maxmemFor(d, it.declaredInactive, newTargets))
    const target = domains.map((d) => newTargets.get(d.domid) ?? d.targetKib)
    // the balloon drivers respond: frees first, so what they release can be allocated this epoch
    let free = snapshot.freeMemKib
    const actual = s0.actualKib.slice()
    for (let i = 0; i < n; i++) {
      const t = Math.min(target[i]!, maxmem[i]!)
      if (t < actual[i]!) { const d = Math.min(params.balloonKibPerEpoch, actual[i]! - t); actual[i] = actual[i]! - d; free += d }
    }
    for (let i = 0; i < n; i++) {
      const t = Math.min(target[i]!, maxmem[i]!)
      if (t > actual[i]!) {
        const want = Math.min(params.balloonKibPerEpoch, t - actual[i]!)
        const d = Math.max(0, Math.min(want, free))
        if (d < want) events.push({ _tag: 'Denied', vm: i, kib: want - d })
        actual[i] = actual[i]! + d
        free -= d
      }
    }
    return { state: { squeezer: it.state, targetKib: target, actualKib: actual, maxmemKib: maxmem }, targets: actual, events }
  },
})
