// Persistent, sparse, byte-addressed physical memory (little-endian, as RISC-V is).
//
// Structure: a persistent radix trie (fan-out 32) keyed by 4 KiB page number (bits 9 and 19 swapped,
// address-number.ts keyOf) whose leaves name pages. The bytes do not live in small objects: they live in
// the memory's *arena*, one large Int32Array shared by the versions of that memory, filled only by bumping
// its end. A page there has one of three forms: a *record* of 32 chunk addresses (and a stamp), a chunk
// being 32 little-endian 32-bit words (128 bytes); a *whole page*, its stamp then its 1 024 words in a row
// (a page written in full at once, by pokeBytes or an engine's withPages, or copied so by a compaction); or
// a *patch*, a whole page with one chunk replaced (what the first store into a whole page makes). A store
// appends one record, or patch, and one chunk (the old chunk's words, then the new bytes) and copies the
// trie path above the page: O(log n) in pages touched. Nothing appended is ever written again, so every
// older version stays valid and unchanged, whichever version a store starts from.
//
// Why an arena (bench/memory/README.md has the measurements): bytes in JS arrays cost twice their size,
// and every small object costs the collector at each full GC (262 144 pages as chunk arrays made the 1 GiB
// case GC-bound); in a typed array they cost their size and nothing to trace.
//
// Reclamation, deterministic (no finalizers): nobody tells the arena which versions are still held, so no
// word of it is ever freed or reused. Instead, once an arena has grown past twice what the version just
// made reaches (and past a floor), that version is *compacted*: its pages are copied into a fresh arena
// sized to it, and the old arena is left to the versions that still refer to it — the collector frees it
// with the last of them. A compaction costs O(what the version reaches) and comes after at least as many
// words appended, so a store costs O(log n) amortized. The old arena's own limit doubles at the same time,
// so stores into a held old version do not compact again until that arena has doubled.
//
// Pages handed in whole by engines (`withPages`, 4 KiB DataViews) stay as they are, leaves of their own
// (the engines keep recognising them by identity); the first store to one copies it into the arena.
// Which addresses hold RAM at all is the physical memory map (memory-map.ts); accesses elsewhere fail.
// The readable form this is proven equal to: memory-spec.ts (properties/memory/fast-equals-spec.prop.ts).
import { type Either } from '../bits/either.ts'
import { type PhysAddr, phys } from '../bits/address.ts'
import { type MemoryMap } from './memory-map.ts'
import {
  type AccessSize, HI, LITTLE_ENDIAN_HOST, LO, type MemFault, PAGE_BYTES, checkedLoad, checkedStore, halves, keyOf, pageNumber, pageOffset, scratch,
} from './address-number.ts'

export { type AccessSize, type MemFault, PAGE_BYTES, PAGE_SHIFT, low32, pageNumber, u64ToNumber } from './address-number.ts'

const BRANCH_BITS = 5
const BRANCH = 1 << BRANCH_BITS
const BRANCH_MASK = BRANCH - 1

// 128-byte chunks: a store appends a record (4 bytes per chunk) and a chunk, 136 + 128 bytes, the least
// record + chunk for a 4 KiB page (256-byte chunks: 72 + 256).
const CHUNK_SHIFT = 7
const CHUNK_BYTES = 1 << CHUNK_SHIFT
const CHUNK_MASK = CHUNK_BYTES - 1
const CHUNK_WORDS = CHUNK_BYTES / 4
const CHUNKS = PAGE_BYTES / CHUNK_BYTES
const PAGE_WORDS = PAGE_BYTES / 4
/** A page record: CHUNKS chunk addresses, then the page's stamp (high and low half). */
const RECORD_WORDS = CHUNKS + 2
/** A whole page: its stamp (high and low half), then its PAGE_WORDS words. */
const WHOLE_WORDS = 2 + PAGE_WORDS
/** Words [0, CHUNK_WORDS) of every arena are the zero chunk: a record's never-written chunks point there. */
const ZERO_CHUNK = 0
/** An arena never compacts a version before it has grown past this many words (1 MiB). */
const MIN_LIMIT = 1 << 18

/**
 * Where the pages of one memory's versions live. Words below `used` are never written again once a version
 * refers to them; words from `used` on are zero. `views` remembers, per page record, the 4 KiB view the
 * engines were given for it (engine/page-views.ts), so that an unchanged page keeps one view object.
 */
interface Arena {
  words: Int32Array
  used: number
  limit: number
  readonly views: Map<number, DataView>
  readonly family: Family
}

/**
 * The arenas of one memory (the one `emptyMemory` made, and each made by compacting a version of it): they
 * share a stamp counter. Stamps tell pages apart across arenas (`changedPages`): every record made by a
 * write gets a new one, and a compaction copies a record with its stamp; they are only compared for
 * equality, and only within one family (memories built separately differ in every page).
 */
interface Family { stamps: number }

/**
 * A page: in the version's arena, a record's address (≥ 0) or minus the address of a whole page's first
 * data word (< 0); or a 4 KiB view an engine handed in.
 */
type Leaf = number | DataView
/** A trie node: BRANCH children, each a node, a leaf (at the bottom level) or undefined. */
type Node = readonly (Node | Leaf | undefined)[]

/** A version of physical memory. Holds its map so every access is checked against it. */
export interface PhysMemory {
  readonly map: MemoryMap
  /** Root of the page trie; `height` levels of nodes sit above the leaves. */
  readonly root: Node
  readonly height: number
  /** Number of pages materialised (written at least once). */
  readonly pages: number
  /** The arena its numbered leaves are records of (shared with the versions it was made from or into). */
  readonly arena: Arena
  /** Arena words this version reaches, counted as a compaction copies them (pageWords): what decides when it is compacted. */
  readonly live: number
}

// ---- constructors -------------------------------------------------------------------------------

const newArena = (capacity: number, family: Family): Arena =>
  ({ words: new Int32Array(Math.max(capacity, 4 * CHUNK_WORDS)), used: CHUNK_WORDS, limit: MIN_LIMIT, views: new Map(), family })

/** Memory with the given map and no page written yet (all RAM reads zero). */
export const emptyMemory = (map: MemoryMap): PhysMemory => mem(map, emptyNode(), 1, 0, newArena(0, { stamps: 0 }), 0)

const mem = (map: MemoryMap, root: Node, height: number, pages: number, arena: Arena, live: number): PhysMemory =>
  ({ map, root, height, pages, arena, live })
const emptyNode = (): (Node | Leaf | undefined)[] => new Array<undefined>(BRANCH).fill(undefined)

// ---- the arena ----------------------------------------------------------------------------------

/** Appends n zero words to the arena and returns their address (the array doubles when full). */
const alloc = (a: Arena, n: number): number => {
  const at = a.used
  if (at + n > a.words.length) {
    let capacity = a.words.length * 2
    while (capacity < at + n) capacity *= 2
    const grown = new Int32Array(capacity)
    grown.set(a.words.subarray(0, at))
    a.words = grown
  }
  a.used = at + n
  return at
}

// ---- pages in the arena: records, whole pages, patches ------------------------------------------
//
// An arena page is named by a number (its leaf): a record by its address (even, ≥ 0); a whole page by minus
// the address of its data (< 0); a *patch* — a whole page with one chunk replaced, what the first store into
// a whole page makes — by its address + 1 (odd). A patch is PATCH_WORDS words: the whole page's data
// address, the chunk's index, the new chunk's address, the stamp (two words) and one word that keeps every
// allocation even; the new chunk follows it. It costs 24 bytes where a record costs 136.

const PATCH_WORDS = 6

/** Where the stamp of arena page `page` lies. */
const stampAt = (page: number): number => page < 0 ? -page - 2 : (page & 1) === 0 ? page + CHUNKS : page + 2

/** Gives arena page `page` of arena `a` a new stamp (its family's next). */
const stampPage = (a: Arena, page: number): void => {
  const stamp = ++a.family.stamps
  const at = stampAt(page)
  a.words[at] = Math.floor(stamp / 0x1_0000_0000)
  a.words[at + 1] = stamp | 0
}
const sameStamp = (wa: Int32Array, a: number, wb: Int32Array, b: number): boolean => {
  const sa = stampAt(a), sb = stampAt(b)
  return wa[sa] === wb[sb] && wa[sa + 1] === wb[sb + 1]
}

/** The address of chunk `ci` of arena page `page` (the zero chunk if a record never had it written). */
const chunkOf = (w: Int32Array, page: number, ci: number): number =>
  page < 0 ? -page + ci * CHUNK_WORDS
    : (page & 1) === 0 ? w[page + ci]!
      : ci === w[page]! ? w[page + 1]! : w[page - 1]! + ci * CHUNK_WORDS

/** The address of the word holding byte `off` of arena page `page`. */
const wordOf = (w: Int32Array, page: number, off: number): number =>
  page < 0 ? -page + (off >>> 2)
    : (page & 1) === 0 ? w[page + (off >>> CHUNK_SHIFT)]! + ((off & CHUNK_MASK) >>> 2)
      : (off >>> CHUNK_SHIFT) === w[page]! ? w[page + 1]! + ((off & CHUNK_MASK) >>> 2) : w[page - 1]! + (off >>> 2)

/** Whether arena page `page` is a record (the other two forms have every chunk real). */
const isRecord = (page: number): boolean => page >= 0 && (page & 1) === 0

/** Non-zero chunks of record `rec`. */
const realChunks = (w: Int32Array, rec: number): number => {
  let n = 0
  for (let i = 0; i < CHUNKS; i++) if (w[rec + i] !== ZERO_CHUNK) n++
  return n
}

/** Whether record `rec` still has a chunk never written (the first is found soon in a page barely written). */
const hasZeroChunk = (w: Int32Array, rec: number): boolean => {
  for (let i = 0; i < CHUNKS; i++) if (w[rec + i] === ZERO_CHUNK) return true
  return false
}

/**
 * Arena words a compaction copies for arena page `page`: a whole page's for a whole page or a patch; a
 * record and its non-zero chunks, or, once every chunk is real, a whole page's (a compaction turns such a
 * record, and a patch, into a whole page).
 */
const pageWords = (w: Int32Array, page: number): number => {
  if (!isRecord(page)) return WHOLE_WORDS
  const n = realChunks(w, page)
  return n === CHUNKS ? WHOLE_WORDS : RECORD_WORDS + n * CHUNK_WORDS
}

/** A new whole page in `a`, its words zero and not yet stamped: minus the address of its data. */
const allocWhole = (a: Arena): number => -(alloc(a, WHOLE_WORDS) + 2)

/** A new whole page in `a` holding the bytes of a 4 KiB view (a page handed in whole, at its first store; a page pokeBytes covers). */
const wholeOfView = (a: Arena, view: DataView): number => {
  const page = allocWhole(a)
  const w = a.words
  if (LITTLE_ENDIAN_HOST && (view.byteOffset & 3) === 0) w.set(new Int32Array(view.buffer, view.byteOffset, PAGE_WORDS), -page)
  else for (let k = 0; k < PAGE_WORDS; k++) w[-page + k] = view.getInt32(4 * k, true)
  stampPage(a, page)
  return page
}

// ---- the page trie --------------------------------------------------------------------------------

const CAPACITY = Array.from({ length: 12 }, (_, h) => 2 ** (BRANCH_BITS * h))
const capacity = (height: number): number => CAPACITY[height] ?? 2 ** (BRANCH_BITS * height)

/**
 * The child slot of trie key `key` at trie level `level` (integer shifts while key < 2^31 and the shift is
 * below 32, the common case: JavaScript takes a shift count mod 32, so level 7's shift of 35 would be 3).
 */
const slot = (key: number, level: number): number =>
  key < 0x8000_0000 && level < 7 ? (key >>> (BRANCH_BITS * level)) & BRANCH_MASK : Math.floor(key / 2 ** (BRANCH_BITS * level)) & BRANCH_MASK

/** The leaf at trie key `key`, or undefined if that page was never written. */
const findKey = (m: PhysMemory, key: number): Leaf | undefined => {
  if (key >= capacity(m.height)) return undefined
  let node: Node | Leaf | undefined = m.root
  for (let level = m.height - 1; level >= 0; level--) {
    if (node === undefined) return undefined
    node = (node as Node)[slot(key, level)]
  }
  return node as Leaf | undefined
}

/** A new version with `leaf` at trie key `key`: copies only the path from the root. */
const withLeaf = (m: PhysMemory, key: number, leaf: Leaf, pages: number, live: number): PhysMemory => {
  let root = m.root
  let height = m.height
  while (key >= capacity(height)) {         // grow upward: the old root becomes child 0
    const grown = emptyNode()
    grown[0] = root
    root = grown
    height++
  }
  return settle(mem(m.map, setPath(root, height - 1, key, leaf), height, pages, m.arena, live))
}

/**
 * A copy of `node` (a trie node at `level`) with `leaf` placed at trie key `key` below it. A module-level
 * function rather than a closure: stores are a hot path, and under tsx every closure creation costs a
 * defineProperty.
 */
const setPath = (node: Node | undefined, level: number, key: number, leaf: Leaf): Node => {
  const copy: (Node | Leaf | undefined)[] = node === undefined ? emptyNode() : node.slice()
  const i = slot(key, level)
  copy[i] = level === 0 ? leaf : setPath(copy[i] as Node | undefined, level - 1, key, leaf)
  return copy
}

/**
 * What an arena holds, in words: its own, and the engines' views it remembers (a page each; they are let go
 * of at a compaction, except those of the pages the compacted version still has).
 */
const held = (a: Arena): number => a.used + a.views.size * (PAGE_BYTES / 4)

/** `m`, or `m` compacted if its arena has passed its limit (every writing operation ends here). */
const settle = (m: PhysMemory): PhysMemory => (held(m.arena) > m.arena.limit ? compact(m) : m)

/** Pushes the arena pages among the leaves below `node` (a node at `level`), in trie order. */
const collectPages = (node: Node, level: number, out: number[]): void => {
  for (const child of node) {
    if (child === undefined) continue
    if (level > 0) collectPages(child as Node, level - 1, out)
    else if (typeof child === 'number') out.push(child)
  }
}

/** A copy of `node` (at `level`) whose arena-page leaves, in trie order from `next.i`, become `moved[i]`. */
const renamePages = (node: Node, level: number, moved: Int32Array, next: { i: number }): Node => {
  const copy: (Node | Leaf | undefined)[] = node.slice()
  for (let i = 0; i < BRANCH; i++) {
    const child = copy[i]
    if (child === undefined) continue
    if (level > 0) copy[i] = renamePages(child as Node, level - 1, moved, next)
    else if (typeof child === 'number') copy[i] = moved[next.i++]!
  }
  return copy
}

/** Sort keys of (address, index) pairs: address · 2^22 + index, exact below 2^53. */
const INDEX_BITS = 2 ** 22

/**
 * Copies arena page `old` of words `src` to words `w` at `at`, as a whole page if every chunk of it is
 * real, else as a record and its real chunks: returns the new page (its leaf). Writes pageWords(src, old)
 * words.
 */
const copyPage = (src: Int32Array, old: number, w: Int32Array, at: number): number => {
  const stamp = stampAt(old)
  if (!isRecord(old) || realChunks(src, old) === CHUNKS) {
    w[at] = src[stamp]!
    w[at + 1] = src[stamp + 1]!
    const page = -(at + 2)
    if (old < 0) w.set(src.subarray(-old, -old + PAGE_WORDS), -page)
    else {
      for (let c = 0; c < CHUNKS; c++) {
        const chunk = chunkOf(src, old, c), to = -page + c * CHUNK_WORDS
        for (let j = 0; j < CHUNK_WORDS; j++) w[to + j] = src[chunk + j]!
      }
    }
    return page
  }
  let next = at + RECORD_WORDS
  for (let c = 0; c < CHUNKS; c++) {
    const chunk = src[old + c]!
    if (chunk === ZERO_CHUNK) continue
    for (let j = 0; j < CHUNK_WORDS; j++) w[next + j] = src[chunk + j]!
    w[at + c] = next
    next += CHUNK_WORDS
  }
  w[at + CHUNKS] = src[stamp]!
  w[at + CHUNKS + 1] = src[stamp + 1]!
  return at
}

/**
 * The same version in a fresh arena that holds only its pages (pages keep their stamps, views handed in
 * stay as they are; engines' views carry over). O(pages) once; afterwards the old arena lives only as
 * long as versions that still use it. Pure: the result reads exactly as `m` does. Pages are copied in
 * the order of their old addresses, not of their page numbers: a record and the chunk written with it lie
 * together, so the old arena is read front to back rather than at random. A record whose every chunk is
 * real becomes a whole page (one word in 17 less).
 */
export const compact = (m: PhysMemory): PhysMemory => {
  const from = m.arena
  const limit = Math.max(MIN_LIMIT, 2 * (CHUNK_WORDS + m.live))
  // Room up to the limit at once (untouched words of a large array cost no resident memory), so the
  // arena does not grow by copying between compactions.
  const to = newArena(limit + WHOLE_WORDS, from.family)
  const pages: number[] = []
  collectPages(m.root, m.height - 1, pages)
  const n = pages.length
  const order = new Float64Array(n)
  for (let i = 0; i < n; i++) order[i] = n < INDEX_BITS ? Math.abs(pages[i]!) * INDEX_BITS + i : i
  if (n < INDEX_BITS) order.sort()
  const moved = new Int32Array(n)
  const src = from.words
  const w = to.words
  let at = to.used
  for (let k = 0; k < n; k++) {
    const i = n < INDEX_BITS ? order[k]! % INDEX_BITS : k
    const old = pages[i]!
    const page = copyPage(src, old, w, at)
    at += pageWords(src, old)
    moved[i] = page
    if (from.views.size > 0) { const view = from.views.get(old); if (view !== undefined) to.views.set(page, view) }
  }
  to.used = at
  to.limit = Math.max(limit, 2 * held(to))
  from.limit = Math.max(from.limit, 2 * held(from))
  return mem(m.map, renamePages(m.root, m.height - 1, moved, { i: 0 }), m.height, m.pages, to, at - CHUNK_WORDS)
}

// ---- pages as one 4 KiB view (for engines that read pages directly, and for loaders) ------------------

/** A new 4 KiB view holding arena page `page` of words `w`. */
const viewOfPage = (w: Int32Array, page: number): DataView => {
  const buffer = new ArrayBuffer(PAGE_BYTES)
  const view = new DataView(buffer)
  // On a little-endian host an Int32Array's words are the page's words; elsewhere word by word.
  if (LITTLE_ENDIAN_HOST) {
    const words = new Int32Array(buffer)
    if (page < 0) words.set(w.subarray(-page, -page + PAGE_WORDS))
    else for (let i = 0; i < CHUNKS; i++) { const c = chunkOf(w, page, i); if (c !== ZERO_CHUNK) words.set(w.subarray(c, c + CHUNK_WORDS), i * CHUNK_WORDS) }
  } else for (let k = 0; k < PAGE_WORDS; k++) view.setInt32(4 * k, w[wordOf(w, page, 4 * k)]!, true)
  return view
}

/**
 * The immutable page holding page number `pn` (physical address >> 12), or undefined if never written
 * (reads as zero), as a 4 KiB view. Never write through the returned view. The view covers exactly the
 * page's 4096 bytes; it need not start at offset 0 of its buffer, so use its byteOffset when making
 * another view of it. Each call may make a new view; engines use engine/page-views.ts, which gives the
 * same view object for an unchanged page.
 */
export const pageAt = (m: PhysMemory, pn: number): DataView | undefined => {
  const leaf = findKey(m, keyOf(pn))
  if (leaf === undefined) return undefined
  return typeof leaf === 'number' ? viewOfPage(m.arena.words, leaf) : leaf
}

/**
 * `pageAt`, remembered: the same view object for a page as long as no write has replaced it (also across
 * a compaction), for engines that compare pages by identity (engine/page-views.ts).
 */
export const sharedPageAt = (m: PhysMemory, pn: number): DataView | undefined => {
  const leaf = findKey(m, keyOf(pn))
  if (leaf === undefined || typeof leaf !== 'number') return leaf
  const views = m.arena.views
  let v = views.get(leaf)
  if (v === undefined) { v = viewOfPage(m.arena.words, leaf); views.set(leaf, v) }
  return v
}

/**
 * The page numbers of every page written at least once (materialised), ascending by trie key (not by page
 * number). For comparing versions and taking snapshots: read each page with `pageAt`.
 * @example writtenPages(pokeBytes(emptyMemory(defaultMemoryMap), phys(0x8000_1000n), Uint8Array.of(1))) → [0x80001]
 */
export const writtenPages = (m: PhysMemory): readonly number[] => {
  const out: number[] = []
  const visit = (node: Node | Leaf | undefined, level: number, prefix: number): void => {
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
 * Across a compaction nothing is shared and the whole trie is walked once (records are told apart by their
 * stamps, which a compaction keeps). Two memories built separately differ in every page either holds.
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
  const wa = older.arena.words, wb = newer.arena.words
  const family = older.arena.family === newer.arena.family
  const sameLeaf = (a: Leaf | undefined, b: Leaf | undefined): boolean =>
    typeof a === 'number' ? family && typeof b === 'number' && sameStamp(wa, a, wb, b) : a === b
  const height = Math.max(older.height, newer.height)
  const visit = (a: Node | Leaf | undefined, b: Node | Leaf | undefined, level: number, prefix: number): void => {
    if (level < 0) { if (!sameLeaf(a as Leaf | undefined, b as Leaf | undefined)) out.push(keyOf(prefix)); return }
    if (a === b) return                     // one node is in one arena only: a shared subtree is the same pages
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
  let root: (Node | Leaf | undefined)[] = m.root.slice()
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
  let live = m.live
  for (const [pn, page] of pages) {
    const key = keyOf(pn)
    let node = root
    for (let level = height - 1; level > 0; level--) {
      const i = slot(key, level)
      const child = node[i] as Node | undefined
      if (child !== undefined && fresh.has(child)) { node = child as (Node | Leaf | undefined)[]; continue }
      const copy = child === undefined ? emptyNode() : child.slice()
      fresh.add(copy)
      node[i] = copy
      node = copy
    }
    const i = slot(key, 0)
    const old = node[i] as Leaf | undefined
    if (old === undefined) added++
    else if (typeof old === 'number') live -= pageWords(m.arena.words, old)
    node[i] = page
  }
  return mem(m.map, root, height, m.pages + added, m.arena, live)
}

// ---- unchecked access (inside RAM; used after the map check, and by loaders) ---------------------

/** The byte at offset `off` of arena page `page` in words `w`. */
const byteOf = (w: Int32Array, page: number, off: number): number => (w[wordOf(w, page, off)]! >>> ((off & 3) * 8)) & 0xff

/** Reads `size` bytes at offset `off` of a page (undefined: never written, zero); off + size ≤ PAGE_BYTES. */
const readWithin = (m: PhysMemory, leaf: Leaf | undefined, off: number, size: AccessSize): bigint => {
  if (leaf === undefined) return 0n
  if (typeof leaf !== 'number') return readView(leaf, off, size)
  const w = m.arena.words
  const o = off & CHUNK_MASK
  if ((o & (size - 1)) !== 0) {               // misaligned (it may cross a chunk): byte by byte, little-endian
    let v = 0n
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(byteOf(w, leaf, off + i))
    return v
  }
  const at = wordOf(w, leaf, off)
  const x = w[at]!
  switch (size) {
    case 1: return BigInt((x >>> ((o & 3) * 8)) & 0xff)
    case 2: return BigInt((x >>> ((o & 3) * 8)) & 0xffff)
    case 4: return BigInt(x >>> 0)
    case 8:                                   // the two words through the scratch word: no bigint arithmetic
      halves[LO] = x
      halves[HI] = w[at + 1]!
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

/** Writes the low `size` bytes of value at offset o (aligned to size) of the chunk at `c`, just appended. */
const writeWithin = (w: Int32Array, c: number, o: number, size: AccessSize, value: bigint): void => {
  scratch[0] = BigInt.asUintN(64, value)
  const lo = halves[LO]!
  const i = c + (o >>> 2)
  switch (size) {
    case 1: case 2: {
      const shift = (o & 3) * 8
      const mask = (size === 1 ? 0xff : 0xffff) << shift
      w[i] = (w[i]! & ~mask) | ((lo << shift) & mask)
      break
    }
    case 4: w[i] = lo | 0; break
    case 8: w[i] = lo | 0; w[i + 1] = halves[HI]! | 0; break
  }
}

/** Reads `size` bytes at pa without consulting the map (never-written bytes are zero). */
export const peek = (m: PhysMemory, pa: PhysAddr, size: AccessSize): bigint => {
  const off = pageOffset(pa)
  if (off + size <= PAGE_BYTES) return readWithin(m, findKey(m, keyOf(pageNumber(pa))), off, size)
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
  const leaf = findKey(m, keyOf(pageNumber(pa)))
  if (leaf === undefined) return 0
  if (typeof leaf !== 'number') return leaf.getUint32(off, true)
  const w = m.arena.words
  const at = wordOf(w, leaf, off)
  return (o & 2) === 0 ? w[at]! >>> 0 : ((w[at]! >>> 16) | (w[at + 1]! << 16)) >>> 0
}

/**
 * A new arena page for the page at `leaf` with chunk `ci` replaced by a new copy of it (the zero chunk if
 * it was never written): a patch of a whole page; a record whose other chunks are the old page's; or, for
 * a view handed in, a whole page copied from it. Touches the arena only by appending: the old page stays as
 * it was.
 */
const copyForWrite = (a: Arena, leaf: Leaf | undefined, ci: number): number => {
  if (leaf !== undefined && typeof leaf !== 'number') return wholeOfView(a, leaf)   // a view handed in: all of it, new
  if (leaf !== undefined && leaf < 0) {
    const at = alloc(a, PATCH_WORDS + CHUNK_WORDS)
    const w = a.words
    const c = at + PATCH_WORDS, old = -leaf + ci * CHUNK_WORDS
    w[at] = -leaf
    w[at + 1] = ci
    w[at + 2] = c
    w.copyWithin(c, old, old + CHUNK_WORDS)
    stampPage(a, at + 1)
    return at + 1
  }
  const rec = alloc(a, RECORD_WORDS + CHUNK_WORDS)
  const c = rec + RECORD_WORDS
  const w = a.words
  if (leaf !== undefined) {
    copyChunkAddresses(w, leaf, rec)
    const old = w[rec + ci]!
    if (old !== ZERO_CHUNK) w.copyWithin(c, old, old + CHUNK_WORDS)
  }
  w[rec + ci] = c
  stampPage(a, rec)
  return rec
}

/** Writes the chunk addresses of arena page `page` into record `rec`. */
const copyChunkAddresses = (w: Int32Array, page: number, rec: number): void => {
  if (isRecord(page)) w.copyWithin(rec, page, page + CHUNKS)
  else for (let i = 0; i < CHUNKS; i++) w[rec + i] = chunkOf(w, page, i)
}

/**
 * Arena words a compaction would copy more for page `page` (just made by copyForWrite from `leaf`, chunk
 * `ci` written) than for `leaf`: a new page; a view handed in, now a whole page; a zero chunk made real
 * (the last one: the record, all chunks real, is copied as a whole page).
 */
const growth = (w: Int32Array, leaf: Leaf | undefined, page: number, ci: number): number =>
  leaf === undefined ? RECORD_WORDS + CHUNK_WORDS
    : typeof leaf !== 'number' ? WHOLE_WORDS
      : !isRecord(leaf) || w[leaf + ci] !== ZERO_CHUNK ? 0
        : hasZeroChunk(w, page) ? CHUNK_WORDS : WHOLE_WORDS - RECORD_WORDS - (CHUNKS - 1) * CHUNK_WORDS

/** Writes `size` bytes at pa without consulting the map; returns the new memory. */
export const poke = (m: PhysMemory, pa: PhysAddr, size: AccessSize, value: bigint): PhysMemory => {
  const off = pageOffset(pa)
  const o = off & CHUNK_MASK
  if (o + size > CHUNK_BYTES) {               // crosses a chunk (or page) end: byte by byte
    let out = m
    for (let i = 0; i < size; i++) out = poke(out, phys(pa + BigInt(i)), 1, value >> BigInt(8 * i))
    return out
  }
  const key = keyOf(pageNumber(pa))
  const leaf = findKey(m, key)
  const ci = off >>> CHUNK_SHIFT
  const page = copyForWrite(m.arena, leaf, ci)
  const w = m.arena.words
  const c = chunkOf(w, page, ci)
  if ((o & (size - 1)) === 0) writeWithin(w, c, o, size, value)
  else for (let k = 0; k < size; k++) writeWithin(w, c, o + k, 1, value >> BigInt(8 * k))   // misaligned
  return withLeaf(m, key, page, m.pages + (leaf === undefined ? 1 : 0), m.live + growth(w, leaf, page, ci))
}

/**
 * Writes a byte string at pa (for loaders and scenario set-up). A page the bytes cover in full becomes a
 * whole page; any other page touched, a new record and a new copy of each chunk the bytes reach.
 */
export const pokeBytes = (m: PhysMemory, pa: PhysAddr, data: Uint8Array): PhysMemory => {
  let out = m
  let done = 0
  while (done < data.length) {
    const at = pa + BigInt(done)
    const key = keyOf(pageNumber(at))
    const off = pageOffset(at)
    const n = Math.min(PAGE_BYTES - off, data.length - done)
    const leaf = findKey(out, key)
    const a = out.arena
    let live = out.live - (typeof leaf === 'number' ? pageWords(a.words, leaf) : 0)
    let page: number
    if (n === PAGE_BYTES) page = wholeOfView(a, new DataView(data.buffer, data.byteOffset + done, PAGE_BYTES))
    else {
      page = typeof leaf === 'object' ? wholeOfView(a, leaf) : alloc(a, RECORD_WORDS)
      if (typeof leaf === 'number') copyChunkAddresses(a.words, leaf, page)
      // Each chunk the bytes reach: a new copy (the bytes it keeps, then the new ones), unless just made.
      for (let ci = off >>> CHUNK_SHIFT; ci <= (off + n - 1) >>> CHUNK_SHIFT; ci++) {
        if (typeof leaf !== 'object') {
          const c = alloc(a, CHUNK_WORDS)
          const old = a.words[page + ci]!
          if (old !== ZERO_CHUNK) a.words.copyWithin(c, old, old + CHUNK_WORDS)
          a.words[page + ci] = c
        }
        const w = a.words
        const c = chunkOf(w, page, ci)
        const from = Math.max(off, ci * CHUNK_BYTES), to = Math.min(off + n, (ci + 1) * CHUNK_BYTES)
        for (let b = from; b < to; b++) {
          const i = c + ((b & CHUNK_MASK) >>> 2), shift = (b & 3) * 8
          w[i] = (w[i]! & ~(0xff << shift)) | (data[done + b - off]! << shift)
        }
      }
      if (typeof leaf !== 'object') stampPage(a, page)
    }
    live += pageWords(a.words, page)
    out = withLeaf(out, key, page, out.pages + (leaf === undefined ? 1 : 0), live)
    done += n
  }
  return out
}

// ---- checked access (what harts, walkers and devices use) ----------------------------------------

/** Loads `size` bytes (zero-extended) from RAM; an address outside RAM is a fault value. */
export const load: (m: PhysMemory, pa: PhysAddr, size: AccessSize) => Either<MemFault, bigint> = checkedLoad(peek)

/** Stores the low `size` bytes of value into RAM, returning the new memory (the old is unchanged). */
export const store: (m: PhysMemory, pa: PhysAddr, size: AccessSize, value: bigint) => Either<MemFault, PhysMemory> = checkedStore(poke)
