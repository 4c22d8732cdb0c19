// The VM's G-stage (guest-physical → supervisor-physical) as the para-virtual composition uses it:
// the one place this folder calls the core walker (Priv. ISA, H chapter, "Guest Physical Address
// Translation"; Sv39x4/Sv48x4/Sv57x4 from hgatp). Kept small so a change of the walker's API stays here.
import { type Either, isLeft, left, right } from '../../bits/either.ts'
import { guestPhys } from '../../bits/address.ts'
import type { PhysMemory } from '../../memory/memory.ts'
import { type TranslationContext, translateGuestPhysical } from '../../mmu/translate.ts'
import type { DmaAccess } from './translate.ts'

/** The G-stage of the VM that owns the virtio-iommu: hgatp and the memory holding its tables. */
export interface GStage {
  readonly memory: PhysMemory
  readonly hgatp: bigint
}

/** A G-stage walk that failed: the cause a hart would take (guest-page fault 21/23, access fault 5/7). */
export interface GStageFault {
  readonly cause: bigint
  readonly gpa: bigint
  /** The walk level that decided (levels − 1 is the root), −1 when no PTE was read. */
  readonly level: number
  readonly reason: string
}

export interface GStageHit {
  readonly spa: bigint
  /** log2 of the size of the G-stage leaf (12, 21, 30, …; 64 when hgatp is Bare). */
  readonly pageBits: number
}

const off = { sum: false, mxr: false }
const noEnv = { adue: false, pbmte: false }

/**
 * The translation context of a G-stage-only walk: V=1, vsatp Bare, no Svadu (a leaf with A=0, or
 * D=0 for a write, faults: Svade), no Svpbmt, no Svnapot, every implicit access allowed by PMP.
 */
const gContext = (hgatp: bigint): TranslationContext => ({
  priv: 'S', virt: true, satp: 0n, vsatp: 0n, hgatp,
  mstatus: off, vsstatus: off, menvcfg: noEnv, henvcfg: noEnv, svnapot: false,
})

/** Translates a guest-physical address through the G-stage for a DMA read (a load) or write (a store). */
export const gStageTranslate = (g: GStage, gpa: bigint, access: DmaAccess): Either<GStageFault, GStageHit> => {
  const out = translateGuestPhysical(g.memory, gContext(g.hgatp), guestPhys(gpa), access === 'read' ? 'load' : 'store')
  const r = out.result
  if (isLeft(r)) return left({ cause: r.left.cause, gpa, level: r.left.level, reason: r.left.reason })
  return right({ spa: r.right.pa, pageBits: r.right.pageBits })
}
