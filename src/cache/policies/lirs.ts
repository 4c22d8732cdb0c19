// LIRS (Jiang & Zhang, SIGMETRICS '02) transliterated from libCacheSim LIRS.c, including its
// choices: the resident-HIR limit is max(1, ⌊0.01·c⌋) (`hirs_ratio = 0.01`), the LIR limit the
// rest; S (the LIRS stack), Q (resident HIR list) and NH (non-resident HIR entries of S) are LRU
// lists; S is pruned to a LIR at its bottom, and trimmed to 2c entries by dropping the oldest
// non-resident HIR entries (`limitStack`). libCacheSim also demotes a LIR block when a resident
// HIR block outside S is hit while the LIR set is full (`hit_RD_HIRinQ`); we do the same, because
// the goal is identical miss counts. When that demotion pushes the hit block itself out of Q, the
// block stays in S marked resident but uncounted, as in libCacheSim, until it is hit again (which
// makes it LIR) or pruned.
import { access, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

const LIR = 1
const RESIDENT = 2

type LirsState<S, T> = {
  readonly s: S
  /** Flags of the entries of S: LIR | RESIDENT. */
  readonly flags: T
  readonly q: S
  readonly nh: S
  readonly lirs: number
  readonly hirs: number
  /** libCacheSim's `occupied_byte` for LIRS: the counted resident blocks. */
  readonly occupied: number
  readonly capacity: number
}

// The working copy of one access: a fresh record, updated in place within that access only.
type Work<S, T> = {
  s: S; flags: T; q: S; nh: S; lirs: number; hirs: number; occupied: number
  readonly c: number; readonly lirsLimit: number; readonly hirsLimit: number
  readonly evicted: number[]
}

const make = <S, T>(st: Store<S, T>): Policy<LirsState<S, T>> => {
  const { seq, tab } = st
  const flagOf = (w: Work<S, T>, k: number): number => tab.get(w.flags, k) ?? 0
  // LIRS_prune: drop HIR entries from the bottom of S until a LIR block is there.
  const prune = (w: Work<S, T>): void => {
    for (;;) {
      const t = seq.tail(w.s)
      if (t === undefined || t === seq.head(w.s)) break
      const f = flagOf(w, t)
      if (f & LIR) break
      if (!(f & RESIDENT) && seq.has(w.nh, t)) w.nh = seq.remove(w.nh, t)
      w.s = seq.remove(w.s, t)
      w.flags = tab.del(w.flags, t)
    }
  }
  // evictHIR: Q's tail leaves the cache; if it is in S it stays there as non-resident.
  const evictHIR = (w: Work<S, T>): void => {
    const v = seq.tail(w.q) as number
    w.hirs -= 1
    w.q = seq.remove(w.q, v)
    if (seq.has(w.s, v)) {
      w.flags = tab.set(w.flags, v, flagOf(w, v) & ~RESIDENT)
      if (!seq.has(w.nh, v)) w.nh = seq.pushHead(w.nh, v)
    }
    w.occupied -= 1
    w.evicted.push(v)
  }
  // evictLIR: S's bottom LIR block becomes a resident HIR block in Q.
  const evictLIR = (w: Work<S, T>): void => {
    const v = seq.tail(w.s) as number
    w.lirs -= 1
    w.s = seq.remove(w.s, v)
    w.flags = tab.del(w.flags, v)
    w.occupied -= 1
    while (w.hirs + 1 > w.hirsLimit) evictHIR(w)
    w.q = seq.pushHead(w.q, v)
    w.hirs += 1
    w.occupied += 1
    prune(w)
  }
  // limitStack: keep S within 2c entries by dropping the oldest non-resident HIR entries.
  const limitStack = (w: Work<S, T>): void => {
    while (seq.size(w.s) > 2 * w.c) {
      const v = seq.tail(w.nh)
      if (v === undefined) break
      w.s = seq.remove(w.s, v)
      w.flags = tab.del(w.flags, v)
      w.nh = seq.remove(w.nh, v)
    }
  }
  const done = (w: Work<S, T>, hit: boolean): Access<LirsState<S, T>> =>
    access({ s: w.s, flags: w.flags, q: w.q, nh: w.nh, lirs: w.lirs, hirs: w.hirs, occupied: w.occupied, capacity: w.c }, hit, w.evicted)

  return {
    name: 'lirs',
    init: (capacity) => ({
      s: seq.empty(), flags: tab.empty(), q: seq.empty(), nh: seq.empty(),
      lirs: 0, hirs: 0, occupied: 0, capacity,
    }),
    access: (s0, r, admit = true): Access<LirsState<S, T>> => {
      const c = s0.capacity
      const hirsLimit = Math.max(1, Math.trunc(0.01 * c))
      const w: Work<S, T> = {
        s: s0.s, flags: s0.flags, q: s0.q, nh: s0.nh, lirs: s0.lirs, hirs: s0.hirs, occupied: s0.occupied,
        c, lirsLimit: c - hirsLimit, hirsLimit, evicted: [],
      }
      const id = r.id
      // LIRS_find: both lists see the request (moving it to their heads) before deciding.
      const inS = seq.has(w.s, id)
      if (inS) w.s = seq.pushHead(seq.remove(w.s, id), id)
      const inQ = seq.has(w.q, id)
      if (inQ) w.q = seq.pushHead(seq.remove(w.q, id), id)
      if (inS && flagOf(w, id) & LIR) {
        prune(w)
        limitStack(w)
        return done(w, true)
      }
      if (inS && flagOf(w, id) & RESIDENT) {
        // hit_RD_HIRinS: a resident HIR block in S becomes LIR.
        if (inQ) {
          w.hirs -= 1
          w.q = seq.remove(w.q, id)
          w.occupied -= 1
        }
        while (w.lirs + 1 > w.lirsLimit) evictLIR(w)
        w.flags = tab.set(w.flags, id, flagOf(w, id) | LIR)
        w.lirs += 1
        w.occupied += 1
        limitStack(w)
        return done(w, true)
      }
      if (!inS && inQ) {
        // hit_RD_HIRinQ: a resident HIR block outside S re-enters S, still HIR.
        while (w.lirs + 1 > w.lirsLimit) evictLIR(w)
        w.s = seq.pushHead(w.s, id)
        w.flags = tab.set(w.flags, id, RESIDENT)
        limitStack(w)
        return done(w, true)
      }

      // A miss: id is either a non-resident HIR entry of S or unknown.
      const nonResidentInS = inS
      // LIRS_can_insert
      if (1 > c || !admit) return done(w, false)
      if (nonResidentInS) {
        while (w.lirs + 1 > w.lirsLimit) evictLIR(w)
        if (seq.has(w.nh, id)) w.nh = seq.remove(w.nh, id)
      } else {
        if (1 > w.lirsLimit || 1 > w.hirsLimit) {
          limitStack(w)
          return done(w, false)
        }
        if (w.lirs + 1 > w.lirsLimit && w.hirs + 1 > w.hirsLimit) {
          while (w.hirs + 1 > w.hirsLimit) evictHIR(w)
        }
      }
      // cache_get_base's eviction loop with LIRS_evict
      while (w.occupied + 1 > c) {
        if (nonResidentInS) {
          while (w.hirs >= w.hirsLimit) evictHIR(w)
          evictLIR(w)
        } else if (w.lirs + 1 > w.lirsLimit && w.hirs + 1 > w.hirsLimit) {
          evictHIR(w)
        } else break
      }
      // LIRS_insert
      if (nonResidentInS) {
        w.flags = tab.set(w.flags, id, LIR | RESIDENT)
        w.lirs += 1
      } else if (w.lirs + 1 <= w.lirsLimit) {
        w.s = seq.pushHead(w.s, id)
        w.flags = tab.set(w.flags, id, LIR | RESIDENT)
        w.lirs += 1
      } else {
        w.s = seq.pushHead(w.s, id)
        w.flags = tab.set(w.flags, id, RESIDENT)
        w.q = seq.pushHead(w.q, id)
        w.hirs += 1
      }
      w.occupied += 1
      limitStack(w)
      return done(w, false)
    },
    contains: (x, id) => seq.has(x.q, id) || (seq.has(x.s, id) && (tab.get(x.flags, id) ?? 0) !== 0),
    resident: (x) => {
      const inQ = seq.toArray(x.q)
      const qs = new Set(inQ)
      const inS = seq.toArray(x.s).filter((k) => !qs.has(k) && (tab.get(x.flags, k) ?? 0) !== 0)
      return [...inS, ...inQ]
    },
  }
}

export const lirs: PolicyDef = { name: 'lirs', defaults: {}, make: (st) => make(st) }
