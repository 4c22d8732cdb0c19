// LRU and FIFO kernels (policies/lru.ts): one queue; LRU moves a hit to the head, FIFO does not.
// A miss evicts tails until the newcomer fits.
import { IdQueue, type Kernel } from './kernel.ts'

const queueKernel = (capacity: number, moveOnHit: boolean): Kernel => {
  const q = new IdQueue()
  const sz = q.sizes
  return {
    reserve: (n) => q.reserve(n),
    run: (ids, _next, _origin, size, n, admit) => {
      let misses = 0
      for (let j = 0; j < n; j++) {
        const id = ids[j] as number
        if (q.member[id] === 1) {
          if (moveOnHit) q.toHead(id)
          continue
        }
        misses++
        // cache_can_insert_default: an object larger than the cache is not inserted
        const s = size[j] as number
        if (s > capacity || admit[j] === 0) continue
        while (q.used + s > capacity) q.popTail()
        sz.of[id] = s
        q.pushHead(id)
      }
      return misses
    },
  }
}

export const lruKernel = (capacity: number): Kernel => queueKernel(capacity, true)
export const fifoKernel = (capacity: number): Kernel => queueKernel(capacity, false)
