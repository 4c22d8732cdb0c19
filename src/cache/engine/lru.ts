// LRU and FIFO kernels (policies/lru.ts): one queue; LRU moves a hit to the head, FIFO does not.
import { IdQueue, type Kernel } from './kernel.ts'

const queueKernel = (capacity: number, moveOnHit: boolean): Kernel => {
  const q = new IdQueue()
  return {
    reserve: (n) => q.reserve(n),
    run: (ids, _next, _origin, _size, n) => {
      let misses = 0
      for (let j = 0; j < n; j++) {
        const id = ids[j] as number
        if (q.member[id] === 1) {
          if (moveOnHit) q.toHead(id)
          continue
        }
        misses++
        // cache_can_insert_default: an object larger than the cache is not inserted
        if (capacity < 1) continue
        if (q.size >= capacity) q.popTail()
        q.pushHead(id)
      }
      return misses
    },
  }
}

export const lruKernel = (capacity: number): Kernel => queueKernel(capacity, true)
export const fifoKernel = (capacity: number): Kernel => queueKernel(capacity, false)
