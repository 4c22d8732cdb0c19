// A translation lookaside buffer and the memory-management fences. TLBs are not part of the
// architecture: the spec only bounds what a hart may still use after page tables change (Priv. ISA,
// "Supervisor Memory-Management Fence Instruction"; H chapter, "Hypervisor Memory-Management Fence
// Instructions"). We model one anyway because its contents decide which stale translations a program
// can observe, and because hit rates are what users measure.
//
// What is cached: only successful leaf translations, one 4 KiB slice per entry (a superpage or NAPOT
// leaf is splintered into the slices actually used, as Spike's TLB does), tagged by V, ASID, VMID and
// the translation modes, and carrying the leaf PTEs of both stages. Permissions are re-checked against
// the *current* privilege, SUM and MXR on every hit; an entry whose cached A/D bits do not cover the
// access (A=0, or D=0 for a store) is not used: the access walks again, as a hardware A/D update must.
// Invalid PTEs and faults are never cached.
//
// The TLB is generic over its tag (`TlbTag`: what an entry must match, and the address-space id a
// global leaf ignores), so a device's IOTLB tagged by (device, PSCID, GSCID) reuses it; the hart's tag
// (V, ASID, VMID, translation modes) is the `HartTag` below. What makes it fast without changing its
// answers — the walker it refills from, and remembering pure functions of immutable objects — is its
// `TlbEngine`: the spec's here (walks with `translate`, remembers nothing), a fast one in engine/tlb.ts.
import { type Either, isRight, right } from '../bits/either.ts'
import { type GuestPhysAddr, type PhysAddr } from '../bits/address.ts'
import { type PhysMemory, changedPages, pageNumber } from '../memory/memory.ts'
import { decodeHgatp } from './atp.ts'
import { type TranslationFault } from './faults.ts'
import { type PteCache, emptyPteCache, isEmptyPteCache } from './pte-cache.ts'
import { FLAG_A, FLAG_D, PTE_G } from './pte.ts'
import {
  type Translation, type TranslationContext, type TranslationRequest, type WalkOutcome,
  activeStages, firstStagePermission, translate,
} from './translate.ts'
import { type PermissionRule, denial } from './permissions.ts'
import { type StageLeaf, type TrailStep } from './walk.ts'

export interface TlbConfig {
  /** Number of sets (a power of two); the set is chosen by the low bits of the 4 KiB page number. */
  readonly sets: number
  /** Entries per set. */
  readonly ways: number
  /** Which entry of a full set a fill replaces: least recently used, or first in. */
  readonly replacement: 'lru' | 'fifo'
  /**
   * Spike's fences: every SFENCE.VMA / HFENCE.VVMA / HFENCE.GVMA flushes the whole TLB, ignoring rs1/rs2.
   * Off by default: fences then invalidate exactly the entries the spec says they must.
   */
  readonly flushAll: boolean
  /**
   * Beyond Spike (`memvirt run --tlb exact`): the hart keeps its entries across traps, xRET and writes to
   * satp, hgatp, mstatus and the rest, as hardware may (entries are tagged by ASID, VMID and modes, and
   * every hit re-checks the permissions in force); only a fence that covers an entry, or replacement,
   * removes it. Absent or false: the hart also flushes wherever Spike does (cpu/step.ts, `spikeFlushes`).
   * Needs `flushAll` off: fences then remove exactly what the spec says they must.
   */
  readonly exact?: boolean
  /**
   * Check every hit against a fresh walk and report the accesses whose answers differ (`--report-stale`,
   * cpu/stale.ts): changes no answer, costs a walk per hit.
   */
  readonly reportStale?: boolean
  /**
   * Spike's PTE cache (pte-cache.ts) in front of the walker, emptied with the TLB: what Spike's commit log
   * shows after a program rewrites a live PTE without a fence. On in Spike's configuration (`spikeTlbConfig`).
   */
  readonly pteCache?: boolean
}

export const defaultTlbConfig: TlbConfig = { sets: 16, ways: 4, replacement: 'lru', flushAll: false }

/** The hart's TLB as `memvirt run` starts it by default: Spike's (every fence flushes everything, and so does every Spike flush point). */
export const spikeTlbConfig: TlbConfig = { ...defaultTlbConfig, flushAll: true, pteCache: true }

/** How `--tlb exact` shapes its TLB: entries in all, ways per set (entries / ways sets, a power of two), replacement. */
export interface ExactTlbShape {
  readonly entries: number
  readonly ways: number
  readonly replacement: TlbConfig['replacement']
}

/** `--tlb exact`'s defaults: 64 entries, 4-way set associative, LRU (the shape of `defaultTlbConfig`). */
export const defaultExactShape: ExactTlbShape = { entries: 64, ways: 4, replacement: 'lru' }

/**
 * The configuration of an architectural TLB of this shape (`exact`: entries live until a fence covers
 * them), or why the shape is impossible: ways ≥ 1 dividing entries into a power-of-two number of sets.
 */
export const exactTlbConfig = (shape: ExactTlbShape = defaultExactShape, reportStale = false): TlbConfig | string => {
  const { entries, ways } = shape
  if (!Number.isSafeInteger(entries) || !Number.isSafeInteger(ways) || ways < 1 || entries < ways || entries % ways !== 0) {
    return `${entries} entries cannot be split into sets of ${ways} ways`
  }
  const sets = entries / ways
  if ((sets & (sets - 1)) !== 0) return `${entries} entries / ${ways} ways = ${sets} sets, not a power of two`
  return { sets, ways, replacement: shape.replacement, flushAll: false, exact: true, ...(reportStale ? { reportStale } : {}) }
}

/** What an entry is tagged with besides its page number. */
export interface TlbTag {
  /** Everything an entry must match exactly (for a hart: V, VMID and the translation modes). */
  readonly space: string
  /** The address-space identifier a global (G=1) leaf ignores: a hart's ASID, an IOMMU's PSCID; −1 for none. */
  readonly asid: number
}

/** The hart's tag: V, the ASID of satp (V=0) or vsatp (V=1), hgatp.VMID (V=1), the translation modes. */
export interface HartTag extends TlbTag {
  readonly virt: boolean
  /** hgatp.VMID when V=1, else −1. */
  readonly vmid: number
  /** The translation modes in force (e.g. "Sv39", "Sv39/Sv39x4", "Bare/Sv48x4"). */
  readonly modes: string
}

/** One cached 4 KiB translation. */
export interface TlbEntry<T extends TlbTag = HartTag> {
  /** 4 KiB page number of the input address (VA, or GVA when V=1). */
  readonly vpn: number
  readonly tag: T
  /** The first-stage leaf had G=1: the entry serves every ASID of its space. */
  readonly global: boolean
  /** Physical address of the 4 KiB slice. */
  readonly paPage: bigint
  /** Guest-physical address of the slice (two-stage), else undefined. */
  readonly gpaPage: bigint | undefined
  /** The leaves the walk used; undefined for a stage that is Bare. */
  readonly first: StageLeaf | undefined
  readonly gstage: StageLeaf | undefined
  /** log2 of the mapping size the translation holds for (min over both stages), as `Translation.pageBits`. */
  readonly pageBits: number
  /** Low flag bytes (V R W X U G A D) of the two leaves, −1 for a Bare stage: what each hit re-checks. */
  readonly firstFlags: number
  readonly gFlags: number
}

/**
 * What a TLB runs on a miss and what it may remember; neither changes an answer. The spec's engine
 * (`specEngine`) walks with the readable `translate` and remembers nothing; engine/tlb.ts has one that
 * walks with the fast path and memoises.
 */
export interface TlbEngine<C = TranslationContext, F = TranslationFault> {
  /** The page-table walker a miss runs. */
  readonly walk: (memory: PhysMemory, ctx: C, req: TranslationRequest) => WalkOutcome<F>
  /**
   * `make(key, slot, arg)`, where `make` is a pure function of an immutable `key` object and a small
   * `slot` number (`arg` must be fixed for a given key): an engine may answer from a memo.
   */
  readonly remember: <K extends object, A, V>(key: K, slot: number, arg: A, make: (key: K, slot: number, arg: A) => V) => V
}

/** The specification's engine: the readable walker, nothing remembered. */
export const specEngine: TlbEngine = {
  walk: translate,
  remember: (key, slot, arg, make) => make(key, slot, arg),
}

/** A TLB version: sets of entries, each set ordered most recently used (LRU) or newest (FIFO) first. */
export interface Tlb<T extends TlbTag = HartTag, C = TranslationContext, F = TranslationFault> {
  readonly config: TlbConfig
  readonly sets: readonly (readonly TlbEntry<T>[])[]
  readonly engine: TlbEngine<C, F>
  /** What answers the hart's V=1 misses in place of the two-stage walk, if anything (`GuestWalker`). */
  readonly guest?: GuestWalker | undefined
  /** Spike's PTE cache as walks left it (with `config.pteCache`; pte-cache.ts). */
  readonly pteCache?: PteCache | undefined
}

// ---- a walker of V=1 translations with state of its own ------------------------------------------------

/** A guest TLB fence as a guest walker hears of it: SFENCE.VMA at V=1 or HFENCE.VVMA ('vvma'), HFENCE.GVMA ('gvma'). */
export type GuestFence =
  | { readonly kind: 'vvma'; readonly vmid: number; readonly va: bigint | undefined; readonly asid: bigint | undefined }
  | { readonly kind: 'gvma'; readonly vmid: bigint | undefined; readonly gpa: bigint | undefined }

/**
 * What translates a hart's V=1 accesses on a TLB miss in place of the two-stage walk, with state of its
 * own: the model's VMM and its shadow tables under `memvirt run --guest-translation shadow`
 * (src/hypervisor/shadow/hart.ts). The TLB carries it (so it is threaded wherever the TLB is, and
 * survives the TLB's flushes); without one, V=1 misses walk both stages (nested, the default). Every
 * answer must be the two-stage walk's: the guest cannot tell.
 */
export interface GuestWalker {
  readonly name: string
  /** A V=1 TLB miss: the outcome and the walker after it. `phys`: values that change whenever the implicit accesses' checks (PMP) may. */
  readonly walk: (memory: PhysMemory, ctx: TranslationContext, req: TranslationRequest, phys: readonly unknown[]) =>
    { readonly outcome: WalkOutcome; readonly walker: GuestWalker }
  /** Bytes [pa, pa + size) of memory were written (by the hart, a walk's A/D update, a device): write-protect. */
  readonly wrote: (pa: bigint, size: number) => GuestWalker
  /** A guest TLB fence. */
  readonly fenced: (f: GuestFence) => GuestWalker
}

/** The same TLB (entries, engine) with another guest walker. */
export const withGuest = <T extends TlbTag, C, F>(tlb: Tlb<T, C, F>, guest: GuestWalker | undefined): Tlb<T, C, F> =>
  tlb.guest === guest ? tlb : made(tlb.config, tlb.sets, tlb.engine, guest, tlb.pteCache)

/** A TLB from its parts (the optional ones left out when absent, so that equal TLBs compare equal). */
const made = <T extends TlbTag, C, F>(config: TlbConfig, sets: readonly (readonly TlbEntry<T>[])[], engine: TlbEngine<C, F>,
  guest: GuestWalker | undefined, pteCache: PteCache | undefined): Tlb<T, C, F> => {
  const t: { -readonly [K in keyof Tlb<T, C, F>]: Tlb<T, C, F>[K] } = { config, sets, engine }
  if (guest !== undefined) t.guest = guest
  if (pteCache !== undefined) t.pteCache = pteCache
  return t
}

/**
 * The TLB with Spike's PTE cache at version `cache`; with `dropEntries`, its entries dropped too (they may
 * no longer answer as a walk through the cache would: pte-cache.ts).
 */
export const withPteCache = <T extends TlbTag, C, F>(tlb: Tlb<T, C, F>, cache: PteCache, dropEntries: boolean): Tlb<T, C, F> =>
  cache === tlb.pteCache && !dropEntries ? tlb
    : made(tlb.config, dropEntries ? new Array<readonly TlbEntry<T>[]>(tlb.config.sets).fill(EMPTY_SET) : tlb.sets, tlb.engine, tlb.guest, cache)

/** The walker after devices (DMA, HTIF) changed memory from `older` to `newer`, told page by page. */
export const devicesWrote = (guest: GuestWalker, older: PhysMemory, newer: PhysMemory): GuestWalker =>
  older === newer ? guest : changedPages(older, newer).reduce((g, pn) => g.wrote(BigInt(pn) << 12n, 4096), guest)

/** The walker after the A/D updates a walk made (its trail's writes), when there is one. */
export const walkWrote = (guest: GuestWalker, trail: readonly TrailStep[]): GuestWalker =>
  trail.reduce((g, s) => (s.op === 'write' ? g.wrote(s.pteAddr as bigint, 8) : g), guest)

export interface TlbOutcome<T extends TlbTag = HartTag, C = TranslationContext, F = TranslationFault> extends WalkOutcome<F> {
  readonly tlb: Tlb<T, C, F>
  /** True when the translation came from the TLB without a walk. */
  readonly hit: boolean
}

/**
 * A TLB outcome after a walk: the walk's own outcome, read through (not copied: the fast path's outcome
 * builds its trail on first read, which a spread would lose), plus the new TLB.
 */
class WalkedOutcome<T extends TlbTag, C, F> implements TlbOutcome<T, C, F> {
  readonly hit = false
  constructor(private readonly walk: WalkOutcome<F>, readonly tlb: Tlb<T, C, F>) {}
  get result(): WalkOutcome<F>['result'] { return this.walk.result }
  get memory(): PhysMemory { return this.walk.memory }
  get trail(): readonly TrailStep[] { return this.walk.trail }
  get refs(): number { return this.walk.refs }
  toJSON(): object { return { result: this.result, memory: this.memory, trail: this.trail, refs: this.refs, tlb: this.tlb, hit: this.hit } }
}

// ---- constructors -----------------------------------------------------------------------------------

const EMPTY_SET: readonly never[] = []

/** An empty TLB of this shape, refilled by `engine` (the spec's by default). */
export const emptyTlb = <T extends TlbTag = HartTag, C = TranslationContext, F = TranslationFault>(
  config: TlbConfig = defaultTlbConfig, engine: TlbEngine<C, F> = specEngine as unknown as TlbEngine<C, F>,
): Tlb<T, C, F> => {
  if (!Number.isInteger(Math.log2(config.sets)) || config.ways < 1) throw new RangeError('TLB sets must be a power of two and ways ≥ 1')
  if (config.exact === true && config.flushAll) throw new RangeError('an exact TLB keeps what a fence does not cover: flushAll must be off')
  return made(config, new Array<readonly TlbEntry<T>[]>(config.sets).fill(EMPTY_SET), engine, undefined, config.pteCache === true ? emptyPteCache() : undefined)
}

/** The same TLB with every entry dropped (its shape and engine kept): what Spike's flush_tlb does. */
export const flushTlb = <T extends TlbTag, C, F>(tlb: Tlb<T, C, F>): Tlb<T, C, F> =>
  tlb.sets.every((set) => set.length === 0) && (tlb.pteCache === undefined || isEmptyPteCache(tlb.pteCache)) ? tlb
    : withGuest(emptyTlb<T, C, F>(tlb.config, tlb.engine), tlb.guest)

/** The same TLB (entries kept) refilled by another engine. */
export const withEngine = <T extends TlbTag, C, F>(tlb: Tlb<T, C, F>, engine: TlbEngine<C, F>): Tlb<T, C, F> =>
  made(tlb.config, tlb.sets, engine, tlb.guest, tlb.pteCache)

const tlbOf = <T extends TlbTag, C, F>(tlb: Tlb<T, C, F>, sets: readonly (readonly TlbEntry<T>[])[]): Tlb<T, C, F> =>
  made(tlb.config, sets, tlb.engine, tlb.guest, tlb.pteCache)

/** Every entry, set by set. */
export const entries = <T extends TlbTag, C, F>(tlb: Tlb<T, C, F>): readonly TlbEntry<T>[] => tlb.sets.flat()

// ---- lookup and fill (any master) -------------------------------------------------------------------

/**
 * What a lookup needs besides the address: the tag of the current context (undefined when nothing
 * translates: nothing is cached) and the step-5 rules in force now, which every hit re-checks.
 */
export interface TlbKey<T extends TlbTag> {
  readonly tag: T | undefined
  readonly first: PermissionRule
  /** The G-stage rule for the final access. */
  readonly g: PermissionRule
}

const NO_TRAIL: readonly TrailStep[] = []

/** Does the cached entry grant this access now, with A (and D for a store) already set in every stage? */
export const usable = <T extends TlbTag>(e: TlbEntry<T>, key: TlbKey<T>, req: TranslationRequest): boolean => {
  const hlvx = req.hlvx === true
  const need = FLAG_A | (req.access === 'store' ? FLAG_D : 0)
  if (e.firstFlags >= 0) {
    const flags = e.firstFlags
    if ((flags & need) !== need) return false
    if (denial(key.first, req.access, hlvx, flags) !== undefined) return false
  }
  if (e.gFlags >= 0) {
    const flags = e.gFlags
    if ((flags & need) !== need) return false
    if (denial(key.g, req.access, hlvx, flags) !== undefined) return false
  }
  return true
}

/** Is `e` an entry for page `vpn` in tag `t`'s space (its ASID, or global)? */
export const matches = <T extends TlbTag>(e: TlbEntry<T>, vpn: number, t: T): boolean =>
  e.vpn === vpn && (e.tag === t || e.tag.space === t.space) && (e.global || e.tag.asid === t.asid)

const setIndex = (tlb: { readonly config: TlbConfig }, vpn: number): number => vpn & (tlb.config.sets - 1)

const withSet = <T extends TlbTag, C, F>(tlb: Tlb<T, C, F>, index: number, set: readonly TlbEntry<T>[]): Tlb<T, C, F> => {
  const sets = tlb.sets.slice()
  sets[index] = set
  return tlbOf(tlb, sets)
}

const hitTranslation = (e: TlbEntry<TlbTag>, va: bigint): Translation => {
  const offset = va & 0xfffn
  // paPage and gpaPage are 4 KiB-aligned values below 2^64, so OR-ing in the offset needs no wrapping.
  return {
    pa: (e.paPage | offset) as PhysAddr,
    gpa: e.gpaPage === undefined ? undefined : (e.gpaPage | offset) as GuestPhysAddr,
    first: e.first, gstage: e.gstage,
    pageBits: e.pageBits,
  }
}

/** The entry a successful walk fills for page `vpn` under tag `t`. */
export const entryFor = <T extends TlbTag>(tag: T, vpn: number, tr: Translation): TlbEntry<T> => ({
  vpn, tag,
  global: tr.first !== undefined && (tr.first.pte & PTE_G) !== 0n,
  paPage: (tr.pa as bigint) & ~0xfffn,
  gpaPage: tr.gpa === undefined ? undefined : (tr.gpa as bigint) & ~0xfffn,
  first: tr.first, gstage: tr.gstage,
  pageBits: tr.pageBits,
  firstFlags: tr.first === undefined ? -1 : Number(tr.first.pte & 0xffn),
  gFlags: tr.gstage === undefined ? -1 : Number(tr.gstage.pte & 0xffn),
})

/**
 * Translates through the TLB for any master: a usable entry answers without touching memory; otherwise
 * the engine's walker runs with `ctx` and a successful result is cached under `key.tag`. Returns the
 * new TLB with the outcome; no input is modified.
 */
export const lookupOrWalk = <T extends TlbTag, C, F>(tlb: Tlb<T, C, F>, memory: PhysMemory, key: TlbKey<T>, ctx: C, req: TranslationRequest,
  walker: TlbEngine<C, F>['walk'] = tlb.engine.walk): TlbOutcome<T, C, F> => {
  const t = key.tag
  const va = req.va as bigint
  if (t === undefined) return new WalkedOutcome(walker(memory, ctx, req), tlb)   // Bare: nothing to cache
  const vpn = pageNumber(va)                    // Number(va >> 12n), without the bigint shift
  const index = setIndex(tlb, vpn)
  const set = tlb.sets[index]!
  for (let w = 0; w < set.length; w++) {
    const e = set[w]!
    if (!matches(e, vpn, t)) continue
    if (!usable(e, key, req)) break                              // walk again: may update A/D or fault
    const result: Either<F, Translation> = right(hitTranslation(e, va))
    const next = w === 0 || tlb.config.replacement === 'fifo'
      ? tlb
      : withSet(tlb, index, [e, ...set.slice(0, w), ...set.slice(w + 1)])
    return { result, memory, trail: NO_TRAIL, refs: 0, tlb: next, hit: true }
  }
  const walk = walker(memory, ctx, req)
  if (!isRight(walk.result)) {
    // A fault: drop any entry for this page that was not usable (its translation is stale for this access).
    const kept = set.filter((e) => !matches(e, vpn, t))
    return new WalkedOutcome(walk, kept.length === set.length ? tlb : withSet(tlb, index, kept))
  }
  const fresh = entryFor(t, vpn, walk.result.right)
  const others = set.filter((e) => !matches(e, vpn, t))
  const filled = [fresh, ...others].slice(0, tlb.config.ways)    // the oldest / least recent falls off
  return new WalkedOutcome(walk, withSet(tlb, index, filled))
}

// ---- the hart's key ---------------------------------------------------------------------------------

/**
 * The hart's TLB key of a translation context: the tag from the active stages (undefined when nothing
 * translates), the first-stage rule (privilege, SUM, MXR by the VS-stage rule) and the G-stage rule
 * (mstatus.MXR). A pure function of the context.
 */
export const hartTlbKey = (ctx: TranslationContext): TlbKey<HartTag> => {
  const st = activeStages(ctx)
  let tag: HartTag | undefined
  if (!st.virt) {
    tag = st.first === undefined ? undefined : { space: `S/${st.first.scheme.name}`, virt: false, asid: Number(st.first.asid), vmid: -1, modes: st.first.scheme.name }
  } else if (st.first !== undefined || st.g !== undefined) {
    const vmid = Number(decodeHgatp(ctx.hgatp)?.vmid ?? 0n)
    const modes = `${st.first?.scheme.name ?? 'Bare'}/${st.g?.scheme.name ?? 'Bare'}`
    tag = { space: `V/${vmid}/${modes}`, virt: true, asid: st.first !== undefined ? Number(st.first.asid) : -1, vmid, modes }
  }
  return { tag, first: firstStagePermission(ctx), g: { kind: 'G', mxr: ctx.mstatus.mxr } }
}

/**
 * Translates a hart's access through its TLB (see `lookupOrWalk`); the key comes from the context
 * (remembered per context object where the engine memoises).
 */
export const translateCached = (tlb: Tlb, memory: PhysMemory, ctx: TranslationContext, req: TranslationRequest): TlbOutcome =>
  lookupOrWalk(tlb, memory, tlb.engine.remember(ctx, 0, undefined, hartTlbKey), ctx, req)

// ---- fences -------------------------------------------------------------------------------------------

/** The TLB keeping only the entries `keep` accepts (all dropped under Spike's flush-all fences). */
export const keepOnly = <T extends TlbTag, C, F>(tlb: Tlb<T, C, F>, keep: (e: TlbEntry<T>) => boolean): Tlb<T, C, F> => {
  if (tlb.config.flushAll) return withGuest(emptyTlb<T, C, F>(tlb.config, tlb.engine), tlb.guest)
  let changed = false
  const sets = tlb.sets.map((set) => {
    const kept = set.filter(keep)
    if (kept.length !== set.length) changed = true
    return kept.length === 0 ? EMPTY_SET : kept.length === set.length ? set : kept
  })
  return changed ? tlbOf(tlb, sets) : tlb
}

/** Whether `leaf` maps input address `addr`. */
export const leafMaps = (leaf: StageLeaf | undefined, addr: bigint): boolean =>
  leaf !== undefined && addr >> BigInt(leaf.pageBits) === leaf.inBase >> BigInt(leaf.pageBits)

/** The operands of SFENCE.VMA / HFENCE.VVMA: rs1 = x0 is `va: undefined`, rs2 = x0 is `asid: undefined`. */
export interface VmaFence {
  readonly va?: bigint
  readonly asid?: bigint
}

/**
 * The first-stage fence rule shared by SFENCE.VMA and HFENCE.VVMA: with `va`, only entries whose leaf
 * maps that address; with `asid`, only that address space and never global entries.
 */
const firstStageVictim = (f: VmaFence) => (e: TlbEntry): boolean =>
  e.first !== undefined &&
  (f.asid === undefined || (!e.global && e.tag.asid === Number(f.asid & 0xffffn))) &&
  (f.va === undefined || leafMaps(e.first, f.va))

/**
 * SFENCE.VMA. With V=0 it orders the hart's own (satp) translations; executed with V=1 it acts on the
 * VS-stage translations of the current VMID, like HFENCE.VVMA.
 */
export const sfenceVma = (tlb: Tlb, ctx: TranslationContext, f: VmaFence): Tlb => {
  if (ctx.virt) return hfenceVvma(tlb, ctx, f)
  const victim = firstStageVictim(f)
  return keepOnly(tlb, (e) => e.tag.virt || !victim(e))
}

/** HFENCE.VVMA: VS-stage translations of the VMID currently in hgatp (rs1 = GVA, rs2 = guest ASID). */
export const hfenceVvma = (tlb: Tlb, ctx: TranslationContext, f: VmaFence): Tlb => {
  const vmid = Number(decodeHgatp(ctx.hgatp)?.vmid ?? 0n)
  const victim = firstStageVictim(f)
  const kept = keepOnly(tlb, (e) => !e.tag.virt || e.tag.vmid !== vmid || !victim(e))
  return kept.guest === undefined ? kept : withGuest(kept, kept.guest.fenced({ kind: 'vvma', vmid, va: f.va, asid: f.asid }))
}

/** The operands of HFENCE.GVMA: `gpa` is the guest-physical address (the instruction's rs1 holds it >> 2). */
export interface GvmaFence {
  readonly gpa?: GuestPhysAddr | bigint
  readonly vmid?: bigint
}

/**
 * HFENCE.GVMA: G-stage translations, and every cached combined (GVA → PA) translation that used
 * them. With `gpa`, only those whose G-stage leaf maps that address; with `vmid`, only that VMID.
 */
export const hfenceGvma = (tlb: Tlb, f: GvmaFence): Tlb => {
  const kept = keepOnly(tlb, (e) => !(
    e.tag.virt &&
    (f.vmid === undefined || e.tag.vmid === Number(f.vmid & 0x3fffn)) &&
    (f.gpa === undefined || leafMaps(e.gstage, f.gpa))
  ))
  return kept.guest === undefined ? kept : withGuest(kept, kept.guest.fenced({ kind: 'gvma', vmid: f.vmid, gpa: f.gpa as bigint | undefined }))
}
