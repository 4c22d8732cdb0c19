// The hart's TLB (mmu/tlb.ts) held in mutable form for one call of the block engine: the same entries,
// the same order in every set, the same fills and replacements as threading the persistent TLB through
// `lookupOrWalk` access by access — so that stale translations (a page table changed without a fence)
// are served exactly as `step` serves them, and the TLB handed back equals the one the fold of `step`
// ends with. Only what `lookupOrWalk` does without faulting and without writing memory is done here
// (hits, and walks the fast walker answers: A and D already set); anything else is refused, and the
// engine leaves that access to `step`, which then finds the TLB exactly as it would have.
//
// A set's order is kept as stamps instead of positions: each way has the time of its last use (LRU) or
// of its fill (FIFO), from one clock; the set's order is the ways by stamp, newest first. A hit is then
// one store of the next time (which compiled blocks make themselves, through `ts` and `clock`), and a
// fill replaces the oldest way, exactly the entry `lookupOrWalk` lets fall off the end of the set.
//
// Local mutation only: the TLB it started from is never modified; `result` builds a new one.
import { type AccessType } from '../faults.ts'
import { type HartTag, type Tlb, type TlbEntry, type TlbKey, entryFor, matches, usable, withPteCache } from '../tlb.ts'
import { type Translation, type TranslationRequest } from '../translate.ts'
import { PteCacheWork } from '../pte-cache.ts'

/** A walk that writes nothing: the translation of 4 KiB page `vpn`, or undefined (left to `step`). */
export type QuietWalk = (vpn: number, access: AccessType) => Translation | undefined

/** Most ways a mirror holds (sets × ways); larger TLBs are left to `step`. */
export const MAX_WAYS = 4096
/** The stamp cell a FIFO hit writes: never read (a FIFO hit changes nothing). */
export const NO_WAY = MAX_WAYS

const REQUESTS: Record<AccessType, TranslationRequest> = {
  fetch: { va: 0n as TranslationRequest['va'], access: 'fetch' },
  load: { va: 0n as TranslationRequest['va'], access: 'load' },
  store: { va: 0n as TranslationRequest['va'], access: 'store' },
}

/**
 * The request of an access kind. Not `REQUESTS[access]`: a keyed load by a string that changes (fetch, then
 * load) deoptimizes the optimized lookup ("wrong name"), and V8 then left it unoptimized for the rest of
 * the run (every TLB miss of pageloop_s in baseline code).
 */
const requestOf = (access: AccessType): TranslationRequest =>
  (access === 'load' ? REQUESTS.load : access === 'store' ? REQUESTS.store : REQUESTS.fetch)

/** May the engine mirror this TLB? Its replacement must be one this file reproduces, and its size fit. */
export const mirrorable = (tlb: Tlb): boolean =>
  (tlb.config.replacement === 'lru' || tlb.config.replacement === 'fifo') && tlb.config.sets * tlb.config.ways <= MAX_WAYS &&
  (tlb.config as { readonly reportStale?: boolean }).reportStale !== true

/** Entries remembered from the last fills (a power of two). */
const MADE = 256

/** What a lookup found: a way (hit) or a fresh entry to fill, with the way it goes to. */
const NONE = 0, HIT = 1, FILL = 2

export class TlbMirror {
  /** Per way (set · ways + w): its entry (or undefined) and stamp (newer is larger). */
  private entries: (TlbEntry | undefined)[] = []
  readonly ts = new Float64Array(MAX_WAYS + 1)
  /** The clock: the last stamp given. */
  readonly clock = new Float64Array(1)
  private tlb: Tlb | undefined
  private key: TlbKey<HartTag> | undefined
  private tag: HartTag | undefined
  private walk: QuietWalk | undefined
  private mask = 0
  private nways = 0
  private lru = true
  /** Told about a way whose entry leaves (its fast paths must be dropped). */
  private readonly dropped: (way: number, e: TlbEntry) => void
  /** Told about a physical page that walks now read PTEs from (stores there are left to `step`). */
  private readonly tabled: (pn: number) => void
  /** Spike's PTE cache during the call (when the TLB has one, mmu/pte-cache.ts): accepted fills' walks read through it. */
  private cache: PteCacheWork | undefined
  /** The PTE reads of the quiet walk just made (`readFrom`), and of the fill the last lookup staged. */
  private walkReads: readonly number[] | undefined
  private stagedReads: readonly number[] | undefined

  constructor(dropped: (way: number, e: TlbEntry) => void, tabled: (pn: number) => void = () => undefined) {
    this.dropped = dropped
    this.tabled = tabled
  }

  /** The quiet walk being made read these PTEs: address, low and high half each (fast-walk.ts, pteReads). */
  readFrom(reads: readonly number[]): void {
    this.walkReads = reads
  }

  /** Whether walks read PTEs from physical page pn since the cache's last flush (false without a PTE cache). */
  isTable(pn: number): boolean {
    return this.cache !== undefined && this.cache.hasTable(pn)
  }

  /** A fill's walk reads, kept as Spike's walker keeps them (a walk the mirror makes writes nothing: no A/D update). */
  private keep(reads: readonly number[]): void {
    const c = this.cache!
    for (let j = 0; j < reads.length; j += 3) {
      const pa = reads[j]!
      if (c.read(pa) !== undefined) continue
      const pn = Math.floor(pa / 4096)
      const fresh = !c.hasTable(pn)
      c.fill(pa, (BigInt(reads[j + 2]!) << 32n) | BigInt(reads[j + 1]!))
      if (fresh) this.tabled(pn)
    }
  }

  /** Mirrors `tlb` for accesses under `key` (its tag defined: translation on), walking with `walk` on a miss. */
  begin(tlb: Tlb, key: TlbKey<HartTag>, walk: QuietWalk): void {
    this.tlb = tlb
    this.key = key
    this.tag = key.tag
    this.walk = walk
    this.mask = tlb.config.sets - 1
    this.nways = tlb.config.ways
    this.lru = tlb.config.replacement === 'lru'
    const n = tlb.config.sets * this.nways
    this.entries = new Array<TlbEntry | undefined>(n).fill(undefined)
    // The sets in order, newest first: stamps −1, −2, … below every stamp the call gives.
    tlb.sets.forEach((set, s) => set.forEach((e, w) => {
      this.entries[s * this.nways + w] = e
      this.ts[s * this.nways + w] = -1 - w
    }))
    this.clock[0] = 0
    this.op = NONE
    this.cache = tlb.pteCache === undefined ? undefined : new PteCacheWork(tlb.pteCache)
  }

  /** The TLB as the accesses so far have left it (each unchanged set, and the whole TLB if nothing changed, as it was). */
  result(): Tlb {
    const t = this.tlb!
    let changed = false
    const sets = t.sets.map((old, s) => {
      const ways: number[] = []
      for (let w = 0; w < this.nways; w++) if (this.entries[s * this.nways + w] !== undefined) ways.push(s * this.nways + w)
      ways.sort((a, b) => this.ts[b]! - this.ts[a]!)
      const set = ways.map((k) => this.entries[k]!)
      if (set.length === old.length && set.every((e, i) => e === old[i])) return old
      changed = true
      return set
    })
    const out = changed ? { config: t.config, sets, engine: t.engine } : t
    return this.cache === undefined ? out : withPteCache(out, this.cache.result(), false)
  }

  /** Drops what the call holds. */
  end(): void {
    this.tlb = undefined
    this.entries = []
    this.walk = undefined
    this.cache = undefined
    this.walkReads = this.stagedReads = undefined
    this.fresh = undefined
    this.made.fill(undefined)
    this.madeFrom.fill(undefined)
  }

  /** Would `e` (an entry of this TLB) answer `access` on a hit, as `lookup` asks of the newest matching entry? */
  allows(e: TlbEntry, access: AccessType): boolean {
    return usable(e, this.key!, requestOf(access))
  }

  /** The stamp cell a hit on `way` writes (NO_WAY under FIFO). */
  hitCell(way: number): number {
    return this.lru ? way : NO_WAY
  }

  // The change the last lookup would make, applied by `accept`: a hit on `way`, or `fresh` filled into `way`.
  private op = NONE
  private way = 0
  private fresh: TlbEntry | undefined

  /**
   * The entry `lookupOrWalk` would answer this access to page `vpn` with, or undefined when that takes a
   * fault or a walk that writes memory (or, with `hitOnly`, any walk). The change it makes to the TLB
   * (LRU order, a fill and what it replaces) is only staged: `accept` makes it, once the engine knows it
   * does the access itself; otherwise `step` does the access later and makes the change then.
   */
  lookup(vpn: number, access: AccessType, hitOnly = false): TlbEntry | undefined {
    const t = this.tag!
    const base = (vpn & this.mask) * this.nways
    this.op = NONE
    // The first matching entry in the set's order: the newest.
    let best = -1
    for (let w = base; w < base + this.nways; w++) {
      const e = this.entries[w]
      if (e !== undefined && matches(e, vpn, t) && (best < 0 || this.ts[w]! > this.ts[best]!)) best = w
    }
    if (best >= 0 && usable(this.entries[best]!, this.key!, requestOf(access))) {
      this.op = HIT
      this.way = best
      return this.entries[best]
    }
    if (hitOnly) return undefined
    this.walkReads = undefined
    const tr = this.walk!(vpn, access)
    if (tr === undefined) return undefined
    this.stagedReads = this.walkReads
    // The fill goes where a matching entry was, else to a free way, else over the oldest.
    let way = -1
    for (let w = base; w < base + this.nways; w++) {
      const e = this.entries[w]
      if (e === undefined || matches(e, vpn, t)) { way = w; break }
      if (way < 0 || this.ts[w]! < this.ts[way]!) way = w
    }
    this.op = FILL
    this.way = way
    // entryFor is pure: a walk answered with the same Translation object as before (a recalled walk,
    // walk-memo.ts) for the same page and tag makes the entry made then, not a new one.
    const j = vpn & (MADE - 1)
    let fresh = this.madeFrom[j] === tr ? this.made[j] : undefined
    if (fresh === undefined || fresh.vpn !== vpn || fresh.tag !== t) {
      fresh = entryFor(t, vpn, tr)
      this.made[j] = fresh
      this.madeFrom[j] = tr
    }
    this.fresh = fresh
    return fresh
  }

  /** The entries the last fills made, by page (direct-mapped), and the walks' answers they were made from. */
  private readonly made: (TlbEntry | undefined)[] = new Array<TlbEntry | undefined>(MADE).fill(undefined)
  private readonly madeFrom: (Translation | undefined)[] = new Array<Translation | undefined>(MADE).fill(undefined)

  /** The way the last lookup's entry is in (after `accept`). */
  get lastWay(): number { return this.way }

  /** Makes the change the last lookup staged. */
  accept(): void {
    const op = this.op
    this.op = NONE
    if (op === HIT) {
      if (this.lru) this.ts[this.way] = ++this.clock[0]!
    } else if (op === FILL) {
      const t = this.tag!
      const fresh = this.fresh!
      const base = this.way - (this.way % this.nways)
      // Every matching entry leaves (lookupOrWalk filters them out), and whatever was in the way.
      for (let w = base; w < base + this.nways; w++) {
        const e = this.entries[w]
        if (e !== undefined && (w === this.way || matches(e, fresh.vpn, t))) { this.dropped(w, e); this.entries[w] = undefined }
      }
      this.entries[this.way] = fresh
      this.ts[this.way] = ++this.clock[0]!
      this.fresh = undefined
      if (this.cache !== undefined && this.stagedReads !== undefined) this.keep(this.stagedReads)
    }
  }
}
