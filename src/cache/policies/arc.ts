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
import { access, type Access, type Policy, type PolicyDef } from '../policy.ts'
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

const make = <S, T>(st: Store<S, T>): Policy<ArcState<S>> => {
  const { seq } = st
  return {
    name: 'arc',
    init: (capacity) => arcState(seq.empty(), seq.empty(), seq.empty(), seq.empty(), 0, capacity),
    access: (s0, r, admit = true): Access<ArcState<S>> => {
      const c = s0.capacity
      const id = r.id
      if (seq.has(s0.t1, id)) {
        return access(arcState(seq.remove(s0.t1, id), seq.pushHead(s0.t2, id), s0.b1, s0.b2, s0.p, c), true, [])
      }
      if (seq.has(s0.t2, id)) {
        return access(arcState(s0.t1, seq.pushHead(seq.remove(s0.t2, id), id), s0.b1, s0.b2, s0.p, c), true, [])
      }
      let { t1, t2, b1, b2, p } = s0
      // ARC_find: a ghost hit adapts p and removes the ghost entry before the miss is handled.
      let ghost: 'none' | 'b1' | 'b2' = 'none'
      if (seq.has(b1, id)) {
        ghost = 'b1'
        p = Math.min(p + Math.max(seq.size(b2) / seq.size(b1), 1), c)
        b1 = seq.remove(b1, id)
      } else if (seq.has(b2, id)) {
        ghost = 'b2'
        p = Math.max(p - Math.max(seq.size(b1) / seq.size(b2), 1), 0)
        b2 = seq.remove(b2, id)
      }
      if (c < 1 || !admit) return access(arcState(t1, t2, b1, b2, p, c), false, [])
      const evicted: number[] = []
      // REPLACE(x, p) of the paper (_ARC_replace).
      const replace = (): void => {
        const n1 = seq.size(t1)
        if ((n1 > 0 && (n1 > p || (n1 === p && ghost === 'b2'))) || seq.size(t2) === 0) {
          const v = seq.tail(t1) as number
          t1 = seq.remove(t1, v)
          b1 = seq.pushHead(b1, v)
          evicted.push(v)
        } else {
          const v = seq.tail(t2) as number
          t2 = seq.remove(t2, v)
          b2 = seq.pushHead(b2, v)
          evicted.push(v)
        }
      }
      while (seq.size(t1) + seq.size(t2) + 1 > c) {
        if (ghost !== 'none') {
          replace()
        } else if (seq.size(t1) + seq.size(b1) + 1 > c) {
          if (seq.size(b1) > 0) {
            b1 = seq.remove(b1, seq.tail(b1) as number)
            replace()
          } else {
            const v = seq.tail(t1) as number
            t1 = seq.remove(t1, v)
            evicted.push(v)
          }
        } else {
          if (seq.size(t1) + seq.size(b1) + seq.size(t2) + seq.size(b2) >= 2 * c && seq.size(b2) > 0) {
            b2 = seq.remove(b2, seq.tail(b2) as number)
          }
          replace()
        }
      }
      // ARC_insert: a ghost hit enters T2, any other miss T1.
      if (ghost !== 'none') t2 = seq.pushHead(t2, id)
      else t1 = seq.pushHead(t1, id)
      return access(arcState(t1, t2, b1, b2, p, c), false, evicted)
    },
    resident: (s) => [...seq.toArray(s.t1), ...seq.toArray(s.t2)],
    contains: (s, id) => seq.has(s.t1, id) || seq.has(s.t2, id),
  }
}

export const arc: PolicyDef = { name: 'arc', defaults: {}, make: (st) => make(st) }
