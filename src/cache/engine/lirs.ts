// LIRS kernel (policies/lirs.ts, Jiang & Zhang as libCacheSim LIRS.c codes it, with its choices:
// resident-HIR limit max(1, ⌊0.01·c⌋), S pruned to a LIR at its bottom and trimmed to 2c entries,
// the demotion on a hit of a resident HIR block outside S). S, Q and NH are LRU lists.
import { grownU8, IdQueue, type Kernel } from './kernel.ts'

const LIR = 1
const RESIDENT = 2

export const lirsKernel = (c: number): Kernel => {
  const hirsLimit = Math.max(1, Math.trunc(0.01 * c))
  const lirsLimit = c - hirsLimit
  const s = new IdQueue()
  const q = new IdQueue()
  const nh = new IdQueue()
  let flags = new Uint8Array(0)
  let lirs = 0
  let hirs = 0
  let occupied = 0
  // LIRS_prune: drop HIR entries from the bottom of S until a LIR block is there
  const prune = (): void => {
    for (;;) {
      const t = s.tail
      if (t === -1 || t === s.head) break
      const f = flags[t] as number
      if (f & LIR) break
      if (!(f & RESIDENT) && nh.member[t] === 1) nh.remove(t)
      s.remove(t)
      flags[t] = 0
    }
  }
  // evictHIR: Q's tail leaves the cache; if it is in S it stays there as non-resident
  const evictHIR = (): void => {
    const v = q.popTail()
    hirs -= 1
    if (s.member[v] === 1) {
      flags[v] = (flags[v] as number) & ~RESIDENT
      if (nh.member[v] !== 1) nh.pushHead(v)
    }
    occupied -= 1
  }
  // evictLIR: S's bottom LIR block becomes a resident HIR block in Q
  const evictLIR = (): void => {
    const v = s.popTail()
    lirs -= 1
    flags[v] = 0
    occupied -= 1
    while (hirs + 1 > hirsLimit) evictHIR()
    q.pushHead(v)
    hirs += 1
    occupied += 1
    prune()
  }
  // limitStack: keep S within 2c entries by dropping the oldest non-resident HIR entries
  const limitStack = (): void => {
    while (s.size > 2 * c) {
      const v = nh.tail
      if (v === -1) break
      s.remove(v)
      flags[v] = 0
      nh.remove(v)
    }
  }
  // one request (admit 0: the admission front vetoes inserting it on a miss); true on a hit
  const access = (id: number, admit: number): boolean => {
    // LIRS_find: both lists see the request before deciding
    const inS = s.member[id] === 1
    if (inS) s.toHead(id)
    const inQ = q.member[id] === 1
    if (inQ) q.toHead(id)
    if (inS && (flags[id] as number) & LIR) {
      prune()
      limitStack()
      return true
    }
    if (inS && (flags[id] as number) & RESIDENT) {
      // hit_RD_HIRinS
      if (inQ) {
        hirs -= 1
        q.remove(id)
        occupied -= 1
      }
      while (lirs + 1 > lirsLimit) evictLIR()
      flags[id] = (flags[id] as number) | LIR
      lirs += 1
      occupied += 1
      limitStack()
      return true
    }
    if (!inS && inQ) {
      // hit_RD_HIRinQ
      while (lirs + 1 > lirsLimit) evictLIR()
      s.pushHead(id)
      flags[id] = RESIDENT
      limitStack()
      return true
    }
    // a miss: a non-resident HIR entry of S, or unknown
    if (1 > c || admit === 0) return false
    if (inS) {
      while (lirs + 1 > lirsLimit) evictLIR()
      if (nh.member[id] === 1) nh.remove(id)
    } else {
      if (1 > lirsLimit || 1 > hirsLimit) {
        limitStack()
        return false
      }
      if (lirs + 1 > lirsLimit && hirs + 1 > hirsLimit) {
        while (hirs + 1 > hirsLimit) evictHIR()
      }
    }
    while (occupied + 1 > c) {
      if (inS) {
        while (hirs >= hirsLimit) evictHIR()
        evictLIR()
      } else if (lirs + 1 > lirsLimit && hirs + 1 > hirsLimit) evictHIR()
      else break
    }
    // LIRS_insert
    if (inS) {
      flags[id] = LIR | RESIDENT
      lirs += 1
    } else if (lirs + 1 <= lirsLimit) {
      s.pushHead(id)
      flags[id] = LIR | RESIDENT
      lirs += 1
    } else {
      s.pushHead(id)
      flags[id] = RESIDENT
      q.pushHead(id)
      hirs += 1
    }
    occupied += 1
    limitStack()
    return false
  }
  return {
    reserve: (n) => {
      s.reserve(n)
      q.reserve(n)
      nh.reserve(n)
      flags = grownU8(flags, n)
    },
    run: (ids, _next, _origin, _size, n, admit) => {
      let misses = 0
      for (let j = 0; j < n; j++) if (!access(ids[j] as number, admit[j] as number)) misses++
      return misses
    },
  }
}
