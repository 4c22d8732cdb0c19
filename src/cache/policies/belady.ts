// Belady's MIN (libCacheSim Belady.c): offline, it evicts the resident object whose next request
// lies furthest in the future; objects never requested again go first. Each request must carry
// `next`, the index of the next request for the same id (`Infinity` if none), as the
// oracleGeneral trace format stores it. Among objects never requested again the choice does not
// change the miss count; this model takes the oldest of them.
import { access, forgetSize, NONE, rememberSize, sizeOf, type Access, type Policy, type PolicyDef } from '../policy.ts'
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
  /** Bytes (or objects) held, and the sizes that are not 1. */
  readonly used: number
  readonly sizes: T
  readonly capacity: number
}
const beladyState = <S, T, R>(members: S, nextOf: T, byNext: R, doomed: S, used: number, sizes: T, capacity: number): BeladyState<S, T, R> =>
  ({ members, nextOf, byNext, doomed, used, sizes, capacity })

const make = <S, T, C, R>(st: Store<S, T, C, R>): Policy<BeladyState<S, T, R>> => {
  const { seq, tab, ranking } = st
  return {
    name: 'belady',
    init: (capacity) => beladyState(seq.empty(), tab.empty(), ranking.empty(), seq.empty(), 0, tab.empty(), capacity),
    access: (s0, r, admit = true): Access<BeladyState<S, T, R>> => {
      let { members, nextOf, byNext, doomed, used, sizes } = s0
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
        const size = r.size ?? 1
        if (size > s0.capacity || !admit) return access(s0, false, NONE)
        while (used + size > s0.capacity) {
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
          used -= sizeOf(tab, sizes, victim)
          sizes = forgetSize(tab, sizes, victim)
          evicted.push(victim)
        }
        members = seq.pushHead(members, r.id)
        used += size
        sizes = rememberSize(tab, sizes, r.id, size)
      }
      if (Number.isFinite(r.next)) {
        nextOf = tab.set(nextOf, r.id, r.next)
        byNext = ranking.set(byNext, r.next, r.id)
      } else {
        doomed = seq.pushHead(doomed, r.id)
      }
      return access(beladyState(members, nextOf, byNext, doomed, used, sizes, s0.capacity), hit, evicted)
    },
    resident: (s) => seq.toArray(s.members),
    contains: (s, id) => seq.has(s.members, id),
  }
}

export const belady: PolicyDef = { name: 'belady', defaults: {}, make: (st) => make(st) }
