// The hart's translation context: what the CSR file says about translation at one effective mode
// (satp, vsatp, hgatp; SUM and MXR of mstatus and vsstatus; ADUE and PBMTE of menvcfg and henvcfg; PMP for
// the implicit page-table accesses), and its TLB key (Priv. ISA, "Virtual Address Translation Process";
// H chapter, "Two-Stage Address Translation"). The step's accelerators carry the maker (accel.ts).
import { type HartTag, type TlbKey, hartTlbKey } from '../mmu/tlb.ts'
import { type TranslationContext, type Privilege } from '../mmu/translate.ts'
import { type PmpAccess, pmpAllowsAt } from '../memory/pmp.ts'
import { type Csrs, type Priv, PRV_S } from './hart.ts'
import { type Isa } from './isa.ts'
import { henvcfgRead } from './csr/access.ts'
import { ENVCFG_ADUE, ENVCFG_PBMTE, MSTATUS_MXR, MSTATUS_SUM } from './csr/fields.ts'

export const PRIV_NAMES: readonly Privilege[] = ['U', 'S', 'S', 'M']

/** A translation context and its TLB key: what the CSR file says about translation at one mode. */
export interface HartContext {
  readonly ctx: TranslationContext
  readonly key: TlbKey<HartTag>
}

/** A PMP check as the hart makes it (memory-access.ts passes the one it uses for its own accesses). */
export type PmpCheck = (c: Csrs, pa: bigint, len: number, access: PmpAccess, priv: Priv) => boolean

/** The hart's context of a CSR file at slot = effective priv·2 + V, for an ISA: see `hartContext`. */
export type ContextMaker = (c: Csrs, slot: number, isa: Isa) => HartContext

/**
 * The translation context of a CSR file for accesses at effective privilege and V given as
 * `slot` = priv·2 + V, with implicit page-table accesses checked by `pmp` as S-mode accesses. What it
 * returns is a pure function of (c, slot, isa): the TLB's engine may remember it per CSR file, so make
 * one maker per PMP check (a module-level constant) and reuse it.
 */
export const hartContext = (pmp: PmpCheck): ContextMaker => (c, slot, isa) => {
  const priv = slot >> 1
  const virt = (slot & 1) === 1
  const henv = henvcfgRead(c)
  const ctx: TranslationContext = {
    priv: PRIV_NAMES[priv]!, virt,
    satp: c.satp, vsatp: c.vsatp, hgatp: c.hgatp,
    mstatus: { sum: (c.mstatus & MSTATUS_SUM) !== 0n, mxr: (c.mstatus & MSTATUS_MXR) !== 0n },
    vsstatus: { sum: (c.vsstatus & MSTATUS_SUM) !== 0n, mxr: (c.vsstatus & MSTATUS_MXR) !== 0n },
    menvcfg: { adue: (c.menvcfg & ENVCFG_ADUE) !== 0n, pbmte: (c.menvcfg & ENVCFG_PBMTE) !== 0n },
    // henvcfg as the VS-stage sees it: ADUE/PBMTE read as 0 while menvcfg's are 0.
    henvcfg: { adue: (henv & ENVCFG_ADUE) !== 0n, pbmte: (henv & ENVCFG_PBMTE) !== 0n },
    svnapot: isa.svnapot,
    // Implicit page-table accesses are checked by PMP as S-mode accesses.
    physCheck: (pa, size, op) => pmp(c, pa, size, op === 'read' ? 'load' : 'store', PRV_S),
  }
  return { ctx, key: hartTlbKey(ctx) }
}

/** The context maker with the readable PMP check. */
export const specContext: ContextMaker = hartContext(pmpAllowsAt)

/** The translation context of a CSR file at an effective mode (for the fences; accesses take it through the TLB engine). */
export const contextFor = (c: Csrs, isa: Isa, priv: Priv, virt: boolean): TranslationContext =>
  specContext(c, priv * 2 + (virt ? 1 : 0), isa).ctx

