// One stage of page-table translation, written as the Priv. ISA's "Virtual Address Translation
// Process" (steps 1–8). The stage is a parameter: S-stage (satp), VS-stage (vsatp, whose PTE
// addresses are guest-physical and pass through the G-stage first) and G-stage (hgatp, Sv..x4) all
// run this same loop; the IOMMU walks device contexts with it too. What differs per stage — how a PTE
// address reaches memory, the leaf permission rule, A/D and PBMT enables, how failures are reported —
// comes in through `StageSpec`.
import { type Either, left, right, isLeft } from 'fp-ts/lib/Either.js'
import { phys, type PhysAddr } from '../bits/address.ts'
import { hex } from '../bits/bits.ts'
import { type PhysMemory, peek, poke } from '../memory/memory.ts'
import { regionAt } from '../memory/memory-map.ts'
import { type Scheme } from './atp.ts'
import { type Stage, type TranslationFault } from './faults.ts'
import {
  PTE_A, PTE_D, PTE_N, PTE_PBMT, PTE_R, PTE_RESERVED, PTE_U, PTE_V, PTE_W, PTESIZE,
  isPointer, pteFlags, pteppn,
} from './pte.ts'

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
  /** Step 5: the leaf permission rule for this stage and access; returns why access is denied, or undefined. */
  readonly denies: (pte: bigint) => string | undefined
  /** A page fault of this stage (page fault for S/VS, guest-page fault for G), at `level`, for `reason`. */
  readonly pageFault: (level: number, reason: string) => TranslationFault
  /** An access fault on this stage's own implicit PTE access. */
  readonly accessFault: (level: number, reason: string) => TranslationFault
  /**
   * Where a PTE at table address `addr` lives physically. Identity for S- and G-stage; for VS-stage a
   * G-stage translation (an implicit read, or for `write` the implicit A/D store) that may fault.
   */
  readonly ptePhys: (session: WalkSession, addr: bigint, write: boolean) => Either<TranslationFault, PhysAddr>
}

const PAGE_SHIFT = 12
const IDX_BITS = 9

const sizeName = (pageBits: number): string =>
  ({ 12: '4 KiB', 16: '64 KiB', 21: '2 MiB', 30: '1 GiB', 39: '512 GiB', 48: '256 TiB' } as Record<number, string>)[pageBits] ?? `2^${pageBits} B`

const record = (s: WalkSession, spec: StageSpec, op: 'read' | 'write', level: number, pteAddr: PhysAddr, pte: bigint, decision: string): void => {
  s.trail.push({ stage: spec.stage, purpose: spec.purpose, op, level, pteAddr, pte, decision })
}

/** Reads or writes a PTE in physical memory with the PMA (memory map) and PMP checks of step 2. */
const pteAccessOk = (s: WalkSession, pa: PhysAddr, op: 'read' | 'write'): string | undefined => {
  const region = regionAt(s.memory.map, pa, PTESIZE)
  if (region === undefined || region.kind !== 'ram') return `PTE address ${hex(pa)} is not in RAM (PMA)`
  if (!s.physCheck(pa, 8, op)) return `PTE ${op} at ${hex(pa)} denied by PMP`
  return undefined
}

/** Step 3's reserved-bit and reserved-encoding checks; returns the reason, or undefined when none is hit. */
const reservedEncoding = (spec: StageSpec, pte: bigint, level: number): string | undefined => {
  if ((pte & PTE_V) === 0n) return 'V=0: invalid PTE'
  if ((pte & PTE_R) === 0n && (pte & PTE_W) !== 0n) return 'W=1 with R=0 is reserved'
  if ((pte & PTE_RESERVED) !== 0n) return 'reserved bits 60:54 are set'
  if (!spec.napot && (pte & PTE_N) !== 0n) return 'N=1 but Svnapot is not implemented'
  if (!spec.pbmte && (pte & PTE_PBMT) !== 0n) return 'PBMT≠0 but PBMTE=0 for this stage'
  if ((pte & PTE_PBMT) === PTE_PBMT) return 'PBMT=3 is reserved'
  if (isPointer(pte)) {
    if ((pte & (PTE_D | PTE_A | PTE_U | PTE_N | PTE_PBMT)) !== 0n) return 'non-leaf PTE with D, A, U, N or PBMT set (reserved)'
  } else if ((pte & PTE_N) !== 0n) {
    // Svnapot: only a 4 KiB-level leaf with ppn[3:0] = 1000 (a 64 KiB range) is defined.
    if (level !== 0 || (pteppn(pte) & 0xfn) !== 8n) return 'N=1 with a reserved NAPOT encoding (only level 0, ppn[3:0]=1000 is defined)'
  }
  return undefined
}

/**
 * Walks one stage for input address `input` (already checked for canonical form / width by the caller).
 * Threads `session` (memory after A/D writes, trail, reference count). Returns the leaf or the fault.
 */
export const walkStage = (s: WalkSession, spec: StageSpec, input: bigint): Either<TranslationFault, StageLeaf> => {
  const { levels, widenBits } = spec.scheme
  // Step 1: a = root table; i = LEVELS − 1.
  let a = spec.root
  for (let i = levels - 1; i >= 0; i--) {
    const idxBits = i === levels - 1 ? IDX_BITS + widenBits : IDX_BITS
    const vpn = (input >> BigInt(PAGE_SHIFT + IDX_BITS * i)) & ((1n << BigInt(idxBits)) - 1n)
    // Step 2: pte = the PTE at a + vpn[i]·PTESIZE (for VS-stage, that address is itself G-stage translated).
    const where = spec.ptePhys(s, a + vpn * PTESIZE, false)
    if (isLeft(where)) return where
    const pteAddr = where.right
    const denied = pteAccessOk(s, pteAddr, 'read')
    if (denied !== undefined) {
      record(s, spec, 'read', i, pteAddr, 0n, `access fault: ${denied}`)
      return left(spec.accessFault(i, denied))
    }
    const pte = peek(s.memory, pteAddr, 8)
    s.refs++
    // Step 3: invalid, W without R, or any reserved bit or encoding → page fault.
    const reserved = reservedEncoding(spec, pte, i)
    if (reserved !== undefined) {
      record(s, spec, 'read', i, pteAddr, pte, `page fault: ${reserved}`)
      return left(spec.pageFault(i, reserved))
    }
    // Step 4: a pointer (R=W=X=0) leads one level down; there is none below level 0.
    if (isPointer(pte)) {
      if (i === 0) {
        record(s, spec, 'read', i, pteAddr, pte, 'page fault: pointer PTE at level 0')
        return left(spec.pageFault(i, 'pointer PTE at level 0'))
      }
      a = pteppn(pte) << 12n
      record(s, spec, 'read', i, pteAddr, pte, `pointer → next table at ${hex(a)}`)
      continue
    }
    // Step 5: a leaf; check R/W/X and the U rules for this stage and privilege.
    const perm = spec.denies(pte)
    if (perm !== undefined) {
      record(s, spec, 'read', i, pteAddr, pte, `page fault: ${perm}`)
      return left(spec.pageFault(i, perm))
    }
    // Step 6: a superpage's low PPN fields must be zero.
    const ppn = pteppn(pte)
    const superBits = BigInt(IDX_BITS * i)
    if ((ppn & ((1n << superBits) - 1n)) !== 0n) {
      const why = `misaligned superpage: ppn[${i - 1}:0] ≠ 0`
      record(s, spec, 'read', i, pteAddr, pte, `page fault: ${why}`)
      return left(spec.pageFault(i, why))
    }
    const napot = (pte & PTE_N) !== 0n
    const pageBits = napot ? 16 : PAGE_SHIFT + IDX_BITS * i
    // Step 8 (computed now so the trail can show it): the output address.
    const lowBits = BigInt(pageBits)
    const outBase = ((ppn << 12n) >> lowBits) << lowBits
    const inBase = (input >> lowBits) << lowBits
    record(s, spec, 'read', i, pteAddr, pte, `leaf ${pteFlags(pte)}: ${sizeName(pageBits)} page at ${hex(outBase)}`)
    // Step 7: A=0, or a store with D=0: Svade faults; Svadu sets the bits with an (atomic) PTE store.
    const ad = PTE_A | (spec.isStore ? PTE_D : 0n)
    let leafPte = pte
    if ((pte & ad) !== ad) {
      if (!spec.adue) {
        const why = (pte & PTE_A) === 0n ? 'A=0 and hardware A/D update is off (Svade)' : 'store with D=0 and hardware A/D update is off (Svade)'
        s.trail[s.trail.length - 1] = { ...s.trail[s.trail.length - 1]!, decision: `page fault: ${why}` }
        return left(spec.pageFault(i, why))
      }
      // The PTE store is an implicit write: for VS-stage its GPA needs G-stage write permission first.
      const target = spec.ptePhys(s, a + vpn * PTESIZE, true)
      if (isLeft(target)) return target
      const deniedW = pteAccessOk(s, target.right, 'write')
      if (deniedW !== undefined) {
        record(s, spec, 'write', i, target.right, pte | ad, `access fault: ${deniedW}`)
        return left(spec.accessFault(i, deniedW))
      }
      leafPte = pte | ad
      s.memory = poke(s.memory, target.right, 8, leafPte)
      s.refs++
      record(s, spec, 'write', i, target.right, leafPte, `A/D update: ${(pte & PTE_A) === 0n ? 'A' : ''}${(ad & PTE_D) !== 0n && (pte & PTE_D) === 0n ? 'D' : ''} set by hardware (Svadu)`)
    }
    return right({ stage: spec.stage, inBase, outBase, level: i, pte: leafPte, pageBits, pteAddr })
  }
  // Unreachable: the loop returns at level 0 at the latest.
  return left(spec.pageFault(0, 'walk ended without a leaf'))
}

/** The output address for `input` through `leaf` (step 8): the region base plus the untranslated low bits. */
export const leafOutput = (leaf: StageLeaf, input: bigint): bigint => leaf.outBase | (input & ((1n << BigInt(leaf.pageBits)) - 1n))

/** Identity placement of PTEs: S-stage and G-stage tables live at physical addresses. */
export const physicalTables = (_s: WalkSession, addr: bigint): Either<TranslationFault, PhysAddr> => right(phys(addr))
