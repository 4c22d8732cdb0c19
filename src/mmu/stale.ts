// Stale translations: a TLB hit whose answer a fresh page-table walk would not give. The spec lets a hart
// use such answers until a fence orders the page-table stores before its implicit reads (Priv. ISA,
// "Supervisor Memory-Management Fence Instruction"; H chapter, "Hypervisor Memory-Management Fence
// Instructions"); `memvirt run --report-stale` lists them, with the fence that would have removed the
// entry, as a missing-fence detector. The fences are those of tlb.ts, which this names; it decides nothing
// about the answer the hart uses.
import { type Either, isLeft } from '../bits/either.ts'
import { type TranslationFault } from './faults.ts'
import { PTE_G } from './pte.ts'
import { type Translation } from './translate.ts'
import { type HartTag, type VmaFence, type GvmaFence } from './tlb.ts'
import { type StageLeaf } from './walk.ts'

/** What a fresh walk answers: a physical (and, with V=1, guest-physical) address, or a fault. */
export type FreshAnswer =
  | { readonly _tag: 'Translated'; readonly pa: bigint; readonly gpa: bigint | undefined }
  | { readonly _tag: 'Fault'; readonly fault: TranslationFault }

/**
 * The narrowest fence, executed before the access, that tlb.ts says removes the entry that answered:
 * SFENCE.VMA for an S-stage entry (V=0); for a guest's entry HFENCE.VVMA (or SFENCE.VMA in VS-mode) when
 * its VS-stage part went stale, else HFENCE.GVMA for the final guest-physical address. `asid` is absent
 * for a global leaf (only rs2 = x0 covers it).
 */
export type CoveringFence =
  | { readonly insn: 'sfence.vma'; readonly va: bigint; readonly asid: bigint | undefined }
  | { readonly insn: 'hfence.vvma'; readonly va: bigint; readonly asid: bigint | undefined; readonly vmid: number }
  | { readonly insn: 'hfence.gvma'; readonly gpa: bigint; readonly vmid: number }

/** An access the TLB answered differently from a fresh walk. */
export interface StaleAnswer {
  /** The address translated (a VA, or a GVA when V=1). */
  readonly va: bigint
  /** What the TLB answered (the hart used it). */
  readonly stalePa: bigint
  readonly staleGpa: bigint | undefined
  readonly fresh: FreshAnswer
  readonly fence: CoveringFence
}

const samePage = (a: bigint | undefined, b: bigint | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a >> 12n === b >> 12n)

const sameLeaf = (a: StageLeaf | undefined, b: StageLeaf | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.pte === b.pte && a.pteAddr === b.pteAddr && a.level === b.level)

/**
 * Did the first stage (VS) of a guest's hit go stale? When the walk now faults in that stage, or on a
 * VS-stage page-table access, or maps the GVA to another leaf or guest-physical page. (A VS-stage page
 * table moved by the G-stage counts here too: tlb.ts's entries keep no G-stage leaf of a table page, so
 * HFENCE.VVMA is what removes them.)
 */
const firstStageStale = (hit: Translation, fresh: Either<TranslationFault, Translation>): boolean => {
  if (hit.first === undefined) return false
  if (isLeft(fresh)) return fresh.left._tag !== 'GuestPageFault' || fresh.left.implicit
  return !sameLeaf(hit.first, fresh.right.first) || !samePage(hit.gpa, fresh.right.gpa)
}

/** The fence covering a hit of `tag` (see `CoveringFence`). */
export const coveringFence = (tag: HartTag, hit: Translation, fresh: Either<TranslationFault, Translation>, va: bigint): CoveringFence => {
  const asid = hit.first !== undefined && (hit.first.pte & PTE_G) === 0n ? BigInt(tag.asid) : undefined
  if (!tag.virt) return { insn: 'sfence.vma', va, asid }
  if (firstStageStale(hit, fresh)) return { insn: 'hfence.vvma', va, asid, vmid: tag.vmid }
  return { insn: 'hfence.gvma', gpa: (hit.gpa as bigint | undefined) ?? va, vmid: tag.vmid }
}

/**
 * Compares a TLB hit with a fresh walk of the same access: undefined when the walk gives the same
 * physical address, else (another address, or a fault) what differs and the covering fence.
 */
export const staleAnswer = (tag: HartTag, va: bigint, hit: Translation, fresh: Either<TranslationFault, Translation>): StaleAnswer | undefined => {
  if (!isLeft(fresh) && fresh.right.pa === hit.pa) return undefined
  return {
    va,
    stalePa: hit.pa,
    staleGpa: hit.gpa,
    fresh: isLeft(fresh) ? { _tag: 'Fault', fault: fresh.left } : { _tag: 'Translated', pa: fresh.right.pa, gpa: fresh.right.gpa },
    fence: coveringFence(tag, hit, fresh, va),
  }
}

/** The fence's operands as tlb.ts's fences take them (HFENCE.GVMA: the guest-physical address itself, not rs1 = GPA >> 2). */
export const fenceOperands = (f: CoveringFence): VmaFence | GvmaFence =>
  f.insn === 'hfence.gvma' ? { gpa: f.gpa, vmid: BigInt(f.vmid) }
    : f.asid === undefined ? { va: f.va } : { va: f.va, asid: f.asid }
