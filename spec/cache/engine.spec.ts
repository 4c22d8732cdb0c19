// The cache engine's storage has no bound on the number of distinct objects short of memory (issue 13:
// traces with more than 2^24 distinct objects, where a JS Map or Set stops): its tables are typed
// arrays indexed by dense ids that grow by doubling, as libCacheSim's hash table grows.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { IdQueue } from '../../src/cache/engine/kernel.ts'
import { lruKernel } from '../../src/cache/engine/lru.ts'
import { nextAccesses } from '../../src/cache/simulate.ts'

const BEYOND = 2 ** 24 + 1 // the first dense id a 2^24-entry table could not hold

test('an IdQueue holds dense ids beyond 2^24 in order', () => {
  const q = new IdQueue()
  q.reserve(BEYOND + 1)
  q.pushHead(BEYOND)
  q.pushHead(7)
  q.pushHead(BEYOND - 1)
  assert.equal([q.tail, q.towardHead(q.tail), q.head, q.size], [BEYOND, 7, BEYOND - 1, 3])
  assert.is(q.popTail(), BEYOND)
  assert.ok(!q.has(BEYOND) && q.has(7))
})

test('an LRU kernel hits and misses on ids beyond 2^24 as on small ones', () => {
  const k = lruKernel(2)
  k.reserve(BEYOND + 1)
  const ids = Int32Array.from([BEYOND, 5, BEYOND, 6, 5, BEYOND])
  const ones = new Float64Array(ids.length).fill(1)
  // LRU of 2: miss, miss, hit, miss (evicts 5), miss (evicts BEYOND), miss
  assert.is(k.run(ids, ones, ones, ones, ids.length, new Uint8Array(ids.length).fill(1)), 5)
})

test('nextAccesses takes ids of any size, the next index of each request or Infinity', () => {
  assert.equal(Array.from(nextAccesses([2 ** 53 - 1, 3, 2 ** 53 - 1, 3, 9])), [2, 3, Infinity, Infinity, Infinity])
})

test.run()
