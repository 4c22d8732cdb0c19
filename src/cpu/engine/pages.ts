// The fast engine's view of RAM during one call of `run`: pages of the persistent trie (memory.ts) are
// borrowed by reference, a page is copied on its first store, and the copies are put back into a new
// version of the trie when the call ends (withPages). Entering and leaving therefore cost O(pages
// touched), never O(RAM); the memory the call started from is never modified.
//
// Three small direct-mapped software TLBs (loads, stores, fetches) answer the common case in a few
// operations; a miss goes through `entry`, which also applies PMP. PMP is decided once per page
// (memory/pmp.ts, pmpPageFlags): a page is usable only when one entry (or none) decides every access
// inside it (Priv. ISA, "Physical Memory Protection": the lowest-numbered matching entry decides, and an
// access partly inside it fails), so an access the engine makes is allowed exactly when `pmpAllows`
// would allow it. Any other access is left to `step`.
//
// Self-modifying code: blocks compiled from a page are checked against the page object they came from,
// and the bytes a running block was compiled from are marked; a store over marked bytes makes a fresh
// copy of the page (a new identity, so every block compiled from the old one is re-checked) and tells
// the running block to stop after the store.
//
// Under address translation the hart's TLB is mirrored for the call (mmu/engine/tlb-mirror.ts): every
// access looks its page up there, in `step`'s order (the fetch, then the data access), so hits, LRU
// order, fills and replacements — and with them every stale translation a missing fence leaves — are
// the TLB's own. Three more direct-mapped tables, indexed by virtual page number, answer a hit without
// the mirror's lookup (the access then stamps the entry's way itself, which is all an LRU hit changes);
// a slot is dropped when its entry leaves the TLB or its page is copied.
import { type PhysMemory, PAGE_BYTES, withPages } from '../../memory/memory.ts'
import { pageAtMemo } from '../../memory/engine/page-views.ts'
import { type Csrs, type Priv } from '../hart.ts'
import { PAGE_FETCH, PAGE_LOAD, PAGE_STORE } from '../../memory/pmp.ts'
import { pmpPageFlagsCached } from '../../memory/engine/pmp.ts'
import { type TlbEntry } from '../../mmu/tlb.ts'
import { TlbMirror } from '../../mmu/engine/tlb-mirror.ts'

/** Entries in each software TLB (indexed by RAM page index mod TLB_SIZE). */
export const TLB_SIZE = 256
const TLB_MASK = TLB_SIZE - 1

/** What PMP allows on a whole page (memory/pmp.ts, pmpPageFlags). */
export { PAGE_FETCH, PAGE_LOAD, PAGE_STORE }

/** A never-written page reads as zero; this view is shared and never written. */
const ZERO = new DataView(new ArrayBuffer(PAGE_BYTES))

/** One RAM page as this call sees it. */
export interface PageEntry {
  /** Its index from the RAM base. */
  readonly p: number
  /** The page's bytes now: a borrowed (immutable) trie page until `owned`. */
  dv: DataView
  /** A copy made in this call: stores may write it in place. */
  owned: boolean
  /** Bytes (1 per byte) that blocks run in this call were compiled from, or null. */
  code: Uint8Array | null
  /** PAGE_LOAD | PAGE_STORE | PAGE_FETCH as PMP allows them. */
  readonly flags: number
  /** Walks read PTEs from it since Spike's PTE cache was flushed (mmu/pte-cache.ts): stores are left to `step`. */
  pt: boolean
}

// ---- the per-call page table -----------------------------------------------------------------------

const copyOf = (dv: DataView): DataView => {
  const bytes = new Uint8Array(PAGE_BYTES)
  bytes.set(new Uint8Array(dv.buffer, dv.byteOffset, PAGE_BYTES))
  return new DataView(bytes.buffer)
}

const writeValue = (dv: DataView, off: number, size: number, v: bigint): void => {
  switch (size) {
    case 1: dv.setUint8(off, Number(v & 0xffn)); break
    case 2: dv.setUint16(off, Number(v & 0xffffn), true); break
    case 4: dv.setUint32(off, Number(v & 0xffff_ffffn), true); break
    default: dv.setBigUint64(off, v, true)
  }
}

/** Cleared code-mark arrays kept between calls, at most. */
const CODE_POOL = 64

/** Result of a store the TLB could not take: done, left to `step`, or done over code (stop the block). */
export const STORED = 0, STORE_REFUSED = 1, STORED_OVER_CODE = 2

/**
 * RAM during one call of the engine: RAM-relative offsets `o` (physical address − RAM base) as numbers,
 * pages numbered from the RAM base. One instance is reused by every call (`begin` resets it), so that
 * compiled blocks can hold its arrays; nothing in it outlives a call except those arrays.
 */
export class RunMemory {
  /** Load TLB: tag (page index or −1) and page. */
  readonly rt = new Int32Array(TLB_SIZE).fill(-1)
  readonly rv: DataView[] = new Array<DataView>(TLB_SIZE).fill(ZERO)
  /** Store TLB: only owned pages without code marks and away from tohost. */
  readonly wt = new Int32Array(TLB_SIZE).fill(-1)
  readonly wv: DataView[] = new Array<DataView>(TLB_SIZE).fill(ZERO)
  /** Fetch TLB: the entries of pages PMP lets the hart execute from. */
  readonly ft = new Int32Array(TLB_SIZE).fill(-1)
  readonly fe: (PageEntry | undefined)[] = new Array<PageEntry | undefined>(TLB_SIZE).fill(undefined)
  /** Bumped whenever the entries are rebuilt: a block marks its bytes once per epoch. */
  epoch = 0
  private entries = new Map<number, PageEntry>()
  private base: PhysMemory | undefined
  private ramPn0 = 0
  private ramBase = 0n
  private csr: Csrs | undefined
  /** The privileges PMP checks fetches and data accesses at (they differ under MPRV). */
  private priv: Priv = 3
  private dataPriv: Priv = 3
  /** RAM pages in the engine's region (its last one may be partial: translated accesses stop before it). */
  private ramPages = 0
  /** tohost as a RAM offset (NaN when there is none): stores that touch it are left to `step`. */
  private tohostO = NaN

  /** Starts a call on `memory` (RAM at `ramBase`, page aligned) for a hart with these CSRs and privilege. */
  begin(memory: PhysMemory, ramBase: bigint, ramSize: number, csr: Csrs, priv: Priv, dataPriv: Priv, tohost: bigint | undefined): void {
    this.base = memory
    this.ramBase = ramBase
    this.ramPn0 = Number(ramBase >> 12n)
    this.ramPages = Math.floor(ramSize / PAGE_BYTES)
    this.csr = csr
    this.priv = priv
    this.dataPriv = dataPriv
    this.tohostO = tohost === undefined ? NaN : Number(tohost - ramBase)
    this.reset()
  }

  /** Code-mark arrays: those handed to this call's entries, and cleared ones kept for the next calls. */
  private codeInUse: Uint8Array[] = []
  private readonly codeFree: Uint8Array[] = []

  /** Clears the code marks of the entries being dropped and keeps the arrays (a fresh 4 KiB array per call cost more). */
  private recycleCode(): void {
    for (const c of this.codeInUse) { c.fill(0); if (this.codeFree.length < CODE_POOL) this.codeFree.push(c) }
    this.codeInUse = []
  }

  private reset(): void {
    this.recycleCode()
    this.entries = new Map()
    this.rt.fill(-1)
    this.wt.fill(-1)
    this.ft.fill(-1)
    this.fe.fill(undefined)
    this.vlt.fill(-1)
    this.vst.fill(-1)
    this.vft.fill(-1)
    this.xt.fill(undefined)
    this.xe.fill(undefined)
    this.epoch++
  }

  /** Memory as the call has left it: the borrowed trie plus every page copied (one path copy each). */
  commit(): PhysMemory {
    const dirty: (readonly [number, DataView])[] = []
    for (const [p, e] of this.entries) if (e.owned) dirty.push([this.ramPn0 + p, e.dv])
    return withPages(this.base!, dirty)
  }

  /** Commits, then continues from `memory` (which the caller derived from the commit) with fresh entries. */
  restart(memory: PhysMemory): void {
    this.base = memory
    this.reset()
  }

  /** Drops the references a call holds (so an idle engine keeps no memory version alive). */
  end(): void {
    this.base = undefined
    this.csr = undefined
    this.recycleCode()
    this.entries = new Map()
    this.rv.fill(ZERO)
    this.wv.fill(ZERO)
    this.fe.fill(undefined)
    this.vlv.fill(ZERO)
    this.vsv.fill(ZERO)
    this.xt.fill(undefined)
    this.xe.fill(undefined)
    this.code = undefined
    this.tlb.end()
  }

  /** The entry of RAM page p, made on first use. */
  entry(p: number): PageEntry {
    let e = this.entries.get(p)
    if (e === undefined) {
      const dv = pageAtMemo(this.base!, this.ramPn0 + p) ?? ZERO
      const at = this.ramBase + BigInt(p) * BigInt(PAGE_BYTES)
      const flags = pmpPageFlagsCached(this.csr!, this.priv, at)
      e = { p, dv, owned: false, code: null,
        flags: this.dataPriv === this.priv ? flags : (flags & PAGE_FETCH) | (pmpPageFlagsCached(this.csr!, this.dataPriv, at) & ~PAGE_FETCH),
        pt: this.tlb.isTable(this.ramPn0 + p) }
      this.entries.set(p, e)
    }
    return e
  }

  /** The page for a load from RAM page p (filling the load TLB), or null when PMP leaves it to `step`. */
  load(p: number): DataView | null {
    const e = this.entry(p)
    if ((e.flags & PAGE_LOAD) === 0) return null
    const i = p & TLB_MASK
    this.rt[i] = p
    this.rv[i] = e.dv
    return e.dv
  }

  /** The entry of RAM page p for a fetch (filling the fetch TLB), or undefined when PMP leaves it to `step`. */
  fetch(p: number): PageEntry | undefined {
    const i = p & TLB_MASK
    if (this.ft[i] === p) return this.fe[i]
    const e = this.entry(p)
    if ((e.flags & PAGE_FETCH) === 0) return undefined
    this.ft[i] = p
    this.fe[i] = e
    return e
  }

  private touchesTohost(o: number, size: number): boolean {
    return o < this.tohostO + 8 && o + size > this.tohostO
  }

  /**
   * A store of `size` bytes of v at RAM offset o (aligned, inside RAM) that missed the store TLB:
   * STORED, STORE_REFUSED (PMP or tohost: `step` must do it), or STORED_OVER_CODE.
   */
  store(o: number, size: number, v: bigint): number {
    const p = o >>> 12
    const e = this.entry(p)
    if (this.refuses(e, o, size)) return STORE_REFUSED
    const off = o & (PAGE_BYTES - 1)
    let overCode = false
    if (e.code !== null) for (let k = 0; k < size; k++) overCode ||= e.code[off + k] === 1
    if (overCode || !e.owned) {
      e.dv = copyOf(e.dv)                 // a new identity: blocks compiled from the old page are re-checked
      e.owned = true
      this.dropViews(p, true)
    }
    writeValue(e.dv, off, size, v)
    const i = p & TLB_MASK
    if (this.rt[i] === p) this.rv[i] = e.dv
    if (this.direct(e)) {
      this.wt[i] = p
      this.wv[i] = e.dv
    }
    return overCode ? STORED_OVER_CODE : STORED
  }

  /** Must `step` make a store of `size` bytes at RAM offset o into page entry e? (tohost, PMP, a page walks read PTEs from) */
  private refuses(e: PageEntry, o: number, size: number): boolean {
    return this.touchesTohost(o, size) || (e.flags & PAGE_STORE) === 0 || e.pt
  }

  /** May stores go straight into page entry e's bytes (the fast paths)? No code marks, no PTEs walks read, away from tohost. */
  private direct(e: PageEntry): boolean {
    return e.code === null && !e.pt && !this.touchesTohost(e.p * PAGE_BYTES, PAGE_BYTES)
  }

  /** Marks bytes [off, off + len) of page p's entry as code a block runs from (stores there copy the page). */
  markCode(p: number, e: PageEntry, off: number, len: number): void {
    if (e.code === null) {
      e.code = this.codeFree.pop() ?? new Uint8Array(PAGE_BYTES)
      this.codeInUse.push(e.code)
    }
    e.code.fill(1, off, off + len)
    const i = p & TLB_MASK
    if (this.wt[i] === p) this.wt[i] = -1
    this.dropViews(p, false)
  }

  /** Physical page pn now holds PTEs walks read (Spike's PTE cache, mmu/pte-cache.ts): stores there go to `step`. */
  private markTable(pn: number): void {
    const p = pn - this.ramPn0
    const e = this.entries.get(p)
    if (e === undefined) return                     // made later, it asks the TLB (entry)
    e.pt = true
    const i = p & TLB_MASK
    if (this.wt[i] === p) this.wt[i] = -1
    this.dropViews(p, false)
  }

  /** The page a walk reads page-table entries from: this call's, for pages of its RAM region. */
  pageView(pn: number): DataView | undefined {
    const p = pn - this.ramPn0
    return p >= 0 && p < this.ramPages ? this.entry(p).dv : pageAtMemo(this.base!, pn)
  }

  // ---- translated accesses ---------------------------------------------------------------------------

  /** The hart's TLB during the call (begun by the engine when translation is on). */
  readonly tlb = new TlbMirror((way, e) => this.dropWay(way, e), (pn) => this.markTable(pn))
  /** Its stamps and clock: a hit of a fast path below stamps its way (`ts[way] = ++clock[0]`). */
  readonly ts = this.tlb.ts
  readonly clock = this.tlb.clock
  /** Load fast path by virtual page: tag (vpn or −1), page, its RAM page index, the stamp cell of its TLB way. */
  readonly vlt = new Float64Array(TLB_SIZE).fill(-1)
  readonly vlv: DataView[] = new Array<DataView>(TLB_SIZE).fill(ZERO)
  private readonly vlp = new Int32Array(TLB_SIZE)
  readonly vlw = new Int32Array(TLB_SIZE)
  /** Store fast path: only owned pages without code marks and away from tohost, as the store TLB. */
  readonly vst = new Float64Array(TLB_SIZE).fill(-1)
  readonly vsv: DataView[] = new Array<DataView>(TLB_SIZE).fill(ZERO)
  private readonly vsp = new Int32Array(TLB_SIZE)
  readonly vsw = new Int32Array(TLB_SIZE)
  /** Fetch: the virtual page of the running block's code while its TLB entry is where it was fetched from. */
  readonly vft = new Float64Array(TLB_SIZE).fill(-1)
  readonly vfw = new Int32Array(TLB_SIZE)
  /** The TLB entry the running block's code was fetched through. */
  private code: TlbEntry | undefined

  /** The entry in TLB way `way` leaves: the fast paths through it go. */
  private dropWay(way: number, e: TlbEntry): void {
    const i = e.vpn & TLB_MASK
    if (this.vlt[i] === e.vpn && this.vlw[i] === this.tlb.hitCell(way)) this.vlt[i] = -1
    if (this.vst[i] === e.vpn && this.vsw[i] === this.tlb.hitCell(way)) this.vst[i] = -1
    if (this.vft[i] === e.vpn) this.vft[i] = -1
  }

  /** RAM page p has a new copy (or new code marks: `loads` false): the fast paths holding it go. */
  private dropViews(p: number, loads: boolean): void {
    for (let i = 0; i < TLB_SIZE; i++) {
      if (this.vsp[i] === p) this.vst[i] = -1
      if (loads && this.vlp[i] === p) this.vlt[i] = -1
    }
  }

  /** The RAM page index of a TLB entry's physical page, or −1 outside the engine's (whole) RAM pages. */
  private ramPageOf(t: TlbEntry): number {
    const p = Number(t.paPage >> 12n) - this.ramPn0
    return p >= 0 && p < this.ramPages ? p : -1
  }

  // What the slow paths below last found for a TLB entry, by virtual page slot (vpn mod TLB_SIZE), in
  // this epoch (the entries and the mirror's key are the epoch's): its page's entry (undefined outside
  // the RAM pages), and whether a store would hit it (0 no, 1 yes, 2 not asked yet). TLB entries are
  // immutable and the mirror re-uses the entry of a recalled walk, so a page walked again finds it here.
  private readonly xt: (TlbEntry | undefined)[] = new Array<TlbEntry | undefined>(TLB_SIZE).fill(undefined)
  private readonly xe: (PageEntry | undefined)[] = new Array<PageEntry | undefined>(TLB_SIZE).fill(undefined)
  private readonly xw = new Uint8Array(TLB_SIZE)

  /** The page entry TLB entry t (for virtual page vp) points to, or undefined outside the RAM pages. */
  private pageOf(vp: number, t: TlbEntry): PageEntry | undefined {
    const i = vp & TLB_MASK
    if (this.xt[i] === t) return this.xe[i]
    const p = this.ramPageOf(t)
    const e = p < 0 ? undefined : this.entry(p)
    this.xt[i] = t
    this.xe[i] = e
    this.xw[i] = 2
    return e
  }

  /** Would a store hit TLB entry t (the last lookup's, for virtual page vp)? */
  private storable(vp: number, t: TlbEntry): boolean {
    const i = vp & TLB_MASK
    if (this.xt[i] !== t) return this.tlb.allows(t, 'store')
    if (this.xw[i] === 2) this.xw[i] = this.tlb.allows(t, 'store') ? 1 : 0
    return this.xw[i] === 1
  }

  /** The page for a load from virtual page vp (filling the fast path), or null when `step` must do it. */
  vload(vp: number): DataView | null {
    const t = this.tlb.lookup(vp, 'load')
    if (t === undefined) return null
    const e = this.pageOf(vp, t)
    if (e === undefined || (e.flags & PAGE_LOAD) === 0) return null
    const p = e.p
    this.tlb.accept()
    const i = vp & TLB_MASK
    this.vlt[i] = vp
    this.vlv[i] = e.dv
    this.vlp[i] = p
    this.vlw[i] = this.tlb.hitCell(this.tlb.lastWay)
    // The store fast path too, when a store would hit the same entry: the next store to the page (in
    // pageloop, the very next instruction) then stamps the way as its hit would, without a lookup.
    if ((e.flags & PAGE_STORE) !== 0 && this.storable(vp, t)) this.storePath(vp, p, e)
    return e.dv
  }

  /** Fills the store fast path of virtual page vp (its TLB entry, in the last lookup's way, allows stores) if its page may take one. */
  private storePath(vp: number, p: number, e: PageEntry): void {
    if (e.owned && this.direct(e)) {
      const i = vp & TLB_MASK
      this.vst[i] = vp
      this.vsv[i] = e.dv
      this.vsp[i] = p
      this.vsw[i] = this.tlb.hitCell(this.tlb.lastWay)
    }
  }

  /** A store of `size` bytes of v at offset off of virtual page vp that missed the fast path: as `store`. */
  vstore(vp: number, off: number, size: number, v: bigint): number {
    const t = this.tlb.lookup(vp, 'store')
    if (t === undefined) return STORE_REFUSED
    const e = this.pageOf(vp, t)
    if (e === undefined) return STORE_REFUSED
    const p = e.p
    const o = p * PAGE_BYTES + off
    if (this.refuses(e, o, size)) return STORE_REFUSED     // (`store`'s refusals, made before the TLB changes)
    this.tlb.accept()
    const r = this.store(o, size, v)
    this.storePath(vp, p, e)
    return r
  }

  /**
   * The entry of the RAM page a fetch from virtual page vp reads (the block engine's fetch of a block's
   * first instruction), or undefined when `step` must do it.
   */
  vfetchPage(vp: number): PageEntry | undefined {
    const t = this.tlb.lookup(vp, 'fetch')
    if (t === undefined) return undefined
    const e = this.pageOf(vp, t)
    if (e === undefined || (e.flags & PAGE_FETCH) === 0) return undefined
    this.tlb.accept()
    this.code = t
    const i = vp & TLB_MASK
    this.vft[i] = vp
    this.vfw[i] = this.tlb.hitCell(this.tlb.lastWay)
    return e
  }

  /**
   * The fetch of the next instruction of a running block from virtual page vp, after a data access took
   * its fast path slot: true when it hits the entry the block was fetched through (the hit made); false
   * (nothing changed) when the block must end there and the engine fetch anew.
   */
  vfetch(vp: number): boolean {
    const t = this.tlb.lookup(vp, 'fetch', true)
    if (t === undefined || t !== this.code) return false
    this.tlb.accept()
    const i = vp & TLB_MASK
    this.vft[i] = vp
    this.vfw[i] = this.tlb.hitCell(this.tlb.lastWay)
    return true
  }

  /** The 8 bytes at RAM offset o (aligned) as this call sees them, or undefined outside RAM pages. */
  peek8(o: number): bigint {
    return this.entry(o >>> 12).dv.getBigUint64(o & (PAGE_BYTES - 1), true)
  }
}
