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

const make = <S, T>(st: Store<S, T>): Policy<LirsState<S, T>> => {
  const { seq, tab } = st
  return {
    name: 'lirs',
    init: (capacity) => ({
      s: seq.empty(), flags: tab.empty(), q: seq.empty(), nh: seq.empty(),
      lirs: 0, hirs: 0, occupied: 0, capacity,
    }),
    access: (s0, r, admit = true): Access<LirsState<S, T>> => {
      const c = s0.capacity
      const hirsLimit = Math.max(1, Math.trunc(0.01 * c))
      const lirsLimit = c - hirsLimit
      const id = r.id
      let { s, flags, q, nh, lirs, hirs, occupied } = s0
      const evicted: number[] = []
      const flagOf = (k: number): number => tab.get(flags, k) ?? 0
      const toHead = (l: S, k: number): S => seq.pushHead(seq.remove(l, k), k)

      const prune = (): void => {
        for (;;) {
          const t = seq.tail(s)
          if (t === undefined || t === seq.head(s)) break
          const f = flagOf(t)
          if (f & LIR) break
          if (!(f & RESIDENT) && seq.has(nh, t)) nh = seq.remove(nh, t)
          s = seq.remove(s, t)
          flags = tab.del(flags, t)
        }
      }
      const evictHIR = (): void => {
        const v = seq.tail(q) as number
        hirs -= 1
        q = seq.remove(q, v)
        if (seq.has(s, v)) {
          flags = tab.set(flags, v, flagOf(v) & ~RESIDENT)
          if (!seq.has(nh, v)) nh = seq.pushHead(nh, v)
        }
        occupied -= 1
        evicted.push(v)
      }
      const evictLIR = (): void => {
        const v = seq.tail(s) as number
        lirs -= 1
        s = seq.remove(s, v)
        flags = tab.del(flags, v)
        occupied -= 1
        while (hirs + 1 > hirsLimit) evictHIR()
        q = seq.pushHead(q, v)
        hirs += 1
        occupied += 1
        prune()
      }
      const state = (): LirsState<S, T> => ({ s, flags, q, nh, lirs, hirs, occupied, capacity: c })
      const limitStack = (): void => {
        while (seq.size(s) > 2 * c) {
          const v = seq.tail(nh)
          if (v === undefined) break
          s = seq.remove(s, v)
          flags = tab.del(flags, v)
          nh = seq.remove(nh, v)
        }
      }

      // LIRS_find: both lists see the request (moving it to their heads) before deciding.
      const inS = seq.has(s, id)
      if (inS) s = toHead(s, id)
      const inQ = seq.has(q, id)
      if (inQ) q = toHead(q, id)
      let hit = false
      if (inS && flagOf(id) & LIR) {
        prune()
        hit = true
      } else if (inS && flagOf(id) & RESIDENT) {
        // hit_RD_HIRinS: a resident HIR block in S becomes LIR.
        if (inQ) {
          hirs -= 1
          q = seq.remove(q, id)
          occupied -= 1
        }
        while (lirs + 1 > lirsLimit) evictLIR()
        flags = tab.set(flags, id, flagOf(id) | LIR)
        lirs += 1
        occupied += 1
        hit = true
      } else if (!inS && inQ) {
        // hit_RD_HIRinQ: a resident HIR block outside S re-enters S, still HIR.
        while (lirs + 1 > lirsLimit) evictLIR()
        s = seq.pushHead(s, id)
        flags = tab.set(flags, id, RESIDENT)
        hit = true
      }
      if (hit) {
        limitStack()
        return access(state(), true, evicted)
      }

      const nonResidentInS = inS
      // LIRS_can_insert
      if (1 > c || !admit) return access(state(), false, evicted)
      if (nonResidentInS) {
        while (lirs + 1 > lirsLimit) evictLIR()
        if (seq.has(nh, id)) nh = seq.remove(nh, id)
      } else {
        if (1 > lirsLimit || 1 > hirsLimit) {
          limitStack()
          return access(state(), false, evicted)
        }
        if (lirs + 1 > lirsLimit && hirs + 1 > hirsLimit) {
          while (hirs + 1 > hirsLimit) evictHIR()
        }
      }
      // cache_get_base's eviction loop with LIRS_evict
      while (occupied + 1 > c) {
        if (nonResidentInS) {
          while (hirs >= hirsLimit) evictHIR()
          evictLIR()
        } else if (lirs + 1 > lirsLimit && hirs + 1 > hirsLimit) {
          evictHIR()
        } else break
      }
      // LIRS_insert
      if (nonResidentInS) {
        flags = tab.set(flags, id, LIR | RESIDENT)
        lirs += 1
      } else if (lirs + 1 <= lirsLimit) {
        s = seq.pushHead(s, id)
        flags = tab.set(flags, id, LIR | RESIDENT)
        lirs += 1
      } else {
        s = seq.pushHead(s, id)
        flags = tab.set(flags, id, RESIDENT)
        q = seq.pushHead(q, id)
        hirs += 1
      }
      occupied += 1
      limitStack()
      return access(state(), false, evicted)
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
