// Address translation as one pure function of (memory, translation context, address, access):
// single-stage S (satp, V=0), and two-stage VS + G (vsatp over hgatp, V=1). Priv. ISA,
// "Virtual Address Translation Process"; H chapter, "Two-Stage Address Translation" and
// "Guest Physical Address Translation". Check order and fault values follow the spec; where it
// leaves a choice (tinst values, the access type reported for faults on implicit accesses), Spike's.
import { type Either, left, right, isLeft } from '../bits/either.ts'
import { type GuestPhysAddr, type GuestVirtAddr, type PhysAddr, type VirtAddr, guestPhys, phys } from '../bits/address.ts'
import { hex } from '../bits/bits.ts'
import { type PhysMemory } from '../memory/memory.ts'
import { type Scheme, decodeHgatp, decodeSatp, inputBits, isCanonical } from './atp.ts'
import { type AccessType, type Stage, type TranslationFault, fault, TINST_PTE_READ, TINST_PTE_WRITE } from './faults.ts'
import { type Privilege, firstStageDenial, gStageDenial } from './permissions.ts'
import { translateFast } from './fast-walk.ts'
import {
  type PhysCheck, type StageLeaf, type StageRules, type StageSpec, type TrailStep, type TrailPurpose, type WalkSession,
  allowAll, leafOutput, newSession, physicalTables, walkStage,
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

export interface WalkOutcome {
  readonly result: Either<TranslationFault, Translation>
  /** Memory after any hardware A/D updates (the same object when none happened). */
  readonly memory: PhysMemory
  /** Every PTE read and write, in order, with what was decided. */
  readonly trail: readonly TrailStep[]
  /** Memory references the walk made (PTE reads and writes). */
  readonly refs: number
}

// ---- the G-stage ------------------------------------------------------------------------------------

/**
 * Why a G-stage walk runs decides how its failures are reported: the final GPA of the access (tinst 0),
 * or the address of a VS-stage PTE (an implicit read, tinst 0x3000, or the A/D store, tinst 0x3020).
 */
interface GRequest {
  readonly gpa: bigint
  /** The access the G-stage checks permission for (PTE reads are loads, A/D updates stores). */
  readonly access: AccessType
  /** The original access, whose type decides the cause of any fault (Spike's trap_type). */
  readonly trapAccess: AccessType
  readonly hlvx: boolean
  readonly gva: bigint
  readonly purpose: TrailPurpose
}

interface GStageSpec extends StageSpec {
  readonly request: GRequest
  readonly mxr: boolean
  readonly implicit: boolean
  readonly tinst: bigint
}

const G_RULES: StageRules<GStageSpec> = {
  denies: (g, flags) => gStageDenial(g.request.access, g.request.hlvx, g.mxr, flags),
  pageFault: (g, level, reason) =>
    fault('GuestPageFault', g.request.trapAccess, 'G', level, reason, g.request.gva, g.request.gpa >> 2n, g.tinst, g.implicit),
  accessFault: (g, level, reason) => fault('AccessFault', g.request.trapAccess, 'G', level, reason, g.request.gva, 0n, 0n, true),
  ptePhys: physicalTables,
}

const gStageSpec = (ctx: TranslationContext, scheme: Scheme, root: bigint, r: GRequest): GStageSpec => {
  const implicit = r.purpose === 'vs-pte' || r.purpose === 'vs-pte-write'
  return {
    stage: 'G', purpose: r.purpose, scheme, root,
    adue: ctx.menvcfg.adue, pbmte: ctx.menvcfg.pbmte, napot: ctx.svnapot,
    isStore: r.access === 'store',
    rules: G_RULES,
    request: r,
    // MXR for the G-stage is mstatus.MXR (HS-level); it does not apply to implicit page-table reads.
    mxr: ctx.mstatus.mxr && !implicit,
    implicit,
    tinst: r.purpose === 'vs-pte' ? TINST_PTE_READ : r.purpose === 'vs-pte-write' ? TINST_PTE_WRITE : 0n,
  }
}

/** G-stage translation of one GPA inside a session (identity when hgatp is Bare). */
const gStage = (s: WalkSession, ctx: TranslationContext, r: GRequest): Either<TranslationFault, { pa: PhysAddr; leaf: StageLeaf | undefined }> => {
  const hgatp = decodeHgatp(ctx.hgatp)
  if (hgatp === undefined || hgatp.scheme === undefined) return right({ pa: phys(r.gpa), leaf: undefined })
  const width = inputBits(hgatp.scheme)
  const spec = gStageSpec(ctx, hgatp.scheme, hgatp.ppn << 12n, r)
  // A GPA must fit the widened scheme: bits above 2+9·levels+12 must be zero.
  if (r.gpa >> BigInt(width) !== 0n) return left(G_RULES.pageFault(spec, -1, `GPA ${hex(r.gpa)} has bits set above bit ${width - 1} (${hgatp.scheme.name})`))
  const leaf = walkStage(s, spec, r.gpa)
  if (isLeft(leaf)) return leaf
  return right({ pa: phys(leafOutput(leaf.right, r.gpa)), leaf: leaf.right })
}

// ---- the S- and VS-stage -------------------------------------------------------------------------

interface FirstStageSpec extends StageSpec {
  readonly ctx: TranslationContext
  readonly virt: boolean
  readonly sum: boolean
  readonly mxr: boolean
  readonly access: AccessType
  readonly hlvx: boolean
  readonly va: bigint
}

const FIRST_RULES: StageRules<FirstStageSpec> = {
  denies: (f, flags) => firstStageDenial(f.ctx.priv, f.virt, f.sum, f.mxr, f.access, f.hlvx, flags),
  pageFault: (f, level, reason) => fault('PageFault', f.access, f.stage, level, reason, f.va),
  accessFault: (f, level, reason) => fault('AccessFault', f.access, f.stage, level, reason, f.va, 0n, 0n, true),
  // VS-stage PTEs sit at guest-physical addresses: each is G-stage translated, as an implicit load
  // (or, for the A/D update, an implicit store), with faults reported for the original access type.
  ptePhys: (f, s, addr, write) => {
    if (!f.virt) return physicalTables(f, s, addr)
    const g = gStage(s, f.ctx, { gpa: addr, access: write ? 'store' : 'load', trapAccess: f.access, hlvx: false, gva: f.va, purpose: write ? 'vs-pte-write' : 'vs-pte' })
    return isLeft(g) ? g : right(g.right.pa)
  },
}

const firstStageSpec = (ctx: TranslationContext, stage: Stage, scheme: Scheme, root: bigint, req: TranslationRequest): FirstStageSpec => {
  const virt = stage === 'VS'
  const envcfg = virt ? ctx.henvcfg : ctx.menvcfg
  return {
    stage, purpose: 'translate', scheme, root,
    adue: envcfg.adue, pbmte: envcfg.pbmte, napot: ctx.svnapot,
    isStore: req.access === 'store',
    rules: FIRST_RULES,
    ctx, virt,
    sum: (virt ? ctx.vsstatus : ctx.mstatus).sum,
    // MXR: for VS-stage either mstatus.MXR or vsstatus.MXR makes executable pages readable.
    mxr: ctx.mstatus.mxr || (virt && ctx.vsstatus.mxr),
    access: req.access,
    hlvx: req.hlvx === true,
    va: req.va as bigint,
  }
}

const finish = (s: WalkSession, result: Either<TranslationFault, Translation>): WalkOutcome =>
  ({ result, memory: s.memory, trail: s.trail, refs: s.refs })

const pageBitsOf = (...leaves: (StageLeaf | undefined)[]): number =>
  Math.min(64, ...leaves.filter((l): l is StageLeaf => l !== undefined).map((l) => l.pageBits))

/**
 * Translates one access. Never mutates its inputs: the outcome carries the (possibly A/D-updated)
 * memory, the trail of PTE references and their count. The common case (every check passes, no A/D
 * update) runs on a number-only fast path proven equal to `translateSpec` by a property test.
 *
 * @example
 * const { result } = translate(memory, ctx, { va: virt(0x4000_0000n), access: 'load' })
 */
export const translate = (memory: PhysMemory, ctx: TranslationContext, req: TranslationRequest): WalkOutcome =>
  translateFast(memory, ctx, req) ?? translateSpec(memory, ctx, req)

/**
 * The readable specification of `translate`: the spec's algorithm step by step, for every case.
 * Same inputs, same outcome as `translate`; slower.
 */
export const translateSpec = (memory: PhysMemory, ctx: TranslationContext, req: TranslationRequest): WalkOutcome => {
  const s = newSession(memory, ctx.physCheck ?? allowAll)
  const va = req.va as bigint
  const hlvx = req.hlvx === true
  if (!ctx.virt) {
    // M-mode (effective) and satp = Bare: no translation.
    const satp = decodeSatp(ctx.satp)
    if (ctx.priv === 'M' || satp === undefined || satp.scheme === undefined) {
      return finish(s, right({ pa: phys(va), gpa: undefined, first: undefined, gstage: undefined, pageBits: 64 }))
    }
    const spec = firstStageSpec(ctx, 'S', satp.scheme, satp.ppn << 12n, req)
    if (!isCanonical(va, satp.scheme)) return finish(s, left(FIRST_RULES.pageFault(spec, -1, `VA ${hex(va)} is not canonical for ${satp.scheme.name}`)))
    const leaf = walkStage(s, spec, va)
    if (isLeft(leaf)) return finish(s, leaf)
    return finish(s, right({ pa: phys(leafOutput(leaf.right, va)), gpa: undefined, first: leaf.right, gstage: undefined, pageBits: leaf.right.pageBits }))
  }
  // V=1: VS-stage (vsatp) then G-stage (hgatp) on the resulting guest-physical address.
  const vsatp = decodeSatp(ctx.vsatp)
  let gpa: bigint = va
  let first: StageLeaf | undefined
  if (vsatp !== undefined && vsatp.scheme !== undefined) {
    const spec = firstStageSpec(ctx, 'VS', vsatp.scheme, vsatp.ppn << 12n, req)
    if (!isCanonical(va, vsatp.scheme)) return finish(s, left(FIRST_RULES.pageFault(spec, -1, `GVA ${hex(va)} is not canonical for ${vsatp.scheme.name}`)))
    const leaf = walkStage(s, spec, va)
    if (isLeft(leaf)) return finish(s, leaf)
    first = leaf.right
    gpa = leafOutput(leaf.right, va)
  }
  const g = gStage(s, ctx, { gpa, access: req.access, trapAccess: req.access, hlvx, gva: va, purpose: 'final' })
  if (isLeft(g)) return finish(s, g)
  return finish(s, right({ pa: g.right.pa, gpa: guestPhys(gpa), first, gstage: g.right.leaf, pageBits: pageBitsOf(first, g.right.leaf) }))
}

/**
 * G-stage translation alone (the "guest physical address translation" of the H chapter): what a
 * hypervisor or an IOMMU second stage does for a GPA. Faults are reported as for an explicit access.
 */
export const translateGuestPhysical = (memory: PhysMemory, ctx: TranslationContext, gpa: GuestPhysAddr, access: AccessType): WalkOutcome => {
  const s = newSession(memory, ctx.physCheck ?? allowAll)
  const g = gStage(s, ctx, { gpa, access, trapAccess: access, hlvx: false, gva: gpa, purpose: 'final' })
  if (isLeft(g)) return finish(s, g)
  return finish(s, right({ pa: g.right.pa, gpa, first: undefined, gstage: g.right.leaf, pageBits: pageBitsOf(g.right.leaf) }))
}
