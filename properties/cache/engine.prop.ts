// The cache engine's kernels (src/cache/engine/) wrap the specification: on random traces, sizes
// and parameters, every kernel hits on exactly the requests where folding the policy's pure
// `access` hits — counting objects, or bytes with random object sizes (the sized policies), with
// the admission front's veto on random requests — and the engine's `simulateSource` returns what
// the specification's does, in objects and in bytes, with and without the admission front.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { SIZED_POLICIES, type Params, type PolicyName } from '../../src/cache/policy.ts'
import { intern, nextAccesses, pure, simulateSource as specSimulateSource, sourceOf, type Config } from '../../src/cache/simulate.ts'
import { KERNELS, simulateSource } from '../../src/cache/engine/replay.ts'

const KERNEL_POLICIES = Object.keys(KERNELS) as PolicyName[]
// small universes make hits; larger ones fill LIRS's stack beyond 2c and the ghost lists
const arbTrace = fc.integer({ min: 1, max: 150 }).chain((universe) =>
  fc.array(fc.integer({ min: 0, max: universe - 1 }), { minLength: 1, maxLength: 400, size: 'max' }))
const percent = (k: number): number => k / 100
// the parameters libCacheSim takes for these policies, over their whole ranges
const arbParams = (p: PolicyName): fc.Arbitrary<Params> => {
  switch (p) {
    case 'clock': return fc.record({ 'n-bit-counter': fc.integer({ min: 1, max: 4 }) })
    // ratios in whole percents (fc.double is mostly tiny numbers, queues of 0 that admit nothing)
    case 's3fifo': return fc.record({
      'fifo-size-ratio': fc.integer({ min: 1, max: 99 }).map(percent),
      'ghost-size-ratio': fc.integer({ min: 0, max: 200 }).map(percent),
      'move-to-main-threshold': fc.integer({ min: 0, max: 4 }),
    })
    case 'twoq': return fc.record({ 'Ain-size-ratio': fc.integer({ min: 0, max: 100 }).map(percent), 'Aout-size-ratio': fc.integer({ min: 0, max: 200 }).map(percent) })
    // windows of 0-100 % in whole percents, so small caches admit (the default 1 % leaves no window
    // below 100 objects; fc.double is mostly tiny numbers here, a window of 0, which never duels)
    case 'wtinylfu': return fc.record({ 'window-size': fc.integer({ min: 0, max: 100 }).map((k) => k / 100) })
    default: return fc.constant({})
  }
}
// Object sizes, for the sized policies: one size per object (as a trace mostly has), or a size per
// request (an object asked for again with another size keeps the size it was inserted with), from
// 1 to 40 bytes; the cache from 0 to 400 bytes, so a few objects up to a few dozen fit.
const arbSizes = (ids: readonly number[]): fc.Arbitrary<number[]> => fc.oneof(
  fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 151, maxLength: 151 }).map((byId) => ids.map((id) => byId[id] as number)),
  fc.array(fc.integer({ min: 1, max: 40 }), { minLength: ids.length, maxLength: ids.length }),
)
// the admission front's veto: never, or on a random share of the requests
const arbAdmit = (n: number): fc.Arbitrary<boolean[]> => fc.oneof(
  fc.constant(Array.from({ length: n }, () => true)),
  fc.array(fc.boolean(), { minLength: n, maxLength: n }),
)
const arbCaseOf = (policies: readonly PolicyName[], bytesOnly: boolean) => fc.constantFrom(...policies).chain((policy) => {
  const sized = SIZED_POLICIES.includes(policy)
  return fc.record({
    policy: fc.constant(policy),
    bytes: sized ? (bytesOnly ? fc.constant(true) : fc.boolean()) : fc.constant(false),
    objects: policy === 'wtinylfu' ? fc.oneof(fc.integer({ min: 0, max: 45 }), fc.integer({ min: 95, max: 160 })) : fc.integer({ min: 0, max: 45 }),
    byteCapacity: fc.integer({ min: 0, max: 400 }),
    params: fc.oneof(fc.constant({}), arbParams(policy)),
    ids: arbTrace,
  }).chain((c) => fc.record({ c: fc.constant(c), sizes: c.bytes ? arbSizes(c.ids) : fc.constant(c.ids.map(() => 1)), admit: arbAdmit(c.ids.length) }))
})

type Case = ReturnType<typeof arbCaseOf> extends fc.Arbitrary<infer C> ? C : never
const kernelEqualsSpec = ({ c: { policy, bytes, objects, byteCapacity, params, ids }, sizes, admit }: Case): boolean => {
  const capacity = bytes ? byteCapacity : objects
  const kernel = (KERNELS[policy] as NonNullable<(typeof KERNELS)[PolicyName]>)(capacity, params)
  const spec = pure(policy, params)
  const dense = intern(ids)
  const next = nextAccesses(ids)
  let s = spec.init(capacity)
  return ids.every((id, i) => {
    const size = sizes[i] as number
    const a = spec.access(s, bytes ? { id, next: next[i] as number, size } : { id, next: next[i] as number }, admit[i])
    s = a.state
    kernel.reserve((dense[i] as number) + 1)
    // the origin W-TinyLFU hashes is the trace's own id, as the spec's access defaults to
    const missed = kernel.run(dense.subarray(i, i + 1), next.subarray(i, i + 1), Float64Array.of(id), Float64Array.of(size), 1,
      Uint8Array.of(admit[i] === true ? 1 : 0))
    return missed === (a.hit ? 0 : 1)
  })
}

test('every kernel hits exactly where folding the pure access hits, request by request (objects or bytes, vetoes)', () => {
  fc.assert(fc.property(arbCaseOf(KERNEL_POLICIES, false), kernelEqualsSpec), { numRuns: runs(2000) })
})

// The policies whose queues have limits of their own in bytes (2Q's A1in, A1out and Am, S3-FIFO's
// S and G, ARC's ghosts and p), in bytes, with their parameters half the time.
test('2Q, S3-FIFO and ARC kernels ≡ the pure access in bytes, their queue limits included', () => {
  fc.assert(fc.property(arbCaseOf(['twoq', 's3fifo', 'arc'], true), kernelEqualsSpec), { numRuns: runs(600) })
})

// Several configurations at once, with and without the admission front, counting objects or
// bytes, over traces longer than one replay chunk of the engine.
const arbConfig = (policies: readonly PolicyName[], capacity: fc.Arbitrary<number>): fc.Arbitrary<Config> => fc.record({
  policy: fc.constantFrom(...policies),
  capacity,
  params: fc.constant({}),
}).chain((c) => fc.oneof(fc.constant(c), fc.record({ window: fc.integer({ min: 1, max: 50 }), threshold: fc.integer({ min: 1, max: 3 }) }).map((admission) => ({ ...c, admission }))))

// 70 000 requests (more than the 65 536 of one chunk) over `objects` ids, from a seeded LCG; sizes
// of 1 to 64 bytes fixed per object
const lcgTrace = (objects: number, seed: number): { ids: number[]; next: Float64Array; sizes: number[] } => {
  let x = seed >>> 0
  const ids = Array.from({ length: 70_000 }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    return (x >>> 8) % objects
  })
  return { ids, next: nextAccesses(ids), sizes: ids.map((id) => 1 + (Math.imul(id ^ (seed >>> 0), 0x9e3779b1) >>> 26)) }
}

test('the engine’s simulateSource ≡ the specification’s in objects, chunk boundaries included', () => {
  fc.assert(fc.property(fc.array(arbConfig(KERNEL_POLICIES, fc.integer({ min: 1, max: 3000 })), { minLength: 1, maxLength: 4 }),
    fc.integer({ min: 1, max: 5000 }), fc.integer(), fc.boolean(),
    (configs, objects, seed, quark) => {
      const { ids, next } = lcgTrace(objects, seed)
      const o = { ids: quark ? 'first-appearance' as const : 'as-is' as const }
      const a = simulateSource(configs, sourceOf({ ids, next }), o)
      const b = specSimulateSource(configs, sourceOf({ ids, next }), o)
      return JSON.stringify(a) === JSON.stringify(b)
    }), { numRuns: runs(6) })
})

test('the engine’s simulateSource ≡ the specification’s in bytes, chunk boundaries included', () => {
  fc.assert(fc.property(fc.array(arbConfig(SIZED_POLICIES, fc.integer({ min: 1, max: 100_000 })), { minLength: 1, maxLength: 4 }),
    fc.integer({ min: 1, max: 5000 }), fc.integer(),
    (configs, objects, seed) => {
      const trace = lcgTrace(objects, seed)
      const a = simulateSource(configs, sourceOf(trace), { bytes: true })
      const b = specSimulateSource(configs, sourceOf(trace), { bytes: true })
      return JSON.stringify(a) === JSON.stringify(b)
    }), { numRuns: runs(6) })
})

test.run()
