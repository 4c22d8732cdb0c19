// A run protected by a standby (Remus's scheme, Cully et al., NSDI 2008): the primary runs; every N steps a
// checkpoint goes to the backup (checkpoint.ts). Output commit: what the primary shows outside — HTIF
// console writes, the tohost exit, and (for the caller) its trace, e.g. the commit log — is held and
// released only when the checkpoint that follows it commits. Failover: an injected error discards the
// primary; the backup resumes from the last committed checkpoint and re-executes the lost stretch.
import { type Machine } from '../../machine/machine.ts'
import { type HostWrite } from '../../machine/htif.ts'
import { type PhysMemory, PAGE_BYTES, changedPages } from '../../memory/memory.ts'
import { type Backup, type CheckpointMode, commit, pagesToCopy, seed, transfer } from './checkpoint.ts'
import { type DirtySet, type DirtySource, type DirtyTracker, armDirtyBits, dirtyPages, idleTracker } from './dirty-bits.ts'

/**
 * An injected error. `step`: the primary fails once it has made `at` steps (of the execution, counted
 * from reset), before anything else happens at that point. `copy`: it fails during the first checkpoint
 * taken at a position ≥ `at`, after `after` of that checkpoint's pages were copied (all of them, if fewer:
 * still before the commit). Each fault strikes once; a fault listed twice strikes twice (repeated).
 */
export type Fault =
  | { readonly kind: 'step'; readonly at: number }
  | { readonly kind: 'copy'; readonly at: number; readonly after: number }

/** Copy bandwidth assumed for the modelled pause, in MiB/s when not given: a 10 Gb/s link's order. */
export const DEFAULT_BANDWIDTH_MIB_S = 1024

/**
 * Spike's timebase: the CLINT's mtime counts at CPU_HZ / INSNS_PER_RTC_TICK = 10^9 / 100 = 10 MHz (the
 * device tree's timebase-frequency, riscv/dts.cc), so 1 ms of simulated time is 10 000 ticks.
 */
export const SPIKE_TIMEBASE_HZ = 10_000_000

export interface RedundancyOptions {
  /** Steps between checkpoints (N ≥ 1), unless `everyTicks` puts them on simulated time. */
  readonly every: number
  /**
   * Checkpoints on simulated time: one once the primary's mtime has advanced this many ticks since the last
   * commit. mtime moves only at Spike's chunk ends, so the primary then runs to the end of its current
   * chunk (interleave − platform.chunk steps; a trap or WFI ends a chunk earlier and the stretch goes on)
   * and the schedule is checked after each such stretch.
   */
  readonly everyTicks?: bigint
  readonly mode: CheckpointMode
  /**
   * Where an incremental checkpoint's dirty set comes from: the memory's versions (default), or the
   * G-stage D bits for the guest's pages and the versions for the rest (dirty-bits.ts).
   */
  readonly dirtySource?: DirtySource
  readonly faults: readonly Fault[]
  /** Stop after this many steps of the execution (a last checkpoint then releases what came before). */
  readonly maxSteps: number
  /** Copy bandwidth in bytes per second, for the modelled pause per checkpoint. */
  readonly bandwidth: number
}

/**
 * How the primary advances: at most `maxSteps` steps of `m` (fewer if the program exits), returning the
 * machine, the steps made and what the caller records of them (`T`: a commit-log chunk, events…).
 * The fold of `step` (machine/run.ts) or the fast engine equal to it.
 */
export type Advance<T> = (m: Machine, maxSteps: number) => { readonly machine: Machine; readonly steps: number; readonly trace: T }

/** What the run tells its observer, in order. */
export type RedundancyEvent<T> =
  /** A committed checkpoint: the primary as it was copied and the backup after the commit. */
  | { readonly _tag: 'Checkpoint'; readonly index: number; readonly position: number; readonly pages: number; readonly bytes: number; readonly pauseMs: number; readonly primary: Machine; readonly backup: Machine
    /** With `dirtySource: 'dbits'`: the tracker armed at the last commit, the memory then and at this checkpoint (before re-arming), and the dirty set found. */
    readonly dbits?: { readonly tracker: DirtyTracker; readonly base: PhysMemory; readonly now: PhysMemory; readonly dirty: DirtySet } }
  | { readonly _tag: 'Failover'; readonly during: 'run' | 'copy'; readonly position: number; readonly resumeAt: number; readonly reseedPages: number }
  /** Output whose checkpoint committed: the HTIF writes and traces of the stretch it covers, and the exit code if the program exited in it. */
  | { readonly _tag: 'Release'; readonly position: number; readonly output: readonly HostWrite[]; readonly traces: readonly T[]; readonly exitCode: number | undefined }

export interface RedundancyStats {
  readonly checkpoints: number
  /** Pages copied by each committed checkpoint, in order. */
  readonly pagesPerCheckpoint: readonly number[]
  /** Bytes copied by committed checkpoints (pages × 4096; the hart and device records are not counted). */
  readonly bytes: number
  /** Modelled pause of each committed checkpoint, ms: its bytes at the copy bandwidth. */
  readonly pauseMs: readonly number[]
  readonly failovers: number
  /** Steps executed again after failovers (the stretches lost since the last commit). */
  readonly reexecuted: number
  /** Pages copied to seed a standby (at start and after each failover). */
  readonly seedPages: number
  readonly dirtySource: DirtySource
  /**
   * With dbits, over the committed incremental checkpoints: pages found by D bits, pages outside the
   * armed leaves (versions), pages under armed leaves written otherwise than through the G-stage
   * (versions), page-table pages the tracker's clearing of D wrote, and checkpoints after which nothing
   * could be armed (hgatp Bare, or menvcfg.ADUE = 0).
   */
  readonly dbits?: { readonly byDBits: number; readonly untracked: number; readonly unseen: number; readonly tables: number; readonly unarmed: { readonly bare: number; readonly svade: number } }
}

export interface RedundancyResult {
  /** The surviving machine, as of the last commit. */
  readonly machine: Machine
  /** Steps of the surviving execution. */
  readonly steps: number
  readonly reason: 'exit' | 'limit'
  readonly stats: RedundancyStats
}

/**
 * Runs `m0` under checkpointing and failover, telling `observe` about each checkpoint, failover and
 * release. The releases, concatenated, carry the same HTIF output, traces and exit code as an
 * uninterrupted run of `advance` (the re-executed stretches appear once): properties/hypervisor/redundancy.
 */
export const protectedRun = <T>(m0: Machine, o: RedundancyOptions, advance: Advance<T>, observe?: (e: RedundancyEvent<T>) => void): RedundancyResult => {
  const faults = [...o.faults]
  const pauseOf = (bytes: number): number => bytes / o.bandwidth * 1000
  const source = o.dirtySource ?? 'versions'
  const dbits = source === 'dbits' && o.mode === 'incremental'
  // With dbits the tracker is armed before the standby is seeded, and again at each commit; `tracker` is
  // the one armed at the last commit (a failover resumes the backup's machine, armed by it).
  const armed0 = dbits ? armDirtyBits(m0) : { machine: m0, tracker: idleTracker }
  let tracker = armed0.tracker
  const counts = { byDBits: 0, untracked: 0, unseen: 0, tables: 0, unarmed: { bare: 0, svade: 0 } }
  const seeded = seed(armed0.machine, 0)
  let backup: Backup = seeded.backup
  let seedPages = seeded.pages
  let primary = armed0.machine
  let position = 0
  let pending: T[] = []
  let released = m0.htif.output.length   // entries of htif.output released so far (a restored machine has some)
  const pagesPerCheckpoint: number[] = [], pauseMs: number[] = []
  let failovers = 0, reexecuted = 0

  const failover = (during: 'run' | 'copy'): void => {
    // The primary is gone with everything since the last commit; the backup takes over and a new
    // standby is seeded from it.
    reexecuted += position - backup.position
    failovers++
    const lostAt = position
    primary = backup.machine
    position = backup.position
    pending = []
    const s = seed(primary, position)
    backup = s.backup
    seedPages += s.pages
    observe?.({ _tag: 'Failover', during, position: lostAt, resumeAt: position, reseedPages: s.pages })
  }

  for (;;) {
    const struck = faults.findIndex((f) => f.kind === 'step' && f.at === position)
    if (struck >= 0) { faults.splice(struck, 1); failover('run'); continue }
    const done = primary.htif.exitCode !== undefined || position >= o.maxSteps
    const boundary = o.everyTicks === undefined ? backup.position + o.every : position + primary.options.interleave - primary.platform.chunk
    const due = o.everyTicks === undefined ? position >= boundary : primary.devices.clint.mtime - backup.machine.devices.clint.mtime >= o.everyTicks
    if (done || due) {
      // With dbits: the dirty set by D bits (and versions where they do not apply), then the tracker
      // re-armed for the next interval (not after the last checkpoint: nothing runs after it); the
      // checkpoint holds the re-armed machine, so the pages its clearing of D wrote go along.
      const found = dbits ? dirtyPages(tracker, backup.base, primary.memory) : undefined
      const rearmed = dbits && !done ? armDirtyBits(primary) : { machine: primary, tracker }
      const tables = rearmed.machine === primary ? [] : changedPages(primary.memory, rearmed.machine.memory)
      const pages = found === undefined ? pagesToCopy(o.mode, backup.base, primary.memory) : [...new Set([...found.pages, ...tables])].sort((a, b) => a - b)
      const midCopy = faults.findIndex((f) => f.kind === 'copy' && f.at <= position)
      if (midCopy >= 0) {
        const f = faults[midCopy] as Extract<Fault, { kind: 'copy' }>
        faults.splice(midCopy, 1)
        transfer(primary.memory, pages, Math.min(f.after, pages.length))    // copied, then lost with the primary
        failover('copy')
        continue
      }
      const before = primary, base = backup.base
      primary = rearmed.machine
      backup = commit(backup, o.mode, primary, position, transfer(primary.memory, pages))
      const bytes = pages.length * PAGE_BYTES
      pagesPerCheckpoint.push(pages.length)
      pauseMs.push(pauseOf(bytes))
      if (found !== undefined) {
        counts.byDBits += found.byDBits.length; counts.untracked += found.untracked.length; counts.unseen += found.unseen.length; counts.tables += tables.length
        if (rearmed.tracker.unarmed !== undefined && !done) counts.unarmed[rearmed.tracker.unarmed]++
      }
      observe?.({
        _tag: 'Checkpoint', index: pagesPerCheckpoint.length, position, pages: pages.length, bytes, pauseMs: pauseOf(bytes), primary, backup: backup.machine,
        ...(found === undefined ? {} : { dbits: { tracker, base, now: before.memory, dirty: found } }),
      })
      tracker = rearmed.tracker
      const out = primary.htif.output
      observe?.({ _tag: 'Release', position, output: out.slice(released), traces: pending, exitCode: primary.htif.exitCode })
      released = out.length
      pending = []
      if (done) break
      continue
    }
    const nextFault = faults.reduce((n, f) => f.kind === 'step' && f.at > position ? Math.min(n, f.at) : n, Infinity)
    const stop = Math.min(boundary, o.maxSteps, nextFault)
    const r = advance(primary, stop - position)
    primary = r.machine
    position += r.steps
    pending.push(r.trace)
  }
  const bytes = pagesPerCheckpoint.reduce((a, b) => a + b, 0) * PAGE_BYTES
  return {
    machine: primary, steps: position, reason: primary.htif.exitCode !== undefined ? 'exit' : 'limit',
    stats: {
      checkpoints: pagesPerCheckpoint.length, pagesPerCheckpoint, bytes, pauseMs, failovers, reexecuted, seedPages,
      dirtySource: dbits ? 'dbits' : 'versions', ...(dbits ? { dbits: counts } : {}),
    },
  }
}
