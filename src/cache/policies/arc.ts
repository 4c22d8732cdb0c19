// ARC (Megiddo & Modha, FAST '03) exactly as libCacheSim ARC.c codes it. T1/T2 are the resident
// recency/frequency lists (L1_data/L2_data), B1/B2 their ghosts (L1_ghost/L2_ghost), p the target
// size of T1, a double as in libCacheSim.
//  - A ghost hit in B1 raises p by max(|B2|/|B1|, 1) up to c; in B2 lowers it by max(|B1|/|B2|, 1)
//    down to 0; the ghost entry is dropped and the object is a miss that enters T2.
//  - REPLACE evicts T1's tail into B1 if T1 is non-empty and (|T1| > p, or |T1| = p and the miss
//    was a B2 ghost hit), or if T2 is empty; otherwise T2's tail into B2.
//  - A miss on all four lists (case IV): if |T1| + |B1| + 1 > c, drop B1's tail and REPLACE, or, if
//    B1 is empty, evict T1's tail without a ghost; otherwise drop B2's tail when the four lists
//    hold ≥ 2c entries (and B2 is non-empty), then REPLACE.
import { access, NONE, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

type ArcState<S> = {
  readonly t1: S
  readonly t2: S
  readonly b1: S
  readonly b2: S
  readonly p: number
  readonly capacity: number
}
const arcState = <S>(t1: S, t2: S, b1: S, b2: S, p: number, capacity: number): ArcState<S> =>
  ({ t1, t2, b1, b2, p, capacity })

// The four lists while one access is being handled: a fresh record per miss, updated in place
// inside that access only (the lists themselves are persistent or not, as the store is).
type Lists<S> = { t1: S; t2: S; b1: S; b2: S }

const make = <S, T>(st: Store<S, T>): Policy<ArcState<S>> => {
  const { seq } = st
  // REPLACE(x, p) of the paper (_ARC_replace); returns the victim.
  const replace = (w: Lists<S>, p: number, ghostB2: boolean): number => {
    const n1 = seq.size(w.t1)
    if ((n1 > 0 && (n1 > p || (n1 === p && ghostB2))) || seq.size(w.t2) === 0) {
      const v = seq.tail(w.t1) as number
      w.t1 = seq.remove(w.t1, v)
      w.b1 = seq.pushHead(w.b1, v)
      return v
    }
    const v = seq.tail(w.t2) as number
    w.t2 = seq.remove(w.t2, v)
    w.b2 = seq.pushHead(w.b2, v)
    return v
  }
  return {
    name: 'arc',
    init: (capacity) => arcState(seq.empty(), seq.empty(), seq.empty(), seq.empty(), 0, capacity),
    access: (s0, r, admit = true): Access<ArcState<S>> => {
      const c = s0.capacity
      const id = r.id
      if (seq.has(s0.t1, id)) {
        return access(arcState(seq.remove(s0.t1, id), seq.pushHead(s0.t2, id), s0.b1, s0.b2, s0.p, c), true, NONE)
      }
      if (seq.has(s0.t2, id)) {
        return access(arcState(s0.t1, seq.pushHead(seq.remove(s0.t2, id), id), s0.b1, s0.b2, s0.p, c), true, NONE)
      }
      const w: Lists<S> = { t1: s0.t1, t2: s0.t2, b1: s0.b1, b2: s0.b2 }
      let p = s0.p
      // ARC_find: a ghost hit adapts p and removes the ghost entry before the miss is handled.
      let ghost: 'none' | 'b1' | 'b2' = 'none'
      if (seq.has(w.b1, id)) {
        ghost = 'b1'
        p = Math.min(p + Math.max(seq.size(w.b2) / seq.size(w.b1), 1), c)
        w.b1 = seq.remove(w.b1, id)
      } else if (seq.has(w.b2, id)) {
        ghost = 'b2'
        p = Math.max(p - Math.max(seq.size(w.b1) / seq.size(w.b2), 1), 0)
        w.b2 = seq.remove(w.b2, id)
      }
      if (c < 1 || !admit) return access(arcState(w.t1, w.t2, w.b1, w.b2, p, c), false, NONE)
      const evicted: number[] = []
      while (seq.size(w.t1) + seq.size(w.t2) + 1 > c) {
        if (ghost !== 'none') {
          evicted.push(replace(w, p, ghost === 'b2'))
        } else if (seq.size(w.t1) + seq.size(w.b1) + 1 > c) {
          // case IV(A): L1 = T1 ∪ B1 is full
          if (seq.size(w.b1) > 0) {
            w.b1 = seq.remove(w.b1, seq.tail(w.b1) as number)
            evicted.push(replace(w, p, false))
          } else {
            const v = seq.tail(w.t1) as number
            w.t1 = seq.remove(w.t1, v)
            evicted.push(v)
          }
        } else {
          // case IV(B)
          if (seq.size(w.t1) + seq.size(w.b1) + seq.size(w.t2) + seq.size(w.b2) >= 2 * c && seq.size(w.b2) > 0) {
            w.b2 = seq.remove(w.b2, seq.tail(w.b2) as number)
          }
          evicted.push(replace(w, p, false))
        }
      }
      // ARC_insert: a ghost hit enters T2, any other miss T1.
      if (ghost !== 'none') w.t2 = seq.pushHead(w.t2, id)
      else w.t1 = seq.pushHead(w.t1, id)
      return access(arcState(w.t1, w.t2, w.b1, w.b2, p, c), false, evicted)
    },
    resident: (s) => [...seq.toArray(s.t1), ...seq.toArray(s.t2)],
    contains: (s, id) => seq.has(s.t1, id) || seq.has(s.t2, id),
  }
}

export const arc: PolicyDef = { name: 'arc', defaults: {}, make: (st) => make(st) }
