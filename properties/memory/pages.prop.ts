// Laws of the page representation behind physical memory (src/memory/memory.ts): pages are stored as
// 256-byte chunks, so accesses that straddle a chunk edge read and write like any other; `pageAtMemo` (the engines' page view)
// shows exactly the bytes `peek` reads, the same view object for a page no store has changed, and an
// old version's view never changes; `withPages` places a view's bytes and `pageAt` hands that view back.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import { type AccessSize, type PhysMemory, emptyMemory, peek, poke, withPages } from '../../src/memory/memory.ts'
import { pageAtMemo as pageAt } from '../../src/memory/engine/page-views.ts'
import { memoryMap } from '../../src/memory/memory-map.ts'
import { fc, runs } from '../fc.ts'

const built = memoryMap([{ name: 'ram', base: 0x8000_0000n, size: 0x8000_0000n, kind: 'ram' }])
if (typeof built === 'string') throw new Error(built)
const MAP = built
const BASE = 0x8000_0000n
const PN0 = Number(BASE >> 12n)

// Two pages; offsets within 8 bytes of a 256-byte chunk edge, and anywhere.
const nearChunkEdge = fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 16 }), fc.integer({ min: -8, max: 7 }))
  .map(([p, k, d]) => BASE + BigInt(p * 4096 + k * 256 + d)).filter((a) => a >= BASE)
const anywhere = fc.integer({ min: 0, max: 2 * 4096 - 1 }).map((o) => BASE + BigInt(o))
const addrArb = fc.oneof({ weight: 3, arbitrary: nearChunkEdge }, { weight: 1, arbitrary: anywhere })
const sizeArb: fc.Arbitrary<AccessSize> = fc.constantFrom(1, 2, 4, 8)
const storeArb = fc.record({ a: addrArb, size: sizeArb, v: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) })

type Bytes = Map<bigint, number>
const modelRead = (m: Bytes, a: bigint, size: number): bigint => {
  let v = 0n
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(m.get(a + BigInt(i)) ?? 0)
  return v
}

test('stores and loads across 256-byte chunk edges match a byte map; old versions keep their bytes', () => {
  fc.assert(fc.property(fc.array(storeArb, { minLength: 1, maxLength: 40 }), fc.array(fc.tuple(addrArb, sizeArb), { maxLength: 40 }), (stores, loads) => {
    let m: PhysMemory = emptyMemory(MAP)
    const model: Bytes = new Map()
    const versions: [PhysMemory, Bytes][] = []
    for (const { a, size, v } of stores) {
      versions.push([m, new Map(model)])
      m = poke(m, phys(a), size, v)
      for (let i = 0; i < size; i++) model.set(a + BigInt(i), Number((v >> BigInt(8 * i)) & 0xffn))
    }
    for (const [a, size] of loads) assert.is(peek(m, phys(a), size), modelRead(model, a, size), `0x${a.toString(16)}/${size}`)
    for (const [old, oldModel] of versions.slice(-3)) {
      for (const [a, size] of loads) assert.is(peek(old, phys(a), size), modelRead(oldModel, a, size))
    }
  }), { numRuns: runs(400) })
})

test('pageAt shows the bytes peek reads, the same view while the page is unchanged, and old views never change', () => {
  fc.assert(fc.property(fc.array(storeArb, { minLength: 1, maxLength: 20 }), storeArb, (stores, last) => {
    let m: PhysMemory = emptyMemory(MAP)
    for (const { a, size, v } of stores) m = poke(m, phys(a), size, v)
    for (const pn of [PN0, PN0 + 1, PN0 + 2]) {
      const view = pageAt(m, pn)
      if (view === undefined) { assert.is(peek(m, phys(BigInt(pn) * 4096n), 8), 0n); continue }
      assert.is(view.byteLength, 4096)
      assert.is(pageAt(m, pn), view, 'same view for the same page')
      for (let off = 0; off < 4096; off += 8) assert.is(view.getBigUint64(off, true), peek(m, phys(BigInt(pn) * 4096n + BigInt(off)), 8))
      const before = new Uint8Array(view.buffer, view.byteOffset, 4096).slice()
      const m2 = poke(m, phys(last.a), last.size, last.v)
      assert.equal(new Uint8Array(view.buffer, view.byteOffset, 4096), before, 'an old view keeps its bytes')
      const touched = Number(last.a >> 12n) === pn || Number((last.a + BigInt(last.size) - 1n) >> 12n) === pn
      if (!touched) assert.is(pageAt(m2, pn), view, 'a page no store changed keeps its view')
    }
  }), { numRuns: runs(200) })
})

test('withPages places a view: peek reads its bytes, pageAt returns the view itself, other pages are kept', () => {
  fc.assert(fc.property(fc.array(storeArb, { maxLength: 10 }), fc.uint8Array({ minLength: 4096, maxLength: 4096 }), fc.integer({ min: 0, max: 1 }), (stores, bytes, p) => {
    let m: PhysMemory = emptyMemory(MAP)
    for (const { a, size, v } of stores) m = poke(m, phys(a), size, v)
    const view = new DataView(bytes.slice().buffer)
    const other = pageAt(m, PN0 + 1 - p)
    const m2 = withPages(m, [[PN0 + p, view]])
    assert.is(pageAt(m2, PN0 + p), view)
    assert.is(pageAt(m2, PN0 + 1 - p), other)
    for (let off = 0; off < 4096; off += 37) assert.is(peek(m2, phys(BASE + BigInt(p * 4096 + off)), 1), BigInt(bytes[off]!))
  }), { numRuns: runs(200) })
})

test.run()
