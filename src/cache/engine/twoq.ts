// 2Q kernel (policies/twoq.ts, Johnson & Shasha as libCacheSim TwoQ.c codes it): FIFO A1in of
// Kin, ghost FIFO A1out of Kout ids, LRU Am.
import { param, type Params } from '../policy.ts'
import { twoq } from '../policies/twoq.ts'
import { IdQueue, type Kernel } from './kernel.ts'

export const twoqKernel = (c: number, params: Params): Kernel => {
  const kin = Math.trunc(c * param(params, twoq.defaults, 'Ain-size-ratio'))
  const kout = Math.trunc(c * param(params, twoq.defaults, 'Aout-size-ratio'))
  const amCap = c - kin
  const ain = new IdQueue()
  const aout = new IdQueue()
  const am = new IdQueue()
  const evictAin = (): void => {
    const v = ain.popTail()
    if (aout.member[v] === 1) return
    if (1 > kout) return
    while (aout.size + 1 > kout) aout.popTail()
    aout.pushHead(v)
  }
  return {
    reserve: (n) => {
      ain.reserve(n)
      aout.reserve(n)
      am.reserve(n)
    },
    run: (ids, _next, _origin, _size, n) => {
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
        if (1 > kin) continue
        while (ain.size + am.size + 1 > c) {
          if (ain.size > kin) evictAin()
          else am.popTail()
        }
        if (ghostHit) {
          if (1 > amCap) continue
          while (am.size + 1 > amCap) am.popTail()
          am.pushHead(id)
        } else ain.pushHead(id)
      }
      return misses
    },
  }
}
