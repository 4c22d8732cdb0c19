// One stage of page-table translation, written as the Priv. ISA's "Virtual Address Translation
// Process" (steps 1–8), for any bus master. The stage is data: S-stage (satp), VS-stage (vsatp, whose
// PTE addresses are guest-physical and pass through a G-stage first) and G-stage (hgatp, Sv..x4) all
// run this same loop; a hart and an IOMMU differ only in the `StageParams` they pass. A walk that fails
// says what failed and where (`WalkFailure`, after Sail's PTW_Error); each master maps that to its own
// fault in one place (the hart: faults.ts `translationFault`).
import { type Either, left, right, isLeft } from '../bits/either.ts'
import { phys, type PhysAddr } from '../bits/address.ts'
import { hex } from '../bits/bits.ts'
import { type PhysMemory, peek, poke } from '../memory/memory.ts'
import { regionAt } from '../memory/memory-map.ts'
import { type Scheme, inputBits, isCanonical } from './atp.ts'
import { type AccessType } from './exception-codes.ts'
import { type PermissionRule, denial } from './permissions.ts'
import { FLAG_A as F_A, FLAG_D as F_D, FLAG_R as F_R, FLAG_U as F_U, FLAG_V as F_V, FLAG_W as F_W, FLAG_X as F_X, PTESIZE, pteFlags, pteppn } from './pte.ts'
import { type PteCacheWork } from './pte-cache.ts'

/** PMP (or any other physical-protection) check on an implicit page-table access; true = allowed. */
export type PhysCheck = (pa: PhysAddr, size: number, op: 'read' | 'write') => boolean
export const allowAll: PhysCheck = () => true

/** Which translation stage: single-stage S (or an IOMMU's single first stage), VS-stage, or G-stage. */
export type Stage = 'S' | 'VS' | 'G'

/** Why a G-stage walk runs: for the final guest-physical address, or for the address of a VS-stage PTE. */
export type TrailPurpose = 'translate' | 'vs-pte' | 'vs-pte-write' | 'final'

/** One memory reference a walk made, with what the walker decided from it. */
export interface TrailStep {
  readonly stage: Stage
  readonly purpose: TrailPurpose
  readonly op: 'read' | 'write'
  readonly level: number
  readonly pteAddr: PhysAddr
  readonly pte: bigint
  readonly decision: string
}

/**
 * The state one translation threads through its implicit accesses. Created by the caller for a single
 * translation and mutated only inside that call (ST-monad style); the caller returns an immutable copy.
 */
export interface WalkSession {
  memory: PhysMemory
  readonly trail: TrailStep[]
  refs: number
  readonly physCheck: PhysCheck
  /** Spike's PTE cache, when the walk reads through it (pte-cache.ts): kept PTEs answer without memory or PMP. */
  readonly cache?: PteCacheWork | undefined
}

export const newSession = (memory: PhysMemory, physCheck: PhysCheck, cache?: PteCacheWork): WalkSession =>
  ({ memory, trail: [], refs: 0, physCheck, cache })

/** What a successful stage walk found. */
export interface StageLeaf {
  readonly stage: Stage
  /** First input address the leaf maps (the region base, a VA, GVA or GPA). */
  readonly inBase: bigint
  /** First output address of the region (a GPA for VS-stage, a PA for S- and G-stage). */
  readonly outBase: bigint
  /** Level of the leaf PTE (0 = 4 KiB). */
  readonly level: number
  /** The leaf PTE as it is in memory after any A/D update. */
  readonly pte: bigint
  /** log2 of the mapping size: 12, 16 (Svnapot 64 KiB), 21, 30, 39, 48. */
  readonly pageBits: number
  /** Physical address of the leaf PTE (for TLB bookkeeping and explanations). */
  readonly pteAddr: PhysAddr
}

// ---- the parameters of a stage ---------------------------------------------------------------------

/**
 * A G-stage as data: what a master's second stage is (a hart's hgatp with menvcfg and mstatus.MXR, an
 * IOMMU's iohgatp with its context's GADE). Used for the final guest-physical address and, as an
 * implicit access, for every PTE address of a VS-stage whose `tables` it is.
 */
export interface GStageParams {
  readonly scheme: Scheme
  /** Root table physical address (16 KiB aligned for the x4 schemes). */
  readonly root: bigint
  /** Svadu: the hardware sets A/D (menvcfg.ADUE for a hart). Otherwise Svade: a missing A or D faults. */
  readonly adue: boolean
  /** Svpbmt enabled (menvcfg.PBMTE for a hart); otherwise PBMT bits are reserved. */
  readonly pbmte: boolean
  /** Svnapot implemented; otherwise the N bit is reserved. */
  readonly napot: boolean
  /** HS-level MXR (mstatus.MXR for a hart) for the final access; never applied to implicit PTE accesses. */
  readonly mxr: boolean
}

/** One stage as data: everything the walk of steps 1–8 depends on besides memory and the input address. */
export interface StageParams {
  readonly stage: Stage
  /** How this walk's steps are labelled in the trail. */
  readonly purpose: TrailPurpose
  readonly scheme: Scheme
  /** Root table address: a PA, or a GPA when `tables` is set. */
  readonly root: bigint
  /** Svadu (hardware A/D update) for this stage; otherwise Svade. */
  readonly adue: boolean
  /** Svpbmt enabled for this stage; otherwise PBMT bits are reserved. */
  readonly pbmte: boolean
  /** Svnapot implemented; otherwise the N bit is reserved. */
  readonly napot: boolean
  /** The access step 5 checks; a store also needs (or sets) D in step 7. */
  readonly access: AccessType
  /** HLVX: a load that needs execute permission instead of read. */
  readonly hlvx: boolean
  /** The step-5 rule of this stage (first-stage U/SUM/MXR, or G-stage "every access is a U access"). */
  readonly permission: PermissionRule
  /**
   * Where this stage's page tables are: undefined = at physical addresses; a G-stage = at guest-physical
   * addresses, each PTE address translated by that G-stage first (an implicit read, or for the A/D
   * update an implicit write) — the VS-stage of two-stage translation.
   */
  readonly tables: GStageParams | undefined
  /**
   * How a PTE's guest-physical address in `tables` is reached, when a master does it otherwise than the
   * plain G-stage walk (an implicit read, or an implicit write for the A/D store): the IOMMU's option that
   * models its C reference model's dirty rule for implicit reads. Absent: `walkGuestPhysical` over `tables`.
   */
  readonly implicitWalk?: (s: WalkSession, gpa: bigint, op: 'read' | 'write') => Either<WalkFailure, PhysAddr>
}

// ---- what can go wrong -----------------------------------------------------------------------------

/** Where a failure happened: the stage, the level of the PTE that decided (−1: none was read), the stage's input address. */
interface FailureAt {
  readonly stage: Stage
  readonly level: number
  /** The address this stage was translating: a VA, a GVA, or a GPA (for a G-stage). */
  readonly addr: bigint
}

/** Step 3's reserved encodings, each named by the rule it breaks. */
export type ReservedRule =
  | 'write-without-read'    // W=1, R=0
  | 'reserved-bits'         // bits 60:54
  | 'napot-unimplemented'   // N=1 without Svnapot
  | 'pbmt-disabled'         // PBMT≠0 while this stage's PBMTE=0
  | 'pbmt-reserved'         // PBMT=3
  | 'pointer-attributes'    // a non-leaf with D, A, U, N or PBMT set
  | 'napot-encoding'        // N=1 other than at level 0 with ppn[3:0]=1000

/**
 * Why a walk failed: a closed set of cases (after Sail's `PTW_Error`), each with its stage, level and
 * the input address. Which step of the "Virtual Address Translation Process" each comes from:
 * - `AddressOutOfRange`: before step 1 — a VA not sign-extended (Sv39/48/57), a GPA wider than the x4 scheme;
 * - `PteAccess`: step 2 (the PTE read) or step 7 (the A/D write) violates PMA or PMP → access fault;
 * - `ImplicitAccess`: step 2 of a VS-stage — the G-stage translation of the PTE's guest-physical address failed;
 * - `InvalidPte`: step 3, V=0; `ReservedEncoding`: step 3, W without R or a reserved bit or encoding;
 * - `NoLeaf`: step 4, a pointer PTE at level 0; `Permission`: step 5; `MisalignedSuperpage`: step 6;
 * - `NeedsAccessedDirty`: step 7 under Svade, A=0 (or D=0 for a store).
 */
export type WalkFailure =
  | (FailureAt & { readonly _tag: 'AddressOutOfRange'; readonly scheme: Scheme })
  | (FailureAt & { readonly _tag: 'PteAccess'; readonly op: 'read' | 'write'; readonly pa: PhysAddr; readonly check: 'PMA' | 'PMP' })
  | (FailureAt & { readonly _tag: 'ImplicitAccess'; readonly op: 'read' | 'write'; readonly failure: WalkFailure })
  | (FailureAt & { readonly _tag: 'InvalidPte'; readonly pte: bigint })
  | (FailureAt & { readonly _tag: 'ReservedEncoding'; readonly rule: ReservedRule; readonly pte: bigint })
  | (FailureAt & { readonly _tag: 'NoLeaf'; readonly pte: bigint })
  | (FailureAt & { readonly _tag: 'Permission'; readonly reason: string; readonly pte: bigint })
  | (FailureAt & { readonly _tag: 'MisalignedSuperpage'; readonly pte: bigint })
  | (FailureAt & { readonly _tag: 'NeedsAccessedDirty'; readonly missing: 'A' | 'D'; readonly pte: bigint })

const RESERVED_TEXT: Readonly<Record<ReservedRule, string>> = {
  'write-without-read': 'W=1 with R=0 is reserved',
  'reserved-bits': 'reserved bits 60:54 are set',
  'napot-unimplemented': 'N=1 but Svnapot is not implemented',
  'pbmt-disabled': 'PBMT≠0 but PBMTE=0 for this stage',
  'pbmt-reserved': 'PBMT=3 is reserved',
  'pointer-attributes': 'non-leaf PTE with D, A, U, N or PBMT set (reserved)',
  'napot-encoding': 'N=1 with a reserved NAPOT encoding (only level 0, ppn[3:0]=1000 is defined)',
}

/** The failure in the spec's words (walk trails and explanations show it). */
export const describeFailure = (f: WalkFailure): string => {
  switch (f._tag) {
    case 'AddressOutOfRange':
      return f.stage === 'G'
        ? `GPA ${hex(f.addr)} has bits set above bit ${inputBits(f.scheme) - 1} (${f.scheme.name})`
        : `${f.stage === 'VS' ? 'GVA' : 'VA'} ${hex(f.addr)} is not canonical for ${f.scheme.name}`
    case 'PteAccess': return f.check === 'PMA' ? `PTE address ${hex(f.pa)} is not in RAM (PMA)` : `PTE ${f.op} at ${hex(f.pa)} denied by PMP`
    case 'ImplicitAccess': return describeFailure(f.failure)
    case 'InvalidPte': return 'V=0: invalid PTE'
    case 'ReservedEncoding': return RESERVED_TEXT[f.rule]
    case 'NoLeaf': return 'pointer PTE at level 0'
    case 'Permission': return f.reason
    case 'MisalignedSuperpage': return `misaligned superpage: ppn[${f.level - 1}:0] ≠ 0`
    case 'NeedsAccessedDirty': return f.missing === 'A' ? 'A=0 and hardware A/D update is off (Svade)' : 'store with D=0 and hardware A/D update is off (Svade)'
  }
}

// ---- the trail -------------------------------------------------------------------------------------

const PAGE_SHIFT = 12
const IDX_BITS = 9

const SIZE_NAMES: Readonly<Record<number, string>> = { 12: '4 KiB', 16: '64 KiB', 21: '2 MiB', 30: '1 GiB', 39: '512 GiB', 48: '256 TiB' }

/** The name of a mapping size given as log2 bytes: "4 KiB", "2 MiB", … */
export const pageSizeName = (pageBits: number): string => SIZE_NAMES[pageBits] ?? `2^${pageBits} B`

// What the walker decided at a step. The explanation text is built only when someone reads it: a walk
// records thousands of steps per second and most are never printed.
export const POINTER = 0, LEAF = 1, PAGE_FAULT = 2, ACCESS_FAULT = 3, AD_UPDATE = 4
export type DecisionKind = typeof POINTER | typeof LEAF | typeof PAGE_FAULT | typeof ACCESS_FAULT | typeof AD_UPDATE

/** The explanation of one walk step, built on demand. */
export const describeDecision = (kind: DecisionKind, pte: bigint, detail: string, pageBits: number): string => {
  switch (kind) {
    case POINTER: return `pointer → next table at ${hex(pteppn(pte) << 12n)}`
    case LEAF: {
      const bits = BigInt(pageBits)
      return `leaf ${pteFlags(pte)}: ${pageSizeName(pageBits)} page at ${hex(((pteppn(pte) << 12n) >> bits) << bits)}`
    }
    case PAGE_FAULT: return `page fault: ${detail}`
    case ACCESS_FAULT: return `access fault: ${detail}`
    case AD_UPDATE: return `A/D update: ${detail} set by hardware (Svadu)`
  }
}

class Step implements TrailStep {
  constructor(
    readonly stage: Stage, readonly purpose: TrailPurpose, readonly op: 'read' | 'write', readonly level: number,
    readonly pteAddr: PhysAddr, readonly pte: bigint,
    private readonly kind: DecisionKind, private readonly detail: string, private readonly pageBits: number,
  ) {}

  get decision(): string {
    return describeDecision(this.kind, this.pte, this.detail, this.pageBits)
  }

  toJSON(): object {
    return { stage: this.stage, purpose: this.purpose, op: this.op, level: this.level, pteAddr: this.pteAddr, pte: this.pte, decision: this.decision }
  }
}

const record = (
  s: WalkSession, p: StageParams, op: 'read' | 'write', level: number, pteAddr: PhysAddr, pte: bigint,
  kind: DecisionKind, detail = '', pageBits = 0,
): void => {
  s.trail.push(new Step(p.stage, p.purpose, op, level, pteAddr, pte, kind, detail, pageBits))
}

/** Records a failure at a PTE in the trail and returns it. */
const failAt = (s: WalkSession, p: StageParams, op: 'read' | 'write', pteAddr: PhysAddr, pte: bigint, f: WalkFailure): Either<WalkFailure, never> => {
  record(s, p, op, f.level, pteAddr, pte, f._tag === 'PteAccess' ? ACCESS_FAULT : PAGE_FAULT, describeFailure(f))
  return left(f)
}

// ---- the walk --------------------------------------------------------------------------------------

/** The PMA (memory map) and PMP checks on an implicit PTE access (step 2; step 7 for the A/D store). */
const pteAccessCheck = (s: WalkSession, pa: PhysAddr, op: 'read' | 'write'): 'PMA' | 'PMP' | undefined => {
  const region = regionAt(s.memory.map, pa, PTESIZE)
  if (region === undefined || region.kind !== 'ram') return 'PMA'
  if (!s.physCheck(pa, 8, op)) return 'PMP'
  return undefined
}

// Low PTE bits as a small number (bits 9:0) and the attribute field (bits 63:54) as another: the
// checks below then run on small integers instead of allocating a bigint per test.
const ATTR_RESERVED = 0x7f, ATTR_PBMT_SHIFT = 7, ATTR_N = 0x200

/**
 * Step 3's reserved-bit and reserved-encoding checks on a valid PTE's `flags` (bits 9:0) and `attrs`
 * (bits 63:54); returns the rule broken, or undefined when none is.
 */
const reservedEncoding = (p: StageParams, flags: number, attrs: number, ppnLow4: number, level: number): ReservedRule | undefined => {
  if ((flags & F_R) === 0 && (flags & F_W) !== 0) return 'write-without-read'
  if ((attrs & ATTR_RESERVED) !== 0) return 'reserved-bits'
  const n = (attrs & ATTR_N) !== 0
  const pbmt = (attrs >> ATTR_PBMT_SHIFT) & 3
  if (!p.napot && n) return 'napot-unimplemented'
  if (!p.pbmte && pbmt !== 0) return 'pbmt-disabled'
  if (pbmt === 3) return 'pbmt-reserved'
  if ((flags & (F_R | F_W | F_X)) === 0) {
    if ((flags & (F_D | F_A | F_U)) !== 0 || n || pbmt !== 0) return 'pointer-attributes'
  } else if (n) {
    // Svnapot: only a 4 KiB-level leaf with ppn[3:0] = 1000 (a 64 KiB range) is defined.
    if (level !== 0 || ppnLow4 !== 8) return 'napot-encoding'
  }
  return undefined
}

const LEVEL_SHIFT = [12n, 21n, 30n, 39n, 48n] as const
const IDX_MASK = 0x1ffn

/**
 * Where the PTE at table address `addr` is physically: the address itself, or for tables at
 * guest-physical addresses its G-stage translation as an implicit read (or, for the A/D update, an
 * implicit write), whose failure is wrapped as `ImplicitAccess` of this stage's `level`.
 */
const ptePhys = (s: WalkSession, p: StageParams, addr: bigint, level: number, input: bigint, op: 'read' | 'write'): Either<WalkFailure, PhysAddr> => {
  if (p.tables === undefined) return right(phys(addr))
  if (p.implicitWalk !== undefined) {
    const g = p.implicitWalk(s, addr, op)
    return isLeft(g) ? left({ _tag: 'ImplicitAccess', stage: p.stage, level, addr: input, op, failure: g.left }) : g
  }
  const g = walkGuestPhysical(s, p.tables, addr, op === 'read' ? 'load' : 'store', false, op === 'read' ? 'vs-pte' : 'vs-pte-write')
  if (isLeft(g)) return left({ _tag: 'ImplicitAccess', stage: p.stage, level, addr: input, op, failure: g.left })
  return right(g.right.pa)
}

/**
 * Walks one stage for input address `input` (steps 1–8; its range is checked by `walk`). Threads
 * `session` (memory after A/D writes, trail, reference count). Returns the leaf or what failed.
 */
export const walkStage = (s: WalkSession, p: StageParams, input: bigint): Either<WalkFailure, StageLeaf> => {
  const { levels, widenBits } = p.scheme
  const rootMask = (1n << BigInt(IDX_BITS + widenBits)) - 1n
  // Step 1: a = root table; i = LEVELS − 1.
  let a = p.root
  for (let i = levels - 1; i >= 0; i--) {
    const vpn = (input >> LEVEL_SHIFT[i]!) & (i === levels - 1 ? rootMask : IDX_MASK)
    // Step 2: pte = the PTE at a + vpn[i]·PTESIZE (for VS-stage, that address is itself G-stage translated).
    const where = ptePhys(s, p, a + vpn * PTESIZE, i, input, 'read')
    if (isLeft(where)) return where
    const pteAddr = where.right
    let pte = s.cache?.read(Number(pteAddr))
    if (pte === undefined) {
      const denied = pteAccessCheck(s, pteAddr, 'read')
      if (denied !== undefined) return failAt(s, p, 'read', pteAddr, 0n, { _tag: 'PteAccess', stage: p.stage, level: i, addr: input, op: 'read', pa: pteAddr, check: denied })
      pte = peek(s.memory, pteAddr, 8)
      s.cache?.fill(Number(pteAddr), pte)
    }
    s.refs++
    const flags = Number(pte & 0x3ffn)
    const ppn = pteppn(pte)
    // Step 3: invalid, W without R, or any reserved bit or encoding → page fault.
    if ((flags & F_V) === 0) return failAt(s, p, 'read', pteAddr, pte, { _tag: 'InvalidPte', stage: p.stage, level: i, addr: input, pte })
    const reserved = reservedEncoding(p, flags, Number(pte >> 54n), Number(ppn & 0xfn), i)
    if (reserved !== undefined) return failAt(s, p, 'read', pteAddr, pte, { _tag: 'ReservedEncoding', stage: p.stage, level: i, addr: input, rule: reserved, pte })
    // Step 4: a pointer (R=W=X=0) leads one level down; there is none below level 0.
    if ((flags & (F_R | F_W | F_X)) === 0) {
      if (i === 0) return failAt(s, p, 'read', pteAddr, pte, { _tag: 'NoLeaf', stage: p.stage, level: i, addr: input, pte })
      a = ppn << 12n
      record(s, p, 'read', i, pteAddr, pte, POINTER)
      continue
    }
    // Step 5: a leaf; check R/W/X and the U rules for this stage and privilege.
    const perm = denial(p.permission, p.access, p.hlvx, flags)
    if (perm !== undefined) return failAt(s, p, 'read', pteAddr, pte, { _tag: 'Permission', stage: p.stage, level: i, addr: input, reason: perm, pte })
    // Step 6: a superpage's low PPN fields must be zero.
    if (i > 0 && (ppn & ((1n << BigInt(IDX_BITS * i)) - 1n)) !== 0n) {
      return failAt(s, p, 'read', pteAddr, pte, { _tag: 'MisalignedSuperpage', stage: p.stage, level: i, addr: input, pte })
    }
    const napot = (Number(pte >> 54n) & ATTR_N) !== 0
    const pageBits = napot ? 16 : PAGE_SHIFT + IDX_BITS * i
    // Step 8 (computed now so the trail can show it): the output address.
    const lowBits = BigInt(pageBits)
    const outBase = ((ppn << 12n) >> lowBits) << lowBits
    const inBase = (input >> lowBits) << lowBits
    // Step 7: A=0, or a store with D=0: Svade faults; Svadu sets the bits with an (atomic) PTE store.
    const ad = F_A | (p.access === 'store' ? F_D : 0)
    const needsUpdate = (flags & ad) !== ad
    if (needsUpdate && !p.adue) {
      const missing = (flags & F_A) === 0 ? 'A' : 'D'
      return failAt(s, p, 'read', pteAddr, pte, { _tag: 'NeedsAccessedDirty', stage: p.stage, level: i, addr: input, missing, pte })
    }
    record(s, p, 'read', i, pteAddr, pte, LEAF, '', pageBits)
    let leafPte = pte
    if (needsUpdate) {
      // The PTE store is an implicit write: for VS-stage its GPA needs G-stage write permission first.
      const target = ptePhys(s, p, a + vpn * PTESIZE, i, input, 'write')
      if (isLeft(target)) return target
      const deniedW = pteAccessCheck(s, target.right, 'write')
      if (deniedW !== undefined) {
        return failAt(s, p, 'write', target.right, pte | BigInt(ad), { _tag: 'PteAccess', stage: p.stage, level: i, addr: input, op: 'write', pa: target.right, check: deniedW })
      }
      leafPte = pte | BigInt(ad)
      s.memory = poke(s.memory, target.right, 8, leafPte)
      s.cache?.fill(Number(target.right), leafPte)
      s.refs++
      record(s, p, 'write', i, target.right, leafPte, AD_UPDATE, `${(flags & F_A) === 0 ? 'A' : ''}${(ad & F_D) !== 0 && (flags & F_D) === 0 ? 'D' : ''}`)
    }
    return right({ stage: p.stage, inBase, outBase, level: i, pte: leafPte, pageBits, pteAddr })
  }
  // Unreachable: the loop returns at level 0 at the latest.
  return left({ _tag: 'NoLeaf', stage: p.stage, level: 0, addr: input, pte: 0n })
}

/**
 * Whether `input` is an address the stage translates at all: a first stage needs bits 63 down to the
 * scheme's width sign-extended (canonical); a G-stage needs every bit above its (widened) width zero.
 */
export const inRange = (p: Pick<StageParams, 'stage' | 'scheme'>, input: bigint): boolean =>
  p.stage === 'G' ? input >> BigInt(inputBits(p.scheme)) === 0n : isCanonical(input, p.scheme)

/** One stage from its input address: the range check, then steps 1–8. */
export const walk = (s: WalkSession, p: StageParams, input: bigint): Either<WalkFailure, StageLeaf> =>
  inRange(p, input) ? walkStage(s, p, input) : left({ _tag: 'AddressOutOfRange', stage: p.stage, level: -1, addr: input, scheme: p.scheme })

/** The parameters of a G-stage walk for one access: the final GPA (`final`) or a VS-stage PTE address. */
export const gStageParams = (g: GStageParams, access: AccessType, hlvx: boolean, purpose: TrailPurpose): StageParams => {
  const implicit = purpose === 'vs-pte' || purpose === 'vs-pte-write'
  return {
    stage: 'G', purpose, scheme: g.scheme, root: g.root, adue: g.adue, pbmte: g.pbmte, napot: g.napot,
    access, hlvx,
    // MXR for the G-stage is the HS-level one; it does not apply to implicit page-table reads.
    permission: { kind: 'G', mxr: g.mxr && !implicit },
    tables: undefined,
  }
}

/** G-stage translation of one guest-physical address inside a session: the physical address and the leaf. */
export const walkGuestPhysical = (
  s: WalkSession, g: GStageParams, gpa: bigint, access: AccessType, hlvx: boolean, purpose: TrailPurpose,
): Either<WalkFailure, { readonly pa: PhysAddr; readonly leaf: StageLeaf }> => {
  const leaf = walk(s, gStageParams(g, access, hlvx, purpose), gpa)
  if (isLeft(leaf)) return leaf
  return right({ pa: phys(leafOutput(leaf.right, gpa)), leaf: leaf.right })
}

/** The output address for `input` through `leaf` (step 8): the region base plus the untranslated low bits. */
export const leafOutput = (leaf: StageLeaf, input: bigint): bigint => leaf.outBase | (input & ((1n << BigInt(leaf.pageBits)) - 1n))
