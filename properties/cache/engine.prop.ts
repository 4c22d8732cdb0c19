// The cache engine's kernels (src/cache/engine/) wrap the specification: on random traces, sizes
// and parameters, every kernel hits on exactly the requests where folding the policy's pure
// `access` hits, and the engine's `simulateSource` returns what the specification's does.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import type { Params, PolicyName } from '../../src/cache/policy.ts'
import { intern, nextAccesses, pure, simulateSource as specSimulateSource, sourceOf, type Config } from '../../src/cache/simulate.ts'
import { KERNELS, simulateSource } from '../../src/cache/engine/replay.ts'

const KERNEL_POLICIES = Object.keys(KERNELS) as PolicyName[]
// small universes make hits; larger ones fill LIRS's stack beyond 2c and the ghost lists
const arbTrace = fc.integer({ min: 1, max: 150 }).chain((universe) =>
  fc.array(fc.integer({ min: 0, max: universe - 1 }), { minLength: 1, maxLength: 400, size: 'max' }))
// the parameters libCacheSim takes for these policies, over their whole ranges
const arbParams = (p: PolicyName): fc.Arbitrary<Params> => {
  switch (p) {
    case 'clock': return fc.record({ 'n-bit-counter': fc.integer({ min: 1, max: 4 }) })
    case 's3fifo': return fc.record({
      'fifo-size-ratio': fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      'ghost-size-ratio': fc.double({ min: 0, max: 2, noNaN: true }),
      'move-to-main-threshold': fc.integer({ min: 0, max: 4 }),
    })
    case 'twoq': return fc.record({ 'Ain-size-ratio': fc.double({ min: 0, max: 1, noNaN: true }), 'Aout-size-ratio': fc.double({ min: 0, max: 2, noNaN: true }) })
    // windows of 0-100 % in whole percents, so small caches admit (the default 1 % leaves no window
    // below 100 objects; fc.double is mostly tiny numbers here, a window of 0, which never duels)
    case 'wtinylfu': return fc.record({ 'window-size': fc.integer({ min: 0, max: 100 }).map((k) => k / 100) })
    default: return fc.constant({})
  }
}
const arbCase = fc.constantFrom(...KERNEL_POLICIES).chain((policy) =>
  fc.record({ policy: fc.constant(policy), capacity: policy === 'wtinylfu' ? fc.oneof(fc.integer({ min: 0, max: 45 }), fc.integer({ min: 95, max: 160 })) : fc.integer({ min: 0, max: 45 }), params: fc.oneof(fc.constant({}), arbParams(policy)), ids: arbTrace }))

test('every kernel hits exactly where folding the pure access hits, request by request', () => {
  fc.assert(fc.property(arbCase, ({ policy, capacity, params, ids }) => {
    const kernel = (KERNELS[policy] as NonNullable<(typeof KERNELS)[PolicyName]>)(capacity, params)
    const spec = pure(policy, params)
    const dense = intern(ids)
    const next = nextAccesses(ids)
    let s = spec.init(capacity)
    const one = Float64Array.of(1)
    return ids.every((id, i) => {
      const a = spec.access(s, { id, next: next[i] as number })
      s = a.state
      kernel.reserve((dense[i] as number) + 1)
      // the origin W-TinyLFU hashes is the trace's own id, as the spec's access defaults to
      const missed = kernel.run(dense.subarray(i, i + 1), next.subarray(i, i + 1), Float64Array.of(id), one, 1)
      return missed === (a.hit ? 0 : 1)
    })
  }), { numRuns: runs(1500) })
})

// Several configurations at once, with and without the admission front (which no kernel covers),
// over traces longer than one replay chunk of the engine.
const arbConfig: fc.Arbitrary<Config> = fc.record({
  policy: fc.constantFrom<PolicyName>('lru', 'arc', 'lirs', 's3fifo', 'wtinylfu', 'belady', 'lfu'),
  capacity: fc.integer({ min: 1, max: 3000 }),
  params: fc.constant({}),
}).chain((c) => fc.oneof(fc.constant(c), fc.record({ window: fc.integer({ min: 1, max: 50 }), threshold: fc.integer({ min: 1, max: 3 }) }).map((admission) => ({ ...c, admission }))))

test('the engine’s simulateSource ≡ the specification’s, chunk boundaries included', () => {
  fc.assert(fc.property(fc.array(arbConfig, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 5000 }), fc.integer(), fc.boolean(),
    (configs, objects, seed, quark) => {
      // 70 000 requests (more than the 65 536 of one chunk) over `objects` ids, from a seeded LCG
      let x = seed >>> 0
      const ids = Array.from({ length: 70_000 }, () => {
        x = (Math.imul(x, 1664525) + 1013904223) >>> 0
        return (x >>> 8) % objects
      })
      const trace = { ids, next: nextAccesses(ids) }
      const o = { ids: quark ? 'first-appearance' as const : 'as-is' as const }
      const a = simulateSource(configs, sourceOf(trace), o)
      const b = specSimulateSource(configs, sourceOf(trace), o)
      return JSON.stringify(a) === JSON.stringify(b)
    }), { numRuns: runs(6) })
})

test.run()
