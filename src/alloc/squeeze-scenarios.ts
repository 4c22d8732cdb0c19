// The simulation environment of squeezed's own test suite (xapi-project/xen-api,
// ocaml/squeezed/test/squeeze_test.ml), as a pure fold: simulated balloon drivers with the same
// behaviours (idealised, hidden lower/upper limits, stuck, intermittently stuck), the same clock
// (time = iteration / 10 s) and the same three phases (free, use 500 KiB, give back).
// Read at xen-api commit 9d3320db59ae9eff91b15276cff537ae4659d87e (squeeze_test.ml).
import { left, right, type Either } from '../bits/either.ts'
import { maxmemFor, oneIteration, squeezerInit, type Domain, type Fistpoint, type SqueezerState, type SqueezeHost } from './squeeze.ts'

/** How a simulated guest's balloon driver responds (squeeze_test.ml's vm classes). */
export type Driver =
  | { readonly kind: 'idealised'; readonly rate: number }
  /** Stops at a hidden lower limit (idealised_vm_with_limit). */
  | { readonly kind: 'withLimit'; readonly rate: number; readonly minimum: number }
  /** Fails to allocate above a hidden limit (idealised_vm_with_upper_limit). */
  | { readonly kind: 'withUpperLimit'; readonly rate: number; readonly limit: number }
  | { readonly kind: 'stuck' }
  /** Stuck for `interval` seconds every `interval` seconds (intermittently_stuck_vm). */
  | { readonly kind: 'intermittentlyStuck'; readonly rate: number; readonly interval: number }

export type SimVm = { readonly driver: Driver; readonly domain: Domain; readonly timeOfLastUpdate: number }

export type Scenario = {
  readonly name: string
  readonly description: string
  readonly shouldSucceed: boolean
  readonly domains: readonly { readonly driver: Driver; readonly domain: Domain }[]
  readonly hostFreeMemKib: number
  readonly requiredMemKib: number
  readonly fistpoints: readonly Fistpoint[]
}

export type ScenarioFailure = { readonly reason: string }
export type ScenarioOutcome = { readonly iterations: number; readonly freeMemKib: number; readonly domains: readonly Domain[] }

/** squeeze_test.ml `domain_make domid can_balloon dynamic_min target dynamic_max actual max inaccuracy`. */
export const domainMake = (
  domid: number, canBalloon: boolean, dynamicMinKib: number, targetKib: number, dynamicMaxKib: number,
  memoryActualKib: number, memoryMaxKib: number, inaccuracyKib: number,
): Domain => ({ domid, canBalloon, dynamicMinKib, targetKib, dynamicMaxKib, memoryActualKib, memoryMaxKib, inaccuracyKib })

/** The memory_actual change of a driver moving at `rate` KiB/s for `time` s, stopping within the inaccuracy. */
const idealDelta = (d: Domain, rate: number, time: number): number => {
  const maxChange = Math.trunc(time * rate)
  const vector = d.memoryActualKib > d.targetKib ? -1 : 1
  const distance = (d.targetKib - d.memoryActualKib) * vector
  const distance1 = Math.max(0, distance - d.inaccuracyKib)
  return Math.min(distance1, maxChange) * vector
}

const notStuck = (t: number, interval: number): boolean => Math.trunc(t / interval) % 2 === 0

const driverDelta = (vm: SimVm, timePassed: number): number => {
  const d = vm.domain
  switch (vm.driver.kind) {
    case 'idealised': return idealDelta(d, vm.driver.rate, timePassed)
    case 'withLimit': {
      const delta = idealDelta(d, vm.driver.rate, timePassed)
      const proposed = d.memoryActualKib + delta
      return proposed > d.memoryActualKib || proposed > vm.driver.minimum ? delta : vm.driver.minimum - d.memoryActualKib
    }
    case 'withUpperLimit': {
      const delta = idealDelta(d, vm.driver.rate, timePassed)
      return d.memoryActualKib + delta < vm.driver.limit ? delta : vm.driver.limit - d.memoryActualKib
    }
    case 'stuck': return 0
    case 'intermittentlyStuck': {
      const last = vm.timeOfLastUpdate
      const useful = notStuck(last, vm.driver.interval) && notStuck(last + timePassed, vm.driver.interval) ? timePassed : 0
      return idealDelta(d, vm.driver.rate, useful)
    }
  }
}

type World = { readonly vms: readonly SimVm[]; readonly freeMemKib: number; readonly i: number }

const host = (w: World): SqueezeHost => ({ domains: w.vms.map((v) => v.domain), freeMemKib: w.freeMemKib })

const withDomain = (w: World, domid: number, f: (d: Domain) => Either<string, Domain>): Either<string, World> => {
  const vms: SimVm[] = []
  for (const v of w.vms) {
    if (v.domain.domid !== domid) { vms.push(v); continue }
    const d = f(v.domain)
    if (d._tag === 'Left') return d
    vms.push({ driver: v.driver, domain: d.right, timeOfLastUpdate: v.timeOfLastUpdate })
  }
  return right({ vms, freeMemKib: w.freeMemKib, i: w.i })
}

const setTarget = (d: Domain, t: number): Either<string, Domain> =>
  t > d.memoryMaxKib ? left(`Target set above max_mem domid ${d.domid}; max_mem = ${d.memoryMaxKib}; target = ${t}`) : right({ ...d, targetKib: t })

const setMaxmem = (d: Domain, m: number): Either<string, Domain> =>
  d.targetKib > m ? left(`mem_max set below target domid ${d.domid}; max_mem = ${m}; target = ${d.targetKib}`) : right({ ...d, memoryMaxKib: m })

/** squeeze_test.ml `execute_action`: raise maxmem before the target, lower it after. */
const executeAction = (w: World, domid: number, t: number): Either<string, World> =>
  withDomain(w, domid, (d) => {
    if (t > d.memoryMaxKib) {
      const d1 = setMaxmem(d, t)
      return d1._tag === 'Left' ? d1 : setTarget(d1.right, t)
    }
    const d1 = setTarget(d, t)
    return d1._tag === 'Left' ? d1 : setMaxmem(d1.right, t)
  })

/** squeeze_test.ml `wait`: the clock advances 0.1 s and every driver moves, in list order. */
const wait = (w: World): Either<string, World> => {
  const i = w.i + 1
  const t = i / 10
  let free = w.freeMemKib
  const vms: SimVm[] = []
  for (const v of w.vms) {
    const delta = driverDelta(v, t - v.timeOfLastUpdate)
    if (delta > free) return left(`Attempted to allocate more than host_free_mem domid = ${v.domain.domid}; delta = ${delta}; free = ${free}`)
    free -= delta
    vms.push({ driver: v.driver, domain: { ...v.domain, memoryActualKib: v.domain.memoryActualKib + delta }, timeOfLastUpdate: t })
  }
  return right({ vms, freeMemKib: free, i })
}

const iterationLimit = 100_000

/** squeeze.ml `change_host_free_memory`, driven by the test's simulated io. */
const changeHostFreeMemory = (
  fistpoints: readonly Fistpoint[], w0: World, targetHostFreeMemKib: number, requiredMemKib: number,
  successCondition: (free: number) => boolean,
): Either<string, World> => {
  const h0 = host(w0)
  const allReached = h0.domains.filter((d) => d.canBalloon).every((d) => Math.abs(d.memoryActualKib - d.targetKib) <= d.inaccuracyKib)
  if (requiredMemKib !== targetHostFreeMemKib && requiredMemKib <= h0.freeMemKib && allReached) return right(w0)
  let w = w0
  let acc: SqueezerState = squeezerInit
  for (let guard = 0; guard < iterationLimit; guard++) {
    const now = w.i / 10
    const h = host(w)
    const it = oneIteration(fistpoints, successCondition, acc, h, requiredMemKib, now)
    acc = it.state
    const newTargets = new Map<number, number>(it.result._tag === 'AdjustTargets' ? it.result.actions.map((a) => [a.domid, a.newTargetKib]) : [])
    // setmaxmem for every domain in domid order (IntMap.iter); the test's setmaxmem sets both
    for (const d of [...h.domains].sort((a, b) => a.domid - b.domid)) {
      const r = executeAction(w, d.domid, maxmemFor(d, it.declaredInactive, newTargets))
      if (r._tag === 'Left') return r
      w = r.right
    }
    switch (it.result._tag) {
      case 'Success': return right(w)
      case 'Failed':
        return left(it.result.domids.length === 0 || (it.result.domids.length === 1 && it.result.domids[0] === 0)
          ? `Cannot_free_this_much_memory(${requiredMemKib}, ${h.freeMemKib})`
          : `Domains_refused_to_cooperate([${it.result.domids.join('; ')}])`)
      case 'AdjustTargets':
        for (const a of it.result.actions) {
          const r = executeAction(w, a.domid, a.newTargetKib)
          if (r._tag === 'Left') return r
          w = r.right
        }
        {
          const r = wait(w)
          if (r._tag === 'Left') return r
          w = r.right
        }
    }
  }
  return left('did not converge')
}

/** Each domain could set memory_actual to target + inaccuracy and `kib` would still be free. */
const verifyMemoryIsGuaranteedFree = (w: World, kib: number): Either<string, World> => {
  let total = 0
  for (const v of w.vms) total += v.domain.targetKib + v.domain.inaccuracyKib - v.domain.memoryActualKib
  return w.freeMemKib - total < kib
    ? left(`Memory not guaranteed free: free_mem = ${w.freeMemKib}; total guests could take = ${total}; required free = ${kib}`)
    : right(w)
}

/**
 * squeeze_test.ml `simulate`: phase 1 frees the scenario's required memory, phase 2 uses 500 KiB
 * of it, phase 3 gives the rest back to the guests (success once ≤ 32 KiB is left free).
 */
export const runScenario = (sc: Scenario): Either<ScenarioFailure, ScenarioOutcome> => {
  const w0: World = { vms: sc.domains.map((d) => ({ ...d, timeOfLastUpdate: 0 })), freeMemKib: sc.hostFreeMemKib, i: 0 }
  const fail = (reason: string): Either<ScenarioFailure, ScenarioOutcome> => left({ reason })
  const w1 = changeHostFreeMemory(sc.fistpoints, w0, sc.requiredMemKib, sc.requiredMemKib, (x) => x >= sc.requiredMemKib)
  if (w1._tag === 'Left') return fail(w1.left)
  const v1 = verifyMemoryIsGuaranteedFree(w1.right, sc.requiredMemKib)
  if (v1._tag === 'Left') return fail(v1.left)
  const w2: World = { vms: w1.right.vms, freeMemKib: w1.right.freeMemKib - 500, i: w1.right.i }
  const w3 = changeHostFreeMemory(sc.fistpoints, w2, sc.requiredMemKib, 0, (x) => x <= 32)
  if (w3._tag === 'Left') return fail(w3.left)
  const v3 = verifyMemoryIsGuaranteedFree(w3.right, 0)
  if (v3._tag === 'Left') return fail(v3.left)
  return right({ iterations: w3.right.i, freeMemKib: w3.right.freeMemKib, domains: w3.right.vms.map((v) => v.domain) })
}

const dm = domainMake
const scenarioA: Scenario = {
  name: 'a', description: "a small domain with a hidden limit and a large domain which exhibits 'sticky' behaviour", shouldSucceed: true,
  domains: [
    { driver: { kind: 'withLimit', rate: 100, minimum: 1250 }, domain: dm(0, true, 1000, 1500, 2000, 1500, 1500, 4) },
    { driver: { kind: 'intermittentlyStuck', rate: 500, interval: 0.25 }, domain: dm(1, true, 2500, 3500, 4500, 3500, 3500, 4) },
  ],
  hostFreeMemKib: 0, requiredMemKib: 1000, fistpoints: [],
}
const scenarioE: Scenario = {
  name: 'e', description: 'one domain needs to free but is stuck, other domain needs to allocate but can\'t because there is not enough free memory', shouldSucceed: true,
  domains: [
    { driver: { kind: 'stuck' }, domain: dm(0, true, 5000, 7000, 7000, 7000, 7000, 0) },
    { driver: { kind: 'idealised', rate: 100 }, domain: dm(1, true, 5000, 6000, 11000, 6000, 6000, 0) },
  ],
  hostFreeMemKib: 0, requiredMemKib: 1000, fistpoints: [],
}

/** The eight scenarios of squeeze_test.ml (`all_scenarios`), with its expected outcomes. */
export const squeezeTestScenarios: readonly Scenario[] = [
  scenarioA,
  {
    name: 'b', description: "two domains exhibiting 'sticky' behaviour with different periods: one > than the assumed stuck interval and the other <", shouldSucceed: true,
    domains: [
      { driver: { kind: 'intermittentlyStuck', rate: 100, interval: 3 }, domain: dm(1, true, 500, 3500, 4500, 3500, 3500, 4) },
      { driver: { kind: 'intermittentlyStuck', rate: 100, interval: 1.5 }, domain: dm(0, true, 500, 1500, 2500, 1500, 1500, 4) },
    ],
    hostFreeMemKib: 0, requiredMemKib: 1000, fistpoints: [],
  },
  {
    name: 'c', description: 'dynamic_mins are too high to allow enough memory to be freed', shouldSucceed: false,
    domains: [
      { driver: { kind: 'idealised', rate: 100 }, domain: dm(0, true, 1000, 1500, 2000, 1500, 1500, 0) },
      { driver: { kind: 'idealised', rate: 100 }, domain: dm(1, true, 2000, 2500, 3000, 2500, 2500, 0) },
    ],
    hostFreeMemKib: 0, requiredMemKib: 1500, fistpoints: [],
  },
  {
    name: 'd', description: 'looks ok but one VM is permanently stuck above its dynamic_min', shouldSucceed: false,
    domains: [
      { driver: { kind: 'idealised', rate: 100 }, domain: dm(0, true, 1000, 1500, 2000, 1500, 1500, 0) },
      { driver: { kind: 'withLimit', rate: 100, minimum: 2250 }, domain: dm(1, true, 2000, 2500, 3000, 2500, 2500, 0) },
    ],
    hostFreeMemKib: 0, requiredMemKib: 1000, fistpoints: [],
  },
  scenarioE,
  { ...scenarioE, name: 'f', shouldSucceed: false, fistpoints: ['DisableTwoPhaseTargetSets'] },
  { ...scenarioA, name: 'g', shouldSucceed: false, fistpoints: ['DisableInaccuracyCompensation'] },
  {
    name: 'h', description: 'a small domain with a hidden upper limit and a perfectly working domain', shouldSucceed: true,
    domains: [
      { driver: { kind: 'withUpperLimit', rate: 100, limit: 1500 }, domain: dm(0, true, 1000, 1500, 2000, 1500, 1500, 4) },
      { driver: { kind: 'idealised', rate: 100 }, domain: dm(1, true, 1000, 1500, 2000, 1500, 1500, 4) },
    ],
    hostFreeMemKib: 1000, requiredMemKib: 0, fistpoints: [],
  },
]
