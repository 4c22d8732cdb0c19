// LRU and FIFO: one queue, insert at the head, evict the tail. LRU moves a hit to the head
// (libCacheSim LRU.c `LRU_find`); FIFO leaves hits in place (FIFO.c).
import { access, NONE, type Access, type Policy, type PolicyDef, type Req } from '../policy.ts'
import type { Store } from '../store.ts'

type QueueState<S> = { readonly q: S; readonly capacity: number }
const queueState = <S>(q: S, capacity: number): QueueState<S> => ({ q, capacity })

const makeQueue = <S, T>(st: Store<S, T>, moveOnHit: boolean, name: 'lru' | 'fifo'): Policy<QueueState<S>> => ({
  name,
  init: (capacity) => queueState(st.seq.empty(), capacity),
  access: (s0, r: Req, admit = true): Access<QueueState<S>> => {
    const { seq } = st
    if (seq.has(s0.q, r.id)) {
      return access(moveOnHit ? queueState(seq.pushHead(seq.remove(s0.q, r.id), r.id), s0.capacity) : s0, true, NONE)
    }
    // cache_can_insert_default: an object larger than the whole cache is not inserted.
    if (s0.capacity < 1 || !admit) return access(s0, false, NONE)
    let q = s0.q
    const evicted: number[] = []
    while (seq.size(q) + 1 > s0.capacity) {
      const victim = seq.tail(q) as number
      q = seq.remove(q, victim)
      evicted.push(victim)
    }
    return access(queueState(seq.pushHead(q, r.id), s0.capacity), false, evicted)
  },
  resident: (s) => st.seq.toArray(s.q),
  contains: (s, id) => st.seq.has(s.q, id),
})

export const lru: PolicyDef = { name: 'lru', defaults: {}, make: (st) => makeQueue(st, true, 'lru') }
export const fifo: PolicyDef = { name: 'fifo', defaults: {}, make: (st) => makeQueue(st, false, 'fifo') }
