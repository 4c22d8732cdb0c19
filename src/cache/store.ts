// The storages every policy is written against: a `Seq` (libCacheSim's intrusive queue: insert at
// the head, evict at the tail, `towardHead` is its `queue.prev`), a `Tab` (key → small int) and a
// counter bank. Each has a persistent implementation (old states stay valid; used by the pure
// `access`) and a dense in-place one over renumbered ids (used only inside one `simulate` call).
// A policy is one generic function over a `Store`, so both paths run the same policy text;
// properties/cache/policies.prop.ts checks that they agree.
import * as M from './pmap.ts'

/** An ordered set of keys, newest at the head. */
export interface Seq<S> {
  empty(): S
  size(s: S): number
  has(s: S, k: number): boolean
  /** Inserts `k` (absent) at the head. */
  pushHead(s: S, k: number): S
  /** Removes `k` (present). */
  remove(s: S, k: number): S
  /** The oldest key. */
  tail(s: S): number | undefined
  /** The newest key. */
  head(s: S): number | undefined
  /** The key one step from `k` toward the head (libCacheSim's `queue.prev`), if any. */
  towardHead(s: S, k: number): number | undefined
  /** Keys from head to tail (for inspection and tests). */
  toArray(s: S): number[]
}

/** A table from keys to small integers (counters, flags, positions). */
export interface Tab<T> {
  empty(): T
  size(t: T): number
  get(t: T, k: number): number | undefined
  set(t: T, k: number, v: number): T
  del(t: T, k: number): T
}

/** A bank of n unsigned counters, all 0 at first (W-TinyLFU's counting Bloom filter). */
export interface Counters<C> {
  empty(n: number): C
  get(c: C, i: number): number
  /** Adds 1 to counter i. */
  inc(c: C, i: number): C
  /** Halves every counter (rounding down). */
  halve(c: C): C
}

/** A map from distinct numeric priorities to keys that yields its largest priority (Belady). */
export interface Ranking<R> {
  empty(): R
  set(r: R, priority: number, key: number): R
  remove(r: R, priority: number): R
  max(r: R): { readonly k: number; readonly v: number } | undefined
}

export interface Store<S, T, C = unknown, R = unknown> {
  readonly seq: Seq<S>
  readonly tab: Tab<T>
  readonly counters: Counters<C>
  readonly ranking: Ranking<R>
  /**
   * A family of queues for a policy that keeps every key in at most one of them (LFU's
   * one-queue-per-count): the dense store shares their link arrays, so a new queue costs O(1).
   * Each call gives a fresh family; queues of different families must not be mixed.
   */
  disjoint(): Seq<unknown>
}

// ---------------------------------------------------------------- persistent

/** A persistent queue: insertion stamps order the keys. */
export type PSeq = {
  readonly byStamp: M.PMap<number>
  readonly byKey: M.PMap<number>
  readonly stamp: number
}
const pseq = (byStamp: M.PMap<number>, byKey: M.PMap<number>, stamp: number): PSeq => ({ byStamp, byKey, stamp })
const PSEQ_EMPTY: PSeq = pseq(undefined, undefined, 0)

const persistentSeq: Seq<PSeq> = {
  empty: () => PSEQ_EMPTY,
  size: (s) => M.size(s.byKey),
  has: (s, k) => M.has(s.byKey, k),
  pushHead: (s, k) => pseq(M.set(s.byStamp, s.stamp, k), M.set(s.byKey, k, s.stamp), s.stamp + 1),
  remove: (s, k) => {
    const st = M.get(s.byKey, k)
    return st === undefined ? s : pseq(M.remove(s.byStamp, st), M.remove(s.byKey, k), s.stamp)
  },
  tail: (s) => M.min(s.byStamp)?.v,
  head: (s) => M.max(s.byStamp)?.v,
  towardHead: (s, k) => {
    const st = M.get(s.byKey, k)
    return st === undefined ? undefined : M.successor(s.byStamp, st)?.v
  },
  toArray: (s) => M.entries(s.byStamp).map(([, k]) => k).reverse(),
}

const persistentTab: Tab<M.PMap<number>> = {
  empty: () => undefined,
  size: (t) => M.size(t),
  get: (t, k) => M.get(t, k),
  set: (t, k, v) => M.set(t, k, v),
  del: (t, k) => M.remove(t, k),
}

type PCounters = { readonly n: number; readonly m: M.PMap<number> }
const persistentCounters: Counters<PCounters> = {
  empty: (n) => ({ n, m: undefined }),
  get: (c, i) => M.get(c.m, i) ?? 0,
  inc: (c, i) => ({ n: c.n, m: M.set(c.m, i, (M.get(c.m, i) ?? 0) + 1) }),
  halve: (c) => ({ n: c.n, m: M.entries(c.m).reduce<M.PMap<number>>((m, [i, v]) => (v >>> 1 === 0 ? m : M.set(m, i, v >>> 1)), undefined) }),
}

/** Persistent storage: every update returns a new value, the old one stays valid. */
const persistentRanking: Ranking<M.PMap<number>> = {
  empty: () => undefined,
  set: (r, p, k) => M.set(r, p, k),
  remove: (r, p) => M.remove(r, p),
  max: (r) => M.max(r),
}

export const persistent: Store<PSeq, M.PMap<number>, PCounters, M.PMap<number>> = {
  seq: persistentSeq, tab: persistentTab, counters: persistentCounters, ranking: persistentRanking,
  disjoint: () => persistentSeq,
}

// ---------------------------------------------------------------- in place (inside simulate only)

// Counters in place: a Uint32Array, as libCacheSim's `unsigned int *bf`.
const inPlaceCounters: Counters<Uint32Array> = {
  empty: (n) => new Uint32Array(n),
  get: (c, i) => c[i] as number,
  inc: (c, i) => {
    c[i] = (c[i] as number) + 1
    return c
  },
  halve: (c) => {
    for (let i = 0; i < c.length; i++) c[i] = (c[i] as number) >>> 1
    return c
  },
}

// ---------------------------------------------------------------- dense mutable (ids 0, 1, 2, …)

const NIL = -1
/**
 * A queue over dense ids: links in typed arrays, as libCacheSim's intrusive lists. The links live in
 * a family shared by queues whose keys are each in at most one of them (owner[k] names the queue
 * holding k, 0 = none), so a policy's several queues need one set of arrays; a standalone queue is
 * the only queue of its own family.
 */
export type DSeq = { readonly f: Family; readonly tag: number; head: number; tail: number; size: number }
type Family = { newer: Int32Array; older: Int32Array; owner: Int32Array; tags: number }
/** A table over dense ids; NaN marks an absent key. */
export type DTab = { v: Float64Array; size: number }

// Typed arrays grow by doubling when an id beyond their length arrives.
const grownI32 = (a: Int32Array, n: number): Int32Array => {
  const b = new Int32Array(n)
  b.set(a)
  return b
}
const roomFor = (len: number, k: number): number => Math.max(k + 1, len * 2, 1024)

/**
 * Mutable storage over dense ids (small non-negative integers, see `intern` in simulate.ts): O(1)
 * updates with no allocation, arrays growing by doubling. For the fast path only.
 */
export const dense = (universeHint = 1024): Store<DSeq, DTab, Uint32Array, HeapRanking> => ({
  counters: inPlaceCounters,
  ranking: heapRanking,
  disjoint: () => {
    const f = family(universeHint)
    return linkedSeq(() => queueIn(f))
  },
  seq: linkedSeq(() => queueIn(family(universeHint))),
  tab: {
    empty: () => ({ v: new Float64Array(universeHint).fill(NaN), size: 0 }),
    size: (t) => t.size,
    get: (t, k) => {
      if (k >= t.v.length) return undefined
      const x = t.v[k] as number
      return x !== x ? undefined : x
    },
    set: (t, k, v) => {
      if (k >= t.v.length) {
        const b = new Float64Array(roomFor(t.v.length, k)).fill(NaN)
        b.set(t.v)
        t.v = b
      }
      if ((t.v[k] as number) !== (t.v[k] as number)) t.size++
      t.v[k] = v
      return t
    },
    del: (t, k) => {
      if (k >= t.v.length) return t
      const x = t.v[k] as number
      if (x === x) {
        t.size--
        t.v[k] = NaN
      }
      return t
    },
  },
})

const family = (n: number): Family => ({ newer: new Int32Array(n), older: new Int32Array(n), owner: new Int32Array(n), tags: 0 })
const queueIn = (f: Family): DSeq => ({ f, tag: ++f.tags, head: NIL, tail: NIL, size: 0 })

const growFamily = (f: Family, k: number): void => {
  const n = roomFor(f.owner.length, k)
  f.newer = grownI32(f.newer, n)
  f.older = grownI32(f.older, n)
  f.owner = grownI32(f.owner, n)
}

// Every read is bounds-checked first: an out-of-range typed-array read is a slow path in V8.
const hasKey = (s: DSeq, k: number): boolean => k < s.f.owner.length && s.f.owner[k] === s.tag

/** The queue operations (module-level, shared by every family); `empty` makes a queue of some family. */
const linkedSeq = (empty: () => DSeq): Seq<DSeq> => ({
  empty,
  size: (s) => s.size,
  has: hasKey,
  pushHead: (s, k) => {
    const f = s.f
    if (k >= f.owner.length) growFamily(f, k)
    f.newer[k] = NIL
    f.older[k] = s.head
    if (s.head !== NIL) f.newer[s.head] = k
    else s.tail = k
    s.head = k
    f.owner[k] = s.tag
    s.size++
    return s
  },
  remove: (s, k) => {
    if (!hasKey(s, k)) return s
    const f = s.f
    const n = f.newer[k] as number
    const o = f.older[k] as number
    if (n !== NIL) f.older[n] = o
    else s.head = o
    if (o !== NIL) f.newer[o] = n
    else s.tail = n
    f.owner[k] = 0
    s.size--
    return s
  },
  tail: (s) => (s.tail === NIL ? undefined : s.tail),
  head: (s) => (s.head === NIL ? undefined : s.head),
  towardHead: (s, k) => {
    if (!hasKey(s, k)) return undefined
    const n = s.f.newer[k] as number
    return n === NIL ? undefined : n
  },
  toArray: (s) => {
    const out: number[] = []
    for (let k = s.head; k !== NIL; k = s.f.older[k] as number) out.push(k)
    return out
  },
})

/**
 * A ranking in place: a binary max-heap of priorities with lazy deletion (a removed priority stays
 * in the heap until it surfaces), `live` holding the current priority → key entries. The heap is
 * rebuilt from `live` when stale entries outnumber live ones.
 */
export type HeapRanking = { heap: Float64Array; n: number; readonly live: Map<number, number> }
const heapRanking: Ranking<HeapRanking> = {
  empty: () => ({ heap: new Float64Array(1024), n: 0, live: new Map() }),
  set: (r, p, k) => {
    r.live.set(p, k)
    if (r.n === r.heap.length) {
      const b = new Float64Array(r.heap.length * 2)
      b.set(r.heap)
      r.heap = b
    }
    // sift up
    let i = r.n++
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((r.heap[parent] as number) >= p) break
      r.heap[i] = r.heap[parent] as number
      i = parent
    }
    r.heap[i] = p
    return r
  },
  remove: (r, p) => {
    r.live.delete(p)
    if (r.n > 2 * r.live.size + 1024) {
      // rebuild from the live entries
      const entries = [...r.live]
      r.n = 0
      r.live.clear()
      for (const [q, k] of entries) heapRanking.set(r, q, k)
    }
    return r
  },
  max: (r) => {
    while (r.n > 0) {
      const top = r.heap[0] as number
      const k = r.live.get(top)
      if (k !== undefined) return { k: top, v: k }
      // pop the stale top: move the last entry to the root and sift down
      const last = r.heap[--r.n] as number
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= r.n) break
        const c = l + 1 < r.n && (r.heap[l + 1] as number) > (r.heap[l] as number) ? l + 1 : l
        if ((r.heap[c] as number) <= last) break
        r.heap[i] = r.heap[c] as number
        i = c
      }
      r.heap[i] = last
    }
    return undefined
  },
}
