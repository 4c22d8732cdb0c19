// The two storages every policy is written against: a `Seq` (libCacheSim's intrusive queue: insert
// at the head, evict at the tail, `towardHead` is its `queue.prev`) and a `Tab` (key → small int).
// Each has a persistent implementation (old states stay valid; used by the pure `access`) and a
// mutable one (updates in place; used only inside one `simulate` call). A policy is one generic
// function over a `Store`, so both paths run the same policy text; properties/cache/simulate.prop.ts
// checks that they agree.
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

export interface Store<S, T> {
  readonly seq: Seq<S>
  readonly tab: Tab<T>
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

/** Persistent storage: every update returns a new value, the old one stays valid. */
export const persistent: Store<PSeq, M.PMap<number>> = { seq: persistentSeq, tab: persistentTab }

// ---------------------------------------------------------------- mutable (inside simulate only)

type Link = { readonly k: number; newer: Link | undefined; older: Link | undefined }
/** A doubly linked queue indexed by a hash map; updated in place. */
export type MSeq = { readonly ix: Map<number, Link>; head: Link | undefined; tail: Link | undefined }

const mutableSeq: Seq<MSeq> = {
  empty: () => ({ ix: new Map(), head: undefined, tail: undefined }),
  size: (s) => s.ix.size,
  has: (s, k) => s.ix.has(k),
  pushHead: (s, k) => {
    const l: Link = { k, newer: undefined, older: s.head }
    if (s.head !== undefined) s.head.newer = l
    else s.tail = l
    s.head = l
    s.ix.set(k, l)
    return s
  },
  remove: (s, k) => {
    const l = s.ix.get(k)
    if (l === undefined) return s
    if (l.newer !== undefined) l.newer.older = l.older
    else s.head = l.older
    if (l.older !== undefined) l.older.newer = l.newer
    else s.tail = l.newer
    s.ix.delete(k)
    return s
  },
  tail: (s) => s.tail?.k,
  head: (s) => s.head?.k,
  towardHead: (s, k) => s.ix.get(k)?.newer?.k,
  toArray: (s) => {
    const out: number[] = []
    for (let l = s.head; l !== undefined; l = l.older) out.push(l.k)
    return out
  },
}

const mutableTab: Tab<Map<number, number>> = {
  empty: () => new Map(),
  size: (t) => t.size,
  get: (t, k) => t.get(k),
  set: (t, k, v) => t.set(k, v),
  del: (t, k) => {
    t.delete(k)
    return t
  },
}

/** Mutable storage for the fast path: updates happen in place and return the same object. */
export const mutable: Store<MSeq, Map<number, number>> = { seq: mutableSeq, tab: mutableTab }
