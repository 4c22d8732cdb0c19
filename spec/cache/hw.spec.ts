// Set-associative hardware caches and TLBs on hand-worked address sequences.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import { hwAccess, indexAndTag, initHwCache, initTlb, tlbLookup, type HwCacheConfig, type HwCacheState } from '../../src/cache/hw.ts'

const cfg = (o: Partial<HwCacheConfig>): HwCacheConfig =>
  ({ sets: 2, ways: 2, lineBytes: 16, replacement: 'lru', writeBack: true, writeAllocate: true, seed: 1, ...o })

const pattern = (c: HwCacheConfig, addrs: readonly number[]): string => {
  let s: HwCacheState = initHwCache(c)
  return addrs.map((a) => {
    const r = hwAccess(s, phys(BigInt(a)), 'read')
    s = r.state
    return r.hit ? 'H' : 'M'
  }).join('')
}

test('index and tag: 0x1234 in 4 sets of 64-byte lines is line 72, set 0, tag 18', () => {
  assert.equal(indexAndTag(cfg({ sets: 4, lineBytes: 64 }), 0x1234n), { set: 0, tag: 18n })
})

test('addresses in the same line hit; the same index with another tag competes for the set', () => {
  // 0x00 and 0x0f share a line; 0x10 is set 1; 0x20 is set 0 with tag 1
  assert.is(pattern(cfg({}), [0x00, 0x0f, 0x10, 0x20, 0x00]), 'MHMMH')
})

test('LRU: the least recently used way of the set is replaced', () => {
  // set 0: 0x00, 0x20, 0x00 (refresh), 0x40 evicts 0x20
  assert.is(pattern(cfg({}), [0x00, 0x20, 0x00, 0x40, 0x00, 0x20]), 'MMHMHM')
})

test('FIFO: the oldest fill is replaced, hits do not refresh', () => {
  assert.is(pattern(cfg({ replacement: 'fifo' }), [0x00, 0x20, 0x00, 0x40, 0x00]), 'MMHMM')
})

test('tree-PLRU (4 ways): after A B C D A, the tree points at C, where true LRU would pick B', () => {
  // one set; A..D = lines 0..3 in ways 0..3; touching A points the root right and the right node at C
  const c = cfg({ sets: 1, ways: 4, replacement: 'plru' })
  assert.is(pattern(c, [0x00, 0x10, 0x20, 0x30, 0x00, 0x40, 0x10, 0x20]), 'MMMMHMHM')
  assert.is(pattern({ ...c, replacement: 'lru' }, [0x00, 0x10, 0x20, 0x30, 0x00, 0x40, 0x10]), 'MMMMHMM')
})

test('write-back: a dirty victim is written back with its own line address', () => {
  const c = cfg({ sets: 1, ways: 1 })
  const w = hwAccess(initHwCache(c), phys(0x100n), 'write')
  const r = hwAccess(w.state, phys(0x210n), 'read')
  assert.is(w.writeThrough, false)
  assert.is(r.writeback, 0x100n)
})

test('write-through: writes go to memory and victims are never written back', () => {
  const c = cfg({ sets: 1, ways: 1, writeBack: false })
  const w = hwAccess(initHwCache(c), phys(0x100n), 'write')
  const r = hwAccess(w.state, phys(0x210n), 'read')
  assert.is(w.writeThrough, true)
  assert.is(r.writeback, undefined)
})

test('no-write-allocate: a write miss does not fill the line', () => {
  const c = cfg({ writeAllocate: false })
  const w = hwAccess(initHwCache(c), phys(0x40n), 'write')
  assert.is(w.writeThrough, true)
  assert.is(hwAccess(w.state, phys(0x40n), 'read').hit, false)
})

test('random replacement is seeded: the same seed replays the same victims', () => {
  const c = cfg({ sets: 1, ways: 4, replacement: 'random', seed: 42 })
  const addrs = Array.from({ length: 60 }, (_, i) => ((i * 7) % 9) * 16)
  assert.is(pattern(c, addrs), pattern(c, addrs))
  assert.is.not(pattern(c, addrs), pattern({ ...c, seed: 43 }, addrs))
})

test('TLB: two addresses in one 4 KiB page share an entry', () => {
  const t0 = initTlb({ sets: 16, ways: 4, pageBytes: 4096, replacement: 'lru', seed: 0 })
  const a = tlbLookup(t0, 0x1000n)
  const b = tlbLookup(a.state, 0x1fffn)
  assert.equal([a.hit, b.hit, tlbLookup(b.state, 0x2000n).hit], [false, true, false])
})

test.run()
