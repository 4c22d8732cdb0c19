// Address translation as one pure function of (memory, translation context, address, access):
// single-stage S (satp, V=0), and two-stage VS + G (vsatp over hgatp, V=1). Priv. ISA,
// "Virtual Address Translation Process"; H chapter, "Two-Stage Address Translation" and
// "Guest Physical Address Translation". This file is the hart's side of the walker: it reads the
// stage parameters from the translation CSRs' bits (`TranslationContext`), runs the master-neutral
// walker (walk.ts) and maps its failures to the hart's faults (faults.ts). Check order and fault values
// follow the spec; where it leaves a choice (tinst values, the access type reported for faults on
// implicit accesses), Spike's. The fast path (engine/fast-walk.ts) wraps `translate`.
import { type Either, left, right, isLeft } from '../bits/either.ts'
import { type GuestPhysAddr, type GuestVirtAddr, type PhysAddr, type VirtAddr, guestPhys, phys } from '../bits/address.ts'
import { type PhysMemory } from '../memory/memory.ts'
import { type PteCacheWork } from './pte-cache.ts'
import { type Scheme, decodeHgatp, decodeSatp } from './atp.ts'
import { type AccessType, type TranslationFault, translationFault } from './faults.ts'
import { type FirstStagePermission, type Privilege, vsStageMxr } from './permissions.ts'
import {
  type GStageParams, type PhysCheck, type StageLeaf, type StageParams, type TrailStep,
  allowAll, leafOutput, newSession, walk, walkGuestPhysical, type WalkSession,
} from './walk.ts'

export type { Privilege } from './permissions.ts'

/** The status bits translation reads from mstatus or vsstatus. */
export interface StatusBits {
  readonly sum: boolean
  readonly mxr: boolean
}

/** The environment-configuration bits translation reads from menvcfg or henvcfg (already legalized). */
export interface EnvcfgBits {
  /** ADUE (bit 61): hardware A/D updating (Svadu) is enabled. Read-only 0 without Svadu. */
  readonly adue: boolean
  /** PBMTE (bit 62): Svpbmt enabled. Read-only 0 without Svpbmt. */
  readonly pbmte: boolean
}

/**
 * Everything translation depends on besides memory. `priv` and `virt` are the *effective* privilege
 * and virtualization mode of the access: the caller resolves MPRV/MPP/MPV and HLV/HSV (SPVP) first.
 */
export interface TranslationContext {
  readonly priv: Privilege
  readonly virt: boolean
  readonly satp: bigint
  readonly vsatp: bigint
  readonly hgatp: bigint
  readonly mstatus: StatusBits
  readonly vsstatus: StatusBits
  readonly menvcfg: EnvcfgBits
  /** henvcfg as the VS-stage sees it: ADUE/PBMTE are read-only 0 while menvcfg's are 0. */
  readonly henvcfg: EnvcfgBits
  /** Svnapot implemented (the N bit is otherwise reserved). */
  readonly svnapot: boolean
  /** PMP check on implicit page-table accesses (made as S-mode accesses); default: everything allowed. */
  readonly physCheck?: PhysCheck
}

export interface TranslationRequest {
  readonly va: VirtAddr | GuestVirtAddr
  readonly access: AccessType
  /** HLVX.HU/WU: a load that needs execute permission instead of read, in both stages. */
  readonly hlvx?: boolean
}

export interface Translation {
  readonly pa: PhysAddr
  /** The guest-physical address (V=1 only). */
  readonly gpa: GuestPhysAddr | undefined
  /** The first-stage leaf (S or VS), undefined when that stage is Bare. */
  readonly first: StageLeaf | undefined
  /** The G-stage leaf of the final GPA, undefined when V=0 or hgatp is Bare. */
  readonly gstage: StageLeaf | undefined
  /** log2 of the size of the contiguous region this translation holds for: min over both stages. */
  readonly pageBits: number
}

export interface WalkOutcome<F = TranslationFault> {
  /** The translation, or the master's fault (the hart's `TranslationFault` unless a master says otherwise). */
  readonly result: Either<F, Translation>
  /** Memory after any hardware A/D updates (the same object when none happened). */
  readonly memory: PhysMemory
  /** Every PTE read and write, in order, with what was decided. */
  readonly trail: readonly TrailStep[]
  /** Memory references the walk made (PTE reads and writes). */
  readonly refs: number
}

// ---- which stages are active, and their parameters ------------------------------------------------

/**
 * No translation at all: V=0 and the effective privilege is M or satp is Bare (Priv. ISA, "Supervisor
 * Address Translation and Protection Register": Bare means no translation or protection). `satp` is
 * the raw register; its MODE field is bits 63:60.
 */
export const untranslated = (priv: Privilege, virt: boolean, satp: bigint): boolean =>
  !virt && (priv === 'M' || satp >> 60n === 0n)

/** A first stage in force: S-stage (satp, V=0) or VS-stage (vsatp, V=1). */
export interface FirstStage {
  readonly stage: 'S' | 'VS'
  readonly scheme: Scheme
  /** Root table: a PA for S-stage, a GPA for VS-stage. */
  readonly root: bigint
  readonly asid: bigint
}

/** The G-stage in force (V=1, hgatp not Bare). */
export interface SecondStage {
  readonly scheme: Scheme
  readonly root: bigint
  readonly vmid: bigint
}

/** The stages a context translates through: neither (Bare, M-mode), S alone, VS and/or G. */
export interface ActiveStages {
  readonly virt: boolean
  readonly first: FirstStage | undefined
  readonly g: SecondStage | undefined
}

/**
 * Which stages translate an access in this context: with V=0 the S-stage (unless M-mode or satp is
 * Bare); with V=1 the VS-stage (unless vsatp is Bare) then the G-stage (unless hgatp is Bare).
 * The one place this is decided (the walker, the fast walk and the TLB tag all ask here).
 */
export const activeStages = (ctx: TranslationContext): ActiveStages => {
  if (!ctx.virt) {
    const satp = decodeSatp(ctx.satp)
    const on = !untranslated(ctx.priv, false, ctx.satp) && satp?.scheme !== undefined
    return { virt: false, first: on ? { stage: 'S', scheme: satp.scheme, root: satp.ppn << 12n, asid: satp.asid } : undefined, g: undefined }
  }
  const vsatp = decodeSatp(ctx.vsatp)
  const hgatp = decodeHgatp(ctx.hgatp)
  return {
    virt: true,
    first: vsatp?.scheme !== undefined ? { stage: 'VS', scheme: vsatp.scheme, root: vsatp.ppn << 12n, asid: vsatp.asid } : undefined,
    g: hgatp?.scheme !== undefined ? { scheme: hgatp.scheme, root: hgatp.ppn << 12n, vmid: hgatp.vmid } : undefined,
  }
}

/**
 * The step-5 rule of the first stage in this context: the effective privilege, SUM of mstatus (S) or
 * vsstatus (VS), and MXR (for VS-stage, by the VS-stage MXR rule of permissions.ts).
 */
export const firstStagePermission = (ctx: TranslationContext): FirstStagePermission => ({
  kind: 'first', priv: ctx.priv, virt: ctx.virt,
  sum: (ctx.virt ? ctx.vsstatus : ctx.mstatus).sum,
  mxr: ctx.virt ? vsStageMxr(ctx.mstatus.mxr, ctx.vsstatus.mxr) : ctx.mstatus.mxr,
})

/** The G-stage as data: hgatp's scheme and root, menvcfg's ADUE and PBMTE, mstatus.MXR. */
export const gStageOf = (ctx: TranslationContext, g: SecondStage): GStageParams => ({
  scheme: g.scheme, root: g.root, adue: ctx.menvcfg.adue, pbmte: ctx.menvcfg.pbmte, napot: ctx.svnapot, mxr: ctx.mstatus.mxr,
})

/**
 * The first stage as data: its scheme and root, ADUE/PBMTE of menvcfg (S-stage) or henvcfg (VS-stage),
 * the step-5 rule, and for VS-stage the G-stage its tables sit behind.
 */
export const firstStageOf = (ctx: TranslationContext, f: FirstStage, req: TranslationRequest, g: GStageParams | undefined): StageParams => {
  const envcfg = f.stage === 'VS' ? ctx.henvcfg : ctx.menvcfg
  return {
    stage: f.stage, purpose: 'translate', scheme: f.scheme, root: f.root,
    adue: envcfg.adue, pbmte: envcfg.pbmte, napot: ctx.svnapot,
    access: req.access, hlvx: req.hlvx === true,
    permission: firstStagePermission(ctx),
    tables: f.stage === 'VS' ? g : undefined,
  }
}

// ---- translation --------------------------------------------------------------------------------------

const finish = (s: WalkSession, result: Either<TranslationFault, Translation>): WalkOutcome =>
  ({ result, memory: s.memory, trail: s.trail, refs: s.refs })

const pageBitsOf = (...leaves: (StageLeaf | undefined)[]): number =>
  Math.min(64, ...leaves.filter((l): l is StageLeaf => l !== undefined).map((l) => l.pageBits))

/**
 * Translates one access: the spec's algorithm step by step, for every case. Never mutates its inputs:
 * the outcome carries the (possibly A/D-updated) memory, the trail of PTE references and their count.
 * For speed, `translate` of engine/fast-walk.ts gives the same outcome (the library's index exports it).
 * With `cache`, PTE reads and A/D updates go through Spike's PTE cache (pte-cache.ts), which it updates.
 *
 * @example
 * const { result } = translate(memory, ctx, { va: virt(0x4000_0000n), access: 'load' })
 */
export const translate = (memory: PhysMemory, ctx: TranslationContext, req: TranslationRequest, cache?: PteCacheWork): WalkOutcome => {
  const s = newSession(memory, ctx.physCheck ?? allowAll, cache)
  const va = req.va as bigint
  const stages = activeStages(ctx)
  const g = stages.g === undefined ? undefined : gStageOf(ctx, stages.g)
  // The first stage (S, or VS whose PTE addresses the G-stage translates), unless Bare.
  let first: StageLeaf | undefined
  let out = va
  if (stages.first !== undefined) {
    const leaf = walk(s, firstStageOf(ctx, stages.first, req, g), va)
    if (isLeft(leaf)) return finish(s, left(translationFault(leaf.left, req.access, va)))
    first = leaf.right
    out = leafOutput(leaf.right, va)
  }
  if (!stages.virt) return finish(s, right({ pa: phys(out), gpa: undefined, first, gstage: undefined, pageBits: first?.pageBits ?? 64 }))
  // V=1: the G-stage (hgatp) on the resulting guest-physical address; identity when Bare.
  if (g === undefined) return finish(s, right({ pa: phys(out), gpa: guestPhys(out), first, gstage: undefined, pageBits: pageBitsOf(first) }))
  const r = walkGuestPhysical(s, g, out, req.access, req.hlvx === true, 'final')
  if (isLeft(r)) return finish(s, left(translationFault(r.left, req.access, va)))
  return finish(s, right({ pa: r.right.pa, gpa: guestPhys(out), first, gstage: r.right.leaf, pageBits: pageBitsOf(first, r.right.leaf) }))
}

/** The readable specification of translation: `translate` itself (the name older callers use). */
export const translateSpec = translate

/**
 * G-stage translation alone (the "guest physical address translation" of the H chapter): what a
 * hypervisor does for a GPA. Faults are reported as for an explicit access at that address.
 */
export const translateGuestPhysical = (memory: PhysMemory, ctx: TranslationContext, gpa: GuestPhysAddr, access: AccessType): WalkOutcome => {
  const s = newSession(memory, ctx.physCheck ?? allowAll)
  const hgatp = decodeHgatp(ctx.hgatp)
  if (hgatp?.scheme === undefined) return finish(s, right({ pa: phys(gpa), gpa, first: undefined, gstage: undefined, pageBits: 64 }))
  const g = gStageOf(ctx, { scheme: hgatp.scheme, root: hgatp.ppn << 12n, vmid: hgatp.vmid })
  const r = walkGuestPhysical(s, g, gpa, access, false, 'final')
  if (isLeft(r)) return finish(s, left(translationFault(r.left, access, gpa)))
  return finish(s, right({ pa: r.right.pa, gpa, first: undefined, gstage: r.right.leaf, pageBits: pageBitsOf(r.right.leaf) }))
}
