// The hart's adapter to the master-neutral walker (src/mmu/): the translation context read from the
// CSRs (satp, vsatp, hgatp; SUM and MXR of mstatus and vsstatus; ADUE and PBMTE of menvcfg and henvcfg;
// PMP for the implicit page-table accesses), translation through the hart's TLB, and the translation
// fault as a trap (Priv. ISA, "Virtual Address Translation Process"; H chapter, "Two-Stage Address
// Translation" and "Trap Value Registers"). How fast this runs is the TLB's engine (mmu/tlb.ts).
import { type Either, isLeft } from '../bits/either.ts'
import { type VirtAddr } from '../bits/address.ts'
import { type AccessType, type TranslationFault } from '../mmu/faults.ts'
import { lookupOrWalk, walkWrote, withGuest, withPteCache } from '../mmu/tlb.ts'
import { PteCacheWork } from '../mmu/pte-cache.ts'
import { staleAnswer } from '../mmu/stale.ts'
import { type Translation, type Privilege, translate, untranslated } from '../mmu/translate.ts'
import { type ContextMaker, type HartContext, specContext } from './translation-context.ts'
import { type Trap, trap } from './trap.ts'
import { type Exec, type Mode } from './exec.ts'

export { type ContextMaker, type HartContext, type PmpCheck, contextFor, hartContext, specContext } from './translation-context.ts'

const PRIV_NAMES: readonly Privilege[] = ['U', 'S', 'S', 'M']

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
  // A guest walker (the model's VMM, --guest-translation shadow) answers V=1 misses; it sees every write.
  const guest = e.tlb.guest
  let walker = guest
  // Spike's PTE cache (mmu/pte-cache.ts): a walk reads through it while a program store has left a kept PTE
  // stale; otherwise memory holds every kept value and any walker answers alike, the cache following its trail.
  // (A shadow VMM's V=1 walks do not read through it.)
  const pc = guest === undefined || !mode.virt ? e.tlb.pteCache : undefined
  let work: PteCacheWork | undefined                          // made by a walk (a hit leaves the cache alone)
  const engineWalk = e.tlb.engine.walk
  const out = lookupOrWalk(e.tlb, e.memory, hc.key, hc.ctx, { va: va as VirtAddr, access, hlvx },
    guest !== undefined && mode.virt
      ? (memory, ctx, req) => { const w = walker!.walk(memory, ctx, req, [c.pmpcfg, c.pmpaddr]); walker = w.walker; return w.outcome }
      : pc === undefined ? undefined
        : pc.stale.size > 0 ? (memory, ctx, req) => translate(memory, ctx, req, work = new PteCacheWork(pc))
          : (memory, ctx, req) => { const w = engineWalk(memory, ctx, req); (work = new PteCacheWork(pc)).walked(w.trail); return w })
  e.tlb = work === undefined ? out.tlb : withPteCache(out.tlb, work.result(), work.dropTlb)
  if (walker !== undefined && !mode.virt && out.memory !== e.memory) walker = walkWrote(walker, out.trail)
  if (walker !== guest) e.tlb = withGuest(e.tlb, walker)
  e.memory = out.memory
  if (out.hit) e.tlbHits++
  else if (out.refs > 0) {
    e.walks++
    if (mode.virt) e.twoStageWalks++
  }
  const r: Either<TranslationFault, Translation> = out.result
  // A hit, or a walk that read a kept PTE a store has changed since (Spike's PTE cache), may answer stale.
  if ((out.hit || (pc !== undefined && pc.stale.size > 0)) && out.tlb.config.reportStale === true) noteStale(e, hc, va, access, mode, hlvx, r)
  if (isLeft(r)) return faultTrap(r.left, mode.virt)
  const pa = r.right.pa as bigint
  e.lastGpa = r.right.gpa
  e.lastPa = pa
  return pa
}

/**
 * `--report-stale`: walks the access afresh (its A/D updates discarded: only the comparison counts) and
 * records the hit if the walk answers otherwise (mmu/stale.ts). The hart goes on with the TLB's answer.
 */
const noteStale = (e: Exec, hc: HartContext, va: bigint, access: AccessType, mode: Mode, hlvx: boolean, hit: Either<TranslationFault, Translation>): void => {
  if (isLeft(hit) || hc.key.tag === undefined) return
  const fresh = e.tlb.engine.walk(e.memory, hc.ctx, { va: va as VirtAddr, access, hlvx })
  const s = staleAnswer(hc.key.tag, va, hit.right, fresh.result)
  if (s !== undefined) (e.stale ??= []).push({ ...s, pc: e.pc, access, priv: mode.priv, virt: mode.virt })
}
