// 2Q kernel (policies/twoq.ts, Johnson & Shasha as libCacheSim TwoQ.c codes it): FIFO A1in of
// Kin, ghost FIFO A1out of Kout, LRU Am, all in bytes (objects when every size is 1).
import { param, type Params } from '../policy.ts'
import { twoq } from '../policies/twoq.ts'
import { IdQueue, SizeTable, type Kernel } from './kernel.ts'

export const twoqKernel = (c: number, params: Params): Kernel => {
  const kin = Math.trunc(c * param(params, twoq.defaults, 'Ain-size-ratio'))
  const kout = Math.trunc(c * param(params, twoq.defaults, 'Aout-size-ratio'))
  const amCap = c - kin
  const sz = new SizeTable()
  const ain = new IdQueue(sz)
  const aout = new IdQueue(sz)
  const am = new IdQueue(sz)
  // A1in's tail leaves the cache into A1out (a FIFO cache of ids of its own)
  const evictAin = (): void => {
    const v = ain.popTail()
    if (aout.member[v] === 1) return
    const s = sz.of[v] as number
    if (s > kout) return
    while (aout.used + s > kout) aout.popTail()
    aout.pushHead(v)
  }
  return {
    reserve: (n) => {
      ain.reserve(n)
      aout.reserve(n)
      am.reserve(n)
    },
    run: (ids, _next, _origin, size, n, admit) => {
      let misses = 0
      for (let j = 0; j < n; j++) {
        const id = ids[j] as number
        if (ain.member[id] === 1) continue
        const ghostHit = aout.member[id] === 1
        if (ghostHit) aout.remove(id)
        if (am.member[id] === 1) {
          am.toHead(id)
          continue
        }
        misses++
        // TwoQ_can_insert: the object must fit in A1in
        const s = size[j] as number
        if (s > kin || admit[j] === 0) continue
        while (ain.used + am.used + s > c) {
          if (ain.used > kin || am.size === 0) evictAin()
          else am.popTail()
        }
        sz.of[id] = s
        if (ghostHit) {
          // Am: an LRU cache of its own, capacity c − Kin
          if (s > amCap) continue
          while (am.used + s > amCap) am.popTail()
          am.pushHead(id)
        } else ain.pushHead(id)
      }
      return misses
    },
  }
}
