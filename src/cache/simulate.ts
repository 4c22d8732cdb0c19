// Running a trace through policies. `pure` binds a policy to persistent storage (every state stays
// valid); `simulate`/`simulateSource` replay a whole trace on mutable storage inside one call,
// which is the fast path. properties/cache/policies.prop.ts proves it equal to folding the pure
// `access`.
import { left, right, isLeft, type Either } from '../bits/either.ts'
import { withAdmission, type AdmissionOptions } from './admission.ts'
import { POLICIES } from './policies/index.ts'
import { SIZED_POLICIES, type Params, type Policy, type PolicyName } from './policy.ts'
import { dense, persistent } from './store.ts'

/** A trace in columns: object ids, and for each request the index of the next request for the same id. */
export type Trace = {
  readonly ids: ArrayLike<number>
  /** `next[i]` is the index of the next request for `ids[i]`, or Infinity; needed only by Belady. */
  readonly next?: ArrayLike<number>
  /** Object sizes in bytes, for a cache sized in bytes (`SIZED_POLICIES`); absent = all 1. */
  readonly sizes?: ArrayLike<number>
  /** See `IdOrigin`. */
  readonly idOrigin?: IdOrigin
}

/**
 * What id W-TinyLFU's sketch hashes (no other policy looks at ids beyond equality). libCacheSim
 * reads txt and csv ids as strings by default (`obj-id-is-num=false`) and numbers them 1, 2, 3, …
 * in order of first appearance (GLib quarks); oracleGeneral ids are used as they are.
 */
export type IdOrigin = 'as-is' | 'first-appearance'

export type SimulateOptions = {
  readonly onProgress?: (requests: number) => void
  readonly ids?: IdOrigin
  /** Capacities in bytes and requests with their sizes (only `SIZED_POLICIES`). */
  readonly bytes?: boolean
}

/**
 * A push-based stream of requests: calls `sink(id, next, size)` once per request in order and
 * returns Left(message) at the first undecodable record. `next` is NaN when the source does not
 * know it; `size` (bytes) only from sources that carry sizes.
 */
export type Source = (sink: (id: number, next: number, size?: number) => void) => Either<string, void>

/** One simulated cache. */
export type Config = {
  readonly policy: PolicyName
  readonly capacity: number
  readonly params?: Params
  readonly admission?: AdmissionOptions
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
export const pure = (name: PolicyName, params: Params = {}, admission?: AdmissionOptions): Policy<unknown> => {
  const p = POLICIES[name].make(persistent, params)
  return admission === undefined ? p : withAdmission(persistent, p, admission)
}

/** The policy of one configuration bound to dense, in-place storage (the fast binding; local to one run). */
export const inPlace = (c: Config): Policy<unknown> => {
  const def = POLICIES[c.policy]
  const params = c.params ?? {}
  const st = dense()
  const p = def.make(st, params)
  return c.admission === undefined ? p : withAdmission(st, p, c.admission)
}

/**
 * The index of the next request for the same id, for every request (Infinity if none): what an
 * oracleGeneral trace stores, computed backwards for traces that lack it.
 */
export const nextAccesses = (ids: ArrayLike<number>): Float64Array => {
  const next = new Float64Array(ids.length)
  // over the dense renumbering, so any number of distinct ids fits (a JS Map stops at 2^24)
  const dense = intern(ids)
  let distinct = 0
  for (let i = 0; i < dense.length; i++) distinct = Math.max(distinct, (dense[i] as number) + 1)
  const seen = new Float64Array(distinct).fill(Infinity)
  for (let i = ids.length - 1; i >= 0; i--) {
    const d = dense[i] as number
    next[i] = seen[d] as number
    seen[d] = i
  }
  return next
}

/**
 * Something that replays chunks of renumbered requests through one cache configuration, in place:
 * the specification's policy (`inPlaceRunner`) or an engine kernel (src/cache/engine/).
 */
export interface Runner {
  /** Makes room for dense ids below `n` (called before `run` whenever new ids appeared). */
  reserve(n: number): void
  /**
   * Replays requests 0 … n − 1 of a chunk in order and returns how many missed. `ids` are dense;
   * `next` the index of each request's next request (Infinity if none; only Belady reads it);
   * `origin` the id W-TinyLFU's sketch hashes (see `IdOrigin`); `size` each request's size in bytes
   * (1 unless the cache is sized in bytes).
   */
  run(ids: Int32Array, next: Float64Array, origin: Float64Array, size: Float64Array, n: number): number
}

/** The specification's policy of one configuration on in-place storage, as a runner. */
export const inPlaceRunner = (c: Config): Runner => {
  const policy = inPlace(c)
  let s = policy.init(c.capacity)
  return {
    reserve: () => {},
    run: (ids, next, origin, size, n) => {
      let misses = 0
      for (let j = 0; j < n; j++) {
        const a = policy.access(s, { id: ids[j] as number, next: next[j] as number, origin: origin[j] as number, size: size[j] as number })
        s = a.state
        if (!a.hit) misses++
      }
      return misses
    },
  }
}

/**
 * Replays one stream through every configuration at once, in one pass (memory grows with the
 * number of distinct ids, not with the trace length), each configuration on the runner `runnerOf`
 * gives it. Ids are renumbered 0, 1, 2, … in order of first appearance; a bijection, so no hit or
 * miss changes. Belady needs `next` from the source.
 */
export const replaySource = (
  configs: readonly Config[],
  runnerOf: (c: Config, bytes: boolean) => Runner,
  source: Source,
  options: SimulateOptions = {},
): Either<string, Stats[]> => {
  const { onProgress } = options
  const quark = options.ids === 'first-appearance'
  const bytes = options.bytes === true
  const unsized = configs.find((c) => !SIZED_POLICIES.includes(c.policy))
  if (bytes && unsized !== undefined) {
    return left(`${unsized.policy} counts objects; sizes in bytes work with ${SIZED_POLICIES.join(', ')}`)
  }
  const runners = configs.map((c) => runnerOf(c, bytes))
  const misses = new Float64Array(configs.length)
  const { dense: denseOf, size: distinct } = interner()
  // Requests are buffered in chunks, renumbered, then replayed through each configuration in a
  // tight loop (much faster than visiting every configuration per request).
  const CHUNK = 1 << 16
  const ids = new Float64Array(CHUNK)
  const nexts = new Float64Array(CHUNK)
  const sizes = new Float64Array(CHUNK).fill(1)
  const dense = new Int32Array(CHUNK)
  const origin = new Float64Array(CHUNK)
  let fill = 0
  let n = 0
  let missingNext = false
  const replayChunk = (): void => {
    for (let j = 0; j < fill; j++) {
      const d = denseOf(ids[j] as number)
      dense[j] = d
      origin[j] = quark ? d + 1 : (ids[j] as number)
    }
    const universe = distinct()
    for (let i = 0; i < runners.length; i++) {
      const r = runners[i] as Runner
      r.reserve(universe)
      misses[i] = (misses[i] as number) + r.run(dense, nexts, origin, sizes, fill)
    }
    n += fill
    fill = 0
    onProgress?.(n)
  }
  const r = source((id, next, size) => {
    if (bytes) sizes[fill] = size ?? 1
    ids[fill] = id
    if (next !== next) missingNext = true
    nexts[fill] = next !== next ? Infinity : next
    if (++fill === CHUNK) replayChunk()
  })
  if (isLeft(r)) return r
  replayChunk()
  if (missingNext && configs.some((c) => c.policy === 'belady')) {
    return left('belady needs the next-access index of every request (oracleGeneral traces carry it)')
  }
  return right(configs.map((_, i) => stats(n, misses[i] as number)))
}

/** `replaySource` with the specification's policies on in-place storage. */
export const simulateSource = (configs: readonly Config[], source: Source, options: SimulateOptions = {}): Either<string, Stats[]> =>
  replaySource(configs, inPlaceRunner, source, options)

/** A columnar trace as a source (with `next` when the trace has it). */
export const sourceOf = (trace: Trace): Source => (sink) => {
  const { next, sizes } = trace
  for (let i = 0; i < trace.ids.length; i++) {
    sink(trace.ids[i] as number, next === undefined ? NaN : (next[i] as number), sizes === undefined ? 1 : (sizes[i]))
  }
  return right(undefined)
}

/**
 * Replays `trace` through one policy with `capacity` objects on mutable storage and counts misses.
 * Referentially transparent: all mutation is local to this call. Belady's next-access indices are
 * computed from the trace when it does not carry them.
 */
export const simulate = (name: PolicyName, capacity: number, trace: Trace, params: Params = {}, admission?: AdmissionOptions): Stats => {
  const cfg: Config = admission === undefined ? { policy: name, capacity, params } : { policy: name, capacity, params, admission }
  const policy = inPlace(cfg)
  const ids = intern(trace.ids)
  const next = name === 'belady' ? trace.next ?? nextAccesses(trace.ids) : undefined
  let s = policy.init(capacity)
  let misses = 0
  for (let i = 0; i < ids.length; i++) {
    const origin = trace.idOrigin === 'first-appearance' ? (ids[i] as number) + 1 : (trace.ids[i] as number)
    const size = trace.sizes === undefined ? 1 : (trace.sizes[i] as number)
    const a = policy.access(s, { id: ids[i] as number, next: next === undefined ? Infinity : (next[i] as number), origin, size })
    s = a.state
    if (!a.hit) misses++
  }
  return stats(ids.length, misses)
}

/**
 * A renumbering of ids 0, 1, 2, … in order of first appearance: an open-addressing hash table in
 * typed arrays (several times faster than a `Map` with number keys), local to one simulation.
 * Returns the function id → dense number and the count so far.
 */
export const interner = (): { readonly dense: (id: number) => number; readonly size: () => number } => {
  let mask = (1 << 16) - 1
  let keys = new Float64Array(mask + 1)
  let vals = new Int32Array(mask + 1).fill(-1)
  let count = 0
  const slot = (id: number): number => {
    // mix the two 32-bit halves of the (safe-integer) id
    let h = Math.imul((id >>> 0) ^ Math.imul(Math.floor(id / 4294967296) | 0, 0x9e3779b1), 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    return (h ^ (h >>> 16)) & mask
  }
  const grow = (): void => {
    const oldKeys = keys
    const oldVals = vals
    mask = mask * 2 + 1
    keys = new Float64Array(mask + 1)
    vals = new Int32Array(mask + 1).fill(-1)
    for (let i = 0; i < oldVals.length; i++) {
      const v = oldVals[i] as number
      if (v === -1) continue
      const k = oldKeys[i] as number
      let h = slot(k)
      while ((vals[h] as number) !== -1) h = (h + 1) & mask
      keys[h] = k
      vals[h] = v
    }
  }
  const dense = (id: number): number => {
    let h = slot(id)
    for (;;) {
      const v = vals[h] as number
      if (v === -1) break
      if (keys[h] === id) return v
      h = (h + 1) & mask
    }
    keys[h] = id
    vals[h] = count
    if (++count * 2 > mask) grow()
    return count - 1
  }
  return { dense, size: () => count }
}

/** The ids renumbered 0, 1, 2, … in order of first appearance (a bijection: no hit or miss changes). */
export const intern = (ids: ArrayLike<number>): Int32Array => {
  const { dense } = interner()
  const out = new Int32Array(ids.length)
  for (let i = 0; i < ids.length; i++) out[i] = dense(ids[i] as number)
  return out
}

/** The same count by folding the pure `access` (slower; `simulate` is checked against it). */
export const simulateByFold = (name: PolicyName, capacity: number, trace: Trace, params: Params = {}, admission?: AdmissionOptions): Stats => {
  const policy = pure(name, params, admission)
  const next = name === 'belady' ? trace.next ?? nextAccesses(trace.ids) : undefined
  const firstSeen = trace.idOrigin === 'first-appearance' ? intern(trace.ids) : undefined
  let s = policy.init(capacity)
  let misses = 0
  for (let i = 0; i < trace.ids.length; i++) {
    const id = trace.ids[i] as number
    const origin = firstSeen === undefined ? id : (firstSeen[i] as number) + 1
    const size = trace.sizes === undefined ? 1 : (trace.sizes[i] as number)
    const a = policy.access(s, { id, next: next === undefined ? Infinity : (next[i] as number), origin, size })
    s = a.state
    if (!a.hit) misses++
  }
  return stats(trace.ids.length, misses)
}
