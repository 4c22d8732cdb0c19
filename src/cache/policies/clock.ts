// CLOCK with an n-bit counter (libCacheSim Clock.c, default `n-bit-counter=1`): a new object
// enters at the head with counter 0; a hit increments the counter up to 2^n − 1; eviction looks at
// the tail: a non-zero counter is decremented and the object moves to the head (its second
// chance), the first zero-counter object is evicted.
import { access, forgetSize, NONE, rememberSize, sizeOf, param, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

type ClockState<S, T> = {
  readonly q: S
  readonly freq: T
  /** Bytes (or objects) held, and the sizes that are not 1. */
  readonly used: number
  readonly sizes: T
  readonly capacity: number
  readonly maxFreq: number
}
const clockState = <S, T>(q: S, freq: T, used: number, sizes: T, capacity: number, maxFreq: number): ClockState<S, T> =>
  ({ q, freq, used, sizes, capacity, maxFreq })

const make = <S, T>(st: Store<S, T>, maxFreq: number): Policy<ClockState<S, T>> => ({
  name: 'clock',
  init: (capacity) => clockState(st.seq.empty(), st.tab.empty(), 0, st.tab.empty(), capacity, maxFreq),
  access: (s0, r, admit = true): Access<ClockState<S, T>> => {
    const { seq, tab } = st
    if (seq.has(s0.q, r.id)) {
      const f = tab.get(s0.freq, r.id) ?? 0
      if (f >= s0.maxFreq) return access(s0, true, NONE)
      return access(clockState(s0.q, tab.set(s0.freq, r.id, f + 1), s0.used, s0.sizes, s0.capacity, s0.maxFreq), true, NONE)
    }
    const size = r.size ?? 1
    if (size > s0.capacity || !admit) return access(s0, false, NONE)
    let q = s0.q
    let freq = s0.freq
    let used = s0.used
    let sizes = s0.sizes
    const evicted: number[] = []
    while (used + size > s0.capacity) {
      let victim = seq.tail(q) as number
      let f = tab.get(freq, victim) ?? 0
      while (f >= 1) {
        // Second chance: decrement and reinsert at the head (Clock_evict).
        freq = tab.set(freq, victim, f - 1)
        q = seq.pushHead(seq.remove(q, victim), victim)
        victim = seq.tail(q) as number
        f = tab.get(freq, victim) ?? 0
      }
      q = seq.remove(q, victim)
      freq = tab.del(freq, victim)
      used -= sizeOf(tab, sizes, victim)
      sizes = forgetSize(tab, sizes, victim)
      evicted.push(victim)
    }
    const s1 = clockState(seq.pushHead(q, r.id), tab.set(freq, r.id, 0), used + size, rememberSize(tab, sizes, r.id, size), s0.capacity, s0.maxFreq)
    return access(s1, false, evicted)
  },
  resident: (s) => st.seq.toArray(s.q),
  contains: (s, id) => st.seq.has(s.q, id),
})

export const clock: PolicyDef = {
  name: 'clock',
  defaults: { 'n-bit-counter': 1 },
  // libCacheSim keeps the counter's maximum 2^n − 1 in a C int
  ranges: { 'n-bit-counter': { min: 1, max: 31, integer: true } },
  make: (st, params) => make(st, 2 ** param(params, clock.defaults, 'n-bit-counter') - 1),
}
