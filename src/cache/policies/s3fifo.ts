// S3-FIFO (Yang et al., SOSP '23) as libCacheSim S3FIFO.c codes it, defaults
// `fifo-size-ratio=0.10, ghost-size-ratio=0.90, move-to-main-threshold=2`:
//  - small FIFO S of ⌊0.1·c⌋, main FIFO M of c − |S|cap, ghost FIFO G of ⌊0.9·c⌋ ids;
//  - a hit adds 1 to the object's counter (uncapped while in S; capped to 3 when M reinserts);
//  - a miss whose id is in G goes to M's head, any other miss to S's head (counter 0); as in
//    libCacheSim, a non-ghost miss is inserted only when 1 < |S|cap (`obj_size >= fifo size` is
//    rejected), so caches below 20 objects hold nothing;
//  - eviction works on M when M is over its size or S is empty, else on S: S's tail moves to M
//    (counter 0) if its counter ≥ threshold, else it is evicted into G; M's tail is reinserted
//    with counter min(counter, 3) − 1 if its counter ≥ 1, else evicted;
//  - sized in objects, or in bytes when requests carry sizes (every queue then counts bytes).
import { access, forgetSize, NONE, rememberSize, sizeOf, param, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

type S3State<S, T> = {
  readonly small: S
  readonly main: S
  readonly ghost: S
  readonly freq: T
  /** Bytes (or objects) in each queue, and the sizes that are not 1 (of S, M and G entries). */
  readonly smallUsed: number
  readonly mainUsed: number
  readonly ghostUsed: number
  readonly objSize: T
  readonly sizes: S3Sizes
}
type S3Sizes = { readonly capacity: number; readonly small: number; readonly main: number; readonly ghost: number }
const s3State = <S, T>(
  small: S, main: S, ghost: S, freq: T, smallUsed: number, mainUsed: number, ghostUsed: number, objSize: T, sizes: S3Sizes,
): S3State<S, T> => ({ small, main, ghost, freq, smallUsed, mainUsed, ghostUsed, objSize, sizes })

// The working copy of one miss: a fresh record, updated in place within that access only.
type Work<S, T> = {
  small: S; main: S; ghost: S; freq: T
  smallUsed: number; mainUsed: number; ghostUsed: number; objSize: T
  readonly sizes: S3Sizes
  readonly evicted: number[]
}

const make = <S, T>(st: Store<S, T>, smallRatio: number, ghostRatio: number, threshold: number): Policy<S3State<S, T>> => {
  const { seq, tab } = st

  // ghost->get: G is a FIFO cache of ids (with their sizes) of its own.
  const toGhost = (w: Work<S, T>, v: number, size: number): void => {
    if (seq.has(w.ghost, v)) return // a hit in G changes nothing
    if (size > w.sizes.ghost) {
      w.objSize = forgetSize(tab, w.objSize, v)
      return
    }
    while (w.ghostUsed + size > w.sizes.ghost) {
      const g = seq.tail(w.ghost) as number
      w.ghost = seq.remove(w.ghost, g)
      w.ghostUsed -= sizeOf(tab, w.objSize, g)
      w.objSize = forgetSize(tab, w.objSize, g)
    }
    w.ghost = seq.pushHead(w.ghost, v)
    w.ghostUsed += size
  }

  // S3FIFO_evict_fifo: S's tail is promoted to M or evicted into G; repeat until one is evicted.
  const evictSmall = (w: Work<S, T>): void => {
    while (w.smallUsed > 0) {
      const v = seq.tail(w.small) as number
      const f = tab.get(w.freq, v) ?? 0
      const size = sizeOf(tab, w.objSize, v)
      w.small = seq.remove(w.small, v)
      w.smallUsed -= size
      if (f >= threshold) {
        w.main = seq.pushHead(w.main, v)
        w.mainUsed += size
        w.freq = tab.set(w.freq, v, 0)
        continue
      }
      w.freq = tab.del(w.freq, v)
      if (w.sizes.ghost > 0) toGhost(w, v, size)
      else w.objSize = forgetSize(tab, w.objSize, v)
      w.evicted.push(v)
      break
    }
  }

  // S3FIFO_evict_main: M's tail is reinserted while its counter is non-zero, else evicted.
  const evictMain = (w: Work<S, T>): void => {
    while (w.mainUsed > 0) {
      const v = seq.tail(w.main) as number
      const f = tab.get(w.freq, v) ?? 0
      w.main = seq.remove(w.main, v)
      if (f >= 1) {
        w.main = seq.pushHead(w.main, v)
        w.freq = tab.set(w.freq, v, Math.min(f, 3) - 1)
        continue
      }
      w.mainUsed -= sizeOf(tab, w.objSize, v)
      w.objSize = forgetSize(tab, w.objSize, v)
      w.freq = tab.del(w.freq, v)
      w.evicted.push(v)
      break
    }
  }

  const done = (w: Work<S, T>, hit: boolean): Access<S3State<S, T>> =>
    access(s3State(w.small, w.main, w.ghost, w.freq, w.smallUsed, w.mainUsed, w.ghostUsed, w.objSize, w.sizes), hit, w.evicted)

  return {
    name: 's3fifo',
    init: (capacity) => {
      const small = Math.trunc(capacity * smallRatio)
      const sizes = { capacity, small, main: capacity - small, ghost: Math.trunc(capacity * ghostRatio) }
      return s3State(seq.empty(), seq.empty(), seq.empty(), tab.empty(), 0, 0, 0, tab.empty(), sizes)
    },
    access: (s0, r, admit = true): Access<S3State<S, T>> => {
      const sizes = s0.sizes
      const id = r.id
      if (seq.has(s0.small, id) || seq.has(s0.main, id)) {
        const f = tab.get(s0.freq, id) ?? 0
        const s1 = s3State(s0.small, s0.main, s0.ghost, tab.set(s0.freq, id, f + 1), s0.smallUsed, s0.mainUsed, s0.ghostUsed, s0.objSize, sizes)
        return access(s1, true, NONE)
      }
      const w: Work<S, T> = {
        small: s0.small, main: s0.main, ghost: s0.ghost, freq: s0.freq,
        smallUsed: s0.smallUsed, mainUsed: s0.mainUsed, ghostUsed: s0.ghostUsed, objSize: s0.objSize, sizes, evicted: [],
      }
      const ghostHit = sizes.ghost > 0 && seq.has(w.ghost, id)
      if (ghostHit) {
        w.ghost = seq.remove(w.ghost, id)
        w.ghostUsed -= sizeOf(tab, w.objSize, id)
        w.objSize = forgetSize(tab, w.objSize, id)
      }
      const size = r.size ?? 1
      // S3FIFO_can_insert: the object must fit in the small queue. (libCacheSim's S3FIFO ignores an
      // admission policy here; this model honours `admit`, as for every policy.)
      if (size > sizes.small || !admit) return done(w, false)
      while (w.smallUsed + w.mainUsed + size > sizes.capacity) {
        if (w.mainUsed > sizes.main || w.smallUsed === 0) evictMain(w)
        else evictSmall(w)
      }
      // S3FIFO_insert
      if (ghostHit) {
        w.main = seq.pushHead(w.main, id)
        w.mainUsed += size
      } else if (size < sizes.small) {
        w.small = seq.pushHead(w.small, id)
        w.smallUsed += size
      } else return done(w, false)
      w.freq = tab.set(w.freq, id, 0)
      w.objSize = rememberSize(tab, w.objSize, id, size)
      return done(w, false)
    },
    resident: (s) => [...seq.toArray(s.small), ...seq.toArray(s.main)],
    contains: (s, id) => seq.has(s.small, id) || seq.has(s.main, id),
  }
}

export const s3fifo: PolicyDef = {
  name: 's3fifo',
  defaults: { 'fifo-size-ratio': 0.1, 'ghost-size-ratio': 0.9, 'move-to-main-threshold': 2 },
  // S and M are both queues of the cache (a ratio of 1 or more leaves M no room, or less than none, and
  // eviction never ends); G may hold any multiple of the cache's ids; the threshold compares a counter.
  ranges: {
    'fifo-size-ratio': { min: 0, max: 1, minOpen: true, maxOpen: true },
    'ghost-size-ratio': { min: 0, max: Infinity },
    'move-to-main-threshold': { min: 0, max: Infinity, integer: true },
  },
  make: (st, params) =>
    make(
      st,
      param(params, s3fifo.defaults, 'fifo-size-ratio'),
      param(params, s3fifo.defaults, 'ghost-size-ratio'),
      param(params, s3fifo.defaults, 'move-to-main-threshold'),
    ),
}
