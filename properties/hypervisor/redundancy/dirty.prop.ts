// The dirty set an incremental checkpoint copies (changedPages, src/memory/memory.ts, used by
// hypervisor/redundancy/checkpoint.ts): between two versions of one memory it lists every page written in
// between and nothing else — whether the writes were stores (poke), byte strings (pokeBytes) or pages handed
// back by an engine (withPages), and however far apart the pages lie (the trie grows upward for high ones).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../../src/bits/address.ts'
import { type PhysMemory, PAGE_BYTES, changedPages, emptyMemory, poke, pokeBytes, withPages } from '../../../src/memory/memory.ts'
import { memoryMap } from '../../../src/memory/memory-map.ts'
import { fc, runs } from '../../fc.ts'

const built = memoryMap([{ name: 'ram', base: 0x8000_0000n, size: 0x8000_0000n, kind: 'ram' }])
if (typeof built === 'string') throw new Error(built)
const MAP = built

// Pages near RAM's start, near the boot ROM, and far up (page numbers up to 2^36: a taller trie).
const pageArb = fc.oneof(
  fc.integer({ min: 0x80000, max: 0x80000 + 40 }),
  fc.integer({ min: 0, max: 40 }),
  fc.integer({ min: 0, max: 2 ** 36 }),
)
type Write =
  | { readonly kind: 'poke'; readonly pn: number; readonly off: number; readonly v: bigint }
  | { readonly kind: 'bytes'; readonly pn: number; readonly off: number; readonly len: number }
  | { readonly kind: 'page'; readonly pn: number }
const writeArb: fc.Arbitrary<Write> = fc.oneof(
  fc.record({ kind: fc.constant('poke' as const), pn: pageArb, off: fc.integer({ min: 0, max: PAGE_BYTES / 8 - 1 }).map((w) => 8 * w), v: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
  fc.record({ kind: fc.constant('bytes' as const), pn: pageArb, off: fc.integer({ min: 0, max: PAGE_BYTES - 1 }), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('page' as const), pn: pageArb }),
)

/** `m` after `w`, and the pages `w` wrote (a byte string may run into the next page). */
const apply = (m: PhysMemory, w: Write): [PhysMemory, number[]] => {
  switch (w.kind) {
    case 'poke': return [poke(m, phys(BigInt(w.pn) * 4096n + BigInt(w.off)), 8, w.v), [w.pn]]
    case 'bytes': {
      const pages = w.off + w.len > PAGE_BYTES ? [w.pn, w.pn + 1] : [w.pn]
      return [pokeBytes(m, phys(BigInt(w.pn) * 4096n + BigInt(w.off)), new Uint8Array(w.len).fill(7)), pages]
    }
    case 'page': return [withPages(m, [[w.pn, new DataView(new ArrayBuffer(PAGE_BYTES))]]), [w.pn]]
  }
}
const applyAll = (m: PhysMemory, ws: readonly Write[]): [PhysMemory, Set<number>] => {
  let cur = m
  const written = new Set<number>()
  for (const w of ws) { const [next, pages] = apply(cur, w); cur = next; pages.forEach((p) => written.add(p)) }
  return [cur, written]
}

test('changedPages(before, after) is exactly the set of pages written between the two versions', () => {
  fc.assert(fc.property(fc.array(writeArb, { maxLength: 30 }), fc.array(writeArb, { maxLength: 30 }), (first, second) => {
    const [before] = applyAll(emptyMemory(MAP), first)
    const [after, written] = applyAll(before, second)
    const dirty = changedPages(before, after)
    assert.is(new Set(dirty).size, dirty.length)                 // each page once
    assert.equal([...dirty].sort((a, b) => a - b), [...written].sort((a, b) => a - b))
    assert.equal(changedPages(after, after), [])
  }), { numRuns: runs(300) })
})
test.run()
