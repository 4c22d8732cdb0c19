// S3-FIFO kernel (policies/s3fifo.ts, Yang et al. as libCacheSim S3FIFO.c codes it): small FIFO S,
// main FIFO M, ghost FIFO G of ids, a counter per resident object; every queue in bytes (objects
// when every size is 1).
import { param, type Params } from '../policy.ts'
import { s3fifo } from '../policies/s3fifo.ts'
import { grownI32, IdQueue, SizeTable, type Kernel } from './kernel.ts'

export const s3fifoKernel = (capacity: number, params: Params): Kernel => {
  const smallCap = Math.trunc(capacity * param(params, s3fifo.defaults, 'fifo-size-ratio'))
  const mainCap = capacity - smallCap
  const ghostCap = Math.trunc(capacity * param(params, s3fifo.defaults, 'ghost-size-ratio'))
  const threshold = param(params, s3fifo.defaults, 'move-to-main-threshold')
  const sz = new SizeTable()
  const small = new IdQueue(sz)
  const main = new IdQueue(sz)
  const ghost = new IdQueue(sz)
  let freq = new Int32Array(0)
  const toGhost = (v: number): void => {
    if (ghost.member[v] === 1) return
    const s = sz.of[v] as number
    if (s > ghostCap) return
    while (ghost.used + s > ghostCap) ghost.popTail()
    ghost.pushHead(v)
  }
  const evictSmall = (): void => {
    while (small.used > 0) {
      const v = small.popTail()
      if ((freq[v] as number) >= threshold) {
        main.pushHead(v)
        freq[v] = 0
        continue
      }
      freq[v] = 0
      if (ghostCap > 0) toGhost(v)
      break
    }
  }
  const evictMain = (): void => {
    while (main.used > 0) {
      const v = main.tail
      const f = freq[v] as number
      if (f >= 1) {
        main.toHead(v)
        freq[v] = Math.min(f, 3) - 1
        continue
      }
      main.remove(v)
      break
    }
  }
  return {
    reserve: (n) => {
      small.reserve(n)
      main.reserve(n)
      ghost.reserve(n)
      freq = grownI32(freq, n)
    },
    run: (ids, _next, _origin, size, n, admit) => {
      let misses = 0
      for (let j = 0; j < n; j++) {
        const id = ids[j] as number
        if (small.member[id] === 1 || main.member[id] === 1) {
          freq[id] = (freq[id] as number) + 1
          continue
        }
        misses++
        const ghostHit = ghostCap > 0 && ghost.member[id] === 1
        if (ghostHit) ghost.remove(id)
        // S3FIFO_can_insert: the object must fit in the small queue
        const s = size[j] as number
        if (s > smallCap || admit[j] === 0) continue
        while (small.used + main.used + s > capacity) {
          if (main.used > mainCap || small.used === 0) evictMain()
          else evictSmall()
        }
        sz.of[id] = s
        if (ghostHit) main.pushHead(id)
        else if (s < smallCap) small.pushHead(id)
        else continue
        freq[id] = 0
      }
      return misses
    },
  }
}
