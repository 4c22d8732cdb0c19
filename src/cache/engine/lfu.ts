// LFU kernel (policies/lfu.ts, libCacheSim LFU.c): one FIFO-ordered bucket per access count (every
// object in exactly one, so they share their links); the victim is the oldest of the lowest count,
// evicted until the newcomer fits.
import { grownF64, grownI32, type Kernel } from './kernel.ts'

const NIL = -1

export const lfuKernel = (capacity: number): Kernel => {
  // links of the bucket queues (newer = toward the head), the count of each resident object (0: absent)
  let newer = new Int32Array(0)
  let older = new Int32Array(0)
  let count = new Int32Array(0)
  let sz = new Float64Array(0) // the size each resident object was inserted with
  // head and tail of the bucket of each count
  let heads = new Int32Array(1024).fill(NIL)
  let tails = new Int32Array(1024).fill(NIL)
  let used = 0
  let least = 1 // no bucket below it holds an object
  const leave = (k: number, f: number): void => {
    const nw = newer[k] as number
    const od = older[k] as number
    if (nw !== NIL) older[nw] = od
    else heads[f] = od
    if (od !== NIL) newer[od] = nw
    else tails[f] = nw
  }
  const enter = (k: number, f: number): void => {
    if (f >= heads.length) {
      heads = grownI32(heads, f + 1, NIL)
      tails = grownI32(tails, f + 1, NIL)
    }
    const h = heads[f] as number
    newer[k] = NIL
    older[k] = h
    if (h !== NIL) newer[h] = k
    else tails[f] = k
    heads[f] = k
  }
  return {
    reserve: (n) => {
      newer = grownI32(newer, n)
      older = grownI32(older, n)
      count = grownI32(count, n)
      sz = grownF64(sz, n)
    },
    run: (ids, _next, _origin, size, n, admit) => {
      let misses = 0
      for (let j = 0; j < n; j++) {
        const id = ids[j] as number
        const f = count[id] as number
        if (f !== 0) {
          leave(id, f)
          enter(id, f + 1)
          count[id] = f + 1
          if (f === least && heads[f] === NIL) least = f + 1
          continue
        }
        misses++
        const s = size[j] as number
        if (s > capacity || admit[j] === 0) continue
        while (used + s > capacity) {
          while (heads[least] === NIL) least++
          const victim = tails[least] as number
          leave(victim, least)
          count[victim] = 0
          used -= sz[victim] as number
        }
        enter(id, 1)
        count[id] = 1
        sz[id] = s
        used += s
        least = 1
      }
      return misses
    },
  }
}
