// Belady's MIN (libCacheSim Belady.c): offline, it evicts the resident object whose next request
// lies furthest in the future; objects never requested again go first. Each request must carry
// `next`, the index of the next request for the same id (`Infinity` if none), as the
// oracleGeneral trace format stores it. Among objects never requested again the choice does not
// change the miss count; this model takes the oldest of them.
import { access, type Access, type Policy, type PolicyDef } from '../policy.ts'
import * as M from '../pmap.ts'
import type { Store } from '../store.ts'

type BeladyState<S, T> = {
  /** id → its next request index (finite entries only). */
  readonly nextOf: T
  /** next request index → id, for the finite ones. */
  readonly byNext: M.PMap<number>
  /** Resident objects never requested again. */
  readonly doomed: S
  readonly capacity: number
}
const beladyState = <S, T>(nextOf: T, byNext: M.PMap<number>, doomed: S, capacity: number): BeladyState<S, T> =>
  ({ nextOf, byNext, doomed, capacity })

const make = <S, T>(st: Store<S, T>): Policy<BeladyState<S, T>> => {
  const { seq, tab } = st
  const size = (s: BeladyState<S, T>): number => tab.size(s.nextOf) + seq.size(s.doomed)
  return {
    name: 'belady',
    init: (capacity) => beladyState(tab.empty(), undefined, seq.empty(), capacity),
    access: (s0, r, admit = true): Access<BeladyState<S, T>> => {
      let { nextOf, byNext, doomed } = s0
      const old = tab.get(nextOf, r.id)
      const hit = old !== undefined || seq.has(doomed, r.id)
      const evicted: number[] = []
      if (old !== undefined) {
        nextOf = tab.del(nextOf, r.id)
        byNext = M.remove(byNext, old)
      } else if (hit) {
        doomed = seq.remove(doomed, r.id)
      } else {
        if (s0.capacity < 1 || !admit) return access(s0, false, [])
        while (size(beladyState(nextOf, byNext, doomed, s0.capacity)) + 1 > s0.capacity) {
          const never = seq.tail(doomed)
          if (never !== undefined) {
            doomed = seq.remove(doomed, never)
            evicted.push(never)
          } else {
            const far = M.max(byNext) as { k: number; v: number }
            byNext = M.remove(byNext, far.k)
            nextOf = tab.del(nextOf, far.v)
            evicted.push(far.v)
          }
        }
      }
      if (Number.isFinite(r.next)) {
        nextOf = tab.set(nextOf, r.id, r.next)
        byNext = M.set(byNext, r.next, r.id)
      } else {
        doomed = seq.pushHead(doomed, r.id)
      }
      return access(beladyState(nextOf, byNext, doomed, s0.capacity), hit, evicted)
    },
    resident: (s) => [...M.entries(s.byNext).map(([, id]) => id), ...seq.toArray(s.doomed)],
    contains: (s, id) => tab.get(s.nextOf, id) !== undefined || seq.has(s.doomed, id),
  }
}

export const belady: PolicyDef = { name: 'belady', defaults: {}, make: (st) => make(st) }
