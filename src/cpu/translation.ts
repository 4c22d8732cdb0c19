// The hart's adapter to the master-neutral walker (src/mmu/): the translation context read from the
// CSRs (satp, vsatp, hgatp; SUM and MXR of mstatus and vsstatus; ADUE and PBMTE of menvcfg and henvcfg;
// PMP for the implicit page-table accesses), translation through the hart's TLB, and the translation
// fault as a trap (Priv. ISA, "Virtual Address Translation Process"; H chapter, "Two-Stage Address
// Translation" and "Trap Value Registers"). How fast this runs is the TLB's engine (mmu/tlb.ts).
import { type Either, isLeft } from '../bits/either.ts'
import { type VirtAddr } from '../bits/address.ts'
import { type AccessType, type TranslationFault } from '../mmu/faults.ts'
import { type HartTag, type TlbKey, hartTlbKey, lookupOrWalk } from '../mmu/tlb.ts'
import { type Translation, type TranslationContext, type Privilege, untranslated } from '../mmu/translate.ts'
import { type Csrs, type Priv, PRV_S } from './hart.ts'
import { type Isa } from './isa.ts'
import { henvcfgRead } from './csr/access.ts'
import { ENVCFG_ADUE, ENVCFG_PBMTE, MSTATUS_MXR, MSTATUS_SUM } from './csr/fields.ts'
import { type PmpAccess, pmpAllows } from './pmp.ts'
import { type Trap, trap } from './trap.ts'
import { type Exec, type Mode } from './exec.ts'

const PRIV_NAMES: readonly Privilege[] = ['U', 'S', 'S', 'M']

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
export const specContext: ContextMaker = hartContext(pmpAllows)

/** The translation context of a CSR file at an effective mode (for the fences; accesses take it through the TLB engine). */
export const contextFor = (c: Csrs, isa: Isa, priv: Priv, virt: boolean): TranslationContext =>
  specContext(c, priv * 2 + (virt ? 1 : 0), isa).ctx

/**
 * A translation fault as the trap the hart takes: cause, tval (the VA, or GVA when V=1), htval/mtval2
 * (GPA >> 2) and htinst/mtinst as the fault carries them; the tval is a guest virtual address (GVA
 * bit) for every fault with V=1, and for every guest-page fault (HLV/HSV from HS-mode included).
 */
export const faultTrap = (f: TranslationFault, virt: boolean): Trap =>
  trap(f.cause, f.tval, f._tag === 'GuestPageFault' ? true : virt, f.htval, f.tinst)

/**
 * The translation half of an access: the physical address before PMP, or the translation's trap.
 * Threads the TLB and memory (A/D updates) and counts hits and walks in `e`; `context` reads the CSRs
 * (with the caller's PMP check for the implicit page-table accesses).
 */
export const translateOnly = (e: Exec, va: bigint, access: AccessType, mode: Mode, hlvx: boolean, context: ContextMaker = specContext): bigint | Trap => {
  const c = e.h.csr
  if (untranslated(PRIV_NAMES[mode.priv]!, mode.virt, c.satp)) {
    // No translation (M-mode, or satp = Bare): the address is physical, exactly as `translate` decides.
    e.lastGpa = undefined
    e.lastPa = va
    return va
  }
  const hc = e.tlb.engine.remember(c, mode.priv * 2 + (mode.virt ? 1 : 0), e.isa, context)
  const out = lookupOrWalk(e.tlb, e.memory, hc.key, hc.ctx, { va: va as VirtAddr, access, hlvx })
  e.tlb = out.tlb
  e.memory = out.memory
  if (out.hit) e.tlbHits++
  else if (out.refs > 0) {
    e.walks++
    if (mode.virt) e.twoStageWalks++
  }
  const r: Either<TranslationFault, Translation> = out.result
  if (isLeft(r)) return faultTrap(r.left, mode.virt)
  const pa = r.right.pa as bigint
  e.lastGpa = r.right.gpa
  e.lastPa = pa
  return pa
}
