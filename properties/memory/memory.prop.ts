// Laws of persistent physical memory (src/memory/): a store makes a new version and leaves every
// older one unchanged; contents match a plain byte map; never-written RAM reads zero; accesses outside
// RAM fail without a new version; multi-byte values are little-endian, also across page boundaries.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { phys } from '../../src/bits/address.ts'
import { type AccessSize, type PhysMemory, emptyMemory, load, peek, peekWord, pokeBytes, store, writtenPages } from '../../src/memory/memory.ts'
import { type MemoryMap, memoryMap } from '../../src/memory/memory-map.ts'
import { fc, runs } from '../fc.ts'

// A map with two RAM regions (the second far up, so the page trie must grow tall), a device between
// them and holes everywhere else. Written here as plain ranges so the model does not use regionAt.
const RAM_LO = { base: 0x8000_0000n, size: 0x8000_0000n }
const MMIO = { base: 0x1000_0000n, size: 0x1000n }
const RAM_HI = { base: 0x80_0000_0000n, size: 0x4000_0000n }
const built = memoryMap([
  { name: 'ram', base: RAM_LO.base, size: RAM_LO.size, kind: 'ram' },
  { name: 'uart', base: MMIO.base, size: MMIO.size, kind: 'mmio' },
  { name: 'ram-hi', base: RAM_HI.base, size: RAM_HI.size, kind: 'ram' },
])
if (typeof built === 'string') throw new Error(built)
const MAP: MemoryMap = built

const within = (r: { base: bigint; size: bigint }, a: bigint, n: bigint): boolean => a >= r.base && a + n <= r.base + r.size
type Where = 'ram' | 'device' | 'none'
const whereIs = (a: bigint, n: bigint): Where =>
  within(RAM_LO, a, n) || within(RAM_HI, a, n) ? 'ram' : within(MMIO, a, n) ? 'device' : 'none'

// ---- the model: a byte map ----------------------------------------------------------------------

type Model = ReadonlyMap<bigint, number>
const modelRead = (m: Model, a: bigint, size: number): bigint => {
  let v = 0n
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(m.get(a + BigInt(i)) ?? 0)
  return v
}
const modelWrite = (m: Model, a: bigint, size: number, value: bigint): Model => {
  const out = new Map(m)
  for (let i = 0; i < size; i++) out.set(a + BigInt(i), Number((value >> BigInt(8 * i)) & 0xffn))
  return out
}

// ---- addresses: page-crossing ones near a few page boundaries, region edges, and anything -------

const sizeArb: fc.Arbitrary<AccessSize> = fc.constantFrom(1, 2, 4, 8)
const pageBase = fc.constantFrom(
  RAM_LO.base, RAM_LO.base + 0x1000n, RAM_LO.base + 0x2000n, RAM_LO.base + 0x20_0000n,
  RAM_LO.base + RAM_LO.size - 0x1000n, RAM_HI.base, RAM_HI.base + RAM_HI.size - 0x1000n,
)
const nearBoundary = fc.tuple(pageBase, fc.integer({ min: -8, max: 8 })).map(([b, d]) => b + BigInt(d))
// Near the ends of the 256-byte chunks pages are stored in (memory.ts), where a word spans two chunks.
const nearChunkEdge = fc.tuple(pageBase, fc.integer({ min: 1, max: 15 }), fc.integer({ min: -8, max: 8 })).map(([b, k, d]) => b + BigInt(256 * k + d))
const anyInPage = fc.tuple(pageBase, fc.integer({ min: 0, max: 4095 })).map(([b, o]) => b + BigInt(o))
const outside = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 9n }),
  fc.constantFrom(0n, MMIO.base, MMIO.base + 0xffcn, RAM_LO.base - 4n, RAM_LO.base + RAM_LO.size - 4n, RAM_HI.base - 1n),
)
const addrArb = fc.oneof({ weight: 3, arbitrary: nearBoundary }, { weight: 2, arbitrary: nearChunkEdge }, { weight: 3, arbitrary: anyInPage }, { weight: 1, arbitrary: outside })

type Op =
  | { readonly op: 'store'; readonly a: bigint; readonly size: AccessSize; readonly v: bigint }
  | { readonly op: 'load'; readonly a: bigint; readonly size: AccessSize }
  | { readonly op: 'pokeBytes'; readonly a: bigint; readonly bytes: Uint8Array }
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('store' as const), a: addrArb, size: sizeArb, v: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('load' as const), a: addrArb, size: sizeArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pokeBytes' as const), a: fc.oneof(nearBoundary, anyInPage), bytes: fc.uint8Array({ minLength: 1, maxLength: 5000 }) }) },
)

const pageOf = (a: bigint): bigint => a >> 12n

/** The new memory of a store that must succeed. */
const stored = (m: PhysMemory, a: bigint, size: AccessSize, v: bigint): PhysMemory => {
  const r = store(m, phys(a), size, v)
  if (isLeft(r)) throw new Error(`store of ${size} bytes at 0x${a.toString(16)} failed: ${r.left._tag}`)
  return r.right
}

test('memory ≡ byte-map model over random load/store sequences, and every older version keeps its contents', () => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
    let mem: PhysMemory = emptyMemory(MAP)
    let model: Model = new Map()
    const pages = new Set<bigint>()
    const versions: { mem: PhysMemory; model: Model }[] = [{ mem, model }]
    const probes: bigint[] = []
    for (const o of ops) {
      if (o.op === 'load') {
        const r = load(mem, phys(o.a), o.size)
        const w = whereIs(o.a, BigInt(o.size))
        if (w === 'ram') assert.equal(r, { _tag: 'Right', right: modelRead(model, o.a, o.size) })
        else assert.equal(r, { _tag: 'Left', left: { _tag: w === 'device' ? 'Device' : 'NoMemory', pa: o.a } })
        // The fetch path's number-valued word read agrees with the model wherever a word of RAM is.
        if (whereIs(o.a, 4n) === 'ram') assert.is(peekWord(mem, phys(o.a)), Number(modelRead(model, o.a, 4)))
        continue
      }
      if (o.op === 'store') {
        probes.push(o.a)
        const r = store(mem, phys(o.a), o.size, o.v)
        if (whereIs(o.a, BigInt(o.size)) !== 'ram') { assert.ok(isLeft(r), 'store outside RAM must fail'); continue }
        if (!isRight(r)) return assert.unreachable('store inside RAM failed')
        mem = r.right
        model = modelWrite(model, o.a, o.size, o.v)
        for (let i = 0n; i < BigInt(o.size); i++) pages.add(pageOf(o.a + i))
      } else {
        probes.push(o.a)
        mem = pokeBytes(mem, phys(o.a), o.bytes)
        const m = new Map(model)
        o.bytes.forEach((b, i) => { m.set(o.a + BigInt(i), b); pages.add(pageOf(o.a + BigInt(i))) })
        model = m
      }
      versions.push({ mem, model })
      assert.is(mem.pages, pages.size, 'pages counts the distinct pages ever written')
      const listed = writtenPages(mem).map((pn) => BigInt(pn)).sort((x, y) => (x < y ? -1 : 1))
      assert.equal(listed, [...pages].sort((x, y) => (x < y ? -1 : 1)), 'writtenPages lists exactly the pages written')
    }
    // Every version, old ones included, still reads exactly as its model did at the time.
    for (const v of versions) {
      for (const [a] of v.model) assert.is(peek(v.mem, phys(a), 1), modelRead(v.model, a, 1))
      for (const a of probes) {
        for (const size of [1, 2, 4, 8] as const) assert.is(peek(v.mem, phys(a), size), modelRead(v.model, a, size))
      }
    }
  }), { numRuns: runs(800) })
})

test('never-written RAM reads zero, even next to written bytes', () => {
  const ramAddr = fc.oneof(
    fc.bigInt({ min: RAM_LO.base, max: RAM_LO.base + RAM_LO.size - 8n }),
    fc.bigInt({ min: RAM_HI.base, max: RAM_HI.base + RAM_HI.size - 8n }),
  )
  fc.assert(fc.property(ramAddr, sizeArb, fc.array(fc.tuple(ramAddr, fc.bigInt({ min: 1n, max: 0xffn })), { maxLength: 8 }), (a, size, writes) => {
    const mem = writes.reduce((m, [w, v]) => stored(m, w, 1, v), emptyMemory(MAP))
    let expected = 0n
    for (let i = size - 1; i >= 0; i--) {
      const hit = [...writes].reverse().find(([w]) => w === a + BigInt(i))
      expected = (expected << 8n) | (hit?.[1] ?? 0n)
    }
    assert.equal(load(mem, phys(a), size), { _tag: 'Right', right: expected })
    assert.equal(load(emptyMemory(MAP), phys(a), size), { _tag: 'Right', right: 0n })
  }), { numRuns: runs(400) })
})

test('accesses outside RAM fail (device → Device, elsewhere → NoMemory) and make no new version', () => {
  const notRam = fc.tuple(outside, sizeArb).filter(([a, s]) => whereIs(a, BigInt(s)) !== 'ram')
  fc.assert(fc.property(notRam, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), ([a, size], v) => {
    const m0 = emptyMemory(MAP)
    const tag = whereIs(a, BigInt(size)) === 'device' ? 'Device' : 'NoMemory'
    assert.equal(load(m0, phys(a), size), { _tag: 'Left', left: { _tag: tag, pa: a } })
    assert.equal(store(m0, phys(a), size, v), { _tag: 'Left', left: { _tag: tag, pa: a } })
    assert.is(m0.pages, 0)
  }), { numRuns: runs(600) })
})

test('little-endian: an 8-byte store reads back as its bytes, low byte first, and as 2- and 4-byte halves', () => {
  fc.assert(fc.property(fc.oneof(nearBoundary, anyInPage).filter((a) => whereIs(a, 8n) === 'ram'), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (a, v) => {
    const m = stored(emptyMemory(MAP), a, 8, v)
    for (let i = 0; i < 8; i++) assert.is(peek(m, phys(a + BigInt(i)), 1), (v >> BigInt(8 * i)) & 0xffn, `byte ${i}`)
    for (let i = 0; i < 4; i++) assert.is(peek(m, phys(a + BigInt(2 * i)), 2), (v >> BigInt(16 * i)) & 0xffffn, `halfword ${i}`)
    for (let i = 0; i < 2; i++) assert.is(peek(m, phys(a + BigInt(4 * i)), 4), (v >> BigInt(32 * i)) & 0xffff_ffffn, `word ${i}`)
    assert.is(peek(m, phys(a), 8), v)
  }), { numRuns: runs(600) })
})

test.run()
