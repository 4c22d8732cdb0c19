// Spike's PTE cache (riscv-isa-sim mmu.h: pte_load, pte_store, pte_cache_access, pte_cache_insert; since
// commit 2baa7ce "Add PTE cache to reduce TLB miss penalty"), as the hart's default TLB models it
// (src/mmu/pte-cache.ts). Not the RISC-V specification: Spike's choice, which its commit logs show. Each
// clause's values are worked out by hand from Spike's source; golden/programs/pte_cache.S checks the whole
// against Spike's own commit log.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'
import { emptyMemory, poke } from '../../src/memory/memory.ts'
import { PTE_CACHE_SLOTS, PteCacheWork, afterWrite, emptyPteCache } from '../../src/mmu/pte-cache.ts'
import { emptyTlb, flushTlb, spikeTlbConfig, withPteCache } from '../../src/mmu/tlb.ts'

// Two PTE addresses in one slot: 0x8010_1000 mod 251 = 165 and 0x8010_2000 + 8·241 = 0x8010_2788, also 165.
const L1_0 = 0x8010_1000, L0_241 = 0x8010_2788
const POINTER = 0x2004_0801n                  // V, PPN 0x80102: a pointer to 0x8010_2000
const LEAF = 0x2004_14cfn                     // V R W X A D, PPN 0x80105

test('251 slots, chosen by the PTE\'s physical address mod 251 (PTE_CACHE_ENTRIES; key % PTE_CACHE_ENTRIES)', () => {
  assert.is(PTE_CACHE_SLOTS, 251)
  assert.is(L1_0 % 251, 165)
  assert.is(L0_241 % 251, 165)
})

test('a read that misses keeps a valid PTE; the next read of that address answers with it (pte_load)', () => {
  const w = new PteCacheWork(emptyPteCache())
  assert.is(w.read(L1_0), undefined)
  w.fill(L1_0, POINTER)
  assert.is(w.read(L1_0), POINTER)
  assert.ok(w.hasTable(0x80101), 'its page is remembered as a page-table page')
})

test('an invalid PTE (V = 0) is not kept (pte_cache_insert: only if value & PTE_V)', () => {
  const w = new PteCacheWork(emptyPteCache())
  w.fill(L1_0, POINTER & ~1n)
  assert.is(w.read(L1_0), undefined)
})

test('a PTE kept in the same slot evicts the one before it: its address reads memory again', () => {
  const w = new PteCacheWork(emptyPteCache())
  w.fill(L1_0, POINTER)
  w.fill(L0_241, LEAF)
  assert.is(w.read(L1_0), undefined)
  assert.is(w.read(L0_241), LEAF)
})

test('an A/D update keeps the value it writes (pte_store → pte_cache_insert)', () => {
  const w = new PteCacheWork(emptyPteCache())
  w.fill(L0_241, LEAF & ~0xc0n)                 // read with A = D = 0
  w.walked([{ op: 'write', pteAddr: BigInt(L0_241), pte: LEAF }])
  assert.is(w.read(L0_241), LEAF)
})

test('a working copy never changes the version it began from (a new version holds the fills)', () => {
  const before = emptyPteCache()
  const w = new PteCacheWork(before)
  w.fill(L1_0, POINTER)
  assert.ok(before.pas.every((pa) => pa === -1))
  assert.is(new PteCacheWork(w.result()).read(L1_0), POINTER)
})

test('a program store to a kept PTE leaves the kept value and marks it stale; storing the kept value back makes it fresh', () => {
  const w = new PteCacheWork(emptyPteCache())
  w.fill(L1_0, POINTER)
  const kept = w.result()
  const zeroed = afterWrite(kept, BigInt(L1_0), 8, emptyMemory(defaultMemoryMap))
  assert.ok(zeroed.cache.stale.has(L1_0))
  assert.is(new PteCacheWork(zeroed.cache).read(L1_0), POINTER, 'the walker still reads the kept pointer')
  assert.is(zeroed.dropTlb, false, 'the TLB answers as the cache does')
  const back = afterWrite(zeroed.cache, BigInt(L1_0), 8, poke(emptyMemory(defaultMemoryMap), phys(BigInt(L1_0)), 8, POINTER))
  assert.not.ok(back.cache.stale.has(L1_0))
})

test('a program store to a page-table page at a PTE not kept drops the model\'s TLB entries (the next walk reads memory)', () => {
  const w = new PteCacheWork(emptyPteCache())
  w.fill(L1_0, POINTER)
  const r = afterWrite(w.result(), BigInt(L1_0 + 8), 8, emptyMemory(defaultMemoryMap))
  assert.ok(r.dropTlb)
  assert.ok(!afterWrite(w.result(), 0x8020_0000n, 8, emptyMemory(defaultMemoryMap)).dropTlb, 'a store to a page no walk read: nothing')
})

test('evicting a stale PTE drops the model\'s TLB entries: walks through it now read memory', () => {
  const w0 = new PteCacheWork(emptyPteCache())
  w0.fill(L1_0, POINTER)
  const stale = afterWrite(w0.result(), BigInt(L1_0), 8, emptyMemory(defaultMemoryMap)).cache
  const w = new PteCacheWork(stale)
  w.fill(L0_241, LEAF)
  assert.ok(w.dropTlb)
  assert.not.ok(w.result().stale.has(L1_0))
})

test('Spike\'s flush_tlb empties it with the TLB (every trap, xRET, fence, satp write: cpu/step.ts spikeFlushes)', () => {
  const w = new PteCacheWork(emptyPteCache())
  w.fill(L1_0, POINTER)
  const tlb = withPteCache(emptyTlb(spikeTlbConfig), w.result(), false)
  const flushed = flushTlb(tlb)
  assert.ok(flushed.pteCache !== undefined && flushed.pteCache.pas.every((pa) => pa === -1) && flushed.pteCache.tables.size === 0)
})

test('only Spike\'s configuration has one: the other TLBs (and --tlb exact) walk memory', () => {
  assert.ok(emptyTlb(spikeTlbConfig).pteCache !== undefined)
  assert.is(emptyTlb({ ...spikeTlbConfig, pteCache: false }).pteCache, undefined)
  assert.is(emptyTlb({ sets: 16, ways: 4, replacement: 'lru', flushAll: false, exact: true }).pteCache, undefined)
})

test.run()
