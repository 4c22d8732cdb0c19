// The fast physical memory (src/memory/memory.ts: pages as records and chunks appended to a shared arena,
// under a persistent trie; compacted into a fresh arena now and then) equals the readable one
// (src/memory/memory-spec.ts: a map of pages copied on write) over random histories that branch: each
// operation applies to any version made so far, not only the newest — so stores go into old versions
// too, and versions share pages — and afterwards every version, old ones included, is read back through
// every observer (load/store results, peek, peekWord, pages, writtenPages, pageAt, the engines' shared
// view, changedPages between any two versions). Compactions happen as an operation on any version and, in
// the last test, by themselves after enough stores, with old versions held across them.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import * as fast from '../../src/memory/memory.ts'
import { pageAtMemo as sharedPageAt } from '../../src/memory/engine/page-views.ts'
import * as spec from '../../src/memory/memory-spec.ts'
import { type AccessSize } from '../../src/memory/address-number.ts'
import { memoryMap } from '../../src/memory/memory-map.ts'
import { fc, runs } from '../fc.ts'

const built = memoryMap([
  { name: 'ram', base: 0x8000_0000n, size: 0x8000_0000n, kind: 'ram' },
  { name: 'uart', base: 0x1000_0000n, size: 0x1000n, kind: 'mmio' },
])
if (typeof built === 'string') throw new Error(built)
const MAP = built
const BASE = 0x8000_0000n

// Three pages of RAM (so diffs of one page meet views and slots of others), a page far up (another key
// range), word and page edges, and addresses outside RAM.
const ramAddr = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 4095 })).map(([p, o]) => BASE + BigInt(p * 4096 + o)),
  fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: -9, max: 8 })).map(([p, d]) => BASE + BigInt(p * 4096 + d)),
  fc.integer({ min: 0, max: 4095 }).map((o) => BASE + 0x4000_0000n + BigInt(o)),
)
const wholeAddr = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: -8, max: 8 })).map(([p, d]) => BASE + BigInt(Math.max(0, p * 4096 + d)))
const addrArb = fc.oneof({ weight: 9, arbitrary: ramAddr }, { weight: 1, arbitrary: fc.constantFrom(0n, 0x1000_0004n, BASE - 4n) })
const sizeArb: fc.Arbitrary<AccessSize> = fc.constantFrom(1, 2, 4, 8)
const valueArb = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const pnArb = fc.constantFrom(0x80000, 0x80001, 0x80002, 0xc0000)

type Op =
  | { readonly op: 'store'; readonly from: number; readonly a: bigint; readonly size: AccessSize; readonly v: bigint }
  | { readonly op: 'pokeBytes'; readonly from: number; readonly a: bigint; readonly bytes: Uint8Array }
  | { readonly op: 'withPages'; readonly from: number; readonly pages: readonly (readonly [number, Uint8Array])[] }
  | { readonly op: 'read'; readonly from: number; readonly pn: number }
  | { readonly op: 'compact'; readonly from: number }
// `from` picks the version the operation starts from (mod the versions so far; weighted to the newest).
const fromArb = fc.oneof({ weight: 3, arbitrary: fc.constant(-1) }, { weight: 2, arbitrary: fc.nat() })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('store' as const), from: fromArb, a: addrArb, size: sizeArb, v: valueArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pokeBytes' as const), from: fromArb, a: ramAddr, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
  // Byte strings of about a page from near a page's start: some cover a page in full (a whole page).
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pokeBytes' as const), from: fromArb, a: wholeAddr, bytes: fc.uint8Array({ minLength: 4090, maxLength: 4110 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('withPages' as const), from: fromArb, pages: fc.array(fc.tuple(pnArb, fc.uint8Array({ minLength: 4096, maxLength: 4096 })), { maxLength: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('read' as const), from: fromArb, pn: pnArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('compact' as const), from: fromArb }) },
)

type Pair = { readonly f: fast.PhysMemory; readonly s: spec.SpecMemory }
const bytesOf = (v: DataView | undefined): number[] | undefined => v === undefined ? undefined : [...new Uint8Array(v.buffer, v.byteOffset, 4096)]

/** Every observer of two versions agrees; `probes` are addresses to read at every size. */
const agree = (p: Pair, probes: readonly bigint[]): void => {
  assert.is(p.f.pages, p.s.pages, 'pages')
  // The words a version says it reaches (what decides when it is compacted) are what a compaction copies,
  // and the compacted version reads as the version does (whichever forms its pages have).
  const compacted = fast.compact(p.f)
  assert.is(compacted.live, p.f.live, 'live: the words a compaction copies')
  assert.equal(fast.writtenPages(p.f), spec.writtenPages(p.s), 'writtenPages')
  for (const pn of fast.writtenPages(p.f)) {
    assert.equal(bytesOf(fast.pageAt(p.f, pn)), bytesOf(spec.pageAt(p.s, pn)), `page 0x${pn.toString(16)}`)
    assert.equal(bytesOf(fast.pageAt(compacted, pn)), bytesOf(spec.pageAt(p.s, pn)), `compacted page 0x${pn.toString(16)}`)
    assert.equal(bytesOf(sharedPageAt(p.f, pn)), bytesOf(spec.pageAt(p.s, pn)), `shared view of page 0x${pn.toString(16)}`)
  }
  for (const a of probes) {
    for (const size of [1, 2, 4, 8] as const) {
      assert.equal(fast.load(p.f, phys(a), size), spec.load(p.s, phys(a), size), `load 0x${a.toString(16)}/${size}`)
    }
    if (a >= BASE) assert.is(fast.peekWord(p.f, phys(a)), spec.peekWord(p.s, phys(a)), `peekWord 0x${a.toString(16)}`)
  }
}

test('fast memory ≡ readable memory over branching histories: every version, every observer, changedPages between any two', () => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 20 }), (ops) => {
    // Two memories built separately (versions 0 and 1): changedPages between them lists every page.
    const versions: Pair[] = [{ f: fast.emptyMemory(MAP), s: spec.emptyMemory(MAP) }, { f: fast.emptyMemory(MAP), s: spec.emptyMemory(MAP) }]
    const probes: bigint[] = [BASE, BASE + 4094n]
    for (const o of ops) {
      const from = versions[o.from < 0 ? versions.length - 1 : o.from % versions.length]!
      switch (o.op) {
        case 'store': {
          probes.push(o.a)
          const rf = fast.store(from.f, phys(o.a), o.size, o.v), rs = spec.store(from.s, phys(o.a), o.size, o.v)
          assert.is(rf._tag, rs._tag, 'store succeeds or fails alike')
          if (rf._tag === 'Left' && rs._tag === 'Left') assert.equal(rf.left, rs.left)
          if (rf._tag === 'Right' && rs._tag === 'Right') versions.push({ f: rf.right, s: rs.right })
          break
        }
        case 'pokeBytes':
          probes.push(o.a)
          versions.push({ f: fast.pokeBytes(from.f, phys(o.a), o.bytes), s: spec.pokeBytes(from.s, phys(o.a), o.bytes) })
          break
        case 'withPages': {
          const pages = o.pages.map(([pn, b]) => [pn, new DataView(b.slice().buffer)] as const)
          versions.push({ f: fast.withPages(from.f, pages), s: spec.withPages(from.s, pages) })
          break
        }
        case 'read':
          assert.equal(bytesOf(fast.pageAt(from.f, o.pn)), bytesOf(spec.pageAt(from.s, o.pn)))
          assert.equal(bytesOf(sharedPageAt(from.f, o.pn)), bytesOf(spec.pageAt(from.s, o.pn)))
          break
        case 'compact': {                     // the same contents in a fresh arena; the spec version as it is
          const seen = fast.writtenPages(from.f).map((pn) => [pn, sharedPageAt(from.f, pn)] as const)
          const c = fast.compact(from.f)
          assert.is(c.live, from.f.live, 'a compaction copies exactly the words the version reaches')
          assert.is(c.arena.used, 32 + c.live, 'and nothing else (the 32 words of the zero chunk)')
          for (const [pn, view] of seen) assert.is(sharedPageAt(c, pn), view, 'engines keep their view of a page across it')
          versions.push({ f: c, s: from.s })
          break
        }
      }
    }
    for (const v of versions) agree(v, probes)
    for (const a of versions) {
      for (const b of versions) assert.equal(fast.changedPages(a.f, b.f), spec.changedPages(a.s, b.s), 'changedPages')
    }
  }), { numRuns: runs(150) })
})

test('many stores into the newest version leave an old version unchanged, read before, during and after', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * 512 - 1 }), valueArb), { minLength: 1, maxLength: 30 }), fc.integer({ min: 50, max: 200 }), fc.nat(),
    (setup, more, seed) => {
      let f = fast.emptyMemory(MAP), s = spec.emptyMemory(MAP)
      for (const [w, v] of setup) { f = fast.poke(f, phys(BASE + BigInt(8 * w)), 8, v); s = spec.poke(s, phys(BASE + BigInt(8 * w)), 8, v) }
      const old = { f, s }
      const expected = [0, 1, 2].map((p) => bytesOf(spec.pageAt(s, 0x80000 + p)))
      let x = seed | 1
      for (let i = 0; i < more; i++) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5
        f = fast.poke(f, phys(BASE + BigInt(((x >>> 0) % (3 * 512)) * 8)), 8, BigInt(i))
        if (i === more >> 1) assert.equal([0, 1, 2].map((p) => bytesOf(fast.pageAt(old.f, 0x80000 + p))), expected, 'read while the newest moves on')
      }
      assert.equal([0, 1, 2].map((p) => bytesOf(fast.pageAt(old.f, 0x80000 + p))), expected, 'the old version at the end')
      assert.is(old.f.pages, old.s.pages)
    }), { numRuns: runs(50) })
})

test('compaction by itself: thousands of stores replace the arena; versions held across it read as they were, and stores into them go on', () => {
  const PAGES = 8
  fc.assert(fc.property(fc.nat(), (seed) => {
    let f = fast.emptyMemory(MAP), s = spec.emptyMemory(MAP)
    const held: Pair[] = []
    const arenas = new Set<unknown>([f.arena])
    let x = seed | 1
    const next = (): number => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0 }
    for (let i = 0; i < 6000; i++) {   // 6 000 stores append ≈ 400 000 words: past the 1 MiB floor
      if (i % 800 === 0) held.push({ f, s })
      const a = phys(BASE + BigInt((next() % (PAGES * 512)) * 8))
      // One store in five goes into a held version (a branch); the newest moves on from it.
      const from = i % 5 === 4 ? held[next() % held.length]! : { f, s }
      f = fast.poke(from.f, a, 8, BigInt(i)); s = spec.poke(from.s, a, 8, BigInt(i))
      arenas.add(f.arena)
    }
    assert.ok(arenas.size > 1, 'the arena was compacted at least once')
    const contents = (v: Pair): void => {
      for (let p = 0; p < PAGES; p++) assert.equal(bytesOf(fast.pageAt(v.f, 0x80000 + p)), bytesOf(spec.pageAt(v.s, 0x80000 + p)))
      assert.is(v.f.pages, v.s.pages)
    }
    for (const v of [...held, { f, s }]) contents(v)
    for (const a of held) assert.equal(fast.changedPages(a.f, f), spec.changedPages(a.s, s), 'changedPages across compactions')
  }), { numRuns: runs(4) })
})

test('a page filled chunk by chunk, in any order, then stored into again: live counts what a compaction copies at every step', () => {
  fc.assert(fc.property(fc.shuffledSubarray([...Array(32).keys()], { minLength: 32 }), fc.nat(31), fc.boolean(), (order, again, whole) => {
    // From an empty page, or from a page written in full by pokeBytes whose chunks the stores replace.
    let f = whole ? fast.pokeBytes(fast.emptyMemory(MAP), phys(BASE), new Uint8Array(4096).fill(7)) : fast.emptyMemory(MAP)
    let s = whole ? spec.pokeBytes(spec.emptyMemory(MAP), phys(BASE), new Uint8Array(4096).fill(7)) : spec.emptyMemory(MAP)
    for (const c of [...order, again]) {
      const a = phys(BASE + BigInt(128 * c + 8))
      f = fast.poke(f, a, 8, BigInt(c + 1)); s = spec.poke(s, a, 8, BigInt(c + 1))
      agree({ f, s }, [a])
    }
  }), { numRuns: runs(20) })
})

test('views the engines were given count toward compaction, and only the views of pages the compacted version has carry over', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 511 }), valueArb), { minLength: 300, maxLength: 320 }), (writes) => {
    let f = fast.emptyMemory(MAP), s = spec.emptyMemory(MAP)
    let compactions = 0
    for (const [p, w, v] of writes) {
      const a = phys(BASE + BigInt(p * 4096 + 8 * w))
      const before = f.arena
      f = fast.poke(f, a, 8, v); s = spec.poke(s, a, 8, v)
      if (f.arena !== before) {
        compactions++
        assert.ok(f.arena.views.size <= 4, 'a compacted arena remembers views of its own pages only')
      }
      assert.equal(bytesOf(sharedPageAt(f, 0x80000 + p)), bytesOf(spec.pageAt(s, 0x80000 + p)))
    }
    // 300 stores append ≈ 25 000 words, far below the 1 MiB floor; 300 views of 1 024 words each pass it.
    assert.ok(compactions > 0, 'the views made the arena compact')
  }), { numRuns: runs(5), endOnFailure: true })   // no shrinking: each run is 300 stores
})

test.run()
