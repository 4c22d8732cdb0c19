// The hart's translation faults as values: everything a trap needs (Priv. ISA, "Exception Codes" in
// the mcause table; H chapter, "Trap Value Registers (htval, htinst)" and "Transformed Instruction"),
// and the one place a walk failure (walk.ts, any master) becomes a hart's fault.
import { type AccessType, type FaultKind, EXCEPTION_NAMES, causeOf } from './exception-codes.ts'
import { type Stage, type WalkFailure, describeFailure } from './walk.ts'

export { type AccessType, type FaultKind, causeOf } from './exception-codes.ts'
export type { Stage } from './walk.ts'

export interface TranslationFault {
  readonly _tag: FaultKind
  /** mcause/scause code: page 12/13/15, guest-page 20/21/23, access 1/5/7 (fetch/load/store). */
  readonly cause: bigint
  /** The faulting virtual address (GVA when V=1): what xtval receives. */
  readonly tval: bigint
  /** For guest-page faults: the faulting guest-physical address shifted right by 2 (htval/mtval2); else 0. */
  readonly htval: bigint
  /**
   * htinst/mtinst: 0 for a fault on the explicit access; for a guest-page fault during an implicit
   * VS-stage PTE access the pseudoinstruction 0x3000 (RV64 read) or 0x3020 (RV64 write), as Spike writes.
   */
  readonly tinst: bigint
  /** True when the fault arose on an implicit access (a page-table read or A/D write), not the access itself. */
  readonly implicit: boolean
  /** The stage whose check failed. */
  readonly stage: Stage
  /** The level of the PTE that decided (levels−1 is the root), or −1 when no PTE was involved. */
  readonly level: number
  /** Which check failed, in the spec's words (for explanations). */
  readonly reason: string
}

/** Names of the translation-fault causes (the rows of the exception-code table they use). */
export const CAUSE_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  [1n, 5n, 7n, 12n, 13n, 15n, 20n, 21n, 23n].map((c) => [String(c), EXCEPTION_NAMES.get(c)!]),
)

/** Pseudoinstructions written to htinst for guest-page faults on implicit VS-stage PTE accesses (RV64). */
export const TINST_PTE_READ = 0x3000n
export const TINST_PTE_WRITE = 0x3020n

export const fault = (
  kind: FaultKind, access: AccessType, stage: Stage, level: number, reason: string,
  tval: bigint, htval = 0n, tinst = 0n, implicit = false,
): TranslationFault => ({ _tag: kind, cause: causeOf(kind, access), tval, htval, tinst, implicit, stage, level, reason })

/**
 * The hart's fault for a failed walk of `access` at `va` (the VA, or GVA when V=1). The cause is that
 * of the original access even when an implicit PTE access failed (Spike's trap_type); tval is always
 * the (guest) virtual address:
 * - a PMA/PMP violation on a PTE access, in any stage → access fault (1/5/7);
 * - any other failure of an S- or VS-stage → page fault (12/13/15);
 * - any other failure of the G-stage → guest-page fault (20/21/23) with htval = GPA >> 2, where the GPA
 *   is the access's own, or for an implicit VS-stage PTE access the PTE's; htinst = 0, or 0x3000/0x3020
 *   for the implicit read/write of a VS-stage PTE (H chapter, "Transformed Instruction or
 *   Pseudoinstruction for mtinst or htinst").
 */
export const translationFault = (f: WalkFailure, access: AccessType, va: bigint): TranslationFault => {
  const reason = describeFailure(f)
  const implicitG = f._tag === 'ImplicitAccess' ? f : undefined
  const at = implicitG?.failure ?? f
  if (at._tag === 'PteAccess') return fault('AccessFault', access, at.stage, at.level, reason, va, 0n, 0n, true)
  if (at.stage !== 'G') return fault('PageFault', access, at.stage, at.level, reason, va)
  const tinst = implicitG === undefined ? 0n : implicitG.op === 'read' ? TINST_PTE_READ : TINST_PTE_WRITE
  return fault('GuestPageFault', access, 'G', at.level, reason, va, at.addr >> 2n, tinst, implicitG !== undefined)
}
