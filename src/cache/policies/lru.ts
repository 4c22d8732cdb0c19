// LRU and FIFO: one queue, insert at the head, evict the tail. LRU moves a hit to the head
// (libCacheSim LRU.c `LRU_find`); FIFO leaves hits in place (FIFO.c). Sized in objects, or in
// bytes when requests carry sizes: evict until the newcomer fits.
import { access, forgetSize, NONE, rememberSize, sizeOf, type Access, type Policy, type PolicyDef, type Req } from '../policy.ts'
import type { Store } from '../store.ts'

type QueueState<S, T> = {
  readonly q: S
  /** Bytes (or objects) held, and the size of every object whose size is not 1. */
  readonly used: number
  readonly sizes: T
  readonly capacity: number
}
const queueState = <S, T>(q: S, used: number, sizes: T, capacity: number): QueueState<S, T> => ({ q, used, sizes, capacity })

const makeQueue = <S, T>(st: Store<S, T>, moveOnHit: boolean, name: 'lru' | 'fifo'): Policy<QueueState<S, T>> => ({
  name,
  init: (capacity) => queueState(st.seq.empty(), 0, st.tab.empty(), capacity),
  access: (s0, r: Req, admit = true): Access<QueueState<S, T>> => {
    const { seq, tab } = st
    if (seq.has(s0.q, r.id)) {
      // a hit keeps the size the object was inserted with (libCacheSim `cache_find_base`)
      return access(moveOnHit ? queueState(seq.pushHead(seq.remove(s0.q, r.id), r.id), s0.used, s0.sizes, s0.capacity) : s0, true, NONE)
    }
    const size = r.size ?? 1
    // cache_can_insert_default: an object larger than the whole cache is not inserted.
    if (size > s0.capacity || !admit) return access(s0, false, NONE)
    let q = s0.q
    let used = s0.used
    let sizes = s0.sizes
    const evicted: number[] = []
    while (used + size > s0.capacity) {
      const victim = seq.tail(q) as number
      q = seq.remove(q, victim)
      used -= sizeOf(tab, sizes, victim)
      sizes = forgetSize(tab, sizes, victim)
      evicted.push(victim)
    }
    return access(queueState(seq.pushHead(q, r.id), used + size, rememberSize(tab, sizes, r.id, size), s0.capacity), false, evicted)
  },
  resident: (s) => st.seq.toArray(s.q),
  contains: (s, id) => st.seq.has(s.q, id),
})

export const lru: PolicyDef = { name: 'lru', defaults: {}, make: (st) => makeQueue(st, true, 'lru') }
export const fifo: PolicyDef = { name: 'fifo', defaults: {}, make: (st) => makeQueue(st, false, 'fifo') }
