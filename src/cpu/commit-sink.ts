// Where a commit log goes while the fast engine runs compiled blocks (src/cpu/engine/block.ts): lines are
// written as the instructions retire, in Spike's commit-log format (trace/engine/commit-log-writer.ts writes them).
import { type StepEvent } from './event.ts'

/**
 * Where a block run with a commit log writes the lines of the instructions it retires (the byte writer
 * of trace/engine/commit-log-writer.ts is one): each line's shape is fixed when the block is compiled, and the
 * values are read from the engine's register file as 32-bit halves (`x32`) when the line is written.
 * Addresses are numbers (below 2^53). Instructions left to `step` are written from their events (`push`),
 * so the lines of a whole run come out in order through one sink.
 */
export interface CommitSink {
  /** The line of a step's event (none unless it retired). */
  readonly push: (ev: StepEvent) => void
  /**
   * The fixed start of a line, made when a block is compiled: core, privilege, pc and instruction, then
   * the head of the first item, whose value the block supplies: ` x<rd> 0x` ('rd'), ` mem 0x` ('mem').
   */
  readonly prefix: (priv: number, pc: bigint, bits: number, length: number, head: LineHead, rd: number) => Uint8Array
  /** A line with no items (prefix 'none'). */
  readonly line: (prefix: Uint8Array) => void
  /** A line with the one item rd (prefix 'rd'). */
  readonly lineRd: (prefix: Uint8Array, x32: Uint32Array, rd: number) => void
  /** A load into rd ≠ 0 (prefix 'rd'): rd, then the address. */
  readonly lineLoad: (prefix: Uint8Array, x32: Uint32Array, rd: number, va: number) => void
  /** A load into x0 (prefix 'mem'): the address. */
  readonly lineMem: (prefix: Uint8Array, va: number) => void
  /** A store (prefix 'mem'): the address and the low `size` bytes of rs2. */
  readonly lineStore: (prefix: Uint8Array, x32: Uint32Array, rs2: number, size: number, va: number) => void
}

/** What follows the instruction in a line's fixed start. */
export type LineHead = 'none' | 'rd' | 'mem'
