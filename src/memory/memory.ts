// Persistent, sparse, byte-addressed physical memory (little-endian, as RISC-V is).
// Structure: a persistent radix trie (fan-out 32) keyed by 4 KiB page number (bits 9 and 19 swapped, see keyOf), whose leaves are
// immutable pages, each made of 16 chunks of 256 bytes (64 little-endian 32-bit words). A store copies
// one chunk, the page's chunk array and the trie path above it (O(log n) in touched pages); every older
// version stays valid and unchanged. Never-written RAM reads as zero.
// Which addresses hold RAM at all is the physical memory map (memory-map.ts); accesses elsewhere fail.
import { type Either, left, right } from '../bits/either.ts'
import { type PhysAddr, phys } from '../bits/address.ts'
import { type MemoryMap, regionAt } from './memory-map.ts'

export const PAGE_SHIFT = 12
export const PAGE_BYTES = 1 << PAGE_SHIFT
const BRANCH_BITS = 5
const BRANCH = 1 << BRANCH_BITS
const BRANCH_MASK = BRANCH - 1

/**
 * An immutable 4 KiB page, in one of two forms. Chunked: CHUNKS chunks of CHUNK_BYTES bytes each, in
 * address order; neither the array nor a chunk is mutated after the page is placed in a trie, so versions
 * share the chunks they did not write. (Copying the whole page on every store, and collecting that much
 * fresh memory, was the largest cost of the pure step: about a third of its time on the bench loop.)
 * Or a 4 KiB DataView, as loaders and the fast engine hand pages in (`withPages`): kept as it is, never
 * written again, and read directly; the first store to it makes the chunked form of the new version.
 * (Copying every returned page into chunks made `run` in 1 000-step calls about 1.3× slower.)
 *
 * A chunk is a plain array of CHUNK_WORDS 32-bit words, each held as a signed int32 (`| 0`) so that V8
 * keeps the array in its small-integer form; byte k of word w is the byte at offset 4w + k. Copying one
 * is an array slice (about 35 ns on Node 20); a copy-on-write chunk made as a typed-array view over a
 * buffer cost about 200 ns, most of it the making of the views.
 */
type Chunk = readonly number[]
type ChunkedPage = readonly Chunk[]
export type Page = ChunkedPage | DataView
/** Which form a page is in (Array.isArray is a map check that V8 inlines). */
const isChunked = (p: Page): p is ChunkedPage => Array.isArray(p)
const CHUNK_SHIFT = 8
const CHUNK_BYTES = 1 << CHUNK_SHIFT
const CHUNK_MASK = CHUNK_BYTES - 1
const CHUNK_WORDS = CHUNK_BYTES / 4
const CHUNKS = PAGE_BYTES / CHUNK_BYTES
/** Every never-written chunk: all zero, shared, never written. */
const ZERO_CHUNK: Chunk = Array.from({ length: CHUNK_WORDS }, () => 0)
const ZERO_PAGE: ChunkedPage = Array.from({ length: CHUNKS }, () => ZERO_CHUNK)
/** A trie node: BRANCH children, each a node, a page (at the bottom level) or undefined. */
type Node = readonly (Node | Page | undefined)[]

/** A version of physical memory. Holds its map so every access is checked against it. */
export interface PhysMemory {
  readonly map: MemoryMap
  /** Root of the page trie; `height` levels of nodes sit above the pages. */
  readonly root: Node
  readonly height: number
  /** Number of pages materialised (written at least once). */
  readonly pages: number
}

/** Why a physical access failed; the caller maps it to an access-fault cause (1/5/7). */
export type MemFault =
  | { readonly _tag: 'NoMemory'; readonly pa: PhysAddr }   // no region, or the access leaves its region
  | { readonly _tag: 'Device'; readonly pa: PhysAddr }     // an MMIO region: served by the platform, not by RAM

export type AccessSize = 1 | 2 | 4 | 8

// ---- constructors -------------------------------------------------------------------------------

/** Memory with the given map and no page written yet (all RAM reads zero). */
export const emptyMemory = (map: MemoryMap): PhysMemory => mem(map, emptyNode(), 1, 0)

const mem = (map: MemoryMap, root: Node, height: number, pages: number): PhysMemory => ({ map, root, height, pages })
const emptyNode = (): (Node | Page | undefined)[] => new Array<undefined>(BRANCH).fill(undefined)

// ---- the page trie --------------------------------------------------------------------------------

const CAPACITY = Array.from({ length: 12 }, (_, h) => 2 ** (BRANCH_BITS * h))
const capacity = (height: number): number => CAPACITY[height] ?? 2 ** (BRANCH_BITS * height)

/**
 * The child slot of trie key `key` at trie level `level` (integer shifts while key < 2^31 and the shift is
 * below 32, the common case: JavaScript takes a shift count mod 32, so level 7's shift of 35 would be 3).
 */
const slot = (key: number, level: number): number =>
  key < 0x8000_0000 && level < 7 ? (key >>> (BRANCH_BITS * level)) & BRANCH_MASK : Math.floor(key / 2 ** (BRANCH_BITS * level)) & BRANCH_MASK

/**
 * Where page number pn sits in the trie: its key, pn with bits 9 and 19 swapped (page numbers from 2^31
 * up are their own keys). RAM at Spike's base 0x8000_0000 starts at page 0x80000, bit 19, and the boot
 * ROM is page 1; with the swap the first 2 MiB of that RAM and the lowest 2 MiB of addresses all have
 * keys below 1024, so a small program's trie is two levels deep rather than four, and every access walks
 * and every store copies half as many nodes. A swap of two bits is its own inverse, so keys and pages
 * correspond one to one.
 */
const keyOf = (pn: number): number =>
  pn >= 0x8000_0000 || ((pn >>> 19) & 1) === ((pn >>> 9) & 1) ? pn : pn ^ ((1 << 19) | (1 << 9))

/** The page holding page number `pn`, or undefined if never written. */
const findPage = (m: PhysMemory, pn: number): Page | undefined => findKey(m, keyOf(pn))

const findKey = (m: PhysMemory, key: number): Page | undefined => {
  if (key >= capacity(m.height)) return undefined
  let node: Node | Page | undefined = m.root
  for (let level = m.height - 1; level >= 0; level--) {
    if (node === undefined) return undefined
    node = (node as Node)[slot(key, level)]
  }
  return node as Page | undefined
}

/** A new trie with `page` at page number `pn`: copies only the path from the root. */
const withPage = (m: PhysMemory, pn: number, page: Page, isNew: boolean): PhysMemory => {
  const key = keyOf(pn)
  let root = m.root
  let height = m.height
  while (key >= capacity(height)) {         // grow upward: the old root becomes child 0
    const grown = emptyNode()
    grown[0] = root
    root = grown
    height++
  }
  return mem(m.map, setPath(root, height - 1, key, page), height, m.pages + (isNew ? 1 : 0))
}

/**
 * A copy of `node` (a trie node at `level`) with `page` placed at trie key `key` below it. A
 * module-level function rather than a closure: stores are a hot path, and under tsx every closure
 * creation costs a defineProperty.
 */
const setPath = (node: Node | undefined, level: number, key: number, page: Page): Node => {
  const copy: (Node | Page | undefined)[] = node === undefined ? emptyNode() : node.slice()
  const i = slot(key, level)
  copy[i] = level === 0 ? page : setPath(copy[i] as Node | undefined, level - 1, key, page)
  return copy
}

// ---- pages as one 4 KiB view (for engines that read pages directly, and for loaders) ------------------

/**
 * The page as one 4 KiB view: the page itself when it is stored as a view, else a new view filled from its
 * chunks. Pure: engines that want the same view object for an unchanged page remember it
 * (engine/page-views.ts).
 */
export const pageView = (p: Page): DataView => {
  if (!isChunked(p)) return p
  const buffer = new ArrayBuffer(PAGE_BYTES)
  const view = new DataView(buffer)
  // On a little-endian host an Int32Array's words are the page's words; elsewhere word by word.
  const words = LITTLE_ENDIAN_HOST ? new Int32Array(buffer) : undefined
  for (let i = 0; i < CHUNKS; i++) {
    const c = p[i]!
    if (c === ZERO_CHUNK) continue
    if (words !== undefined) words.set(c, i * CHUNK_WORDS)
    else for (let w = 0; w < CHUNK_WORDS; w++) view.setInt32(i * CHUNK_BYTES + 4 * w, c[w]!, true)
  }
  return view
}

/** The chunked form of a page given as a view (for the first store to it). */
const chunksOf = (view: DataView): ChunkedPage => {
  const chunks: Chunk[] = []
  // Through one Int32Array over the page where the host is little-endian (Array.from on a typed array
  // goes through the iterator protocol and cost ~20 µs a page), else word by word through the view.
  const words = LITTLE_ENDIAN_HOST && view.byteOffset % 4 === 0 ? new Int32Array(view.buffer, view.byteOffset, PAGE_BYTES / 4) : undefined
  for (let i = 0; i < CHUNKS; i++) {
    const c: number[] = []
    if (words !== undefined) for (let w = i * CHUNK_WORDS; w < (i + 1) * CHUNK_WORDS; w++) c.push(words[w]!)
    else for (let w = 0; w < CHUNK_WORDS; w++) c.push(view.getInt32(i * CHUNK_BYTES + 4 * w, true))
    chunks.push(c)
  }
  return chunks
}

/**
 * The immutable page holding page number `pn` (physical address >> 12), or undefined if never written
 * (reads as zero), as a 4 KiB view. Never write through the returned view. The view covers exactly the
 * page's 4096 bytes; it need not start at offset 0 of its buffer, so use its byteOffset when making
 * another view of it. Each call may make a new view; engines use engine/page-views.ts, which gives the
 * same view object for an unchanged page.
 */
export const pageAt = (m: PhysMemory, pn: number): DataView | undefined => {
  const p = findPage(m, pn)
  return p === undefined ? undefined : pageView(p)
}

/** The stored page at page number `pn` (chunks or a view), or undefined: for engines that remember its view. */
export const storedPage = (m: PhysMemory, pn: number): Page | undefined => findPage(m, pn)

/**
 * The page numbers of every page written at least once (materialised), ascending by trie key (not by page
 * number). For comparing versions and taking snapshots: read each page with `pageAt`.
 * @example writtenPages(pokeBytes(emptyMemory(defaultMemoryMap), phys(0x8000_1000n), Uint8Array.of(1))) → [0x80001]
 */
export const writtenPages = (m: PhysMemory): readonly number[] => {
  const out: number[] = []
  const visit = (node: Node | Page | undefined, level: number, prefix: number): void => {
    if (node === undefined) return
    if (level < 0) { out.push(keyOf(prefix)); return }     // keyOf is its own inverse: key → page number
    ;(node as Node).forEach((child, i) => visit(child, level - 1, prefix * BRANCH + i))
  }
  visit(m.root, m.height - 1, 0)
  return out
}

/**
 * The page numbers whose pages differ between two versions of one memory, `older` and `newer` (every page
 * written in between, even with the bytes it already held; a page never written in either is not listed),
 * ascending by trie key. Versions share every subtree no store went through, so the comparison skips a
 * shared subtree at once: the cost is proportional to the pages written in between, times the trie height.
 * (Two memories that share nothing, e.g. built separately, are compared in full, still correctly.)
 * @example changedPages(m, poke(m, phys(0x8000_2008n), 8, 1n)) → [0x80002]
 */
export const changedPages = (older: PhysMemory, newer: PhysMemory): readonly number[] => {
  const out: number[] = []
  // A trie of height h is the child-0 chain of a taller one: lift the shorter root to the taller height.
  const lift = (m: PhysMemory, height: number): Node => {
    let root = m.root
    for (let h = m.height; h < height; h++) { const grown = emptyNode(); grown[0] = root; root = grown }
    return root
  }
  const height = Math.max(older.height, newer.height)
  const visit = (a: Node | Page | undefined, b: Node | Page | undefined, level: number, prefix: number): void => {
    if (a === b) return
    if (level < 0) { out.push(keyOf(prefix)); return }
    for (let i = 0; i < BRANCH; i++) visit((a as Node | undefined)?.[i], (b as Node | undefined)?.[i], level - 1, prefix * BRANCH + i)
  }
  visit(lift(older, height), lift(newer, height), height - 1, 0)
  return out
}

/**
 * A new version of `m` with each given page placed at its page number, for engines that borrow pages
 * (pageAt), copy the ones they write, and hand the copies back at the end. Each page costs one path
 * copy from the root (nodes copied once per batch are reused by the following pages), so the cost is
 * O(pages · height), never O(memory). The pages become part of the trie: the caller must not write
 * them afterwards. Pages must be 4 KiB DataViews; a page number given twice keeps the last page.
 */
export const withPages = (m: PhysMemory, pages: readonly (readonly [number, DataView])[]): PhysMemory => {
  if (pages.length === 0) return m
  let root: (Node | Page | undefined)[] = m.root.slice()
  let height = m.height
  const fresh = new Set<Node>([root])          // nodes copied in this batch: safe to fill in place
  const maxKey = pages.reduce((max, [pn]) => Math.max(max, keyOf(pn)), 0)
  while (maxKey >= capacity(height)) {          // grow upward: the old root becomes child 0
    const grown = emptyNode()
    grown[0] = root
    root = grown
    fresh.add(root)
    height++
  }
  let added = 0
  for (const [pn, page] of pages) {
    const key = keyOf(pn)
    let node = root
    for (let level = height - 1; level > 0; level--) {
      const i = slot(key, level)
      const child = node[i] as Node | undefined
      if (child !== undefined && fresh.has(child)) { node = child as (Node | Page | undefined)[]; continue }
      const copy = child === undefined ? emptyNode() : child.slice()
      fresh.add(copy)
      node[i] = copy
      node = copy
    }
    const i = slot(key, 0)
    if (node[i] === undefined) added++
    node[i] = page
  }
  return mem(m.map, root, height, m.pages + added)
}

// ---- unchecked access (inside RAM; used after the map check, and by loaders) ---------------------

// ---- addresses as numbers ----------------------------------------------------------------------
//
// On Node 20 (V8 11.3) `Number(bigint)` and bigint shifts are calls into the runtime (tens of ns each),
// while storing a bigint into a BigUint64Array and reading its two 32-bit halves are inlined. So an
// address is split into halves through one scratch word, written and read within one call (nothing is
// kept in it between calls).
const scratch = new BigUint64Array(1)
const halves = new Uint32Array(scratch.buffer)
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const LO = LITTLE_ENDIAN_HOST ? 0 : 1                  // the low half's index (host endianness)
const HI = 1 - LO

/**
 * `Number(a)` for an unsigned 64-bit a, without the runtime call: exact below 2^53, and above it rounded
 * once to the nearest double as `Number` rounds (hi · 2^32 is exact, the one addition rounds).
 * @example u64ToNumber(0x8000_1000n) === 0x8000_1000
 */
export const u64ToNumber = (a: bigint): number => {
  scratch[0] = a
  return halves[HI]! * 0x1_0000_0000 + halves[LO]!
}

/**
 * The low 32 bits of a (a mod 2^32) as a number: for tests of low address bits (alignment, page offset)
 * without a bigint operation. @example low32(0xffff_ffff_8000_0ffen) === 0x8000_0ffe
 */
export const low32 = (a: bigint): number => {
  scratch[0] = a
  return halves[LO]!
}

/**
 * The 4 KiB page number of a 64-bit address (a >> 12) as a number, exact (it is below 2^52), without a
 * bigint shift or `Number` call. @example pageNumber(0x8000_1234n) === 0x80001
 */
export const pageNumber = (pa: bigint): number => {
  scratch[0] = pa
  return halves[HI]! * 0x10_0000 + (halves[LO]! >>> PAGE_SHIFT)
}
/** The offset of pa within its page (pa & 0xfff). */
const pageOffset = (pa: bigint): number => {
  scratch[0] = pa
  return halves[LO]! & (PAGE_BYTES - 1)
}

/** The byte at offset o of chunk c. */
const byteOf = (c: Chunk, o: number): number => (c[o >>> 2]! >>> ((o & 3) * 8)) & 0xff

/** Reads `size` bytes at offset `off` of page p (undefined: never written, zero); off + size ≤ PAGE_BYTES. */
const readWithin = (p: Page | undefined, off: number, size: AccessSize): bigint => {
  if (p === undefined) return 0n
  if (!isChunked(p)) return readView(p, off, size)
  const c = p[off >>> CHUNK_SHIFT]!
  const o = off & CHUNK_MASK
  if ((o & (size - 1)) !== 0) {               // misaligned (it may cross a chunk): byte by byte, little-endian
    let v = 0n
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(byteOf(p[(off + i) >>> CHUNK_SHIFT]!, (off + i) & CHUNK_MASK))
    return v
  }
  const w = c[o >>> 2]!
  switch (size) {
    case 1: return BigInt((w >>> ((o & 3) * 8)) & 0xff)
    case 2: return BigInt((w >>> ((o & 3) * 8)) & 0xffff)
    case 4: return BigInt(w >>> 0)
    case 8:                                   // the two words through the scratch word: no bigint arithmetic
      halves[LO] = w
      halves[HI] = c[(o >>> 2) + 1]!
      return scratch[0]!
  }
}

/** readWithin for a page in view form (any alignment: the view reads across its words). */
const readView = (v: DataView, off: number, size: AccessSize): bigint => {
  switch (size) {
    case 1: return BigInt(v.getUint8(off))
    case 2: return BigInt(v.getUint16(off, true))
    case 4: return BigInt(v.getUint32(off, true))
    case 8:                                   // through the scratch word: getBigUint64 is a slow builtin call
      halves[LO] = v.getUint32(off, true)
      halves[HI] = v.getUint32(off + 4, true)
      return scratch[0]!
  }
}

/** Writes the low `size` bytes of value at offset o (aligned to size) of chunk c, which the caller owns. */
const writeWithin = (c: number[], o: number, size: AccessSize, value: bigint): void => {
  scratch[0] = BigInt.asUintN(64, value)
  const lo = halves[LO]!
  const i = o >>> 2
  switch (size) {
    case 1: case 2: {
      const shift = (o & 3) * 8
      const mask = (size === 1 ? 0xff : 0xffff) << shift
      c[i] = (c[i]! & ~mask) | ((lo << shift) & mask)
      break
    }
    case 4: c[i] = lo | 0; break
    case 8: c[i] = lo | 0; c[i + 1] = halves[HI]! | 0; break
  }
}

/** Reads `size` bytes at pa without consulting the map (never-written bytes are zero). */
export const peek = (m: PhysMemory, pa: PhysAddr, size: AccessSize): bigint => {
  const off = pageOffset(pa)
  if (off + size <= PAGE_BYTES) return readWithin(findPage(m, pageNumber(pa)), off, size)
  let v = 0n                                  // crosses a page: assemble byte by byte, little-endian
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | peek(m, phys(pa + BigInt(i)), 1)
  return v
}

/**
 * The 32-bit little-endian word at pa as a number, without consulting the map: `Number(peek(m, pa, 4))`
 * without making a bigint (instruction fetch reads one per step). Never-written bytes are zero.
 * @example peekWord(pokeBytes(m, pa, Uint8Array.of(0x13, 0, 0, 0)), pa) === 0x13
 */
export const peekWord = (m: PhysMemory, pa: PhysAddr): number => {
  const off = pageOffset(pa)
  const o = off & CHUNK_MASK
  // Word-aligned, or halfword-aligned inside the chunk (a 32-bit instruction after a compressed one).
  if ((o & 1) !== 0 || o > CHUNK_BYTES - 4) return Number(peek(m, pa, 4))
  const p = findPage(m, pageNumber(pa))
  if (p === undefined) return 0
  if (!isChunked(p)) return p.getUint32(off, true)
  const c = p[off >>> CHUNK_SHIFT]!
  const i = o >>> 2
  return (o & 2) === 0 ? c[i]! >>> 0 : ((c[i]! >>> 16) | (c[i + 1]! << 16)) >>> 0
}

/** Writes `size` bytes at pa without consulting the map; returns the new memory. */
export const poke = (m: PhysMemory, pa: PhysAddr, size: AccessSize, value: bigint): PhysMemory => {
  const off = pageOffset(pa)
  const o = off & CHUNK_MASK
  if (o + size > CHUNK_BYTES) {               // crosses a chunk (or page) end: byte by byte
    let out = m
    for (let i = 0; i < size; i++) out = poke(out, phys(pa + BigInt(i)), 1, value >> BigInt(8 * i))
    return out
  }
  const pn = pageNumber(pa)
  const old = findPage(m, pn)
  // The new page: the old one's chunks, except a copy of the one written.
  const page = old === undefined ? ZERO_PAGE.slice() : isChunked(old) ? old.slice() : chunksOf(old) as Chunk[]
  const i = off >>> CHUNK_SHIFT
  const chunk = page[i]!.slice()
  if ((o & (size - 1)) === 0) writeWithin(chunk, o, size, value)
  else for (let k = 0; k < size; k++) writeWithin(chunk, o + k, 1, value >> BigInt(8 * k))   // misaligned
  page[i] = chunk
  return withPage(m, pn, page, old === undefined)
}

/** Writes a byte string at pa (for loaders and scenario set-up); one page copy per page touched. */
export const pokeBytes = (m: PhysMemory, pa: PhysAddr, data: Uint8Array): PhysMemory => {
  let out = m
  let done = 0
  while (done < data.length) {
    const at = pa + BigInt(done)
    const pn = pageNumber(at)
    const off = pageOffset(at)
    const n = Math.min(PAGE_BYTES - off, data.length - done)
    const old = findPage(out, pn)
    const bytes = new Uint8Array(PAGE_BYTES)
    if (old !== undefined) { const v = pageView(old); bytes.set(new Uint8Array(v.buffer, v.byteOffset, PAGE_BYTES)) }
    bytes.set(data.subarray(done, done + n), off)
    out = withPage(out, pn, new DataView(bytes.buffer), old === undefined)
    done += n
  }
  return out
}

// ---- checked access (what harts, walkers and devices use) ----------------------------------------

const check = (m: PhysMemory, pa: PhysAddr, size: AccessSize): MemFault | undefined => {
  const r = regionAt(m.map, pa, BigInt(size))
  if (r === undefined) return { _tag: 'NoMemory', pa }
  if (r.kind !== 'ram') return { _tag: 'Device', pa }
  return undefined
}

/** Loads `size` bytes (zero-extended) from RAM; an address outside RAM is a fault value. */
export const load = (m: PhysMemory, pa: PhysAddr, size: AccessSize): Either<MemFault, bigint> => {
  const f = check(m, pa, size)
  return f === undefined ? right(peek(m, pa, size)) : left(f)
}

/** Stores the low `size` bytes of value into RAM, returning the new memory (the old is unchanged). */
export const store = (m: PhysMemory, pa: PhysAddr, size: AccessSize, value: bigint): Either<MemFault, PhysMemory> => {
  const f = check(m, pa, size)
  return f === undefined ? right(poke(m, pa, size, value)) : left(f)
}
