// ARC kernel (policies/arc.ts, Megiddo & Modha's cases as libCacheSim ARC.c codes them): T1, T2
// resident, B1, B2 their ghosts, p the target size of T1 (a double, as in libCacheSim); every
// list and p in bytes (objects when every size is 1).
import { IdQueue, SizeTable, type Kernel } from './kernel.ts'

export const arcKernel = (c: number): Kernel => {
  const sz = new SizeTable()
  const t1 = new IdQueue(sz)
  const t2 = new IdQueue(sz)
  const b1 = new IdQueue(sz)
  const b2 = new IdQueue(sz)
  let p = 0
  // REPLACE(x, p): T1's tail into B1, or T2's tail into B2
  const replace = (ghostB2: boolean): void => {
    const n1 = t1.used
    if ((n1 > 0 && (n1 > p || (n1 === p && ghostB2))) || t2.used === 0) b1.pushHead(t1.popTail())
    else b2.pushHead(t2.popTail())
  }
  return {
    reserve: (n) => {
      t1.reserve(n)
      t2.reserve(n)
      b1.reserve(n)
      b2.reserve(n)
    },
    run: (ids, _next, _origin, size, n, admit) => {
      let misses = 0
      for (let j = 0; j < n; j++) {
        const id = ids[j] as number
        if (t1.member[id] === 1) {
          t1.remove(id)
          t2.pushHead(id)
          continue
        }
        if (t2.member[id] === 1) {
          t2.toHead(id)
          continue
        }
        misses++
        // ARC_find: a ghost hit adapts p and drops the ghost entry
        let ghost = 0 // 0 none, 1 B1, 2 B2
        if (b1.member[id] === 1) {
          ghost = 1
          p = Math.min(p + Math.max(b2.used / b1.used, 1), c)
          b1.remove(id)
        } else if (b2.member[id] === 1) {
          ghost = 2
          p = Math.max(p - Math.max(b1.used / b2.used, 1), 0)
          b2.remove(id)
        }
        const s = size[j] as number
        if (s > c || admit[j] === 0) continue
        while (t1.used + t2.used + s > c) {
          if (ghost !== 0) replace(ghost === 2)
          else if (t1.used + b1.used + s > c) {
            // case IV(A)
            if (b1.used > 0) {
              b1.popTail()
              replace(false)
            } else t1.popTail()
          } else {
            // case IV(B)
            if (t1.used + b1.used + t2.used + b2.used >= 2 * c && b2.used > 0) b2.popTail()
            replace(false)
          }
        }
        sz.of[id] = s
        if (ghost !== 0) t2.pushHead(id)
        else t1.pushHead(id)
      }
      return misses
    },
  }
}
