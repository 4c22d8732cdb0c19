// The in-place storages behave exactly like the persistent ones they stand in for.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { dense, persistent } from '../../src/cache/store.ts'
import { intern } from '../../src/cache/simulate.ts'

// Random operations on a ranking with distinct priorities (as Belady uses it: a priority is a
// request index, set once, maybe removed later); long runs exercise the heap's rebuild.
test('the heap ranking answers max exactly as the persistent ranking, including after rebuilds', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat({ max: 9 }), fc.nat({ max: 50 })), { minLength: 2500, maxLength: 4000 }), (ops) => {
    const d = dense().ranking
    const p = persistent.ranking
    let rd = d.empty()
    let rp = p.empty()
    const live: number[] = []
    let nextPriority = 0
    return ops.every(([op, pick]) => {
      if (op < 6 || live.length === 0) {
        const prio = nextPriority++ * 3 + (pick % 3)
        rd = d.set(rd, prio, pick)
        rp = p.set(rp, prio, pick)
        live.push(prio)
      } else {
        const [prio] = live.splice(pick % live.length, 1)
        rd = d.remove(rd, prio as number)
        rp = p.remove(rp, prio as number)
      }
      const a = d.max(rd)
      const b = p.max(rp)
      return a?.k === b?.k && a?.v === b?.v
    })
  }), { numRuns: runs(30) })
})

test('the heap ranking stays exact when stale entries pile up and force a rebuild', () => {
  // 3000 priorities, then 2800 removals of anything but the top: stale entries cannot surface,
  // so the heap exceeds 2·live + 1024 and rebuilds.
  fc.assert(fc.property(fc.array(fc.nat(), { minLength: 2800, maxLength: 2800 }), fc.nat(), (picks, key0) => {
    const d = dense().ranking
    const p = persistent.ranking
    let rd = d.empty()
    let rp = p.empty()
    const live: number[] = []
    for (let i = 0; i < 3000; i++) {
      rd = d.set(rd, i, (key0 + i) % 997)
      rp = p.set(rp, i, (key0 + i) % 997)
      if (i < 2999) live.push(i)
    }
    return picks.every((pick, n) => {
      const [prio] = live.splice(pick % live.length, 1)
      rd = d.remove(rd, prio as number)
      rp = p.remove(rp, prio as number)
      if (n % 100 !== 99) return true
      const a = d.max(rd)
      const b = p.max(rp)
      return a?.k === b?.k && a?.v === b?.v && rd.live.size === live.length + 1
    }) && d.max(d.remove(rd, 2999))?.k === p.max(p.remove(rp, 2999))?.k
  }), { numRuns: runs(10) })
})

test('a disjoint family of dense queues behaves as separate persistent queues', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 30 })), { minLength: 50, maxLength: 500 }), (ops) => {
    const fam = dense(4).disjoint()
    const ps = persistent.seq
    const qd = [fam.empty(), fam.empty(), fam.empty(), fam.empty()]
    const qp = [ps.empty(), ps.empty(), ps.empty(), ps.empty()]
    const where = new Map<number, number>()
    return ops.every(([q, k]) => {
      const at = where.get(k)
      if (at === undefined) {
        qd[q] = fam.pushHead(qd[q], k)
        qp[q] = ps.pushHead(qp[q]!, k)
        where.set(k, q)
      } else {
        qd[at] = fam.remove(qd[at], k)
        qp[at] = ps.remove(qp[at]!, k)
        where.delete(k)
      }
      return qd.every((x, i) => JSON.stringify(fam.toArray(x)) === JSON.stringify(ps.toArray(qp[i]!)) &&
        fam.tail(x) === ps.tail(qp[i]!) && fam.size(x) === ps.size(qp[i]!))
    })
  }), { numRuns: runs(100) })
})

test('intern numbers ids by first appearance exactly as a Map would, across table growth', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.nat({ max: 100 }), fc.maxSafeNat()), { minLength: 1, maxLength: 200 }), fc.nat({ max: 70000 }), (some, spread) => {
    // plus a run of distinct ids long enough to grow the table past its first 65 536 slots
    const ids = [...some, ...Array.from({ length: spread }, (_, i) => i * 4294967311), ...some]
    const seen = new Map<number, number>()
    const expected = ids.map((id) => {
      if (!seen.has(id)) seen.set(id, seen.size)
      return seen.get(id) as number
    })
    return intern(ids).every((d, i) => d === expected[i])
  }), { numRuns: runs(20) })
})

test.run()
