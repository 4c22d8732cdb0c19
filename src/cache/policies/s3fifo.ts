// S3-FIFO (Yang et al., SOSP '23) as libCacheSim S3FIFO.c codes it, defaults
// `fifo-size-ratio=0.10, ghost-size-ratio=0.90, move-to-main-threshold=2`:
//  - small FIFO S of ⌊0.1·c⌋, main FIFO M of c − |S|cap, ghost FIFO G of ⌊0.9·c⌋ ids;
//  - a hit adds 1 to the object's counter (uncapped while in S; capped to 3 when M reinserts);
//  - a miss whose id is in G goes to M's head, any other miss to S's head (counter 0); as in
//    libCacheSim, a non-ghost miss is inserted only when 1 < |S|cap (`obj_size >= fifo size` is
//    rejected), so caches below 20 objects hold nothing;
//  - eviction works on M when M is over its size or S is empty, else on S: S's tail moves to M
//    (counter 0) if its counter ≥ threshold, else it is evicted into G; M's tail is reinserted
//    with counter min(counter, 3) − 1 if its counter ≥ 1, else evicted.
import { access, NONE, param, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

type S3State<S, T> = {
  readonly small: S
  readonly main: S
  readonly ghost: S
  readonly freq: T
  readonly sizes: S3Sizes
}
type S3Sizes = { readonly capacity: number; readonly small: number; readonly main: number; readonly ghost: number }
const s3State = <S, T>(small: S, main: S, ghost: S, freq: T, sizes: S3Sizes): S3State<S, T> =>
  ({ small, main, ghost, freq, sizes })

const make = <S, T>(st: Store<S, T>, smallRatio: number, ghostRatio: number, threshold: number): Policy<S3State<S, T>> => {
  const { seq, tab } = st

  // S3FIFO_evict_fifo: S's tail is promoted to M or evicted into G; repeat until one is evicted.
  const evictSmall = (s0: S3State<S, T>, evicted: number[]): S3State<S, T> => {
    let { small, main, ghost, freq } = s0
    while (seq.size(small) > 0) {
      const v = seq.tail(small) as number
      const f = tab.get(freq, v) ?? 0
      small = seq.remove(small, v)
      if (f >= threshold) {
        main = seq.pushHead(main, v)
        freq = tab.set(freq, v, 0)
        continue
      }
      // ghost->get: a FIFO cache of ids.
      if (s0.sizes.ghost > 0 && !seq.has(ghost, v)) {
        while (seq.size(ghost) + 1 > s0.sizes.ghost) ghost = seq.remove(ghost, seq.tail(ghost) as number)
        ghost = seq.pushHead(ghost, v)
      }
      freq = tab.del(freq, v)
      evicted.push(v)
      break
    }
    return s3State(small, main, ghost, freq, s0.sizes)
  }

  // S3FIFO_evict_main: M's tail is reinserted while its counter is non-zero, else evicted.
  const evictMain = (s0: S3State<S, T>, evicted: number[]): S3State<S, T> => {
    let { main, freq } = s0
    while (seq.size(main) > 0) {
      const v = seq.tail(main) as number
      const f = tab.get(freq, v) ?? 0
      main = seq.remove(main, v)
      if (f >= 1) {
        main = seq.pushHead(main, v)
        freq = tab.set(freq, v, Math.min(f, 3) - 1)
        continue
      }
      freq = tab.del(freq, v)
      evicted.push(v)
      break
    }
    return s3State(s0.small, main, s0.ghost, freq, s0.sizes)
  }

  return {
    name: 's3fifo',
    init: (capacity) => {
      const small = Math.trunc(capacity * smallRatio)
      const sizes = { capacity, small, main: capacity - small, ghost: Math.trunc(capacity * ghostRatio) }
      return s3State(seq.empty(), seq.empty(), seq.empty(), tab.empty(), sizes)
    },
    access: (s0, r, admit = true): Access<S3State<S, T>> => {
      const sizes = s0.sizes
      const id = r.id
      if (seq.has(s0.small, id) || seq.has(s0.main, id)) {
        const f = tab.get(s0.freq, id) ?? 0
        return access(s3State(s0.small, s0.main, s0.ghost, tab.set(s0.freq, id, f + 1), sizes), true, NONE)
      }
      const ghostHit = sizes.ghost > 0 && seq.has(s0.ghost, id)
      const s1 = ghostHit ? s3State(s0.small, s0.main, seq.remove(s0.ghost, id), s0.freq, sizes) : s0
      // S3FIFO_can_insert: the object must fit in the small queue. (libCacheSim's S3FIFO ignores an
      // admission policy here; this model honours `admit`, as for every policy.)
      if (1 > sizes.small || !admit) return access(s1, false, NONE)
      const evicted: number[] = []
      let s2 = s1
      while (seq.size(s2.small) + seq.size(s2.main) + 1 > sizes.capacity) {
        s2 = seq.size(s2.main) > sizes.main || seq.size(s2.small) === 0 ? evictMain(s2, evicted) : evictSmall(s2, evicted)
      }
      // S3FIFO_insert
      if (ghostHit) {
        return access(s3State(s2.small, seq.pushHead(s2.main, id), s2.ghost, tab.set(s2.freq, id, 0), sizes), false, evicted)
      }
      if (1 < sizes.small) {
        return access(s3State(seq.pushHead(s2.small, id), s2.main, s2.ghost, tab.set(s2.freq, id, 0), sizes), false, evicted)
      }
      return access(s2, false, evicted)
    },
    resident: (s) => [...seq.toArray(s.small), ...seq.toArray(s.main)],
    contains: (s, id) => seq.has(s.small, id) || seq.has(s.main, id),
  }
}

export const s3fifo: PolicyDef = {
  name: 's3fifo',
  defaults: { 'fifo-size-ratio': 0.1, 'ghost-size-ratio': 0.9, 'move-to-main-threshold': 2 },
  make: (st, params) =>
    make(
      st,
      param(params, s3fifo.defaults, 'fifo-size-ratio'),
      param(params, s3fifo.defaults, 'ghost-size-ratio'),
      param(params, s3fifo.defaults, 'move-to-main-threshold'),
    ),
}
