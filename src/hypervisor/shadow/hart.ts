// The model's VMM on the hart (`memvirt run --guest-translation shadow`): every V=1 translation the
// hart's TLB misses — fetches, loads, stores, AMOs, HLV/HLVX/HSV, MPRV with MPV=1 — is answered from
// shadow tables (the RISC-V instance of shadow.ts: Sv39/Sv48/Sv57 tables mapping guest-virtual straight
// to host-physical, walked with no second stage) instead of the two-stage walk (Priv. ISA, H chapter,
// "Two-Stage Address Translation"). The hart's TLB stays in front, as hardware's would: which stale
// translations a guest can see is the TLB's business, the same in both modes.
//
// Why the guest cannot tell. A shadow entry is only ever filled from the VMM's composed walk (the
// hart's own two-stage walk, with its A/D updates and faults), and it is dropped whenever anything it
// was derived from may change:
//   - every page-table entry the composed walk read (VS-stage and G-stage, implicit accesses included)
//     is write-protected: a store to its page by the guest, HS, M, a walk's A/D update or a device
//     (HTIF, DMA) reaches the VMM, which drops the entries built from what was written;
//   - the root is chosen by (VMID, vsatp) — one root per guest address space, a bounded cache of them —
//     so a new vsatp switches roots; a change of anything else the walk depends on (hgatp, the VS-stage
//     mode, ADUE/PBMTE, Svnapot, PMP) drops every entry;
//   - a leaf is present only while the guest's A (and the G-stage's) is set and writable only while
//     both D bits are, so a hit never skips an A/D update the two-stage walk would make;
//   - the hardware's walk of the shadow checks the current privilege, SUM and MXR against rights that
//     are the intersection of both stages' (R, W, X of both, U of the VS-stage), so it allows only what
//     the composed walk allows; anything else exits, and the VMM answers with the composed walk.
// So a shadow hit gives what the two-stage walk would give at that moment, and every miss *is* that
// walk. Guest fences (SFENCE.VMA at V=1, HFENCE.VVMA, HFENCE.GVMA) drop the entries in their scope as a
// VMM must; the VMM's work is counted (`GuestStats`), never logged.
import { left, right, isLeft } from '../../bits/either.ts'
import { guestPhys, phys } from '../../bits/address.ts'
import type { PhysMemory } from '../../memory/memory.ts'
import { type Translation, type TranslationContext, type TranslationRequest, type WalkOutcome, translate } from '../../mmu/translate.ts'
import type { AccessType, TranslationFault } from '../../mmu/faults.ts'
import type { TrailStep } from '../../mmu/walk.ts'
import type { GuestFence, GuestWalker } from '../../mmu/tlb.ts'
import type { Composed, NestedOutcome, ShadowFormat, ShadowWalk } from './format.ts'
import { type RiscvGrant, riscvEncodeLeaf, riscvEncodeTable, riscvGeometry, riscvGrant, riscvNextTable, shadowSatp } from './riscv.ts'
import {
  type ShadowOptions, type ShadowState, protectedPages, shadowAccess, shadowFence, shadowForget, shadowInit, shadowSetRegs, shadowTableBytes,
} from './shadow.ts'

/** The guest's translation registers as the VMM sees them: the hart's V=1 context, and a generation number of its PMP (which checks the walk's implicit accesses). */
export interface HartRegs {
  readonly ctx: TranslationContext
  readonly pmpGeneration: number
}

/** One guest access: its type, the guest's privilege, and whether it is HLVX (execute permission read as load). */
export interface HartAccess {
  readonly kind: AccessType
  readonly priv: 'S' | 'U'
  readonly hlvx: boolean
}

/** What the VMM keeps with a shadow entry: the two-stage walk's guest-visible result at `va`, and its trail. */
interface Detail {
  readonly va: bigint
  readonly translation: Translation
  readonly trail: readonly TrailStep[]
}

type Levels = 3 | 4 | 5
const A = 0x40n, D = 0x80n, G = 0x20n
const has = (pte: bigint, f: bigint): boolean => (pte & f) !== 0n

/** The composed walk: the hart's own two-stage walk, in the terms of the shadow algorithm. */
const composed = (host: PhysMemory, r: HartRegs, va: bigint, a: HartAccess): NestedOutcome<TranslationFault, RiscvGrant> => {
  const o = translate(host, r.ctx, { va: va as never, access: a.kind, hlvx: a.hlvx })
  if (isLeft(o.result)) return { result: left(o.result.left), host: o.memory, refs: o.refs }
  const t = o.result.right
  const vsPte = t.first?.pte, gPte = t.gstage?.pte
  const { grant } = riscvGrant(vsPte, gPte, a.priv)
  const bits = Math.min(t.pageBits, 63)
  const vaBase = va & ~((1n << BigInt(bits)) - 1n)
  const detail: Detail = { va, translation: t, trail: o.trail }
  const c: Composed<RiscvGrant> = {
    hpa: t.pa, vaBase, hpaBase: t.pa - (va - vaBase), pageBits: bits, grant,
    accessed: (vsPte === undefined || has(vsPte, A)) && (gPte === undefined || has(gPte, A)),
    dirty: (vsPte === undefined || has(vsPte, D)) && (gPte === undefined || has(gPte, D)),
    global: vsPte !== undefined && has(vsPte, G),
    // Every PTE read, of both stages: a write to any of them may change the translation.
    deps: o.trail.filter((s) => s.op === 'read').map((s) => s.pteAddr as bigint),
    detail,
  }
  return { result: right(c), host: o.memory, refs: o.refs }
}

/** The hardware's walk of a shadow table: single-stage (V = 0 rules), the guest's privilege and SUM, HS's MXR, no A/D updates. */
const shadowWalk = (levels: Levels) => (tables: PhysMemory, root: bigint, r: HartRegs, va: bigint, a: HartAccess): ShadowWalk => {
  const ctx: TranslationContext = {
    priv: a.priv, virt: false, satp: shadowSatp(levels, root), vsatp: 0n, hgatp: 0n,
    mstatus: { sum: r.ctx.vsstatus.sum, mxr: r.ctx.mstatus.mxr }, vsstatus: r.ctx.vsstatus,
    menvcfg: { adue: false, pbmte: false }, henvcfg: { adue: false, pbmte: false }, svnapot: false,
  }
  const o = translate(tables, ctx, { va: va as never, access: a.kind, hlvx: a.hlvx })
  return { hit: isLeft(o.result) ? undefined : { hpa: o.result.right.pa, pageBits: o.result.right.pageBits }, refs: o.refs }
}

const vmidOf = (hgatp: bigint): bigint => (hgatp >> 44n) & 0x3fffn
const hex = (n: bigint): string => n.toString(16)

/** The tag of a shadow root: VMID and the whole vsatp (mode, ASID, root table), as KVM keys shadow roots by the guest's root table. */
const tagOf = (ctx: TranslationContext): string => `vmid ${vmidOf(ctx.hgatp)} vsatp ${hex(ctx.vsatp)}`
const tagVmid = (tag: string): bigint => BigInt(/^vmid (\d+)/.exec(tag)![1]!)
const tagAsid = (tag: string): bigint => (BigInt(`0x${/vsatp ([0-9a-f]+)$/.exec(tag)![1]!}`) >> 44n) & 0xffffn

/** The shadow format for the hart: Sv39, Sv48 or Sv57 shadow tables over the hart's two-stage walk. */
export const hartShadowFormat = (levels: Levels): ShadowFormat<HartRegs, HartAccess, TranslationFault, RiscvGrant> => ({
  name: `RISC-V hart, Sv${12 + 9 * levels} shadow tables`,
  geometry: riscvGeometry(levels),
  tag: (r) => tagOf(r.ctx),
  tagOfAsid: (r, asid) => `vmid ${vmidOf(r.ctx.hgatp)} asid ${asid}`,
  regimeKey: (r) => {
    const c = r.ctx
    return `vsatp.MODE=${c.vsatp >> 60n} hgatp=${hex(c.hgatp)} adue=${c.menvcfg.adue}/${c.henvcfg.adue} pbmte=${c.menvcfg.pbmte}/${c.henvcfg.pbmte} napot=${c.svnapot} pmp#${r.pmpGeneration}`
  },
  isStore: (a) => a.kind === 'store',
  nested: composed,
  shadowWalk: shadowWalk(levels),
  encodeLeaf: riscvEncodeLeaf,
  encodeTable: riscvEncodeTable,
  nextTable: riscvNextTable,
})

const FORMATS: Readonly<Record<Levels, ShadowFormat<HartRegs, HartAccess, TranslationFault, RiscvGrant>>> =
  { 3: hartShadowFormat(3), 4: hartShadowFormat(4), 5: hartShadowFormat(5) }

/**
 * The shadow scheme for a V=1 context: the guest's own (Sv39/48/57); under a Bare VS-stage, one wide
 * enough for the guest-physical space (Sv48 for Sv39x4's 41 bits, Sv57 for Sv48x4's 50).
 */
const levelsFor = (ctx: TranslationContext): Levels => {
  const vs = Number(ctx.vsatp >> 60n)
  if (vs === 8) return 3
  if (vs === 9) return 4
  if (vs === 10) return 5
  return Number(ctx.hgatp >> 60n) === 8 ? 4 : 5
}

// ---- what the VMM's work costs ----------------------------------------------------------------------------

/** The cost accounting of one run's V=1 translations (`memvirt run --stats`). */
export interface GuestStats {
  readonly mode: 'nested' | 'shadow'
  /** V=1 TLB misses: translations the hardware walked for. */
  readonly misses: number
  /** Memory references of the hardware's walks on those misses (nested: both stages; shadow: the shadow table). */
  readonly hardwareRefs: number
  /** Memory references of the VMM's composed walks (shadow only: its own work, on exits). */
  readonly vmmRefs: number
  /**
   * Exits for a write to a write-protected page (a page holding a guest or G-stage PTE the shadow depends
   * on): one per store instruction (or walk A/D update, or device write) that lands on such a page — a
   * hardware store to a read-only shadow leaf exits every time, and the hart reports every store.
   */
  readonly tableWriteExits: number
  /**
   * Exits on a shadow miss: one per V=1 TLB miss the shadow walk did not allow — the sum of `fills`,
   * `guestFaults` and `completed`.
   */
  readonly shadowMissExits: number
  /** Shadow misses where the VMM filled a shadow leaf and the hardware retried. */
  readonly fills: number
  /** Shadow misses where the composed walk faulted: the VMM delivered the guest's fault. */
  readonly guestFaults: number
  /**
   * Shadow misses where the VMM completed the access itself (a leaf the shadow cannot hold, e.g. writable
   * for a store to a superpage over a guest table page). Counted once per TLB miss:
   * the hart's TLB then keeps the two-stage translation (it is the same in both modes, so the guest
   * cannot tell), so later accesses through it are not counted here, where hardware walking the shadow
   * would exit on each: a lower bound. (A store to the table page itself is a table-write exit instead.)
   */
  readonly completed: number
  /** Exits on a guest fence (SFENCE.VMA at V=1, HFENCE.VVMA, HFENCE.GVMA). */
  readonly fenceExits: number
  /** Exits on a change of translation registers (vsatp, hgatp, …): a root switch or a full resync. */
  readonly registerExits: number
  readonly rootEvictions: number
  /** 4 KiB pages holding VS-stage and G-stage PTEs the walks read (the guest's and the hypervisor's tables). */
  readonly vsTablePages: ReadonlySet<bigint>
  readonly gTablePages: ReadonlySet<bigint>
  /** Shadow table memory the VMM holds at the end, and at most. */
  readonly shadowBytes: number
  readonly peakShadowBytes: number
}

const noStats = (mode: GuestStats['mode']): GuestStats => ({
  mode, misses: 0, hardwareRefs: 0, vmmRefs: 0, tableWriteExits: 0, shadowMissExits: 0, fills: 0, guestFaults: 0, completed: 0, fenceExits: 0, registerExits: 0, rootEvictions: 0,
  vsTablePages: new Set(), gTablePages: new Set(), shadowBytes: 0, peakShadowBytes: 0,
})

const withStats = (s: GuestStats, over: Partial<GuestStats>): GuestStats => ({ ...s, ...over })

/** The stats with the table pages a walk's trail read added (a new set only when a page is new). */
const seenTables = (s: GuestStats, trail: readonly TrailStep[]): GuestStats => {
  let vs = s.vsTablePages, g = s.gTablePages
  for (const step of trail) {
    if (step.op !== 'read') continue
    const page = (step.pteAddr as bigint) >> 12n
    if (step.stage === 'VS' && !vs.has(page)) vs = new Set([...vs, page])
    else if (step.stage === 'G' && !g.has(page)) g = new Set([...g, page])
  }
  return vs === s.vsTablePages && g === s.gTablePages ? s : withStats(s, { vsTablePages: vs, gTablePages: g })
}

/** Both stages Bare: nothing translates, nothing to shadow or count. */
const bothBare = (ctx: TranslationContext): boolean => ctx.vsatp >> 60n === 0n && ctx.hgatp >> 60n === 0n

// ---- nested: the two-stage walk, counted ------------------------------------------------------------------

/** `--guest-translation nested --stats`: the two-stage walk itself (answers unchanged), its costs counted. */
export class NestedCounter implements GuestWalker {
  readonly name = 'nested'
  constructor(readonly stats: GuestStats = noStats('nested')) {}
  walk(memory: PhysMemory, ctx: TranslationContext, req: TranslationRequest): { outcome: WalkOutcome; walker: GuestWalker } {
    const outcome = translate(memory, ctx, req)
    if (bothBare(ctx)) return { outcome, walker: this }
    const s = seenTables(this.stats, outcome.trail)
    return { outcome, walker: new NestedCounter(withStats(s, { misses: s.misses + 1, hardwareRefs: s.hardwareRefs + outcome.refs })) }
  }
  wrote(): GuestWalker { return this }
  fenced(): GuestWalker { return this }
}

// ---- shadow: the model's VMM ------------------------------------------------------------------------------

/** The VMM's settings: shadow roots kept at once, and where its pool of shadow tables lies in its own memory. */
export type HartShadowOptions = ShadowOptions

/** Eight roots (guest address spaces) at once; a 256 MiB pool of tables in the VMM's memory, above any RAM. */
export const defaultHartShadowOptions: HartShadowOptions = { maxRoots: 8, poolBase: 0x40_0000_0000_0000n, poolBytes: 0x1000_0000n }

type State = ShadowState<HartRegs, HartAccess, RiscvGrant>

/** `--guest-translation shadow`: the model's VMM, its shadow tables, and what its work cost. */
export class ShadowVmm implements GuestWalker {
  readonly name = 'shadow'
  constructor(
    readonly options: HartShadowOptions = defaultHartShadowOptions,
    /** Undefined until the guest first translates (the VMM builds its first root then). */
    readonly state: State | undefined = undefined,
    readonly levels: Levels = 3,
    /** The PMP CSR values last seen, and their generation (a change drops every entry: the walk's implicit accesses are checked by PMP). */
    readonly pmp: readonly unknown[] = [],
    readonly pmpGeneration: number = 0,
    /** The write-protected pages (derived from `state`, kept for the check every store makes). */
    readonly protect: ReadonlySet<bigint> = new Set(),
    readonly stats: GuestStats = noStats('shadow'),
  ) {}

  private next(state: State | undefined, stats: GuestStats, levels = this.levels, pmp = this.pmp, pmpGeneration = this.pmpGeneration): ShadowVmm {
    const protect = state === undefined ? this.protect : state.entries === this.state?.entries ? this.protect : protectedPages(state)
    const bytes = state === undefined ? 0 : shadowTableBytes(state)
    const s = withStats(stats, { shadowBytes: bytes, peakShadowBytes: Math.max(stats.peakShadowBytes, bytes), rootEvictions: state?.counters.rootEvictions ?? stats.rootEvictions })
    return new ShadowVmm(this.options, state, levels, pmp, pmpGeneration, protect, s)
  }

  walk(memory: PhysMemory, ctx: TranslationContext, req: TranslationRequest, pmp: readonly unknown[]): { outcome: WalkOutcome; walker: GuestWalker } {
    if (bothBare(ctx)) return { outcome: translate(memory, ctx, req), walker: this }
    const samePmp = pmp.length === this.pmp.length && pmp.every((p, i) => p === this.pmp[i])
    const generation = samePmp ? this.pmpGeneration : this.pmpGeneration + 1
    const regs: HartRegs = { ctx, pmpGeneration: generation }
    const levels = levelsFor(ctx)
    const format = FORMATS[levels]
    let stats = this.stats
    // The translation registers: a new address space selects (or builds) its root; a new regime resyncs everything.
    let s0: State
    if (this.state === undefined || levels !== this.levels) {
      if (this.state !== undefined) stats = withStats(stats, { registerExits: stats.registerExits + 1 })
      s0 = shadowInit(format, memory, regs, this.options)
    } else {
      const before = this.state
      s0 = shadowSetRegs(format, { ...before, host: memory }, regs)
      if (s0.roots[0]!.tag !== before.roots[0]!.tag || s0.regimeKey !== before.regimeKey) stats = withStats(stats, { registerExits: stats.registerExits + 1 })
    }
    const va = req.va as bigint
    const access: HartAccess = { kind: req.access, priv: ctx.priv === 'U' ? 'U' : 'S', hlvx: req.hlvx === true }
    const r = shadowAccess(format, s0, va, access)
    const s1 = r.state
    const c0 = s0.counters, c1 = s1.counters
    stats = withStats(stats, {
      misses: stats.misses + 1,
      hardwareRefs: stats.hardwareRefs + (c1.shadowRefs - c0.shadowRefs),
      vmmRefs: stats.vmmRefs + (c1.nestedRefs - c0.nestedRefs),
      // (A store landing on a write-protected page is one exit: the table write `wrote` counts when the store is made.)
      shadowMissExits: stats.shadowMissExits + (r.path === 'hit' || r.path === 'write-protect trap' ? 0 : 1),
      fills: stats.fills + (r.path === 'fill' ? 1 : 0),
      guestFaults: stats.guestFaults + (r.path === 'guest fault' ? 1 : 0),
      completed: stats.completed + (r.path === 'emulated' ? 1 : 0),
    })
    const exited = r.composed?.detail as Detail | undefined
    if (exited !== undefined) stats = seenTables(stats, exited.trail)
    const refs = c1.shadowRefs - c0.shadowRefs + (c1.nestedRefs - c0.nestedRefs)
    const trail = exited?.trail ?? []
    if (isLeft(r.outcome)) {
      return { outcome: { result: left(r.outcome.left), memory: s1.host, trail, refs }, walker: this.next(s1, stats, levels, pmp, generation) }
    }
    // What the guest sees: the two-stage result recorded with the entry (or just computed), at this address.
    const detail = (r.path === 'hit' || r.path === 'fill' ? r.entry?.detail : exited) as Detail | undefined
    if (detail === undefined) throw new Error(`shadow ${r.path} at ${hex(va)} without the two-stage result it was built from`)
    const t = detail.translation
    const offset = va - detail.va
    const translation: Translation = {
      pa: phys(r.outcome.right.hpa), gpa: t.gpa === undefined ? undefined : guestPhys((t.gpa as bigint) + offset),
      first: t.first, gstage: t.gstage, pageBits: t.pageBits,
    }
    return { outcome: { result: right(translation), memory: s1.host, trail, refs }, walker: this.next(s1, stats, levels, pmp, generation) }
  }

  wrote(pa: bigint, size: number): GuestWalker {
    if (this.state === undefined) return this
    const first = pa >> 12n, last = (pa + BigInt(size) - 1n) >> 12n
    if (!this.protect.has(first) && !this.protect.has(last)) return this
    // A store to a write-protected page: the VMM takes the exit and drops what the bytes written fed.
    const s = shadowForget(FORMATS[this.levels], this.state, pa, size)
    return this.next(s, withStats(this.stats, { tableWriteExits: this.stats.tableWriteExits + 1 }))
  }

  fenced(f: GuestFence): GuestWalker {
    if (this.state === undefined) return this
    const vmid = f.kind === 'vvma' ? BigInt(f.vmid) : f.vmid
    const s = shadowFence(FORMATS[this.levels], this.state, {
      kind: 'tags',
      tags: (tag) => (vmid === undefined || tagVmid(tag) === (vmid & 0x3fffn)) && (f.kind !== 'vvma' || f.asid === undefined || tagAsid(tag) === (f.asid & 0xffffn)),
      // HFENCE.GVMA names a guest-physical address, which the shadow does not index: it drops the whole VMID.
      va: f.kind === 'vvma' ? f.va : undefined,
    })
    return this.next(s, withStats(this.stats, { fenceExits: this.stats.fenceExits + 1 }))
  }
}

/** The walker `--guest-translation` names, counting for `--stats`. */
export const guestWalker = (mode: 'nested' | 'shadow', options: HartShadowOptions = defaultHartShadowOptions): NestedCounter | ShadowVmm =>
  mode === 'nested' ? new NestedCounter() : new ShadowVmm(options)
