// Checkpoints to a standby machine, as Remus does them for a VM (Cully et al., NSDI 2008, §3): the primary
// runs; at a checkpoint its state goes to the backup, which holds it in a staging buffer and makes it its
// own only when the whole checkpoint has arrived (the commit). Full: every page ever written; incremental:
// only the pages written since the last commit, read off the memory's own versions (changedPages).
import { type PhysMemory, PAGE_BYTES, changedPages, emptyMemory, pageAt, withPages, writtenPages } from '../../memory/memory.ts'
import { type Machine, withMemory } from '../../machine/machine.ts'

/** What a checkpoint copies: every written page, or the pages written since the last commit. */
export type CheckpointMode = 'full' | 'incremental'

/** The standby: the machine as of the last committed checkpoint, and where in the execution that was. */
export interface Backup {
  readonly machine: Machine
  /** Steps of the execution the checkpoint holds (instructions retired or traps taken since reset). */
  readonly position: number
  /** The primary's memory version at that commit: the base the next incremental checkpoint is taken against. */
  readonly base: PhysMemory
}

/** One page on the wire: its number and a copy of its 4 KiB. */
export interface CopiedPage {
  readonly pn: number
  readonly bytes: DataView
}

/**
 * The pages a checkpoint of `now` copies. Full: every page written since reset. Incremental: the pages
 * whose version differs from `base`, the primary's memory at the last commit — every page written since
 * and nothing else (cost proportional to that change).
 */
export const pagesToCopy = (mode: CheckpointMode, base: PhysMemory, now: PhysMemory): readonly number[] =>
  mode === 'full' ? writtenPages(now) : changedPages(base, now)

/** A copy of page `pn` of `m` as it goes on the wire (a fresh buffer: the backup shares nothing with the primary). */
export const copyPage = (m: PhysMemory, pn: number): CopiedPage => {
  const v = pageAt(m, pn)
  const bytes = new Uint8Array(PAGE_BYTES)
  if (v !== undefined) bytes.set(new Uint8Array(v.buffer, v.byteOffset, PAGE_BYTES))
  return { pn, bytes: new DataView(bytes.buffer) }
}

/** The first `count` pages of `pages` copied from `m` (a checkpoint's copy, or the part of it done before a fault). */
export const transfer = (m: PhysMemory, pages: readonly number[], count = pages.length): readonly CopiedPage[] =>
  pages.slice(0, count).map((pn) => copyPage(m, pn))

/**
 * The backup after a checkpoint of `primary` (at `position`) commits: its memory is the staged pages laid
 * over its previous memory (incremental) or over empty memory (full), and the rest of the machine — hart
 * and CSRs, TLB, devices, HTIF, platform timing, all immutable records — is taken as the primary has it.
 */
export const commit = (backup: Backup, mode: CheckpointMode, primary: Machine, position: number, staged: readonly CopiedPage[]): Backup => {
  const under = mode === 'full' ? emptyMemory(primary.memory.map) : backup.machine.memory
  const memory = withPages(under, staged.map((p) => [p.pn, p.bytes] as const))
  return { machine: withMemory(primary, memory), position, base: primary.memory }
}

/** A standby seeded with a full copy of `m` at `position` (at start, and after a failover for the new standby). */
export const seed = (m: Machine, position: number): { backup: Backup; pages: number } => {
  const pages = writtenPages(m.memory)
  const standby: Backup = { machine: withMemory(m, emptyMemory(m.memory.map)), position, base: m.memory }
  return { backup: commit(standby, 'full', m, position, transfer(m.memory, pages)), pages: pages.length }
}
