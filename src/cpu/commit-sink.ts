// Where a commit log goes while the fast engine runs compiled blocks (src/cpu/engine/block.ts): lines are
// written as the instructions retire, in Spike's commit-log format (trace/engine/commit-log-writer.ts writes them).
import { type StepEvent } from './event.ts'

/** What a sink makes of a line's fixed start when a block is compiled; the block only hands it back. */
export type LinePrefix = object

/**
 * Where a block run with a commit log writes the lines of the instructions it retires (the byte writer
 * of trace/engine/commit-log-writer.ts is one): each line's shape is fixed when the block is compiled, and the
 * values are read from the engine's register file as 32-bit halves (`x32`) when the line is written.
 * Addresses are numbers (below 2^53). Instructions left to `step` are written from their events (`push`),
 * so the lines of a whole run come out in order through one sink.
 */
export interface CommitSink<P extends LinePrefix = LinePrefix> {
  /** The line of a step's event (none unless it retired). */
  push(ev: StepEvent): void
  /**
   * What is fixed in a line, made when a block is compiled: core, privilege, pc and instruction, and the
   * items' shape, whose values the block supplies when the line is written. `index` is the instruction's
   * place in its block (0 for the first): a block's prefixes are made in that order, one block at a time,
   * so a sink may prepare the lines that follow one another.
   */
  prefix(priv: number, pc: bigint, bits: number, length: number, shape: LineShape, index: number): P
  /** A line with no items (shape 'none'). */
  line(prefix: P): void
  /** A line with the one item rd (shape 'rd'). */
  lineRd(prefix: P, x32: Uint32Array, rd: number): void
  /** A load into rd ≠ 0 (shape 'load'): rd, then the address. */
  lineLoad(prefix: P, x32: Uint32Array, rd: number, va: number): void
  /** A load into x0 (shape 'mem'): the address. */
  lineMem(prefix: P, va: number): void
  /** A store (shape 'store'): the address and the low `size` bytes of rs2. */
  lineStore(prefix: P, x32: Uint32Array, rs2: number, size: number, va: number): void
}

/**
 * The items of a block instruction's line: none (a branch, a jump to x0, a fence); rd's value; a load's rd
 * and address; a load into x0's address; a store's address and data (`size` bytes).
 */
export type LineShape =
  | { readonly kind: 'none' }
  | { readonly kind: 'rd'; readonly rd: number }
  | { readonly kind: 'load'; readonly rd: number }
  | { readonly kind: 'mem' }
  | { readonly kind: 'store'; readonly size: number }
