// The one place the IOMMU uses the core page-table walker (src/mmu/walk.ts): first-stage and G-stage
// walks for "Process to translate an IOVA" (RISC-V IOMMU spec v1.0, step 17 and 19, which defer to the
// Priv. ISA's "Two-Stage Address Translation"), with the IOMMU's rules where they differ from a hart's:
// no MXR, privilege from the request (U unless a supervisor request carries a process_id), SUM from
// the process context, A/D updating by DC.tc.SADE / GADE, no permission checks for ATS translation
// requests (the completion carries the permissions instead), and faults mapped to IOMMU causes.
import { type Either, isLeft, left, right } from '../bits/either.ts'
import { type PhysAddr, phys } from '../bits/address.ts'
import { hex } from '../bits/bits.ts'
import type { PhysMemory } from '../memory/memory.ts'
import { type Scheme, inputBits, isCanonical } from '../mmu/atp.ts'
import { type AccessType, type TranslationFault, fault } from '../mmu/faults.ts'
import { gStageDenial } from '../mmu/permissions.ts'
import { FLAG_D, FLAG_U, FLAG_W, FLAG_R, FLAG_X } from '../mmu/pte.ts'
import {
  type StageLeaf, type StageRules, type StageSpec, type TrailStep, type WalkSession,
  leafOutput, newSession, pageSizeName, physicalTables, walkStage,
} from '../mmu/walk.ts'

/** An inbound access as the IOMMU sees it. */
export type IoAccess = 'read' | 'write' | 'execute'

/** One stage's configuration from the device (and process) context; `scheme` undefined is Bare. */
export interface IoStage {
  readonly scheme: Scheme | undefined
  /** Root table address: an SPA for the G-stage; for the first stage a GPA when the G-stage is not Bare. */
  readonly root: bigint
  /** DC.tc.SADE (first stage) or DC.tc.GADE (G-stage). */
  readonly adUpdate: boolean
}

/** What a walk needs to know about the request beyond the address. */
export interface IoWalkRequest {
  readonly access: IoAccess
  /** Supervisor privilege: only for requests with a process_id and the privileged bit (ENS checked earlier). */
  readonly supervisor: boolean
  /** PC.ta.SUM (0 without a process context). */
  readonly sum: boolean
  /** False for PCIe ATS translation requests: R/W/X are reported in the completion, not checked. */
  readonly checkPermissions: boolean
  /** capabilities.Svpbmt. */
  readonly svpbmt: boolean
  /** capabilities.PAS: an implicit access at or above 2^PAS is an access fault. */
  readonly pas: number
  /**
   * The C model's rule for implicit reads with DC.tc.SADE = 1: a G-stage leaf with W = 1 and D = 0
   * met by an implicit first-stage access is treated as needing D (set under GADE, a guest-page fault
   * without it). The spec sets D only for stores; this is the option `implicitGStageDirty: 'refmodel'`.
   */
  readonly implicitDirty: boolean
}

/** A walk failure in IOMMU terms: the fault-record CAUSE and iotval2. */
export interface IoWalkFault {
  readonly cause: number
  readonly iotval2: bigint
  readonly reason: string
  /** 'first' or 'G': which stage's check failed (for explanations). */
  readonly stage: 'first' | 'G'
}

/** A successful stage: the output address, the leaf PTE (after A/D updates), the mapping size. */
export interface IoStageResult {
  readonly out: bigint
  /** The leaf PTE, or undefined for a Bare stage. */
  readonly pte: bigint | undefined
  readonly pageBits: number
}

const accessType = (a: IoAccess): AccessType => (a === 'execute' ? 'fetch' : a === 'read' ? 'load' : 'store')

// ---- the G-stage ------------------------------------------------------------------------------------

interface IoGSpec extends StageSpec {
  /** The access whose type names the fault (the original request's). */
  readonly faultAccess: AccessType
  /** The access the leaf is checked for: the original one, or an implicit read/write. */
  readonly permAccess: AccessType
  readonly checkPermissions: boolean
  readonly gpa: bigint
  /** iotval2 bits 1:0: 01 for an implicit read for first-stage translation, 11 for an implicit write. */
  readonly implicitBits: bigint
}

const G_RULES: StageRules<IoGSpec> = {
  // "When checking the U bit in a second-stage PTE, the transaction is treated as not requesting
  // supervisor privilege": U=0 always denies; R/W/X are checked unless this is an ATS request's own GPA.
  denies: (g, flags) => (g.checkPermissions ? gStageDenial(g.permAccess, false, false, flags) : (flags & FLAG_U) === 0 ? 'G-stage leaf with U=0' : undefined),
  pageFault: (g, level, reason) => fault('GuestPageFault', g.faultAccess, 'G', level, reason, 0n, (g.gpa & ~3n) | g.implicitBits, 0n, g.implicitBits !== 0n),
  accessFault: (g, level, reason) => fault('AccessFault', g.faultAccess, 'G', level, reason, 0n, 0n, 0n, true),
  ptePhys: physicalTables,
}

type GPurpose = 'final' | 'implicit-read' | 'implicit-write'

const gSpec = (g: IoStage & { scheme: Scheme }, req: IoWalkRequest, gpa: bigint, purpose: GPurpose, isStore: boolean): IoGSpec => ({
  stage: 'G', purpose: purpose === 'final' ? 'final' : purpose === 'implicit-read' ? 'vs-pte' : 'vs-pte-write',
  scheme: g.scheme, root: g.root, adue: g.adUpdate, pbmte: req.svpbmt, napot: true, isStore, rules: G_RULES,
  faultAccess: accessType(req.access),
  permAccess: purpose === 'final' ? accessType(req.access) : purpose === 'implicit-read' ? 'load' : 'store',
  checkPermissions: purpose !== 'final' || req.checkPermissions,
  gpa, implicitBits: purpose === 'final' ? 0n : purpose === 'implicit-read' ? 1n : 3n,
})

const toIoFault = (f: TranslationFault): IoWalkFault => ({ cause: Number(f.cause), iotval2: f.htval, reason: f.reason, stage: f.stage === 'G' ? 'G' : 'first' })

/**
 * The ATS rule for D: a write-intent translation request sets D only where the leaf grants W (the
 * completion then reports W). Walk as a read; if the leaf has W=1 and D=0, walk again as a store.
 */
const walkWithIntent = <S extends StageSpec>(s: WalkSession, make: (isStore: boolean) => S, input: bigint, req: IoWalkRequest): Either<TranslationFault, StageLeaf> => {
  if (req.access !== 'write' || req.checkPermissions) return walkStage(s, make(req.access === 'write'), input)
  const first = walkStage(s, make(false), input)
  if (isLeft(first)) return first
  const flags = Number(first.right.pte & 0xffn)
  if ((flags & FLAG_W) === 0 || (flags & FLAG_D) !== 0) return first
  return walkStage(s, make(true), input)
}

/** G-stage translation of a GPA inside a session (identity when the G-stage is Bare). */
export const gStageWalk = (
  s: WalkSession, g: IoStage, req: IoWalkRequest, gpa: bigint, purpose: GPurpose,
): Either<IoWalkFault, IoStageResult> => {
  const { scheme } = g
  if (scheme === undefined) return right({ out: gpa, pte: undefined, pageBits: 64 })
  const width = inputBits(scheme)
  if (gpa >> BigInt(width) !== 0n) {
    const spec = gSpec({ ...g, scheme }, req, gpa, purpose, false)
    return left(toIoFault(G_RULES.pageFault(spec, -1, `GPA ${hex(gpa)} has bits set above bit ${width - 1} (${scheme.name})`)))
  }
  const make = (st: boolean): IoGSpec => gSpec({ ...g, scheme }, req, gpa, purpose, st)
  const leaf = purpose === 'final' ? walkWithIntent(s, make, gpa, req)
    : purpose === 'implicit-read' && req.implicitDirty ? walkWithIntent(s, make, gpa, { ...req, access: 'write', checkPermissions: false })
    : walkStage(s, make(purpose === 'implicit-write'), gpa)
  if (isLeft(leaf)) return left(toIoFault(leaf.left))
  return right({ out: leafOutput(leaf.right, gpa), pte: leaf.right.pte, pageBits: leaf.right.pageBits })
}

// ---- the first stage ----------------------------------------------------------------------------------

interface IoFirstSpec extends StageSpec {
  readonly req: IoWalkRequest
  readonly g: IoStage
  readonly iova: bigint
}

/** The leaf rule of the first stage for an IO request ("Process-context fields", ENS and SUM). */
const firstStageIoDenial = (req: IoWalkRequest, flags: number): string | undefined => {
  const u = (flags & FLAG_U) !== 0
  if (!req.supervisor && !u) return 'user-privilege request to a page with U=0'
  if (req.supervisor && u && req.access === 'execute') return 'supervisor execute request to a U=1 page (regardless of SUM)'
  if (req.supervisor && u && !req.sum) return 'supervisor request to a U=1 page with PC.ta.SUM=0'
  if (!req.checkPermissions) return undefined
  if (req.access === 'execute') return (flags & FLAG_X) === 0 ? 'execute needs X=1' : undefined
  if (req.access === 'read') return (flags & FLAG_R) === 0 ? 'read needs R=1' : undefined
  return (flags & FLAG_W) === 0 ? 'write needs W=1' : undefined
}

const FIRST_RULES: StageRules<IoFirstSpec> = {
  denies: (f, flags) => firstStageIoDenial(f.req, flags),
  pageFault: (f, level, reason) => fault('PageFault', accessType(f.req.access), f.stage, level, reason, f.iova),
  accessFault: (f, level, reason) => fault('AccessFault', accessType(f.req.access), f.stage, level, reason, f.iova, 0n, 0n, true),
  // With a G-stage, first-stage PTE addresses are GPAs: each is G-stage translated as an implicit read
  // (or, for the A/D store, an implicit write) whose faults carry the original access type.
  ptePhys: (f, s, addr, write) => {
    if (f.g.scheme === undefined) return physicalTables(f, s, addr)
    const r = gStageWalk(s, f.g, f.req, addr, write ? 'implicit-write' : 'implicit-read')
    if (isLeft(r)) {
      const e = r.left
      return left(e.cause >= 20
        ? fault('GuestPageFault', accessType(f.req.access), 'G', -1, e.reason, f.iova, e.iotval2, 0n, true)
        : fault('AccessFault', accessType(f.req.access), 'G', -1, e.reason, f.iova, 0n, 0n, true))
    }
    return right(phys(r.right.out))
  },
}

/** First-stage translation of an IOVA to a GPA (identity when the first stage is Bare). */
export const firstStageWalk = (
  s: WalkSession, first: IoStage, g: IoStage, req: IoWalkRequest, iova: bigint, barePageBits: number,
): Either<IoWalkFault, IoStageResult> => {
  const { scheme } = first
  if (scheme === undefined) return right({ out: iova, pte: undefined, pageBits: barePageBits })
  const make = (isStore: boolean): IoFirstSpec => ({
    stage: g.scheme === undefined ? 'S' : 'VS', purpose: 'translate', scheme, root: first.root,
    adue: first.adUpdate, pbmte: req.svpbmt, napot: true, isStore, rules: FIRST_RULES, req, g, iova,
  })
  if (!isCanonical(iova, scheme)) {
    return left(toIoFault(FIRST_RULES.pageFault(make(false), -1, `IOVA ${hex(iova)} is not sign-extended for ${scheme.name}`)))
  }
  const leaf = walkWithIntent(s, make, iova, req)
  if (isLeft(leaf)) return left(toIoFault(leaf.left))
  return right({ out: leafOutput(leaf.right, iova), pte: leaf.right.pte, pageBits: leaf.right.pageBits })
}

// ---- sessions -------------------------------------------------------------------------------------------

/** A walk session whose physical check is the IOMMU's address width: accesses at or above 2^PAS fail. */
export const ioSession = (memory: PhysMemory, pas: number): WalkSession =>
  newSession(memory, (pa: PhysAddr) => (pa as bigint) >> BigInt(pas) === 0n)

/** The PTE stores (A/D updates) a session made, in order, as (address, value) pairs. */
export const sessionStores = (s: WalkSession): readonly { readonly addr: bigint, readonly value: bigint }[] =>
  s.trail.filter((t: TrailStep) => t.op === 'write' && !t.decision.startsWith('access fault')).map((t) => ({ addr: t.pteAddr, value: t.pte }))

export type { WalkSession, TrailStep }
/** "4 KiB", "2 MiB", … for a size given as log2 bytes (the walker's names). */
export { pageSizeName }
