// Translation faults as values: everything a trap needs (Priv. ISA, "Exception Codes" in the
// mcause table; H chapter, "Trap Value Registers (htval, htinst)" and "Transformed Instruction").

/** The kind of access that asked for a translation. `store` covers AMOs and SC. */
export type AccessType = 'fetch' | 'load' | 'store'

/** Which translation stage decided: single-stage S (V=0), VS-stage, or G-stage. */
export type Stage = 'S' | 'VS' | 'G'

export type FaultKind = 'PageFault' | 'GuestPageFault' | 'AccessFault'

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

const CAUSES: Record<FaultKind, Record<AccessType, bigint>> = {
  PageFault: { fetch: 12n, load: 13n, store: 15n },
  GuestPageFault: { fetch: 20n, load: 21n, store: 23n },
  AccessFault: { fetch: 1n, load: 5n, store: 7n },
}

/** The cause code for a fault kind on an access type. */
export const causeOf = (kind: FaultKind, access: AccessType): bigint => CAUSES[kind][access]

export const CAUSE_NAMES: Readonly<Record<string, string>> = {
  '1': 'instruction access fault', '5': 'load access fault', '7': 'store/AMO access fault',
  '12': 'instruction page fault', '13': 'load page fault', '15': 'store/AMO page fault',
  '20': 'instruction guest-page fault', '21': 'load guest-page fault', '23': 'store/AMO guest-page fault',
}

/** Pseudoinstructions written to htinst for guest-page faults on implicit VS-stage PTE accesses (RV64). */
export const TINST_PTE_READ = 0x3000n
export const TINST_PTE_WRITE = 0x3020n

export const fault = (
  kind: FaultKind, access: AccessType, stage: Stage, level: number, reason: string,
  tval: bigint, htval = 0n, tinst = 0n, implicit = false,
): TranslationFault => ({ _tag: kind, cause: causeOf(kind, access), tval, htval, tinst, implicit, stage, level, reason })
