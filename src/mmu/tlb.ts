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
import { type Either, isRight, right } from '../bits/either.ts'
import { type GuestPhysAddr, type PhysAddr } from '../bits/address.ts'
import { type PhysMemory, pageNumber } from '../memory/memory.ts'
import { decodeHgatp, decodeSatp } from './atp.ts'
import { type TranslationFault } from './faults.ts'
import { FLAG_A, FLAG_D, PTE_G } from './pte.ts'
import {
  type Translation, type TranslationContext, type TranslationRequest, type WalkOutcome,
  translate,
} from './translate.ts'
import { firstStageDenial, gStageDenial } from './permissions.ts'
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
}

export const defaultTlbConfig: TlbConfig = { sets: 16, ways: 4, replacement: 'lru', flushAll: false }

/** One cached 4 KiB translation. */
export interface TlbEntry {
  /** 4 KiB page number of the input address (VA, or GVA when V=1). */
  readonly vpn: number
  readonly virt: boolean
  /** ASID of satp (V=0) or vsatp (V=1); −1 when the first stage is Bare. */
  readonly asid: number
  /** hgatp.VMID when V=1, else −1. */
  readonly vmid: number
  /** The translation modes in force when filled (e.g. "Sv39", "Sv39/Sv39x4", "Bare/Sv48x4"). */
  readonly modes: string
  /** The first-stage leaf had G=1: the entry serves every ASID (of its VMID when V=1). */
  readonly global: boolean
  /** Physical address of the 4 KiB slice. */
  readonly paPage: bigint
  /** Guest-physical address of the slice (V=1), else undefined. */
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

/** A TLB version: sets of entries, each set ordered most recently used (LRU) or newest (FIFO) first. */
export interface Tlb {
  readonly config: TlbConfig
  readonly sets: readonly (readonly TlbEntry[])[]
}

export interface TlbOutcome extends WalkOutcome {
  readonly tlb: Tlb
  /** True when the translation came from the TLB without a walk. */
  readonly hit: boolean
}

/**
 * A TLB outcome after a walk: the walk's own outcome, read through (not copied: the fast path's outcome
 * builds its trail on first read, which a spread would lose), plus the new TLB.
 */
class WalkedOutcome implements TlbOutcome {
  readonly hit = false
  constructor(private readonly walk: WalkOutcome, readonly tlb: Tlb) {}
  get result(): WalkOutcome['result'] { return this.walk.result }
  get memory(): PhysMemory { return this.walk.memory }
  get trail(): readonly TrailStep[] { return this.walk.trail }
  get refs(): number { return this.walk.refs }
  toJSON(): object { return { result: this.result, memory: this.memory, trail: this.trail, refs: this.refs, tlb: this.tlb, hit: this.hit } }
}

// ---- constructors -----------------------------------------------------------------------------------

const EMPTY_SET: readonly TlbEntry[] = []

export const emptyTlb = (config: TlbConfig = defaultTlbConfig): Tlb => {
  if (!Number.isInteger(Math.log2(config.sets)) || config.ways < 1) throw new RangeError('TLB sets must be a power of two and ways ≥ 1')
  return { config, sets: new Array<readonly TlbEntry[]>(config.sets).fill(EMPTY_SET) }
}

const tlbOf = (config: TlbConfig, sets: readonly (readonly TlbEntry[])[]): Tlb => ({ config, sets })

/** Every entry, set by set. */
export const entries = (tlb: Tlb): readonly TlbEntry[] => tlb.sets.flat()

// ---- the tag of the current context, computed once per context object ------------------------------

interface Tag { readonly virt: boolean; readonly asid: number; readonly vmid: number; readonly modes: string; readonly translated: boolean }

const tags = new WeakMap<TranslationContext, Tag>()
let lastCtx: TranslationContext | undefined
let lastTag: Tag | undefined

/**
 * The TLB tag a context looks up with. Memoised per (immutable) context object — the most recent one
 * in a variable, the others in a WeakMap: a cache of a pure function, invisible to callers.
 */
const tagOf = (ctx: TranslationContext): Tag => {
  if (ctx === lastCtx) return lastTag!
  const known = tags.get(ctx)
  if (known !== undefined) { lastCtx = ctx; lastTag = known; return known }
  let tag: Tag
  if (!ctx.virt) {
    const satp = decodeSatp(ctx.satp)
    const on = ctx.priv !== 'M' && satp?.scheme !== undefined
    tag = { virt: false, asid: on ? Number(satp!.asid) : -1, vmid: -1, modes: on ? satp!.scheme!.name : 'Bare', translated: on }
  } else {
    const vsatp = decodeSatp(ctx.vsatp)
    const hgatp = decodeHgatp(ctx.hgatp)
    const vs = vsatp?.scheme
    const g = hgatp?.scheme
    tag = {
      virt: true, asid: vs !== undefined ? Number(vsatp!.asid) : -1, vmid: Number(hgatp?.vmid ?? 0n),
      modes: `${vs?.name ?? 'Bare'}/${g?.name ?? 'Bare'}`, translated: vs !== undefined || g !== undefined,
    }
  }
  tags.set(ctx, tag)
  lastCtx = ctx
  lastTag = tag
  return tag
}

// ---- lookup and fill ------------------------------------------------------------------------------

const NO_TRAIL: readonly TrailStep[] = []

/** Does the cached entry grant this access now, with A (and D for a store) already set in every stage? */
const usable = (e: TlbEntry, ctx: TranslationContext, req: TranslationRequest): boolean => {
  const hlvx = req.hlvx === true
  const need = FLAG_A | (req.access === 'store' ? FLAG_D : 0)
  if (e.firstFlags >= 0) {
    const flags = e.firstFlags
    if ((flags & need) !== need) return false
    const status = ctx.virt ? ctx.vsstatus : ctx.mstatus
    const mxr = ctx.mstatus.mxr || (ctx.virt && ctx.vsstatus.mxr)
    if (firstStageDenial(ctx.priv, ctx.virt, status.sum, mxr, req.access, hlvx, flags) !== undefined) return false
  }
  if (e.gFlags >= 0) {
    const flags = e.gFlags
    if ((flags & need) !== need) return false
    if (gStageDenial(req.access, hlvx, ctx.mstatus.mxr, flags) !== undefined) return false
  }
  return true
}

const matches = (e: TlbEntry, vpn: number, t: Tag): boolean =>
  e.vpn === vpn && e.virt === t.virt && e.vmid === t.vmid && e.modes === t.modes && (e.global || e.asid === t.asid)

const setIndex = (tlb: Tlb, vpn: number): number => vpn & (tlb.config.sets - 1)

const withSet = (tlb: Tlb, index: number, set: readonly TlbEntry[]): Tlb => {
  const sets = tlb.sets.slice()
  sets[index] = set
  return tlbOf(tlb.config, sets)
}

const hitTranslation = (e: TlbEntry, va: bigint): Translation => {
  const offset = va & 0xfffn
  // paPage and gpaPage are 4 KiB-aligned values below 2^64, so OR-ing in the offset needs no wrapping.
  return {
    pa: (e.paPage | offset) as PhysAddr,
    gpa: e.gpaPage === undefined ? undefined : (e.gpaPage | offset) as GuestPhysAddr,
    first: e.first, gstage: e.gstage,
    pageBits: e.pageBits,
  }
}

const entryFor = (t: Tag, vpn: number, tr: Translation): TlbEntry => ({
  vpn, virt: t.virt, asid: t.asid, vmid: t.vmid, modes: t.modes,
  global: tr.first !== undefined && (tr.first.pte & PTE_G) !== 0n,
  paPage: (tr.pa as bigint) & ~0xfffn,
  gpaPage: tr.gpa === undefined ? undefined : (tr.gpa as bigint) & ~0xfffn,
  first: tr.first, gstage: tr.gstage,
  pageBits: tr.pageBits,
  firstFlags: tr.first === undefined ? -1 : Number(tr.first.pte & 0xffn),
  gFlags: tr.gstage === undefined ? -1 : Number(tr.gstage.pte & 0xffn),
})

/**
 * Translates through the TLB: a usable entry answers without touching memory; otherwise the page
 * tables are walked (see `translate`) and a successful result is cached. Returns the new TLB with
 * the walk outcome; neither input is modified.
 */
export const translateCached = (tlb: Tlb, memory: PhysMemory, ctx: TranslationContext, req: TranslationRequest): TlbOutcome => {
  const t = tagOf(ctx)
  const va = req.va as bigint
  if (!t.translated) {
    const walk = translate(memory, ctx, req)                      // Bare: nothing to cache
    return new WalkedOutcome(walk, tlb)
  }
  const vpn = pageNumber(va)                    // Number(va >> 12n), without the bigint shift
  const index = setIndex(tlb, vpn)
  const set = tlb.sets[index]!
  for (let w = 0; w < set.length; w++) {
    const e = set[w]!
    if (!matches(e, vpn, t)) continue
    if (!usable(e, ctx, req)) break                              // walk again: may update A/D or fault
    const result: Either<TranslationFault, Translation> = right(hitTranslation(e, va))
    const next = w === 0 || tlb.config.replacement === 'fifo'
      ? tlb
      : withSet(tlb, index, [e, ...set.slice(0, w), ...set.slice(w + 1)])
    return { result, memory, trail: NO_TRAIL, refs: 0, tlb: next, hit: true }
  }
  const walk = translate(memory, ctx, req)
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

// ---- fences -------------------------------------------------------------------------------------------

const keepOnly = (tlb: Tlb, keep: (e: TlbEntry) => boolean): Tlb => {
  if (tlb.config.flushAll) return emptyTlb(tlb.config)
  let changed = false
  const sets = tlb.sets.map((set) => {
    const kept = set.filter(keep)
    if (kept.length !== set.length) changed = true
    return kept.length === 0 ? EMPTY_SET : kept.length === set.length ? set : kept
  })
  return changed ? tlbOf(tlb.config, sets) : tlb
}

const within = (leaf: StageLeaf | undefined, addr: bigint): boolean =>
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
  (f.asid === undefined || (!e.global && e.asid === Number(f.asid & 0xffffn))) &&
  (f.va === undefined || within(e.first, f.va))

/**
 * SFENCE.VMA. With V=0 it orders the hart's own (satp) translations; executed with V=1 it acts on the
 * VS-stage translations of the current VMID, like HFENCE.VVMA.
 */
export const sfenceVma = (tlb: Tlb, ctx: TranslationContext, f: VmaFence): Tlb => {
  if (ctx.virt) return hfenceVvma(tlb, ctx, f)
  const victim = firstStageVictim(f)
  return keepOnly(tlb, (e) => e.virt || !victim(e))
}

/** HFENCE.VVMA: VS-stage translations of the VMID currently in hgatp (rs1 = GVA, rs2 = guest ASID). */
export const hfenceVvma = (tlb: Tlb, ctx: TranslationContext, f: VmaFence): Tlb => {
  const vmid = Number(decodeHgatp(ctx.hgatp)?.vmid ?? 0n)
  const victim = firstStageVictim(f)
  return keepOnly(tlb, (e) => !e.virt || e.vmid !== vmid || !victim(e))
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
export const hfenceGvma = (tlb: Tlb, f: GvmaFence): Tlb =>
  keepOnly(tlb, (e) => !(
    e.virt &&
    (f.vmid === undefined || e.vmid === Number(f.vmid & 0x3fffn)) &&
    (f.gpa === undefined || within(e.gstage, f.gpa as bigint))
  ))

