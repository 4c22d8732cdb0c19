// Belady kernel (policies/belady.ts, libCacheSim Belady.c): resident objects never requested again
// leave first (oldest first), then the one whose next request is furthest. An indexed binary
// max-heap of next-request indices replaces the specification's ranking (the indices are distinct,
// so the furthest is unique either way). Victims leave until the newcomer fits.
import { grownF64, grownI32, grownU8, IdQueue, SizeTable, type Kernel } from './kernel.ts'

export const beladyKernel = (capacity: number): Kernel => {
  const sz = new SizeTable() // the size each resident object was inserted with
  const doomed = new IdQueue(sz)
  let member = new Uint8Array(0)
  let pos = new Int32Array(0) // id → its slot in the heap, −1 if none
  let keys = new Float64Array(1024) // heap slot → next-request index
  let owner = new Int32Array(1024) // heap slot → id
  let size = 0
  let used = 0
  const place = (i: number, key: number, id: number): void => {
    keys[i] = key
    owner[i] = id
    pos[id] = i
  }
  const siftUp = (i0: number, key: number, id: number): void => {
    let i = i0
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((keys[parent] as number) >= key) break
      place(i, keys[parent] as number, owner[parent] as number)
      i = parent
    }
    place(i, key, id)
  }
  const siftDown = (i0: number, key: number, id: number): void => {
    let i = i0
    for (;;) {
      const l = 2 * i + 1
      if (l >= size) break
      const ch = l + 1 < size && (keys[l + 1] as number) > (keys[l] as number) ? l + 1 : l
      if ((keys[ch] as number) <= key) break
      place(i, keys[ch] as number, owner[ch] as number)
      i = ch
    }
    place(i, key, id)
  }
  const insert = (key: number, id: number): void => {
    if (size === keys.length) {
      keys = grownF64(keys, size + 1)
      owner = grownI32(owner, size + 1)
    }
    siftUp(size++, key, id)
  }
  const removeAt = (i: number): void => {
    const id = owner[i] as number
    pos[id] = -1
    size--
    if (i === size) return
    const key = keys[size] as number
    const last = owner[size] as number
    if (i > 0 && (keys[(i - 1) >> 1] as number) < key) siftUp(i, key, last)
    else siftDown(i, key, last)
  }
  return {
    reserve: (n) => {
      doomed.reserve(n)
      member = grownU8(member, n)
      pos = grownI32(pos, n, -1)
    },
    run: (ids, next, _origin, size, n, admit) => {
      let misses = 0
      for (let j = 0; j < n; j++) {
        const id = ids[j] as number
        if (member[id] === 1) {
          const at = pos[id] as number
          if (at !== -1) removeAt(at)
          else doomed.remove(id)
        } else {
          misses++
          const s = size[j] as number
          if (s > capacity || admit[j] === 0) continue
          while (used + s > capacity) {
            let victim: number
            if (doomed.size > 0) victim = doomed.popTail()
            else {
              victim = owner[0] as number
              removeAt(0)
            }
            member[victim] = 0
            used -= sz.of[victim] as number
          }
          member[id] = 1
          sz.of[id] = s
          used += s
        }
        const nx = next[j] as number
        if (nx < Infinity) insert(nx, id) // NaN and Infinity: never again
        else doomed.pushHead(id)
      }
      return misses
    },
  }
}
