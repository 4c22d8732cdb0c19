// Laws every cache policy obeys, checked on random traces over small id ranges (so hits happen).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { POLICY_NAMES, SIZED_POLICIES, type PolicyName } from '../../src/cache/policy.ts'
import { nextAccesses, pure, simulate, simulateByFold } from '../../src/cache/simulate.ts'

const arbTrace = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 300 })
const arbCapacity = fc.integer({ min: 1, max: 45 })
const arbPolicy = fc.constantFrom(...POLICY_NAMES)

// Folds the pure access and checks `law` on every step.
const everyStep = (
  name: PolicyName,
  capacity: number,
  ids: readonly number[],
  law: (before: readonly number[], hit: boolean, id: number, after: readonly number[]) => boolean,
): boolean => {
  const p = pure(name)
  const next = nextAccesses(ids)
  let s = p.init(capacity)
  return ids.every((id, i) => {
    const before = p.resident(s)
    const a = p.access(s, { id, next: next[i] as number })
    s = a.state
    return law(before, a.hit, id, p.resident(s))
  })
}

// LIRS is left out on purpose: libCacheSim's LIRS can hold more objects than its capacity (a hit
// on a resident HIR block outside S that demotes a LIR block can push the hit block out of Q while
// it stays resident in S, uncounted). We reproduce that for identical miss counts; the witness,
// confirmed with libCacheSim's cachesim, is pinned in spec/cache/policies.spec.ts.
const boundedPolicy = fc.constantFrom(...POLICY_NAMES.filter((p) => p !== 'lirs'))

test('capacity: a cache never holds more objects than its capacity (all but LIRS, see above)', () => {
  fc.assert(fc.property(boundedPolicy, arbCapacity, arbTrace, (name, c, ids) =>
    everyStep(name, c, ids, (_b, _h, _id, after) => after.length <= c)), { numRuns: runs(300) })
})

test('hit ⇔ resident: a request hits exactly when its object is resident before it', () => {
  fc.assert(fc.property(arbPolicy, arbCapacity, arbTrace, (name, c, ids) =>
    everyStep(name, c, ids, (before, hit, id) => hit === before.includes(id))), { numRuns: runs(300) })
})

test('contains agrees with the resident set', () => {
  fc.assert(fc.property(arbPolicy, arbCapacity, arbTrace, (name, c, ids) => {
    const p = pure(name)
    let s = p.init(c)
    return ids.every((id) => {
      s = p.access(s, { id, next: Infinity }).state
      const res = new Set(p.resident(s))
      return ids.every((k) => p.contains(s, k) === res.has(k))
    })
  }), { numRuns: runs(100) })
})

test('LRU inclusion: the LRU cache of size c is contained in that of size c + 1, so misses never grow', () => {
  fc.assert(fc.property(arbCapacity, arbTrace, (c, ids) => {
    const small = pure('lru')
    const big = pure('lru')
    let s = small.init(c)
    let b = big.init(c + 1)
    return ids.every((id) => {
      s = small.access(s, { id, next: Infinity }).state
      b = big.access(b, { id, next: Infinity }).state
      const inBig = new Set(big.resident(b))
      return small.resident(s).every((k) => inBig.has(k))
    }) && simulate('lru', c + 1, { ids }).misses <= simulate('lru', c, { ids }).misses
  }), { numRuns: runs(200) })
})

test('Belady is optimal: no policy misses less', () => {
  fc.assert(fc.property(arbCapacity, arbTrace, (c, ids) => {
    const opt = simulate('belady', c, { ids }).misses
    return POLICY_NAMES.every((p) => simulate(p, c, { ids }).misses >= opt)
  }), { numRuns: runs(200) })
})

test('Belady’s anomaly: FIFO with 4 frames misses more than with 3 on the classic witness', () => {
  // Bélády, Nelson & Shedler (CACM 1969): 9 faults with 3 frames, 10 with 4.
  const witness = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5]
  assert.is(simulate('fifo', 3, { ids: witness }).misses, 9)
  assert.is(simulate('fifo', 4, { ids: witness }).misses, 10)
})

test('simulate ≡ folding the pure access (every policy, random traces and sizes)', () => {
  fc.assert(fc.property(arbPolicy, arbCapacity, arbTrace, (name, c, ids) =>
    simulate(name, c, { ids }).misses === simulateByFold(name, c, { ids }).misses), { numRuns: runs(400) })
})

test('simulate ≡ fold also behind the QBic admission front', () => {
  const arbFront = fc.record({ window: fc.integer({ min: 1, max: 20 }), threshold: fc.integer({ min: 1, max: 4 }) })
  fc.assert(fc.property(arbPolicy, arbCapacity, arbTrace, arbFront, (name, c, ids, front) =>
    simulate(name, c, { ids }, {}, front).misses === simulateByFold(name, c, { ids }, {}, front).misses), { numRuns: runs(200) })
})

test('persistence: an old state answers the same after newer states were derived from it', () => {
  fc.assert(fc.property(arbPolicy, arbCapacity, arbTrace, fc.integer({ min: 0, max: 40 }), (name, c, ids, probe) => {
    const p = pure(name)
    let s = p.init(c)
    for (const id of ids.slice(0, ids.length >> 1)) s = p.access(s, { id, next: Infinity }).state
    const snapshot = s
    const first = p.access(snapshot, { id: probe, next: Infinity })
    for (const id of ids.slice(ids.length >> 1)) s = p.access(s, { id, next: Infinity }).state
    const again = p.access(snapshot, { id: probe, next: Infinity })
    return first.hit === again.hit && JSON.stringify(first.evicted) === JSON.stringify(again.evicted) &&
      JSON.stringify(p.resident(first.state)) === JSON.stringify(p.resident(again.state))
  }), { numRuns: runs(200) })
})

test('determinism: the same trace gives the same misses', () => {
  fc.assert(fc.property(arbPolicy, arbCapacity, arbTrace, (name, c, ids) =>
    simulate(name, c, { ids }).misses === simulate(name, c, { ids }).misses), { numRuns: runs(100) })
})

// Byte-sized caches: each object keeps one size (as in real traces), 1 … 40 bytes.
const arbSized = fc.record({
  policy: fc.constantFrom(...SIZED_POLICIES),
  capacity: fc.integer({ min: 1, max: 200 }),
  ids: arbTrace,
  sizeOf: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 41, maxLength: 41 }),
})

test('byte-sized: the bytes held never exceed the capacity, and hit ⇔ resident', () => {
  fc.assert(fc.property(arbSized, ({ policy, capacity, ids, sizeOf }) => {
    const p = pure(policy)
    let s = p.init(capacity)
    return ids.every((id) => {
      const before = p.resident(s)
      const a = p.access(s, { id, next: Infinity, size: sizeOf[id] as number })
      s = a.state
      const held = p.resident(s).reduce((n, k) => n + (sizeOf[k] as number), 0)
      return held <= capacity && a.hit === before.includes(id)
    })
  }), { numRuns: runs(200) })
})

test('byte-sized: simulate ≡ folding the pure access', () => {
  fc.assert(fc.property(arbSized, ({ policy, capacity, ids, sizeOf }) => {
    const trace = { ids, sizes: ids.map((id) => sizeOf[id] as number) }
    return simulate(policy, capacity, trace).misses === simulateByFold(policy, capacity, trace).misses
  }), { numRuns: runs(200) })
})

test.run()
