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
//  - Sized in objects, or in bytes when requests carry sizes (p, c and every list then in bytes).
import { access, forgetSize, NONE, rememberSize, sizeOf, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

type ArcState<S, T> = {
  readonly t1: S
  readonly t2: S
  readonly b1: S
  readonly b2: S
  /** Bytes (or objects) in each list; sizes that are not 1, for entries of all four lists. */
  readonly n: Bytes
  readonly sizes: T
  readonly p: number
  readonly capacity: number
}
type Bytes = { readonly t1: number; readonly t2: number; readonly b1: number; readonly b2: number }
const arcState = <S, T>(t1: S, t2: S, b1: S, b2: S, n: Bytes, sizes: T, p: number, capacity: number): ArcState<S, T> =>
  ({ t1, t2, b1, b2, n, sizes, p, capacity })

// The four lists while one access is being handled: a fresh record per access, updated in place
// inside that access only (the lists themselves are persistent or not, as the store is).
type Lists<S, T> = {
  t1: S; t2: S; b1: S; b2: S
  nt1: number; nt2: number; nb1: number; nb2: number
  sizes: T
}

const make = <S, T>(st: Store<S, T>): Policy<ArcState<S, T>> => {
  const { seq, tab } = st
  const lists = (s: ArcState<S, T>): Lists<S, T> =>
    ({ t1: s.t1, t2: s.t2, b1: s.b1, b2: s.b2, nt1: s.n.t1, nt2: s.n.t2, nb1: s.n.b1, nb2: s.n.b2, sizes: s.sizes })
  const state = (w: Lists<S, T>, p: number, c: number): ArcState<S, T> =>
    arcState(w.t1, w.t2, w.b1, w.b2, { t1: w.nt1, t2: w.nt2, b1: w.nb1, b2: w.nb2 }, w.sizes, p, c)
  // REPLACE(x, p) of the paper (_ARC_replace); returns the victim, which becomes a ghost.
  const replace = (w: Lists<S, T>, p: number, ghostB2: boolean): number => {
    const n1 = w.nt1
    if ((n1 > 0 && (n1 > p || (n1 === p && ghostB2))) || w.nt2 === 0) {
      const v = seq.tail(w.t1) as number
      const size = sizeOf(tab, w.sizes, v)
      w.t1 = seq.remove(w.t1, v)
      w.b1 = seq.pushHead(w.b1, v)
      w.nt1 -= size
      w.nb1 += size
      return v
    }
    const v = seq.tail(w.t2) as number
    const size = sizeOf(tab, w.sizes, v)
    w.t2 = seq.remove(w.t2, v)
    w.b2 = seq.pushHead(w.b2, v)
    w.nt2 -= size
    w.nb2 += size
    return v
  }
  // a ghost entry is dropped for good
  const dropGhost = (w: Lists<S, T>, list: 'b1' | 'b2', v: number): void => {
    const size = sizeOf(tab, w.sizes, v)
    if (list === 'b1') {
      w.b1 = seq.remove(w.b1, v)
      w.nb1 -= size
    } else {
      w.b2 = seq.remove(w.b2, v)
      w.nb2 -= size
    }
    w.sizes = forgetSize(tab, w.sizes, v)
  }
  return {
    name: 'arc',
    init: (capacity) => arcState(seq.empty(), seq.empty(), seq.empty(), seq.empty(), { t1: 0, t2: 0, b1: 0, b2: 0 }, tab.empty(), 0, capacity),
    access: (s0, r, admit = true): Access<ArcState<S, T>> => {
      const c = s0.capacity
      const id = r.id
      if (seq.has(s0.t1, id)) {
        const size = sizeOf(tab, s0.sizes, id)
        const n = { t1: s0.n.t1 - size, t2: s0.n.t2 + size, b1: s0.n.b1, b2: s0.n.b2 }
        return access(arcState(seq.remove(s0.t1, id), seq.pushHead(s0.t2, id), s0.b1, s0.b2, n, s0.sizes, s0.p, c), true, NONE)
      }
      if (seq.has(s0.t2, id)) {
        return access(arcState(s0.t1, seq.pushHead(seq.remove(s0.t2, id), id), s0.b1, s0.b2, s0.n, s0.sizes, s0.p, c), true, NONE)
      }
      const w = lists(s0)
      let p = s0.p
      // ARC_find: a ghost hit adapts p and removes the ghost entry before the miss is handled.
      let ghost: 'none' | 'b1' | 'b2' = 'none'
      if (seq.has(w.b1, id)) {
        ghost = 'b1'
        p = Math.min(p + Math.max(w.nb2 / w.nb1, 1), c)
        dropGhost(w, 'b1', id)
      } else if (seq.has(w.b2, id)) {
        ghost = 'b2'
        p = Math.max(p - Math.max(w.nb1 / w.nb2, 1), 0)
        dropGhost(w, 'b2', id)
      }
      const size = r.size ?? 1
      if (size > c || !admit) return access(state(w, p, c), false, NONE)
      const evicted: number[] = []
      while (w.nt1 + w.nt2 + size > c) {
        if (ghost !== 'none') {
          evicted.push(replace(w, p, ghost === 'b2'))
        } else if (w.nt1 + w.nb1 + size > c) {
          // case IV(A): L1 = T1 ∪ B1 is full
          if (w.nb1 > 0) {
            dropGhost(w, 'b1', seq.tail(w.b1) as number)
            evicted.push(replace(w, p, false))
          } else {
            const v = seq.tail(w.t1) as number
            w.t1 = seq.remove(w.t1, v)
            w.nt1 -= sizeOf(tab, w.sizes, v)
            w.sizes = forgetSize(tab, w.sizes, v)
            evicted.push(v)
          }
        } else {
          // case IV(B)
          if (w.nt1 + w.nb1 + w.nt2 + w.nb2 >= 2 * c && w.nb2 > 0) dropGhost(w, 'b2', seq.tail(w.b2) as number)
          evicted.push(replace(w, p, false))
        }
      }
      // ARC_insert: a ghost hit enters T2, any other miss T1.
      if (ghost !== 'none') {
        w.t2 = seq.pushHead(w.t2, id)
        w.nt2 += size
      } else {
        w.t1 = seq.pushHead(w.t1, id)
        w.nt1 += size
      }
      w.sizes = rememberSize(tab, w.sizes, id, size)
      return access(state(w, p, c), false, evicted)
    },
    resident: (s) => [...seq.toArray(s.t1), ...seq.toArray(s.t2)],
    contains: (s, id) => seq.has(s.t1, id) || seq.has(s.t2, id),
  }
}

export const arc: PolicyDef = { name: 'arc', defaults: {}, make: (st) => make(st) }
