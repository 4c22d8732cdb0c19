// What a cache replacement policy is in this model: a pure state machine over requests, written
// once against a `Store` so the same text runs persistently (`access`) and in place (`simulate`).
// Semantics follow libCacheSim (github.com/1a1a11a/libCacheSim, commit aa0fc40) `cache_get_base`:
// on a hit update the policy's metadata; on a miss, if the object may be inserted, evict until it
// fits, then insert it, so the incoming object is never its own victim. Sizes are in objects.
import type { Store, Tab } from './store.ts'

/** One request: the object id and (for offline policies only) the index of its next request. */
export type Req = {
  readonly id: number
  /** Index in the trace of the next request for `id`, or `Infinity` if none (read only by Belady). */
  readonly next: number
  /**
   * The id as the trace spells it, when `id` is a renumbering of it (see `intern` in simulate.ts);
   * only W-TinyLFU's sketch reads it, because it hashes ids as libCacheSim does.
   */
  readonly origin?: number
  /**
   * The object's size in bytes when the cache is sized in bytes (`sizedPolicies`); absent = 1,
   * every object the same size, the cache sized in objects.
   */
  readonly size?: number
}
export const req = (id: number, next = Infinity): Req => ({ id, next })

/** The result of one access: the new state, whether it hit, and which objects left the cache. */
export type Access<S> = {
  readonly state: S
  readonly hit: boolean
  readonly evicted: readonly number[]
}
export const access = <S>(state: S, hit: boolean, evicted: readonly number[]): Access<S> => ({ state, hit, evicted })
/** The evicted list of an access that evicted nothing (shared: nothing is ever added to it). */
export const NONE: readonly number[] = Object.freeze([])

/** A policy bound to a storage. `S` is opaque to callers. */
export interface Policy<S> {
  readonly name: PolicyName
  /** The empty cache holding at most `capacity` objects. */
  init(capacity: number): S
  /**
   * One request; never mutates `s` when the store is persistent. `admit = false` is an admission
   * policy's veto: a miss then leaves the object out (libCacheSim `cache_can_insert_default`).
   */
  access(s: S, r: Req, admit?: boolean): Access<S>
  /** The objects a request would hit now (the cache's resident set). */
  resident(s: S): number[]
  /** Whether a request for `id` would hit now. */
  contains(s: S, id: number): boolean
}

/** The libCacheSim CLI names of the policies this model implements. */
export const POLICY_NAMES = ['lru', 'fifo', 'clock', 'lfu', 'arc', 'twoq', 's3fifo', 'sieve', 'lirs', 'wtinylfu', 'belady'] as const
export type PolicyName = (typeof POLICY_NAMES)[number]
export const isPolicyName = (s: string): s is PolicyName => (POLICY_NAMES as readonly string[]).includes(s)

/**
 * The policies that honour `Req.size` (capacity and occupancy in bytes, as libCacheSim without
 * `--ignore-obj-size`). The others count objects.
 */
export const SIZED_POLICIES: readonly PolicyName[] = ['lru', 'fifo', 'clock', 'sieve', 's3fifo', 'lfu', 'arc', 'twoq', 'belady']

// Byte accounting of the sized policies: a table holds the size of every resident object whose
// size is not 1, so a cache sized in objects pays almost nothing for it.
/** The size of resident object `id`. */
export const sizeOf = <T>(tab: Tab<T>, sizes: T, id: number): number => tab.get(sizes, id) ?? 1
/** Records the size of a newly inserted object. */
export const rememberSize = <T>(tab: Tab<T>, sizes: T, id: number, size: number): T => (size === 1 ? sizes : tab.set(sizes, id, size))
/** Forgets the size of an object that left. */
export const forgetSize = <T>(tab: Tab<T>, sizes: T, id: number): T => (tab.get(sizes, id) === undefined ? sizes : tab.del(sizes, id))

/** Named numeric parameters, libCacheSim's `-e key=value,...` (e.g. `fifo-size-ratio=0.1`). */
export type Params = Readonly<Record<string, number>>

/**
 * The values a parameter may take: from `min` to `max`, each end excluded when marked open, integers only
 * when `integer`. Outside it a policy is not the policy any more, or does not end (S3-FIFO with a small
 * FIFO larger than the cache evicts for ever), so the shell rejects such a value.
 */
export type ParamRange = {
  readonly min: number
  readonly max: number
  readonly minOpen?: boolean
  readonly maxOpen?: boolean
  readonly integer?: boolean
}

/** A range in words: `a number in (0, 1)`, `an integer from 1 to 31`, `a number ≥ 0`. */
export const describeRange = (r: ParamRange): string => {
  const kind = r.integer === true ? 'an integer' : 'a number'
  if (r.max === Infinity) return `${kind} ${r.minOpen === true ? '>' : '≥'} ${r.min}`
  if (r.integer === true && r.minOpen !== true && r.maxOpen !== true) return `${kind} from ${r.min} to ${r.max}`
  return `${kind} in ${r.minOpen === true ? '(' : '['}${r.min}, ${r.max}${r.maxOpen === true ? ')' : ']'}`
}

/** Whether `v` lies in the range. */
export const inRange = (r: ParamRange, v: number): boolean =>
  Number.isFinite(v) && (r.integer !== true || Number.isInteger(v)) &&
  (r.minOpen === true ? v > r.min : v >= r.min) && (r.maxOpen === true ? v < r.max : v <= r.max)

/** A policy definition: its parameters' defaults and a constructor over any store. */
export type PolicyDef = {
  readonly name: PolicyName
  /** libCacheSim's default parameters; any key not listed here is rejected. */
  readonly defaults: Params
  /** The range of each parameter in `defaults` (every value `make` terminates on and means something for). */
  readonly ranges?: Readonly<Record<string, ParamRange>>
  make<S, T, C, R>(store: Store<S, T, C, R>, params: Params): Policy<unknown>
}

/** The value of parameter `k`, falling back to the definition's default. */
export const param = (params: Params, defaults: Params, k: string): number => params[k] ?? defaults[k] ?? NaN
