// Laws of the hypervisor block cache: no write is ever lost, whatever the policy and admission.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { POLICY_NAMES } from '../../src/cache/policy.ts'
import { blockAccess, blockReq, dirtyBlocks, flush, initBlockCache, type BlockCacheConfig } from '../../src/cache/blockcache.ts'

const arbReqs = fc.array(fc.record({
  vm: fc.integer({ min: 0, max: 2 }),
  block: fc.integer({ min: 0, max: 12 }),
  op: fc.constantFrom('read' as const, 'write' as const),
}), { maxLength: 200 })
const arbConfig: fc.Arbitrary<BlockCacheConfig> = fc.record({
  policy: fc.constantFrom(...POLICY_NAMES.filter((p) => p !== 'belady')),
  capacity: fc.integer({ min: 1, max: 30 }),
  write: fc.constantFrom('write-through' as const, 'write-back' as const),
  writeAllocate: fc.boolean(),
}).chain((c) => fc.oneof(
  fc.constant(c),
  fc.record({ window: fc.integer({ min: 1, max: 10 }), threshold: fc.integer({ min: 1, max: 3 }) }).map((admission) => ({ ...c, admission })),
  fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 3, maxLength: 3 }).map((quotas) => ({ ...c, quotas })),
))

test('no dirty block is lost: after a flush, each written block reached the device after its last write', () => {
  fc.assert(fc.property(arbConfig, arbReqs, (config, reqs) => {
    let s = initBlockCache(config)
    const lastWrite = new Map<string, number>()
    const lastDevice = new Map<string, number>()
    reqs.forEach((r, i) => {
      const step = blockAccess(s, blockReq(r.vm, r.block, r.op))
      s = step.state
      if (r.op === 'write') lastWrite.set(`${r.vm}/${r.block}`, i)
      for (const w of step.deviceWrites) lastDevice.set(`${w.vm}/${w.block}`, i)
    })
    for (const w of flush(s).writebacks) lastDevice.set(`${w.vm}/${w.block}`, reqs.length)
    return [...lastWrite].every(([k, i]) => (lastDevice.get(k) ?? -1) >= i)
  }), { numRuns: runs(300) })
})

test('a dirty block leaves the cache only through a reported writeback', () => {
  fc.assert(fc.property(arbConfig, arbReqs, (config, reqs) => {
    let s = initBlockCache(config)
    return reqs.every((r) => {
      const before = new Set(dirtyBlocks(s).map((d) => `${d.vm}/${d.block}`))
      const step = blockAccess(s, blockReq(r.vm, r.block, r.op))
      s = step.state
      const after = new Set(dirtyBlocks(s).map((d) => `${d.vm}/${d.block}`))
      const wb = new Set(step.writebacks.map((d) => `${d.vm}/${d.block}`))
      return [...before].every((k) => after.has(k) || wb.has(k))
    })
  }), { numRuns: runs(200) })
})

test('write-through never holds a dirty block', () => {
  fc.assert(fc.property(arbConfig, arbReqs, (config, reqs) => {
    let s = initBlockCache({ ...config, write: 'write-through' })
    return reqs.every((r) => {
      s = blockAccess(s, blockReq(r.vm, r.block, r.op)).state
      return dirtyBlocks(s).length === 0
    })
  }), { numRuns: runs(100) })
})

test.run()
