// LFU (libCacheSim LFU.c): in-cache access counts; a new object has count 1; objects with equal
// count are kept in the order they reached that count, so the victim is the least frequently used
// and, among those, the one that reached that count first, i.e. the least recently accessed.
import { access, NONE, type Access, type Policy, type PolicyDef } from '../policy.ts'
import * as M from '../pmap.ts'
import type { Store } from '../store.ts'

type LfuState<S, T> = {
  /** count → queue of the objects with that count (oldest at the tail). */
  readonly buckets: M.PMap<S>
  readonly count: T
  readonly capacity: number
}
const lfuState = <S, T>(buckets: M.PMap<S>, count: T, capacity: number): LfuState<S, T> => ({ buckets, count, capacity })

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
    init: (capacity) => lfuState(undefined, tab.empty(), capacity),
    access: (s0, r, admit = true): Access<LfuState<S, T>> => {
      const f = tab.get(s0.count, r.id)
      if (f !== undefined) {
        const b1 = enter(leave(s0.buckets, f, r.id), f + 1, r.id)
        return access(lfuState(b1, tab.set(s0.count, r.id, f + 1), s0.capacity), true, NONE)
      }
      if (s0.capacity < 1 || !admit) return access(s0, false, NONE)
      let buckets = s0.buckets
      let count = s0.count
      const evicted: number[] = []
      while (tab.size(count) + 1 > s0.capacity) {
        const least = M.min(buckets) as { k: number; v: S }
        const victim = seq.tail(least.v) as number
        buckets = leave(buckets, least.k, victim)
        count = tab.del(count, victim)
        evicted.push(victim)
      }
      return access(lfuState(enter(buckets, 1, r.id), tab.set(count, r.id, 1), s0.capacity), false, evicted)
    },
    resident: (s) => M.entries(s.buckets).flatMap(([, q]) => seq.toArray(q)),
    contains: (s, id) => tab.get(s.count, id) !== undefined,
  }
}

export const lfu: PolicyDef = { name: 'lfu', defaults: {}, make: (st) => make(st) }
