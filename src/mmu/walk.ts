// One stage of page-table translation, written as the Priv. ISA's "Virtual Address Translation
// Process" (steps 1–8). The stage is a parameter: S-stage (satp), VS-stage (vsatp, whose PTE
// addresses are guest-physical and pass through the G-stage first) and G-stage (hgatp, Sv..x4) all
// run this same loop; the IOMMU walks device contexts with it too. What differs per stage — how a PTE
// address reaches memory, the leaf permission rule, A/D and PBMT enables, how failures are reported —
// comes in through `StageSpec`.
import { type Either, left, right, isLeft } from '../bits/either.ts'
import { phys, type PhysAddr } from '../bits/address.ts'
import { hex } from '../bits/bits.ts'
import { type PhysMemory, peek, poke } from '../memory/memory.ts'
import { regionAt } from '../memory/memory-map.ts'
import { type Scheme } from './atp.ts'
import { type Stage, type TranslationFault } from './faults.ts'
import { FLAG_A as F_A, FLAG_D as F_D, FLAG_R as F_R, FLAG_U as F_U, FLAG_V as F_V, FLAG_W as F_W, FLAG_X as F_X, PTESIZE, pteFlags, pteppn } from './pte.ts'

/** PMP (or any other physical-protection) check on an implicit page-table access; true = allowed. */
export type PhysCheck = (pa: PhysAddr, size: number, op: 'read' | 'write') => boolean
export const allowAll: PhysCheck = () => true

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
}

export const newSession = (memory: PhysMemory, physCheck: PhysCheck): WalkSession =>
  ({ memory, trail: [], refs: 0, physCheck })

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

/**
 * How one stage behaves, as functions of the stage's spec. Rules are module-level constants (one per
 * kind of stage), so a walk allocates no closures: the per-translation data lives in the spec.
 */
export interface StageRules<S extends StageSpec = StageSpec> {
  /** Step 5: the leaf permission rule, given the PTE's low flag bits; returns why access is denied, or undefined. */
  readonly denies: (spec: S, flags: number) => string | undefined
  /** A page fault of this stage (page fault for S/VS, guest-page fault for G), at `level`, for `reason`. */
  readonly pageFault: (spec: S, level: number, reason: string) => TranslationFault
  /** An access fault on this stage's own implicit PTE access. */
  readonly accessFault: (spec: S, level: number, reason: string) => TranslationFault
  /**
   * Where a PTE at table address `addr` lives physically. Identity for S- and G-stage; for VS-stage a
   * G-stage translation (an implicit read, or for `write` the implicit A/D store) that may fault.
   */
  readonly ptePhys: (spec: S, session: WalkSession, addr: bigint, write: boolean) => Either<TranslationFault, PhysAddr>
}

export interface StageSpec {
  readonly stage: Stage
  readonly purpose: TrailPurpose
  readonly scheme: Scheme
  /** Root table address: a PA for S- and G-stage, a GPA for VS-stage. */
  readonly root: bigint
  /** Svadu: hardware sets A/D (menvcfg.ADUE / henvcfg.ADUE). Otherwise Svade: A=0 or (store, D=0) faults. */
  readonly adue: boolean
  /** Svpbmt enabled for this stage (menvcfg.PBMTE / henvcfg.PBMTE); otherwise PBMT bits are reserved. */
  readonly pbmte: boolean
  /** Svnapot implemented; otherwise the N bit is reserved. */
  readonly napot: boolean
  /** Whether this access sets D (a store or AMO). */
  readonly isStore: boolean
  // The rules are typed loosely here; each kind of stage narrows the spec it receives.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly rules: StageRules<any>
}

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
  s: WalkSession, spec: StageSpec, op: 'read' | 'write', level: number, pteAddr: PhysAddr, pte: bigint,
  kind: DecisionKind, detail = '', pageBits = 0,
): void => {
  s.trail.push(new Step(spec.stage, spec.purpose, op, level, pteAddr, pte, kind, detail, pageBits))
}

/** Reads or writes a PTE in physical memory with the PMA (memory map) and PMP checks of step 2. */
const pteAccessOk = (s: WalkSession, pa: PhysAddr, op: 'read' | 'write'): string | undefined => {
  const region = regionAt(s.memory.map, pa, PTESIZE)
  if (region === undefined || region.kind !== 'ram') return `PTE address ${hex(pa)} is not in RAM (PMA)`
  if (!s.physCheck(pa, 8, op)) return `PTE ${op} at ${hex(pa)} denied by PMP`
  return undefined
}

// Low PTE bits as a small number (bits 9:0) and the attribute field (bits 63:54) as another: the
// checks below then run on small integers instead of allocating a bigint per test.
const ATTR_RESERVED = 0x7f, ATTR_PBMT_SHIFT = 7, ATTR_N = 0x200

/**
 * Step 3's reserved-bit and reserved-encoding checks on a PTE's `flags` (bits 9:0) and `attrs`
 * (bits 63:54); returns the reason, or undefined when none is hit.
 */
const reservedEncoding = (spec: StageSpec, flags: number, attrs: number, ppnLow4: number, level: number): string | undefined => {
  if ((flags & F_V) === 0) return 'V=0: invalid PTE'
  if ((flags & F_R) === 0 && (flags & F_W) !== 0) return 'W=1 with R=0 is reserved'
  if ((attrs & ATTR_RESERVED) !== 0) return 'reserved bits 60:54 are set'
  const n = (attrs & ATTR_N) !== 0
  const pbmt = (attrs >> ATTR_PBMT_SHIFT) & 3
  if (!spec.napot && n) return 'N=1 but Svnapot is not implemented'
  if (!spec.pbmte && pbmt !== 0) return 'PBMT≠0 but PBMTE=0 for this stage'
  if (pbmt === 3) return 'PBMT=3 is reserved'
  if ((flags & (F_R | F_W | F_X)) === 0) {
    if ((flags & (F_D | F_A | F_U)) !== 0 || n || pbmt !== 0) return 'non-leaf PTE with D, A, U, N or PBMT set (reserved)'
  } else if (n) {
    // Svnapot: only a 4 KiB-level leaf with ppn[3:0] = 1000 (a 64 KiB range) is defined.
    if (level !== 0 || ppnLow4 !== 8) return 'N=1 with a reserved NAPOT encoding (only level 0, ppn[3:0]=1000 is defined)'
  }
  return undefined
}

const LEVEL_SHIFT = [12n, 21n, 30n, 39n, 48n] as const
const IDX_MASK = 0x1ffn

/**
 * Walks one stage for input address `input` (already checked for canonical form / width by the caller).
 * Threads `session` (memory after A/D writes, trail, reference count). Returns the leaf or the fault.
 */
export const walkStage = (s: WalkSession, spec: StageSpec, input: bigint): Either<TranslationFault, StageLeaf> => {
  const { levels, widenBits } = spec.scheme
  const rootMask = (1n << BigInt(IDX_BITS + widenBits)) - 1n
  // Step 1: a = root table; i = LEVELS − 1.
  let a = spec.root
  for (let i = levels - 1; i >= 0; i--) {
    const vpn = (input >> LEVEL_SHIFT[i]!) & (i === levels - 1 ? rootMask : IDX_MASK)
    // Step 2: pte = the PTE at a + vpn[i]·PTESIZE (for VS-stage, that address is itself G-stage translated).
    const where = spec.rules.ptePhys(spec, s, a + vpn * PTESIZE, false)
    if (isLeft(where)) return where
    const pteAddr = where.right
    const denied = pteAccessOk(s, pteAddr, 'read')
    if (denied !== undefined) {
      record(s, spec, 'read', i, pteAddr, 0n, ACCESS_FAULT, denied)
      return left(spec.rules.accessFault(spec, i, denied))
    }
    const pte = peek(s.memory, pteAddr, 8)
    s.refs++
    const flags = Number(pte & 0x3ffn)
    const ppn = pteppn(pte)
    // Step 3: invalid, W without R, or any reserved bit or encoding → page fault.
    const reserved = reservedEncoding(spec, flags, Number(pte >> 54n), Number(ppn & 0xfn), i)
    if (reserved !== undefined) {
      record(s, spec, 'read', i, pteAddr, pte, PAGE_FAULT, reserved)
      return left(spec.rules.pageFault(spec, i, reserved))
    }
    // Step 4: a pointer (R=W=X=0) leads one level down; there is none below level 0.
    if ((flags & (F_R | F_W | F_X)) === 0) {
      if (i === 0) {
        record(s, spec, 'read', i, pteAddr, pte, PAGE_FAULT, 'pointer PTE at level 0')
        return left(spec.rules.pageFault(spec, i, 'pointer PTE at level 0'))
      }
      a = ppn << 12n
      record(s, spec, 'read', i, pteAddr, pte, POINTER)
      continue
    }
    // Step 5: a leaf; check R/W/X and the U rules for this stage and privilege.
    const perm = spec.rules.denies(spec, flags)
    if (perm !== undefined) {
      record(s, spec, 'read', i, pteAddr, pte, PAGE_FAULT, perm)
      return left(spec.rules.pageFault(spec, i, perm))
    }
    // Step 6: a superpage's low PPN fields must be zero.
    if (i > 0 && (ppn & ((1n << BigInt(IDX_BITS * i)) - 1n)) !== 0n) {
      const why = `misaligned superpage: ppn[${i - 1}:0] ≠ 0`
      record(s, spec, 'read', i, pteAddr, pte, PAGE_FAULT, why)
      return left(spec.rules.pageFault(spec, i, why))
    }
    const napot = (Number(pte >> 54n) & ATTR_N) !== 0
    const pageBits = napot ? 16 : PAGE_SHIFT + IDX_BITS * i
    // Step 8 (computed now so the trail can show it): the output address.
    const lowBits = BigInt(pageBits)
    const outBase = ((ppn << 12n) >> lowBits) << lowBits
    const inBase = (input >> lowBits) << lowBits
    // Step 7: A=0, or a store with D=0: Svade faults; Svadu sets the bits with an (atomic) PTE store.
    const ad = F_A | (spec.isStore ? F_D : 0)
    const needsUpdate = (flags & ad) !== ad
    if (needsUpdate && !spec.adue) {
      const why = (flags & F_A) === 0 ? 'A=0 and hardware A/D update is off (Svade)' : 'store with D=0 and hardware A/D update is off (Svade)'
      record(s, spec, 'read', i, pteAddr, pte, PAGE_FAULT, why)
      return left(spec.rules.pageFault(spec, i, why))
    }
    record(s, spec, 'read', i, pteAddr, pte, LEAF, '', pageBits)
    let leafPte = pte
    if (needsUpdate) {
      // The PTE store is an implicit write: for VS-stage its GPA needs G-stage write permission first.
      const target = spec.rules.ptePhys(spec, s, a + vpn * PTESIZE, true)
      if (isLeft(target)) return target
      const deniedW = pteAccessOk(s, target.right, 'write')
      if (deniedW !== undefined) {
        record(s, spec, 'write', i, target.right, pte | BigInt(ad), ACCESS_FAULT, deniedW)
        return left(spec.rules.accessFault(spec, i, deniedW))
      }
      leafPte = pte | BigInt(ad)
      s.memory = poke(s.memory, target.right, 8, leafPte)
      s.refs++
      record(s, spec, 'write', i, target.right, leafPte, AD_UPDATE, `${(flags & F_A) === 0 ? 'A' : ''}${(ad & F_D) !== 0 && (flags & F_D) === 0 ? 'D' : ''}`)
    }
    return right({ stage: spec.stage, inBase, outBase, level: i, pte: leafPte, pageBits, pteAddr })
  }
  // Unreachable: the loop returns at level 0 at the latest.
  return left(spec.rules.pageFault(spec, 0, 'walk ended without a leaf'))
}

/** The output address for `input` through `leaf` (step 8): the region base plus the untranslated low bits. */
export const leafOutput = (leaf: StageLeaf, input: bigint): bigint => leaf.outBase | (input & ((1n << BigInt(leaf.pageBits)) - 1n))

/** Identity placement of PTEs: S-stage and G-stage tables live at physical addresses. */
export const physicalTables = (_spec: StageSpec, _s: WalkSession, addr: bigint): Either<TranslationFault, PhysAddr> => right(phys(addr))
