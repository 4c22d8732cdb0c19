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
import { access, param, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

type S3State<S, T> = {
  readonly small: S
  readonly main: S
  readonly ghost: S
  readonly freq: T
  readonly capacity: number
}
const s3State = <S, T>(small: S, main: S, ghost: S, freq: T, capacity: number): S3State<S, T> =>
  ({ small, main, ghost, freq, capacity })

const make = <S, T>(st: Store<S, T>, smallRatio: number, ghostRatio: number, threshold: number): Policy<S3State<S, T>> => {
  const { seq, tab } = st
  return {
    name: 's3fifo',
    init: (capacity) => s3State(seq.empty(), seq.empty(), seq.empty(), tab.empty(), capacity),
    access: (s0, r): Access<S3State<S, T>> => {
      const c = s0.capacity
      const smallCap = Math.trunc(c * smallRatio)
      const mainCap = c - smallCap
      const ghostCap = Math.trunc(c * ghostRatio)
      const id = r.id
      if (seq.has(s0.small, id) || seq.has(s0.main, id)) {
        const f = tab.get(s0.freq, id) ?? 0
        return access(s3State(s0.small, s0.main, s0.ghost, tab.set(s0.freq, id, f + 1), c), true, [])
      }
      let { small, main, ghost, freq } = s0
      const ghostHit = ghostCap > 0 && seq.has(ghost, id)
      if (ghostHit) ghost = seq.remove(ghost, id)
      // S3FIFO_can_insert: the object must fit in the small queue.
      if (1 > smallCap) return access(s3State(small, main, ghost, freq, c), false, [])
      const evicted: number[] = []
      const evictSmall = (): void => {
        let done = false
        while (!done && seq.size(small) > 0) {
          const v = seq.tail(small) as number
          const f = tab.get(freq, v) ?? 0
          small = seq.remove(small, v)
          if (f >= threshold) {
            main = seq.pushHead(main, v)
            freq = tab.set(freq, v, 0)
          } else {
            // ghost->get: a FIFO cache of ids.
            if (ghostCap > 0 && !seq.has(ghost, v)) {
              while (seq.size(ghost) + 1 > ghostCap) ghost = seq.remove(ghost, seq.tail(ghost) as number)
              ghost = seq.pushHead(ghost, v)
            }
            freq = tab.del(freq, v)
            evicted.push(v)
            done = true
          }
        }
      }
      const evictMain = (): void => {
        let done = false
        while (!done && seq.size(main) > 0) {
          const v = seq.tail(main) as number
          const f = tab.get(freq, v) ?? 0
          main = seq.remove(main, v)
          if (f >= 1) {
            main = seq.pushHead(main, v)
            freq = tab.set(freq, v, Math.min(f, 3) - 1)
          } else {
            freq = tab.del(freq, v)
            evicted.push(v)
            done = true
          }
        }
      }
      while (seq.size(small) + seq.size(main) + 1 > c) {
        if (seq.size(main) > mainCap || seq.size(small) === 0) evictMain()
        else evictSmall()
      }
      if (ghostHit) {
        main = seq.pushHead(main, id)
        freq = tab.set(freq, id, 0)
      } else if (1 < smallCap) {
        small = seq.pushHead(small, id)
        freq = tab.set(freq, id, 0)
      }
      return access(s3State(small, main, ghost, freq, c), false, evicted)
    },
    resident: (s) => [...seq.toArray(s.small), ...seq.toArray(s.main)],
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
