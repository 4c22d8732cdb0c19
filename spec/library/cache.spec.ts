// memvirt/cache, the README's example: LRU and FIFO of two entries over the requests 1 2 1 3 2, worked by
// hand. LRU: 1 miss, 2 miss, 1 hit, 3 miss (evicts 2, least recently used), 2 miss → 4 misses.
// FIFO: 1 miss, 2 miss, 1 hit, 3 miss (evicts 1, first in), 2 hit → 3 misses.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readme, readmeBlock } from './readme-block.ts'
// --- README example begins
import { simulate } from '../../src/cache/index.ts'

const trace = { ids: [1, 2, 1, 3, 2] }
const lru = simulate('lru', 2, trace)     // { requests: 5, misses: 4 }
const fifo = simulate('fifo', 2, trace)   // { requests: 5, misses: 3 }
// --- README example ends

test('memvirt/cache: LRU evicts the least recently used object (4 misses of 5)', () => {
  assert.equal(lru, { requests: 5, misses: 4 })
})
test('memvirt/cache: FIFO evicts the oldest insertion, whatever its hits (3 misses of 5)', () => {
  assert.equal(fifo, { requests: 5, misses: 3 })
})
test('the README shows this example as written here', () => {
  assert.ok(readme().includes(readmeBlock(new URL(import.meta.url))))
})
test.run()
