// What one step did, as a small value: enough for Spike's commit log and for the richer trace.
// Formatting lives in src/trace/; the model only reports.
import { type Priv } from './hart.ts'
import { type Trap, type TrapTarget } from './trap.ts'

/** A load the instruction made: virtual address (GVA for guests) and size in bytes. */
export interface MemRead { readonly va: bigint; readonly size: number }
/** A store the instruction made: virtual address, the value stored (its low `size` bytes) and size. */
export interface MemWrite { readonly va: bigint; readonly value: bigint; readonly size: number }

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
}

/** The hart is stopped in WFI with no interrupt pending: no instruction ran (Spike prints nothing). */
export interface Waiting {
  readonly _tag: 'Waiting'
  readonly pc: bigint
}

export type StepEvent = Retired | Trapped | Waiting
