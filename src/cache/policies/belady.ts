// Belady's MIN (libCacheSim Belady.c): offline, it evicts the resident object whose next request
// lies furthest in the future; objects never requested again go first. Each request must carry
// `next`, the index of the next request for the same id (`Infinity` if none), as the
// oracleGeneral trace format stores it. Among objects never requested again the choice does not
// change the miss count; this model takes the oldest of them.
import { access, NONE, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

type BeladyState<S, T, R> = {
  /** Every resident object. */
  readonly members: S
  /** id → its next request index (finite entries only). */
  readonly nextOf: T
  /** next request index → id, for the finite ones. */
  readonly byNext: R
  /** Resident objects never requested again. */
  readonly doomed: S
  readonly capacity: number
}
const beladyState = <S, T, R>(members: S, nextOf: T, byNext: R, doomed: S, capacity: number): BeladyState<S, T, R> =>
  ({ members, nextOf, byNext, doomed, capacity })

const make = <S, T, C, R>(st: Store<S, T, C, R>): Policy<BeladyState<S, T, R>> => {
  const { seq, tab, ranking } = st
  return {
    name: 'belady',
    init: (capacity) => beladyState(seq.empty(), tab.empty(), ranking.empty(), seq.empty(), capacity),
    access: (s0, r, admit = true): Access<BeladyState<S, T, R>> => {
      let { members, nextOf, byNext, doomed } = s0
      const hit = seq.has(members, r.id)
      const evicted: number[] = []
      if (hit) {
        const old = tab.get(nextOf, r.id)
        if (old !== undefined) {
          nextOf = tab.del(nextOf, r.id)
          byNext = ranking.remove(byNext, old)
        } else {
          doomed = seq.remove(doomed, r.id)
        }
      } else {
        if (s0.capacity < 1 || !admit) return access(s0, false, NONE)
        while (seq.size(members) + 1 > s0.capacity) {
          const never = seq.tail(doomed)
          let victim: number
          if (never !== undefined) {
            doomed = seq.remove(doomed, never)
            victim = never
          } else {
            const far = ranking.max(byNext) as { k: number; v: number }
            byNext = ranking.remove(byNext, far.k)
            nextOf = tab.del(nextOf, far.v)
            victim = far.v
          }
          members = seq.remove(members, victim)
          evicted.push(victim)
        }
        members = seq.pushHead(members, r.id)
      }
      if (Number.isFinite(r.next)) {
        nextOf = tab.set(nextOf, r.id, r.next)
        byNext = ranking.set(byNext, r.next, r.id)
      } else {
        doomed = seq.pushHead(doomed, r.id)
      }
      return access(beladyState(members, nextOf, byNext, doomed, s0.capacity), hit, evicted)
    },
    resident: (s) => seq.toArray(s.members),
    contains: (s, id) => seq.has(s.members, id),
  }
}

export const belady: PolicyDef = { name: 'belady', defaults: {}, make: (st) => make(st) }
