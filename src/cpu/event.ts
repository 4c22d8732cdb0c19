// What one step did, as a small value: enough for Spike's commit log and for the richer trace.
// Formatting lives in src/trace/; the model only reports.
import { type Priv } from './hart.ts'
import { type Trap, type TrapTarget } from './trap.ts'
import { type AccessType } from '../mmu/faults.ts'
import { type StaleAnswer } from '../mmu/stale.ts'

/**
 * A load the instruction made: the address it used (a guest-virtual one while V = 1), where it went —
 * the guest-physical address when V = 1 (after the VS stage), the physical address — the size in bytes
 * and the value read (zero-extended, before any sign extension). An access split across two pages
 * (misaligned, done in hardware) reports the addresses of its first byte.
 */
export interface MemRead { readonly va: bigint; readonly gpa: bigint | undefined; readonly pa: bigint; readonly size: number; readonly value: bigint }
/** A store the instruction made: addresses as for MemRead, the value stored (its low `size` bytes) and size. */
export interface MemWrite { readonly va: bigint; readonly gpa: bigint | undefined; readonly pa: bigint; readonly value: bigint; readonly size: number }

/**
 * What the step's address translations cost (fetches and data accesses with translation on; page-table
 * walks include the two-stage ones): for statistics such as a TLB hit rate. Bare translations count nothing.
 */
export interface TranslationCounts {
  /** Translations answered by the TLB. */
  readonly tlbHits: number
  /** Page-table walks made (a TLB miss, or an entry that could not be used). */
  readonly walks: number
  /** Of those walks, the ones made while V = 1 (VS-stage nested in G-stage, or G-stage alone). */
  readonly twoStageWalks: number
}

/**
 * A translation the TLB answered differently from a fresh walk (`--report-stale`, mmu/stale.ts): the
 * instruction's pc, the access and the mode it was translated at (MPRV and HLV/HSV resolved).
 */
export interface StaleTranslation extends StaleAnswer {
  readonly pc: bigint
  readonly access: AccessType
  readonly priv: Priv
  readonly virt: boolean
}

/** An instruction retired. */
export interface Retired {
  readonly _tag: 'Retired'
  readonly pc: bigint
  /** The instruction as fetched: 16 bits for a compressed one, else 32. */
  readonly bits: number
  readonly length: 2 | 4
  /** The privilege it ran at (Spike prints 3/1/0; V is not printed). */
  readonly priv: Priv
  readonly virt: boolean
  /** The destination register written, or 0 when none (writes to x0 are not reported). */
  readonly rd: number
  readonly rdValue: bigint
  /** CSR writes as Spike logs them: (number, value after the instruction), in ascending number order. */
  readonly csrs: readonly (readonly [number, bigint])[]
  readonly loads: readonly MemRead[]
  readonly stores: readonly MemWrite[]
  readonly xlate: TranslationCounts
  /** Stale TLB answers the step used, when the TLB reports them (`TlbConfig.reportStale`); else absent. */
  readonly stale?: readonly StaleTranslation[]
}

/** A trap was taken instead (an exception of the instruction at pc, or an interrupt before it). */
export interface Trapped {
  readonly _tag: 'Trapped'
  readonly pc: bigint
  /** The instruction bits when the exception came from an instruction that was fetched; else undefined. */
  readonly bits: number | undefined
  readonly priv: Priv
  readonly virt: boolean
  readonly trap: Trap
  readonly target: TrapTarget
  readonly xlate: TranslationCounts
  /** As for Retired: stale answers used before the trap (a stale fetch, say). */
  readonly stale?: readonly StaleTranslation[]
}

/** The hart is stopped in WFI with no interrupt pending: no instruction ran (Spike prints nothing). */
export interface Waiting {
  readonly _tag: 'Waiting'
  readonly pc: bigint
}

/** The counts of a step that translated nothing. */
export const NO_TRANSLATIONS: TranslationCounts = { tlbHits: 0, walks: 0, twoStageWalks: 0 }

export type StepEvent = Retired | Trapped | Waiting
