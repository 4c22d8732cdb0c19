// The hypervisor block cache on hand-worked request sequences.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { blockAccess, blockReq, dirtyBlocks, flush, initBlockCache, jainIndex, vmReport, type BlockCacheConfig, type BlockReq, type BlockStep } from '../../src/cache/blockcache.ts'

const replay = (config: BlockCacheConfig, reqs: readonly BlockReq[]): BlockStep[] => {
  let s = initBlockCache(config)
  return reqs.map((r) => {
    const step = blockAccess(s, r)
    s = step.state
    return step
  })
}

test('write-through: every write reaches the device, and nothing is ever dirty', () => {
  const steps = replay({ policy: 'lru', capacity: 2, write: 'write-through' }, [blockReq(0, 7, 'write'), blockReq(0, 7, 'write')])
  assert.equal(steps.map((s) => s.deviceWrites), [[{ vm: 0, block: 7 }], [{ vm: 0, block: 7 }]])
  assert.is(steps[1]?.hit, true)
  assert.equal(dirtyBlocks(steps[1]!.state), [])
})

test('write-back: a write stays in the cache until its block is evicted, then it is written back', () => {
  // LRU of 2: write 1 (dirty), read 2, read 3 evicts 1 → writeback of block 1 in that step
  const steps = replay({ policy: 'lru', capacity: 2, write: 'write-back' },
    [blockReq(0, 1, 'write'), blockReq(0, 2, 'read'), blockReq(0, 3, 'read')])
  assert.equal(steps[0]?.deviceWrites, [])
  assert.equal(steps[2]?.writebacks, [{ vm: 0, block: 1 }])
  assert.equal(steps[2]?.deviceReads, [{ vm: 0, block: 3 }])
})

test('write-back: flush returns every dirty block and leaves them clean', () => {
  const steps = replay({ policy: 'lru', capacity: 4, write: 'write-back' },
    [blockReq(0, 5, 'write'), blockReq(1, 5, 'write'), blockReq(0, 6, 'read')])
  const f = flush(steps[2]!.state)
  assert.equal(f.writebacks, [{ vm: 0, block: 5 }, { vm: 1, block: 5 }])
  assert.equal(dirtyBlocks(f.state), [])
})

test('VMs have separate address spaces: block 5 of VM 0 is not block 5 of VM 1', () => {
  const steps = replay({ policy: 'lru', capacity: 4, write: 'write-through' }, [blockReq(0, 5, 'read'), blockReq(1, 5, 'read')])
  assert.equal(steps.map((s) => s.hit), [false, false])
})

test('partitions: a VM with a quota of 1 cannot take space from the other', () => {
  // VM 0 has 1 block, VM 1 has 2: VM 0 thrashing between 1 and 2 never disturbs VM 1's block 9
  const steps = replay({ policy: 'lru', capacity: 0, quotas: [1, 2], write: 'write-through' },
    [blockReq(1, 9, 'read'), blockReq(0, 1, 'read'), blockReq(0, 2, 'read'), blockReq(0, 1, 'read'), blockReq(1, 9, 'read')])
  assert.equal(steps.map((s) => s.hit), [false, false, false, false, true])
})

test('per-VM statistics count requests, hits and device I/O of each VM', () => {
  const steps = replay({ policy: 'lru', capacity: 2, write: 'write-through' },
    [blockReq(0, 1, 'read'), blockReq(0, 1, 'read'), blockReq(1, 1, 'write')])
  assert.equal(vmReport(steps[2]!.state), [
    { vm: 0, requests: 2, hits: 1, deviceReads: 1, deviceWrites: 0, hitRatio: 0.5 },
    { vm: 1, requests: 1, hits: 0, deviceReads: 0, deviceWrites: 1, hitRatio: 0 },
  ])
})

test('QBic admission: a block read once is not cached, read twice within the window it is', () => {
  const steps = replay({ policy: 'lru', capacity: 2, write: 'write-through', admission: { window: 8, threshold: 2 } },
    [blockReq(0, 1, 'read'), blockReq(0, 1, 'read'), blockReq(0, 1, 'read')])
  assert.equal(steps.map((s) => s.hit), [false, false, true])
})

test('Jain’s index: 1 for equal shares, 1/n when one VM gets everything', () => {
  assert.is(jainIndex([0.5, 0.5, 0.5]), 1)
  assert.is(jainIndex([1, 0, 0, 0]), 0.25)
  // (0.2 + 0.6)² / (2 · (0.04 + 0.36)) = 0.64 / 0.8 = 0.8
  assert.ok(Math.abs(jainIndex([0.2, 0.6]) - 0.8) < 1e-12)
})

test.run()
