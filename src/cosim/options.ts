// The implementation-defined choices a design may make differently from Spike (the reference), as
// named options of the co-simulation (README "Spec fidelity choices"). Each default is Spike's.
import { type Isa } from '../cpu/isa.ts'
import { type ContextMaker, specContext } from '../cpu/translation-context.ts'
import { type HartAccel, specAccel } from '../cpu/accel.ts'
import { type TlbConfig, exactTlbConfig } from '../mmu/tlb.ts'

export interface CosimOptions {
  /**
   * Misaligned loads and stores (Priv. ISA leaves it to the implementation): 'isa' as the ISA string says
   * (Spike: trap with cause 4/6 unless it names `zicclsm`), 'trap' always, 'split' performed in
   * hardware (one page part after the other, as Spike does with Zicclsm).
   */
  readonly misaligned: 'isa' | 'trap' | 'split'
  /**
   * Updating PTE A/D bits: 'svadu' as menvcfg.ADUE / henvcfg.ADUE say (Spike), 'hardware' always by the
   * walker (the older Priv. ISA's other legal choice), 'fault' never (Svade: a page fault instead).
   */
  readonly adUpdate: 'svadu' | 'hardware' | 'fault'
  /**
   * When interrupts are taken: 'dut' — at the boundary the DUT reports (a trap event with bit 63 set),
   * checked to be pending, enabled and the highest-priority one there (Ibex's set_mip + step); the
   * model never takes one on its own. 'model' — where Spike's loop takes them (at a batch start), so a
   * DUT that takes one earlier or later differs.
   */
  readonly interrupts: 'dut' | 'model'
  /**
   * PMP granularity in bytes (a power of two ≥ 4; Spike's --pmpgranularity, default 4): pmpaddr bits
   * below it read as 0 (OFF/TOR) or 1 (NAPOT) after every write.
   */
  readonly pmpGranularity: bigint
  /**
   * TLB caching: 'spike' — the model's TLB is Spike's (flushed at every trap, xRET, fence and translation-CSR
   * write), so a DUT's addresses and values must be the ones it gives. 'exact' — the model keeps every
   * translation until a fence covers it (an architectural TLB, `memvirt run --tlb exact`, large enough never
   * to evict), and where it answered from a stale entry (one a fresh walk no longer gives: software changed a
   * PTE and no fence covered it yet) the DUT may have used either the stale translation or the fresh one.
   */
  readonly tlb: 'spike' | 'exact'
}

export const defaultCosimOptions: CosimOptions = {
  misaligned: 'isa', adUpdate: 'svadu', interrupts: 'dut', pmpGranularity: 4n, tlb: 'spike',
}

/** The ISA the model runs under the options (misaligned accesses). */
export const isaUnder = (isa: Isa, o: CosimOptions): Isa =>
  o.misaligned === 'isa' ? isa : { ...isa, misalignedInHardware: o.misaligned === 'split' }

/**
 * The translation context maker under the A/D option: Spike's as it is ('svadu'), or with ADUE forced
 * on or off in both menvcfg and henvcfg. (A new maker per option value: the TLB engine may remember
 * contexts per maker.)
 */
const forcedAdue = (adue: boolean): ContextMaker => (c, slot, isa) => {
  const hc = specContext(c, slot, isa)
  const ctx = { ...hc.ctx, menvcfg: { ...hc.ctx.menvcfg, adue }, henvcfg: { ...hc.ctx.henvcfg, adue } }
  return { ctx, key: hc.key }
}
const HARDWARE_AD = forcedAdue(true)
const FAULT_AD = forcedAdue(false)

/** The hart's accelerators under the options (the spec's, with the A/D choice in its context maker). */
export const accelUnder = (o: CosimOptions): HartAccel =>
  o.adUpdate === 'svadu' ? specAccel : { ...specAccel, context: o.adUpdate === 'hardware' ? HARDWARE_AD : FAULT_AD }

/**
 * The model's TLB under tlb 'exact': architectural (only covering fences remove entries), 65 536 entries of
 * 16 ways (so that replacement does not drop what a DUT may still hold), reporting the stale answers it gives.
 */
export const COSIM_EXACT_TLB: TlbConfig = exactTlbConfig({ entries: 1 << 16, ways: 16, replacement: 'lru' }, true) as TlbConfig
