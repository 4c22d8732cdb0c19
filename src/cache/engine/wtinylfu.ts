// W-TinyLFU kernel (policies/wtinylfu.ts, libCacheSim WTinyLFU.c with `main-cache=SLRU`): a window
// LRU, the main SLRU's probation and protected segments, and the counting Bloom filter in a
// Uint32Array; each id's two sketch hashes computed once, when it first appears.
import { param, type Params } from '../policy.ts'
import { SEED0, SEED1, sizesOf, slot, wtinylfu, xxh64Low32Fast } from '../policies/wtinylfu.ts'
import { grownI32, grownU8, IdQueue, type Kernel } from './kernel.ts'

export const wtinylfuKernel = (capacity: number, params: Params): Kernel => {
  const sz = sizesOf(capacity, param(params, wtinylfu.defaults, 'window-size'))
  const { hashes, counters: width, decayEvery } = sz
  const [seg0, seg1] = sz.seg
  const window = new IdQueue()
  const probation = new IdQueue()
  const prot = new IdQueue()
  const cbf = new Uint32Array(width)
  let hashA = new Int32Array(0)
  let hashB = new Int32Array(0)
  let hashed = new Uint8Array(0)
  let hits = 0
  // the sketch's estimate: the least of the id's counters
  const estimate = (id: number): number => {
    const a = hashA[id] as number
    const b = hashB[id] as number
    let min = Infinity
    for (let i = 0; i < hashes; i++) {
      const c = cbf[slot(a, b, i, width)] as number
      if (c < min) min = c
    }
    return min
  }
  const add = (id: number): void => {
    const a = hashA[id] as number
    const b = hashB[id] as number
    for (let i = 0; i < hashes; i++) {
      const k = slot(a, b, i, width)
      cbf[k] = (cbf[k] as number) + 1
    }
  }
  // SLRU_evict: the tail of the lowest non-empty segment
  const mainEvict = (): void => {
    if (probation.size > 0) probation.popTail()
    else prot.popTail()
  }
  // SLRU_insert: the first segment with room, else evict until main has room and use probation
  const mainInsert = (id: number): void => {
    if (probation.size + 1 <= seg0) probation.pushHead(id)
    else if (prot.size + 1 <= seg1) prot.pushHead(id)
    else {
      while (probation.size + prot.size + 1 > sz.main) mainEvict()
      probation.pushHead(id)
    }
  }
  const admits = capacity >= 1 && sz.window >= 1 && sz.main >= 1 && seg0 >= 1
  return {
    reserve: (n) => {
      window.reserve(n)
      probation.reserve(n)
      prot.reserve(n)
      hashA = grownI32(hashA, n)
      hashB = grownI32(hashB, n)
      hashed = grownU8(hashed, n)
    },
    run: (ids, _next, origin, _size, n, admit) => {
      let misses = 0
      for (let j = 0; j < n; j++) {
        const id = ids[j] as number
        if (hashed[id] === 0) {
          hashed[id] = 1
          hashA[id] = xxh64Low32Fast(origin[j] as number, SEED0)
          hashB[id] = xxh64Low32Fast(origin[j] as number, SEED1)
        }
        // WTinyLFU_find: the window LRU and the SLRU both see the request
        const inWindow = window.member[id] === 1
        if (inWindow) window.toHead(id)
        let inMain = false
        if (prot.member[id] === 1) {
          inMain = true
          prot.toHead(id)
        } else if (probation.member[id] === 1) {
          inMain = true
          // SLRU_promote_to_next_seg, then SLRU_cool while the top segment is over its size
          probation.remove(id)
          prot.pushHead(id)
          while (prot.size > seg1) {
            probation.pushHead(prot.popTail())
            while (probation.size > seg0) mainEvict()
          }
        }
        if (inMain) {
          add(id)
          if (++hits >= decayEvery) {
            hits = 0
            for (let i = 0; i < width; i++) cbf[i] = (cbf[i] as number) >>> 1
          }
        }
        if (inWindow || inMain) continue
        misses++
        // WTinyLFU_can_insert
        if (!admits || admit[j] === 0) continue
        while (window.size + probation.size + prot.size + 1 > capacity) {
          // WTinyLFU_evict: window victims into main while it has room, then one duel with main's victim
          for (;;) {
            if (window.size === 0) {
              mainEvict()
              break
            }
            const v = window.popTail()
            if (probation.size + prot.size + 1 <= sz.main) mainInsert(v)
            else {
              const mv = probation.size > 0 ? probation.tail : prot.tail
              if (estimate(v) > estimate(mv)) {
                mainEvict()
                mainInsert(v)
              } else {
                add(v)
                break
              }
            }
            add(v)
          }
        }
        window.pushHead(id)
        add(id)
      }
      return misses
    },
  }
}
