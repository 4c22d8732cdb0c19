// LFU (libCacheSim LFU.c): in-cache access counts; a new object has count 1; objects with equal
// count are kept in the order they reached that count, so the victim is the least frequently used
// and, among those, the one that reached that count first, i.e. the least recently accessed.
import { access, forgetSize, NONE, rememberSize, sizeOf, type Access, type Policy, type PolicyDef } from '../policy.ts'
import * as M from '../pmap.ts'
import type { Store } from '../store.ts'

type LfuState<S, T> = {
  /** count → queue of the objects with that count (oldest at the tail). */
  readonly buckets: M.PMap<S>
  readonly count: T
  /** Bytes (or objects) held, and the sizes that are not 1. */
  readonly used: number
  readonly sizes: T
  readonly capacity: number
}
const lfuState = <S, T>(buckets: M.PMap<S>, count: T, used: number, sizes: T, capacity: number): LfuState<S, T> =>
  ({ buckets, count, used, sizes, capacity })

const make = <T>(st: Store<unknown, T>): Policy<LfuState<unknown, T>> => {
  const { tab } = st
  // Each object is in exactly one count's queue: a disjoint family.
  const seq = st.disjoint()
  type S = unknown
  const bucket = (b: M.PMap<S>, f: number): S => M.get(b, f) ?? seq.empty()
  const leave = (b: M.PMap<S>, f: number, id: number): M.PMap<S> => {
    const q = seq.remove(bucket(b, f), id)
    return seq.size(q) === 0 ? M.remove(b, f) : M.set(b, f, q)
  }
  const enter = (b: M.PMap<S>, f: number, id: number): M.PMap<S> => M.set(b, f, seq.pushHead(bucket(b, f), id))
  return {
    name: 'lfu',
    init: (capacity) => lfuState(undefined, tab.empty(), 0, tab.empty(), capacity),
    access: (s0, r, admit = true): Access<LfuState<S, T>> => {
      const f = tab.get(s0.count, r.id)
      if (f !== undefined) {
        const b1 = enter(leave(s0.buckets, f, r.id), f + 1, r.id)
        return access(lfuState(b1, tab.set(s0.count, r.id, f + 1), s0.used, s0.sizes, s0.capacity), true, NONE)
      }
      const size = r.size ?? 1
      if (size > s0.capacity || !admit) return access(s0, false, NONE)
      let buckets = s0.buckets
      let count = s0.count
      let used = s0.used
      let sizes = s0.sizes
      const evicted: number[] = []
      while (used + size > s0.capacity) {
        const least = M.min(buckets) as { k: number; v: S }
        const victim = seq.tail(least.v) as number
        buckets = leave(buckets, least.k, victim)
        count = tab.del(count, victim)
        used -= sizeOf(tab, sizes, victim)
        sizes = forgetSize(tab, sizes, victim)
        evicted.push(victim)
      }
      const s1 = lfuState(enter(buckets, 1, r.id), tab.set(count, r.id, 1), used + size, rememberSize(tab, sizes, r.id, size), s0.capacity)
      return access(s1, false, evicted)
    },
    resident: (s) => M.entries(s.buckets).flatMap(([, q]) => seq.toArray(q)),
    contains: (s, id) => tab.get(s.count, id) !== undefined,
  }
}

export const lfu: PolicyDef = { name: 'lfu', defaults: {}, make: (st) => make(st) }
