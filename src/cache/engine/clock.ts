// CLOCK kernel (policies/clock.ts): an n-bit counter per resident object; eviction gives a
// non-zero counter a second chance at the head, decremented; a miss evicts until the newcomer fits.
import { param, type Params } from '../policy.ts'
import { clock } from '../policies/clock.ts'
import { grownI32, IdQueue, type Kernel } from './kernel.ts'

export const clockKernel = (capacity: number, params: Params): Kernel => {
  const maxFreq = 2 ** param(params, clock.defaults, 'n-bit-counter') - 1
  const q = new IdQueue()
  let freq = new Int32Array(0)
  return {
    reserve: (n) => {
      q.reserve(n)
      freq = grownI32(freq, n)
    },
    run: (ids, _next, _origin, size, n, admit) => {
      let misses = 0
      for (let j = 0; j < n; j++) {
        const id = ids[j] as number
        if (q.member[id] === 1) {
          const f = freq[id] as number
          if (f < maxFreq) freq[id] = f + 1
          continue
        }
        misses++
        const s = size[j] as number
        if (s > capacity || admit[j] === 0) continue
        while (q.used + s > capacity) {
          let victim = q.tail
          let f = freq[victim] as number
          while (f >= 1) {
            freq[victim] = f - 1
            q.toHead(victim)
            victim = q.tail
            f = freq[victim] as number
          }
          q.remove(victim)
        }
        q.sizes.of[id] = s
        q.pushHead(id)
        freq[id] = 0
      }
      return misses
    },
  }
}
