// Spike's PTE cache (riscv-isa-sim since 2baa7ce, "Add PTE cache to reduce TLB miss penalty"; mmu.h
// pte_load, pte_store, pte_cache_access, pte_cache_insert): the hart's page-table walker keeps the last
// valid PTE it read or wrote at each of 251 slots, direct-mapped by the PTE's physical address (address
// mod 251). A walk's PTE read that hits its slot uses the kept value — without reading memory and without
// the PMP check — and one that misses reads memory and keeps the value if it is valid (V = 1), evicting the
// slot's old entry; a hardware A/D update keeps the value it writes. The cache is emptied wherever Spike
// flushes its TLB (cpu/step.ts, `spikeFlushes`; every fence under Spike's flush-all fences), and nothing
// else touches it: a store by the program to a page table leaves the kept value as it was.
//
// Why it matters. With --log-commits Spike fills no TLB (mmu.cc refill_tlb), so every fetch, load and store
// walks, and the cache alone decides what a program that rewrites a live PTE without a fence sees next: the
// kept value until its slot is evicted or the cache flushed. The commit log shows it, so the hart's default
// (Spike's) TLB models this cache (`TlbConfig.pteCache`); `--tlb exact` does not (hardware's TLB there).
// (Spike without --log-commits fills its TLB too, and such a program may end otherwise there: the model
// follows the logged run, whether or not it writes a log itself.)
//
// How the model's own TLB stays equal to it. A TLB entry answers as a walk through the cache would as long
// as every PTE its walk read is still kept with the value read, or is kept nowhere but still holds that
// value in memory. Two events break that, and both drop the TLB's entries (never the cache; dropping
// entries only costs walks): evicting a kept PTE whose memory differs (a program store changed it), and a
// program store to a page-table page at a PTE that is not kept (its next walk reads memory). To notice the
// second, the cache remembers the pages walks read PTEs from since the last flush (`tables`).
//
// Deviations, none seen on riscv-tests: Spike walks twice for a 32-bit instruction (one walk per 16-bit
// parcel; the model once), which differs only when a walk evicts a PTE it reads again after a program store
// changed that PTE; PTEs at physical addresses from 2^53 up are not kept; a shadow VMM's V=1 walks
// (--guest-translation shadow) bypass the cache (they answer as the architectural two-stage walk); devices'
// writes to page tables during the block engine's chunk ends are not checked.
import { type PhysMemory, changedPages, peek } from '../memory/memory.ts'
import { phys } from '../bits/address.ts'

/** Slots of Spike's PTE cache (mmu.h PTE_CACHE_ENTRIES). */
export const PTE_CACHE_SLOTS = 251
const SAFE = 2 ** 53

/** A version of the cache: per slot the kept PTE's address (−1: none) and value; pages read; stale addresses. */
export interface PteCache {
  readonly pas: Float64Array
  readonly ptes: BigUint64Array
  /** Physical page numbers walks read PTEs from since the last flush. */
  readonly tables: ReadonlySet<number>
  /** Addresses of kept PTEs whose memory a program store has changed since they were kept. */
  readonly stale: ReadonlySet<number>
}

/** The cache after a flush: nothing kept. */
export const emptyPteCache = (): PteCache =>
  ({ pas: new Float64Array(PTE_CACHE_SLOTS).fill(-1), ptes: new BigUint64Array(PTE_CACHE_SLOTS), tables: new Set(), stale: new Set() })

/** Whether nothing is kept and nothing remembered (what a flush leaves). */
export const isEmptyPteCache = (c: PteCache): boolean => c.tables.size === 0 && c.pas.every((pa) => pa < 0)

/** One PTE reference of a walk, as its trail records it (walk.ts TrailStep). */
interface PteReference {
  readonly op: 'read' | 'write'
  readonly pteAddr: bigint
  readonly pte: bigint
}

/**
 * One walk's (or one engine call's) working copy of a cache version: read and fill as Spike's walker does,
 * then `result` gives the new version. Copies the version's arrays on the first change only.
 */
export class PteCacheWork {
  private pas: Float64Array
  private ptes: BigUint64Array
  private tables: Set<number> | undefined
  private stale: Set<number> | undefined
  private copied = false
  /** An eviction dropped a stale PTE: the model's TLB entries may no longer answer as the cache would. */
  dropTlb = false

  constructor(private readonly base: PteCache) {
    this.pas = base.pas
    this.ptes = base.ptes
  }

  /** The kept value of the PTE at physical address pa, or undefined (a miss: read memory, then `fill`). */
  read(pa: number): bigint | undefined {
    return this.pas[pa % PTE_CACHE_SLOTS] === pa ? this.ptes[pa % PTE_CACHE_SLOTS] : undefined
  }

  /** Keeps pte (read from memory or written by an A/D update) at pa if it is valid; notes the page as read. */
  fill(pa: number, pte: bigint): void {
    this.table(Math.floor(pa / 4096))
    if ((pte & 1n) === 0n || pa >= SAFE) return
    const slot = pa % PTE_CACHE_SLOTS
    const old = this.pas[slot]!
    if (old === pa && this.ptes[slot] === pte) return
    if (!this.copied) { this.pas = this.pas.slice(); this.ptes = this.ptes.slice(); this.copied = true }
    const stale = this.stale ?? this.base.stale
    if (old !== pa && stale.has(old)) this.dropTlb = true
    if (stale.has(old) || stale.has(pa)) {
      this.stale ??= new Set(this.base.stale)
      this.stale.delete(old)
      this.stale.delete(pa)                   // pa's memory is what is kept now (read from it, or just written)
    }
    this.pas[slot] = pa
    this.ptes[slot] = pte
  }

  /** Whether walks read PTEs from physical page pn since the last flush. */
  hasTable(pn: number): boolean {
    return (this.tables ?? this.base.tables).has(pn)
  }

  /** Notes physical page pn as one walks read PTEs from. */
  table(pn: number): void {
    if ((this.tables ?? this.base.tables).has(pn)) return
    this.tables ??= new Set(this.base.tables)
    this.tables.add(pn)
  }

  /** A walk's references in order (its trail), applied as Spike's walker makes them: reads that miss fill, writes fill. */
  walked(trail: readonly PteReference[]): void {
    for (const s of trail) {
      const pa = Number(s.pteAddr)
      if (s.op === 'write' || this.read(pa) === undefined) this.fill(pa, s.pte)
    }
  }

  /** The version these changes make (the one begun from when nothing changed). */
  result(): PteCache {
    if (!this.copied && this.tables === undefined && this.stale === undefined) return this.base
    return { pas: this.pas, ptes: this.ptes, tables: this.tables ?? this.base.tables, stale: this.stale ?? this.base.stale }
  }
}

/** Whether bytes [pa, pa + size) touch a page walks read PTEs from since the flush (else `afterWrite` changes nothing). */
export const touchesTables = (c: PteCache, pa: bigint, size: number): boolean =>
  c.tables.has(Math.floor(Number(pa) / 4096)) || c.tables.has(Math.floor((Number(pa) + size - 1) / 4096))

/**
 * After the program (or a device) wrote bytes [pa, pa + size) of memory, now `memory`: each PTE there that
 * is kept becomes stale (or fresh again) by comparing memory with the kept value; if one of them is not
 * kept but lies in a page walks read since the flush, `dropTlb`. Callers ask `touchesTables` first (a store
 * to any other page changes nothing).
 */
export const afterWrite = (c: PteCache, pa: bigint, size: number, memory: PhysMemory): { readonly cache: PteCache; readonly dropTlb: boolean } => {
  const first = Number(pa) - (Number(pa) % 8), last = Number(pa) + size - 1
  let stale: Set<number> | undefined
  let dropTlb = false
  for (let at = first; at <= last; at += 8) {
    if (!c.tables.has(Math.floor(at / 4096))) continue
    const slot = at % PTE_CACHE_SLOTS
    if (c.pas[slot] !== at) { dropTlb = true; continue }
    const differs = peek(memory, phys(BigInt(at)), 8) !== c.ptes[slot]
    if (differs !== c.stale.has(at)) {
      stale ??= new Set(c.stale)
      if (differs) stale.add(at)
      else stale.delete(at)
    }
  }
  return { cache: stale === undefined ? c : { ...c, stale }, dropTlb }
}

/** `afterWrite` for every page devices wrote between two versions of memory (DMA, HTIF at a chunk end). */
export const afterDeviceWrites = (c: PteCache, older: PhysMemory, newer: PhysMemory): { readonly cache: PteCache; readonly dropTlb: boolean } => {
  if (older === newer || c.tables.size === 0) return { cache: c, dropTlb: false }
  let cache = c, dropTlb = false
  for (const pn of changedPages(older, newer)) {
    if (!c.tables.has(pn)) continue
    const w = afterWrite(cache, BigInt(pn) * 4096n, 4096, newer)
    cache = w.cache
    dropTlb ||= w.dropTlb
  }
  return { cache, dropTlb }
}
