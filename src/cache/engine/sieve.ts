// SIEVE kernel (policies/sieve.ts): a visited bit per resident object and a hand that resumes
// where it stopped, moving toward the head and wrapping to the tail; a miss evicts until the
// newcomer fits.
import { grownU8, IdQueue, type Kernel } from './kernel.ts'

export const sieveKernel = (capacity: number): Kernel => {
  const q = new IdQueue()
  let visited = new Uint8Array(0)
  let hand = -1 // libCacheSim's NULL pointer: start at the tail
  return {
    reserve: (n) => {
      q.reserve(n)
      visited = grownU8(visited, n)
    },
    run: (ids, _next, _origin, size, n, admit) => {
      let misses = 0
      for (let j = 0; j < n; j++) {
        const id = ids[j] as number
        if (q.member[id] === 1) {
          visited[id] = 1
          continue
        }
        misses++
        const s = size[j] as number
        if (s > capacity || admit[j] === 0) continue
        while (q.used + s > capacity) {
          let obj = hand === -1 ? q.tail : hand
          while (visited[obj] === 1) {
            visited[obj] = 0
            obj = q.towardHead(obj)
            if (obj === -1) obj = q.tail
          }
          hand = q.towardHead(obj)
          q.remove(obj)
        }
        q.sizes.of[id] = s
        q.pushHead(id)
        visited[id] = 0
      }
      return misses
    },
  }
}
