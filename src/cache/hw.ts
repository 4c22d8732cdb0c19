// Hardware caches and TLBs: set-associative arrays (sets × ways) with a per-set replacement policy
// (true LRU, tree-PLRU, FIFO, or seeded random), physically indexed and tagged, with write-back /
// write-through and write-allocate options. Caches and TLBs are not part of the RISC-V
// architecture (software may not observe them except through timing and fences); they are
// modelled so the CPU model can report hit rates. A TLB is the same structure indexed by page
// number (`tlbLookup`), without dirty data.
// An invalid way is always filled first (lowest index); the policy chooses only among valid ways.
import type { PhysAddr } from '../bits/address.ts'
import * as M from './pmap.ts'
import { mulberry32 } from './synth.ts'

export type Replacement = 'lru' | 'plru' | 'fifo' | 'random'

export type HwCacheConfig = {
  readonly sets: number
  readonly ways: number
  readonly lineBytes: number
  readonly replacement: Replacement
  /** Write-back (dirty lines written on eviction) or write-through (every write goes to memory). */
  readonly writeBack: boolean
  /** Whether a write miss fills the line. */
  readonly writeAllocate: boolean
  /** Seed of the random replacement's PRNG. */
  readonly seed: number
}

/** Why a configuration is not a cache: non-power-of-two geometry or tree-PLRU with odd ways. */
export const checkHwConfig = (c: HwCacheConfig): string | undefined => {
  const pow2 = (n: number): boolean => Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0
  if (!pow2(c.sets)) return `sets must be a power of two, got ${c.sets}`
  if (!pow2(c.lineBytes)) return `lineBytes must be a power of two, got ${c.lineBytes}`
  if (!Number.isSafeInteger(c.ways) || c.ways < 1) return `ways must be a positive integer, got ${c.ways}`
  if (c.replacement === 'plru' && !pow2(c.ways)) return `tree-PLRU needs a power-of-two number of ways, got ${c.ways}`
  return undefined
}

/** One set: per way its tag (undefined = invalid) and dirty bit, plus the replacement metadata. */
type HwSet = {
  readonly tags: readonly (bigint | undefined)[]
  readonly dirty: readonly boolean[]
  /** LRU: ways from most to least recent. FIFO: ways from newest to oldest fill. */
  readonly order: readonly number[]
  /** Tree-PLRU: ways − 1 node bits, heap-ordered (node i has children 2i+1, 2i+2); 0 = victim on the left. */
  readonly plru: readonly number[]
}
const hwSet = (tags: readonly (bigint | undefined)[], dirty: readonly boolean[], order: readonly number[], plru: readonly number[]): HwSet =>
  ({ tags, dirty, order, plru })

export type HwCacheState = {
  readonly config: HwCacheConfig
  /** Only the sets ever touched are stored. */
  readonly sets: M.PMap<HwSet>
  readonly seed: number
}

export const initHwCache = (config: HwCacheConfig): HwCacheState => ({ config, sets: undefined, seed: config.seed })

const emptySet = (ways: number): HwSet =>
  hwSet(Array.from({ length: ways }, () => undefined), Array.from({ length: ways }, () => false), [], Array.from({ length: Math.max(ways - 1, 0) }, () => 0))

const log2 = (n: number): number => 31 - Math.clz32(n)

/** The set index and tag of a physical address. */
export const indexAndTag = (c: HwCacheConfig, pa: bigint): { readonly set: number; readonly tag: bigint } => {
  const line = pa >> BigInt(log2(c.lineBytes))
  return { set: Number(line & BigInt(c.sets - 1)), tag: line >> BigInt(log2(c.sets)) }
}

// Tree-PLRU: after touching way w, every node on w's path points away from it.
const plruTouch = (bits: readonly number[], ways: number, w: number): number[] => {
  const out = [...bits]
  let node = 0
  let lo = 0
  let hi = ways
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    const left = w < mid
    out[node] = left ? 1 : 0
    node = 2 * node + (left ? 1 : 2)
    if (left) hi = mid
    else lo = mid
  }
  return out
}
const plruVictim = (bits: readonly number[], ways: number): number => {
  let node = 0
  let lo = 0
  let hi = ways
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    const right = bits[node] === 1
    node = 2 * node + (right ? 2 : 1)
    if (right) lo = mid
    else hi = mid
  }
  return lo
}

const touch = (c: HwCacheConfig, s: HwSet, w: number, filled: boolean): HwSet => {
  switch (c.replacement) {
    case 'lru':
      return hwSet(s.tags, s.dirty, [w, ...s.order.filter((x) => x !== w)], s.plru)
    case 'fifo':
      return filled ? hwSet(s.tags, s.dirty, [w, ...s.order.filter((x) => x !== w)], s.plru) : s
    case 'plru':
      return hwSet(s.tags, s.dirty, s.order, plruTouch(s.plru, c.ways, w))
    case 'random':
      return s
  }
}

export type HwAccess = {
  readonly state: HwCacheState
  readonly hit: boolean
  /** Line address written back to memory (a dirty victim), if any. */
  readonly writeback: bigint | undefined
  /** Whether this access wrote through to memory (write-through, or a write miss not allocated). */
  readonly writeThrough: boolean
}

/** One load or store of physical address `pa`. */
export const hwAccess = (s0: HwCacheState, pa: PhysAddr, op: 'read' | 'write'): HwAccess => {
  const c = s0.config
  const { set, tag } = indexAndTag(c, pa)
  const line = M.get(s0.sets, set) ?? emptySet(c.ways)
  const writing = op === 'write'
  const writeThrough = writing && !c.writeBack
  const way = line.tags.indexOf(tag)
  if (way >= 0) {
    const d = writing && c.writeBack ? line.dirty.map((x, i) => (i === way ? true : x)) : line.dirty
    const s1 = touch(c, hwSet(line.tags, d, line.order, line.plru), way, false)
    return { state: { config: c, sets: M.set(s0.sets, set, s1), seed: s0.seed }, hit: true, writeback: undefined, writeThrough }
  }
  if (writing && !c.writeAllocate) return { state: s0, hit: false, writeback: undefined, writeThrough: true }
  // Choose the victim: the first invalid way, else the policy's.
  let seed = s0.seed
  let victim = line.tags.indexOf(undefined)
  if (victim < 0) {
    if (c.replacement === 'plru') victim = plruVictim(line.plru, c.ways)
    else if (c.replacement === 'random') {
      const r = mulberry32(seed)
      seed = r.seed
      victim = Math.floor(r.value * c.ways)
    } else victim = line.order[line.order.length - 1] as number
  }
  const oldTag = line.tags[victim]
  const writeback = oldTag !== undefined && line.dirty[victim] === true
    ? ((oldTag << BigInt(log2(c.sets))) | BigInt(set)) << BigInt(log2(c.lineBytes))
    : undefined
  const tags = line.tags.map((t, i) => (i === victim ? tag : t))
  const dirty = line.dirty.map((x, i) => (i === victim ? writing && c.writeBack : x))
  const s1 = touch(c, hwSet(tags, dirty, line.order, line.plru), victim, true)
  return { state: { config: c, sets: M.set(s0.sets, set, s1), seed }, hit: false, writeback, writeThrough }
}

export type HwStats = { readonly accesses: number; readonly hits: number; readonly writebacks: number }

/** Runs a sequence of accesses from the empty cache. */
export const runHwCache = (c: HwCacheConfig, accesses: ReadonlyArray<readonly [PhysAddr, 'read' | 'write']>): HwStats => {
  let s = initHwCache(c)
  let hits = 0
  let writebacks = 0
  for (const [pa, op] of accesses) {
    const a = hwAccess(s, pa, op)
    s = a.state
    if (a.hit) hits++
    if (a.writeback !== undefined) writebacks++
  }
  return { accesses: accesses.length, hits, writebacks }
}

// ---- TLB --------------------------------------------------------------------------------------

export type TlbConfig = {
  readonly sets: number
  readonly ways: number
  readonly pageBytes: number
  readonly replacement: Replacement
  readonly seed: number
}

/** A TLB: the same set-associative array over page numbers, read-only. */
export const initTlb = (c: TlbConfig): HwCacheState =>
  initHwCache({ sets: c.sets, ways: c.ways, lineBytes: c.pageBytes, replacement: c.replacement, writeBack: false, writeAllocate: true, seed: c.seed })

/**
 * Looks up the page of `address` (virtual, or guest-physical for a G-stage TLB; callers fold an
 * ASID/VMID into the high bits to keep address spaces apart). A miss fills the entry.
 */
export const tlbLookup = (s: HwCacheState, address: bigint): { readonly state: HwCacheState; readonly hit: boolean } => {
  const a = hwAccess(s, address as PhysAddr, 'read')
  return { state: a.state, hit: a.hit }
}
