// SIEVE (libCacheSim Sieve.c): one FIFO-ordered queue and a hand. A hit only sets the object's
// visited bit. To evict, the hand starts where it stopped (or at the tail the first time and
// after it ran past the head), moves toward the head clearing visited bits, wrapping from the
// head back to the tail, and evicts the first unvisited object; the hand then rests on the
// object one step nearer the head (`params->pointer = obj->queue.prev`).
import { access, forgetSize, NONE, rememberSize, sizeOf, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

type SieveState<S, T> = {
  readonly q: S
  readonly visited: T
  /** The key the hand rests on; `undefined` is libCacheSim's NULL pointer (start at the tail). */
  readonly hand: number | undefined
  /** Bytes (or objects) held, and the sizes that are not 1. */
  readonly used: number
  readonly sizes: T
  readonly capacity: number
}
const sieveState = <S, T>(q: S, visited: T, hand: number | undefined, used: number, sizes: T, capacity: number): SieveState<S, T> =>
  ({ q, visited, hand, used, sizes, capacity })

const make = <S, T>(st: Store<S, T>): Policy<SieveState<S, T>> => ({
  name: 'sieve',
  init: (capacity) => sieveState(st.seq.empty(), st.tab.empty(), undefined, 0, st.tab.empty(), capacity),
  access: (s0, r, admit = true): Access<SieveState<S, T>> => {
    const { seq, tab } = st
    if (seq.has(s0.q, r.id)) {
      if (tab.get(s0.visited, r.id) === 1) return access(s0, true, NONE)
      return access(sieveState(s0.q, tab.set(s0.visited, r.id, 1), s0.hand, s0.used, s0.sizes, s0.capacity), true, NONE)
    }
    const size = r.size ?? 1
    if (size > s0.capacity || !admit) return access(s0, false, NONE)
    let q = s0.q
    let visited = s0.visited
    let hand = s0.hand
    let used = s0.used
    let sizes = s0.sizes
    const evicted: number[] = []
    while (used + size > s0.capacity) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc types tail as number | undefined here
      let obj = hand ?? (seq.tail(q) as number)
      while ((tab.get(visited, obj) ?? 0) > 0) {
        visited = tab.set(visited, obj, 0)
        obj = seq.towardHead(q, obj) ?? (seq.tail(q) as number)
      }
      hand = seq.towardHead(q, obj)
      q = seq.remove(q, obj)
      visited = tab.del(visited, obj)
      used -= sizeOf(tab, sizes, obj)
      sizes = forgetSize(tab, sizes, obj)
      evicted.push(obj)
    }
    const s1 = sieveState(seq.pushHead(q, r.id), tab.set(visited, r.id, 0), hand, used + size, rememberSize(tab, sizes, r.id, size), s0.capacity)
    return access(s1, false, evicted)
  },
  resident: (s) => st.seq.toArray(s.q),
  contains: (s, id) => st.seq.has(s.q, id),
})

export const sieve: PolicyDef = { name: 'sieve', defaults: {}, make: (st) => make(st) }
