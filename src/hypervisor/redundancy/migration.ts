// Pre-copy live migration, as QEMU does it (migration/ram.c; Clark et al., NSDI 2005): round 0 copies every
// page while the source keeps running; each later round copies the pages the source wrote during the
// previous one; when what remains fits bandwidth × the downtime limit (or after the last allowed round) the
// source stops, the rest and the CPU and device state are copied (stop-and-copy), and the destination runs
// on. Time is simulated: a round lasts its bytes / bandwidth, during which the source makes that many
// seconds × its instruction rate steps (fewer when auto-converge throttles it).
import { type Machine, withMemory } from '../../machine/machine.ts'
import { PAGE_BYTES, changedPages, emptyMemory, writtenPages } from '../../memory/memory.ts'
import { type Backup, commit, transfer } from './checkpoint.ts'
import { type Advance } from './failover.ts'
import { type DirtySource, armDirtyBits, dirtyPages } from './dirty-bits.ts'

/** QEMU's default downtime limit (migration parameter downtime-limit), ms. */
export const DEFAULT_DOWNTIME_MS = 300
/** QEMU's default bandwidth limit (max-bandwidth, MAX_THROTTLE), MiB/s. */
export const DEFAULT_MIGRATION_BANDWIDTH_MIB_S = 128
/** The source's instruction rate in simulated time when not given, steps per second (100 MIPS). */
export const DEFAULT_INSN_RATE = 100_000_000
/** Rounds before stop-and-copy is forced when not given (QEMU has no such bound; a model must terminate). */
export const DEFAULT_MAX_ROUNDS = 30
/** QEMU's auto-converge: cpu-throttle-initial 20 %, cpu-throttle-increment 10 %, at most 99 %. */
export const THROTTLE_INITIAL = 0.2, THROTTLE_INCREMENT = 0.1, THROTTLE_MAX = 0.99
/** QEMU's throttle-trigger-threshold: a round whose dirtied bytes exceed this share of the bytes it sent counts as not converging. */
export const THROTTLE_TRIGGER = 0.5

export interface MigrationOptions {
  /** Bytes per second on the migration link. */
  readonly bandwidth: number
  readonly downtimeMs: number
  readonly maxRounds: number
  readonly autoConverge: boolean
  /** The source's steps per second of simulated time (unthrottled). */
  readonly insnRate: number
  /**
   * Where each round's dirty set comes from: the memory's versions (default), or the G-stage D bits,
   * cleared at each round's start (dirty-bits.ts), with the versions where they do not apply.
   */
  readonly dirtySource?: DirtySource
}

export interface Round {
  readonly index: number
  readonly pages: number
  readonly bytes: number
  /** Simulated duration of the copy, ms. */
  readonly durationMs: number
  /** Steps the source made meanwhile, and the pages it wrote (the next round's work). */
  readonly steps: number
  readonly dirtyPages: number
  /** Pages dirtied per second of the round. */
  readonly dirtyRate: number
  /** The share of the source's instruction rate withheld by auto-converge during the round. */
  readonly throttle: number
  /** With dbits: of `dirtyPages`, those found by D bits, and the page-table pages the round's clearing of D wrote (sent with it). */
  readonly dbits?: { readonly byDBits: number; readonly tables: number }
}

export interface Migration<T> {
  readonly rounds: readonly Round[]
  /** The stop-and-copy: pages copied with the source stopped, and the downtime (their bytes at the bandwidth), ms. */
  readonly final: { readonly pages: number; readonly bytes: number; readonly downtimeMs: number; readonly reason: 'converged' | 'max-rounds' | 'exited' }
  /** The source at switchover, and the destination built from what was copied. */
  readonly source: Machine
  readonly destination: Machine
  /** Steps the source made during the migration, and what `advance` recorded of them, in order. */
  readonly steps: number
  readonly traces: readonly T[]
}

/**
 * Migrates the running `source` to a destination by pre-copy. Always terminates: at most
 * `maxRounds` rounds, then stop-and-copy. The destination equals the source at switchover
 * (properties/hypervisor/redundancy/migration.prop.ts).
 */
export const migrate = <T>(source: Machine, o: MigrationOptions, advance: Advance<T>): Migration<T> => {
  const rounds: Round[] = []
  const traces: T[] = []
  let src = source
  let steps = 0
  let dest: Backup = { machine: withMemory(source, emptyMemory(source.memory.map)), position: 0, base: source.memory }
  let pages = writtenPages(src.memory)
  let throttle = 0
  let notConverging = 0
  const limitBytes = o.bandwidth * o.downtimeMs / 1000
  const dbits = o.dirtySource === 'dbits'
  for (let index = 0; ; index++) {
    // Round `index`: with dbits the tracker first clears D in the G-stage (the pages it wrote go in this
    // round); the pages go over the link while the source runs on.
    const armed = dbits ? armDirtyBits(src) : undefined
    const tables = armed === undefined || armed.machine === src ? [] : changedPages(src.memory, armed.machine.memory)
    if (armed !== undefined) {
      src = armed.machine
      if (index > 0) pages = [...new Set([...pages, ...tables])].sort((a, b) => a - b)
      else pages = writtenPages(src.memory)
    }
    const bytes = pages.length * PAGE_BYTES
    const seconds = bytes / o.bandwidth
    const copied = transfer(src.memory, pages)
    dest = commit(dest, 'incremental', withMemory(dest.machine, dest.machine.memory), 0, copied)
    const before = src.memory
    const budget = Math.floor(seconds * o.insnRate * (1 - throttle))
    let ran = 0
    if (budget > 0 && src.htif.exitCode === undefined) {
      const r = advance(src, budget)
      src = r.machine
      ran = r.steps
      steps += r.steps
      traces.push(r.trace)
    }
    const found = armed === undefined ? undefined : dirtyPages(armed.tracker, before, src.memory)
    const dirty = found === undefined ? changedPages(before, src.memory) : found.pages
    rounds.push(round(index, pages.length, bytes, seconds, ran, dirty.length, throttle, found === undefined ? undefined : { byDBits: found.byDBits.length, tables: tables.length }))
    const remaining = dirty.length * PAGE_BYTES
    const reason = src.htif.exitCode !== undefined ? 'exited' : remaining <= limitBytes ? 'converged' : index + 1 >= o.maxRounds ? 'max-rounds' : undefined
    if (reason !== undefined) {
      // Stop-and-copy: the source is paused; the remaining pages and the hart, TLB, devices, HTIF and platform go over.
      const final = commit(dest, 'incremental', src, steps, transfer(src.memory, dirty))
      return {
        rounds, final: { pages: dirty.length, bytes: remaining, downtimeMs: remaining / o.bandwidth * 1000, reason },
        source: src, destination: final.machine, steps, traces,
      }
    }
    // Auto-converge (QEMU's cpu throttling): rounds that dirty more than half of what they send slow the source.
    if (o.autoConverge && remaining > THROTTLE_TRIGGER * bytes) {
      notConverging++
      if (notConverging >= 2) throttle = throttle === 0 ? THROTTLE_INITIAL : Math.min(THROTTLE_MAX, throttle + THROTTLE_INCREMENT)
    }
    pages = dirty
  }
}

const round = (index: number, pages: number, bytes: number, seconds: number, steps: number, dirtyPages: number, throttle: number,
  dbits: Round['dbits']): Round =>
  ({ index, pages, bytes, durationMs: seconds * 1000, steps, dirtyPages, dirtyRate: seconds > 0 ? dirtyPages / seconds : 0, throttle, ...(dbits === undefined ? {} : { dbits }) })
