// The one place the IOMMU uses the core page-table walker (src/mmu/walk.ts): first-stage and G-stage
// walks for "Process to translate an IOVA" (RISC-V IOMMU spec v1.0, step 17 and 19, which defer to the
// Priv. ISA's "Two-Stage Address Translation"), with the IOMMU's rules where they differ from a hart's:
// no MXR, privilege from the request (U unless a supervisor request carries a process_id), SUM from
// the process context, A/D updating by DC.tc.SADE / GADE, no permission checks for ATS translation
// requests (the completion carries the permissions instead), and faults mapped to IOMMU causes.
import { type Either, isLeft, left, right } from '../bits/either.ts'
import { type PhysAddr } from '../bits/address.ts'
import { hex } from '../bits/bits.ts'
import type { PhysMemory } from '../memory/memory.ts'
import { type Scheme } from '../mmu/atp.ts'
import { type AccessType } from '../mmu/faults.ts'
import { CAUSE } from '../mmu/exception-codes.ts'
import { FLAG_D, FLAG_U, FLAG_W, FLAG_R, FLAG_X } from '../mmu/pte.ts'
import {
  type GStageParams, type StageLeaf, type StageParams, type TrailPurpose, type TrailStep, type WalkFailure, type WalkSession,
  describeFailure, gStageParams, leafOutput, newSession, pageSizeName, walk,
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

// ---- the walker's failures as IOMMU causes ------------------------------------------------------------
// The causes are the hart's exception codes by access (IOMMU spec, "Fault/Event-Queue": 1/5/7 access
// fault, 12/13/15 page fault, 20/21/23 guest-page fault for execute/read/write).

const ACCESS_FAULT: Readonly<Record<IoAccess, bigint>> = { execute: CAUSE.fetchAccess, read: CAUSE.loadAccess, write: CAUSE.storeAccess }
const PAGE_FAULT: Readonly<Record<IoAccess, bigint>> = { execute: CAUSE.fetchPageFault, read: CAUSE.loadPageFault, write: CAUSE.storePageFault }
const GUEST_PAGE_FAULT: Readonly<Record<IoAccess, bigint>> = { execute: CAUSE.fetchGuestPageFault, read: CAUSE.loadGuestPageFault, write: CAUSE.storeGuestPageFault }

type GPurpose = 'final' | 'implicit-read' | 'implicit-write'

/** iotval2 bits 1:0 of a guest-page fault: 01 for an implicit read for first-stage translation, 11 for an implicit write. */
const IMPLICIT_BITS: Readonly<Record<GPurpose, bigint>> = { 'final': 0n, 'implicit-read': 1n, 'implicit-write': 3n }

/** A failed G-stage walk of `gpa`: an access fault on a PTE access, else a guest-page fault naming the GPA. */
const gStageFault = (f: WalkFailure, req: IoWalkRequest, gpa: bigint, purpose: GPurpose): IoWalkFault => {
  if (f._tag === 'PteAccess') return { cause: Number(ACCESS_FAULT[req.access]), iotval2: 0n, reason: describeFailure(f), stage: 'G' }
  const reason = f._tag === 'AddressOutOfRange'
    ? `GPA ${hex(gpa)} has bits set above bit ${f.scheme.levels * 9 + 12 + f.scheme.widenBits - 1} (${f.scheme.name})`
    : describeFailure(f)
  return { cause: Number(GUEST_PAGE_FAULT[req.access]), iotval2: (gpa & ~3n) | IMPLICIT_BITS[purpose], reason, stage: 'G' }
}

/** The leaf rule of the first stage for an IO request ("Process-context fields", ENS and SUM), in its words. */
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

/** A failed first-stage walk of `iova`: its implicit G-stage accesses fail as G-stage faults of the PTE's GPA. */
const firstStageFault = (f: WalkFailure, req: IoWalkRequest, iova: bigint): IoWalkFault => {
  if (f._tag === 'ImplicitAccess') return gStageFault(f.failure, req, f.failure.addr, f.op === 'read' ? 'implicit-read' : 'implicit-write')
  if (f._tag === 'PteAccess') return { cause: Number(ACCESS_FAULT[req.access]), iotval2: 0n, reason: describeFailure(f), stage: 'first' }
  const reason = f._tag === 'AddressOutOfRange' ? `IOVA ${hex(iova)} is not sign-extended for ${f.scheme.name}`
    : f._tag === 'Permission' ? firstStageIoDenial(req, Number(f.pte & 0xffn)) ?? describeFailure(f)
    : describeFailure(f)
  return { cause: Number(PAGE_FAULT[req.access]), iotval2: 0n, reason, stage: 'first' }
}

// ---- the walks ------------------------------------------------------------------------------------------

/** The access a walk is made for: a store needs (and under A/D updating sets) D. */
const walkAccess = (req: IoWalkRequest, isStore: boolean): AccessType =>
  isStore ? 'store' : req.access === 'execute' ? 'fetch' : 'load'

/**
 * The ATS rule for D: a write-intent translation request sets D only where the leaf grants W (the
 * completion then reports W). Walk as a read in a probe session; if the leaf has W=1 and D=0, walk as a
 * store instead, so that A and D are set by one PTE update (as the Priv. ISA's step 8 makes it, and the
 * C model does), never by two stores; otherwise the probe's walk is the walk.
 */
const walkWithIntent = (s: WalkSession, make: (isStore: boolean) => StageParams, input: bigint, req: IoWalkRequest): Either<WalkFailure, StageLeaf> => {
  if (req.access !== 'write' || req.checkPermissions) return walk(s, make(req.access === 'write'), input)
  const probe = newSession(s.memory, s.physCheck)
  const first = walk(probe, make(false), input)
  const flags = isLeft(first) ? 0 : Number(first.right.pte & 0xffn)
  if (!isLeft(first) && (flags & FLAG_W) !== 0 && (flags & FLAG_D) === 0) return walk(s, make(true), input)
  s.memory = probe.memory
  s.trail.push(...probe.trail)
  s.refs += probe.refs
  return first
}

const gStageOf = (g: IoStage & { scheme: Scheme }, req: IoWalkRequest): GStageParams =>
  ({ scheme: g.scheme, root: g.root, adue: g.adUpdate, pbmte: req.svpbmt, napot: true, mxr: false })

const TRAIL: Readonly<Record<GPurpose, TrailPurpose>> = { 'final': 'final', 'implicit-read': 'vs-pte', 'implicit-write': 'vs-pte-write' }

/**
 * One G-stage walk: "when checking the U bit in a second-stage PTE, the transaction is treated as not
 * requesting supervisor privilege", so U=0 always denies; R/W/X are checked for implicit accesses and
 * for the final GPA unless this is an ATS request's (the completion carries them).
 */
const gStageLeaf = (s: WalkSession, g: IoStage & { scheme: Scheme }, req: IoWalkRequest, gpa: bigint, purpose: GPurpose): Either<WalkFailure, StageLeaf> => {
  const params = (isStore: boolean, access: AccessType, uOnly: boolean): StageParams => {
    const p = gStageParams(gStageOf(g, req), access, false, TRAIL[purpose])
    return { ...p, access: isStore ? 'store' : access, permission: { kind: 'G', mxr: false, uOnly } }
  }
  if (purpose === 'final') return walkWithIntent(s, (st) => params(st, walkAccess(req, st), !req.checkPermissions), gpa, req)
  if (purpose === 'implicit-read' && req.implicitDirty) {
    // The C model's rule: an implicit read meeting a writable leaf with D=0 sets D (or faults under Svade).
    return walkWithIntent(s, (st) => params(st, 'load', false), gpa, { ...req, access: 'write', checkPermissions: false })
  }
  return walk(s, params(purpose === 'implicit-write', purpose === 'implicit-write' ? 'store' : 'load', false), gpa)
}

/** G-stage translation of a GPA inside a session (identity when the G-stage is Bare). */
export const gStageWalk = (
  s: WalkSession, g: IoStage, req: IoWalkRequest, gpa: bigint, purpose: GPurpose,
): Either<IoWalkFault, IoStageResult> => {
  const { scheme } = g
  if (scheme === undefined) return right({ out: gpa, pte: undefined, pageBits: 64 })
  const leaf = gStageLeaf(s, { ...g, scheme }, req, gpa, purpose)
  if (isLeft(leaf)) return left(gStageFault(leaf.left, req, gpa, purpose))
  return right({ out: leafOutput(leaf.right, gpa), pte: leaf.right.pte, pageBits: leaf.right.pageBits })
}

/** First-stage translation of an IOVA to a GPA (identity when the first stage is Bare). */
export const firstStageWalk = (
  s: WalkSession, first: IoStage, g: IoStage, req: IoWalkRequest, iova: bigint, barePageBits: number,
): Either<IoWalkFault, IoStageResult> => {
  const { scheme } = first
  if (scheme === undefined) return right({ out: iova, pte: undefined, pageBits: barePageBits })
  const gScheme = g.scheme
  const tables = gScheme === undefined ? undefined : gStageOf({ ...g, scheme: gScheme }, req)
  const make = (isStore: boolean): StageParams => ({
    stage: gScheme === undefined ? 'S' : 'VS', purpose: 'translate', scheme, root: first.root,
    adue: first.adUpdate, pbmte: req.svpbmt, napot: true, access: walkAccess(req, isStore), hlvx: false,
    permission: { kind: 'first', priv: req.supervisor ? 'S' : 'U', sum: req.sum, mxr: false, virt: gScheme !== undefined, uOnly: !req.checkPermissions },
    // With a G-stage, first-stage PTE addresses are GPAs: each is G-stage translated as an implicit read
    // (or, for the A/D store, an implicit write), by the IOMMU's G-stage rules.
    tables,
    ...(gScheme === undefined ? {} : {
      implicitWalk: (ss: WalkSession, gpa: bigint, op: 'read' | 'write'): Either<WalkFailure, PhysAddr> => {
        const leaf = gStageLeaf(ss, { ...g, scheme: gScheme }, req, gpa, op === 'read' ? 'implicit-read' : 'implicit-write')
        return isLeft(leaf) ? leaf : right(leafOutput(leaf.right, gpa) as PhysAddr)
      },
    }),
  })
  const leaf = walkWithIntent(s, make, iova, req)
  if (isLeft(leaf)) return left(firstStageFault(leaf.left, req, iova))
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
