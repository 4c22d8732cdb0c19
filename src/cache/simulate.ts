// Running a trace through a policy. `pure` binds a policy to persistent storage (every state stays
// valid); `simulate` replays a whole trace on mutable storage inside one call, which is the fast
// path. properties/cache/simulate.prop.ts proves simulate ≡ folding the pure `access`.
import { left, right, type Either } from 'fp-ts/lib/Either.js'
import { POLICIES } from './policies/index.ts'
import type { Params, Policy, PolicyName } from './policy.ts'
import { dense, mutable, persistent } from './store.ts'

/** A trace in columns: object ids, and for each request the index of the next request for the same id. */
export type Trace = {
  readonly ids: ArrayLike<number>
  /** `next[i]` is the index of the next request for `ids[i]`, or Infinity; needed only by Belady. */
  readonly next?: ArrayLike<number>
  /** Set when the ids are already dense: every id lies in [0, universe). */
  readonly universe?: number
}

/** Miss counts of one run. */
export type Stats = { readonly requests: number; readonly misses: number }
const stats = (requests: number, misses: number): Stats => ({ requests, misses })

/** Checks a parameter set against the policy's known parameter names. */
export const checkParams = (name: PolicyName, params: Params): Either<string, Params> => {
  const known = Object.keys(POLICIES[name].defaults)
  const bad = Object.keys(params).find((k) => !known.includes(k))
  return bad === undefined
    ? right(params)
    : left(`policy ${name} has no parameter ${bad}${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}`)
}

/** The policy bound to persistent storage: `access` never mutates its input state. */
export const pure = (name: PolicyName, params: Params = {}): Policy<unknown> => POLICIES[name].make(persistent, params)

/**
 * The index of the next request for the same id, for every request (Infinity if none): what an
 * oracleGeneral trace stores, computed backwards for traces that lack it.
 */
export const nextAccesses = (ids: ArrayLike<number>): Float64Array => {
  const next = new Float64Array(ids.length)
  const seen = new Map<number, number>()
  for (let i = ids.length - 1; i >= 0; i--) {
    const id = ids[i] as number
    next[i] = seen.get(id) ?? Infinity
    seen.set(id, i)
  }
  return next
}

// One replay loop for both storages: count the misses of folding `access` over the trace.
const replay = (policy: Policy<unknown>, name: PolicyName, capacity: number, trace: Trace): Stats => {
  const next = name === 'belady' ? trace.next ?? nextAccesses(trace.ids) : undefined
  let s = policy.init(capacity)
  let misses = 0
  const n = trace.ids.length
  for (let i = 0; i < n; i++) {
    const a = policy.access(s, { id: trace.ids[i] as number, next: next === undefined ? Infinity : (next[i] as number) })
    s = a.state
    if (!a.hit) misses++
  }
  return stats(n, misses)
}

/**
 * Replays `trace` through `name` with `capacity` objects on mutable storage and counts misses.
 * Referentially transparent: all mutation is local to this call.
 */
export const simulate = (name: PolicyName, capacity: number, trace: Trace, params: Params = {}): Stats => {
  const t = trace.universe !== undefined ? trace : intern(trace)
  // LFU keeps one queue per count, so dense queues (each sized to the universe) would not pay.
  const def = POLICIES[name]
  const policy = name === 'lfu' ? def.make(mutable, params) : def.make(dense(t.universe as number), params)
  return replay(policy, name, capacity, t)
}

/**
 * The trace with its ids renumbered 0, 1, 2, … in order of first appearance (`universe` is how
 * many there are). Renumbering is a bijection, so every policy's hits and misses are unchanged.
 */
export const intern = (trace: Trace): Trace => {
  const seen = new Map<number, number>()
  const ids = new Int32Array(trace.ids.length)
  for (let i = 0; i < ids.length; i++) {
    const id = trace.ids[i] as number
    let d = seen.get(id)
    if (d === undefined) {
      d = seen.size
      seen.set(id, d)
    }
    ids[i] = d
  }
  return trace.next === undefined ? { ids, universe: seen.size } : { ids, next: trace.next, universe: seen.size }
}

/** The same count by folding the pure `access` (slower; the reference `simulate` is checked against). */
export const simulateByFold = (name: PolicyName, capacity: number, trace: Trace, params: Params = {}): Stats =>
  replay(pure(name, params), name, capacity, trace)
