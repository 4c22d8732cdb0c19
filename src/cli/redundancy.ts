// `memvirt run … --checkpoint-every N [--checkpoint full|incremental] [--fail-at K]… [--copy-bandwidth MiB/s]
// [--stats]`: the run protected by a standby (hypervisor/redundancy/failover.ts). What is printed and
// logged is what the checkpoints released: the console output, the commit log and the exit code equal an
// uninterrupted run's, whatever faults were injected. --stats goes to stderr.
import { lstatSync, readFileSync } from 'node:fs'
import { constants, deflateSync, inflateSync } from 'node:zlib'
import type { Command } from 'commander'
import { type Machine } from '../machine/machine.ts'
import { type StaleTranslation, type StepEvent } from '../cpu/event.ts'
import { type RunResult } from '../machine/run.ts'
import { run } from '../machine/engine/run.ts'
import { CommitLogWriter } from '../trace/engine/commit-log-writer.ts'
import { encodeTraceLine } from '../trace/jsonl.ts'
import { type Advance, type RedundancyOptions, protectedRun } from '../hypervisor/redundancy/failover.ts'
import { type MigrationOptions, DEFAULT_DOWNTIME_MS, DEFAULT_INSN_RATE, DEFAULT_MAX_ROUNDS, DEFAULT_MIGRATION_BANDWIDTH_MIB_S, migrate } from '../hypervisor/redundancy/migration.ts'
import { migrationPlotSpec } from '../hypervisor/redundancy/migration-plot.ts'
import { type Snapshot, decodeSnapshot, encodeSnapshot, snapshotHead } from '../hypervisor/redundancy/snapshot.ts'
import { type Either, left, right } from '../bits/either.ts'
import { cannotRead, failInput } from './io.ts'
import { withFastTranslation } from './engines.ts'
import { openOutput, writeOutput } from './output.ts'
import { renderSvg } from './plot.ts'
import { type ProgramFlags, loadProgram, positiveInt, programOptions } from './program.ts'
import { DIRTY_SOURCE_HELP, count, dirtySource } from './redundancy-options.ts'

/** Each checkpoint's page count, or for a long run the range and mean and the first 16. */
const perCheckpoint = (pages: readonly number[]): string => {
  if (pages.length <= 32) return pages.join(' ')
  const mean = pages.reduce((a, b) => a + b, 0) / pages.length
  return `min ${pages.reduce((a, b) => Math.min(a, b))}, mean ${mean.toFixed(1)}, max ${pages.reduce((a, b) => Math.max(a, b))} (${pages.slice(0, 16).join(' ')} …)`
}

const fmt = (ms: number): string => ms >= 1 ? `${ms.toFixed(3)} ms` : `${(ms * 1000).toFixed(1)} µs`

/**
 * What the primary records of a stretch it ran: its commit-log bytes, (with --trace) its step events and
 * (with --report-stale) the stale answers it used; all released when the stretch's checkpoint commits.
 */
interface Stretch {
  readonly log: readonly Uint8Array[]
  readonly events: readonly StepEvent[]
  readonly stale: readonly StaleTranslation[]
}

/**
 * Runs `m` under `plan` with the fast engine, printing released console output as it is released and
 * handing released commit-log bytes to `writeLog`, released JSONL trace lines to `writeTrace` (numbered
 * at release: the released stretches are the surviving execution in order, each step once) and released
 * stale answers (`--report-stale`) to `onStale` (likewise each once, whatever failovers re-executed).
 */
export const runRedundant = (plan: RedundancyOptions, m: Machine, writeLog: ((bytes: Uint8Array) => void) | undefined, stats: boolean,
  writeTrace?: (line: string) => void, onStale?: (s: StaleTranslation) => void): RunResult => {
  const advance: Advance<Stretch> = (from, maxSteps) => {
    const log: Uint8Array[] = [], events: StepEvent[] = [], stale: StaleTranslation[] = []
    const w = writeLog === undefined ? undefined : new CommitLogWriter((b, n) => log.push(b.slice(0, n)))
    const watched = writeTrace !== undefined || onStale !== undefined
    const r = run(from, { maxSteps }, {
      ...(w === undefined ? {} : { commits: w }),
      ...(!watched ? {} : {
        event: (ev: StepEvent) => {
          if (writeTrace !== undefined) events.push(ev)
          if (onStale !== undefined && ev._tag !== 'Waiting' && ev.stale !== undefined) stale.push(...ev.stale)
        },
      }),
    })
    w?.flush()
    return { machine: r.machine, steps: r.steps, trace: { log, events, stale } }
  }
  let order = 0
  const r = protectedRun(m, plan, advance, (e) => {
    if (e._tag !== 'Release') return
    for (const t of e.traces) {
      for (const b of t.log) writeLog?.(b)
      if (writeTrace !== undefined) for (const ev of t.events) writeTrace(encodeTraceLine(ev, ++order))
      for (const s of t.stale) onStale?.(s)
    }
    for (const w of e.output) (w.fd === 2 ? process.stderr : process.stdout).write(w.bytes)
  })
  if (stats) {
    const s = r.stats
    const pauses = s.pauseMs
    const d = s.dbits
    const lines = [
      `checkpoints: ${s.checkpoints} (${plan.mode}${d === undefined ? '' : ', dirty set from G-stage D bits'}, every ${plan.everyTicks === undefined ? `${plan.every} steps` : `${plan.everyTicks} mtime ticks`}; ${r.steps} steps survive)`,
      ...(d === undefined ? [] : [
        `dirty source dbits: ${d.byDBits} pages by D bits, ${d.untracked} outside the armed G-stage leaves and ${d.unseen} written under them otherwise than through the G-stage (by versions), ` +
        `${d.tables} page-table pages written clearing D; nothing armed after ${d.unarmed.bare} checkpoints (hgatp Bare) and ${d.unarmed.svade} (menvcfg.ADUE = 0)`,
      ]),
      `pages copied per checkpoint: ${perCheckpoint(s.pagesPerCheckpoint)}`,
      `bytes copied: ${s.bytes} (standby seeding: ${s.seedPages} pages)`,
      `failovers: ${s.failovers}; re-executed steps: ${s.reexecuted}`,
      `modelled pause per checkpoint at ${plan.bandwidth / (1024 * 1024)} MiB/s: mean ${fmt(pauses.reduce((a, b) => a + b, 0) / Math.max(1, pauses.length))}, max ${fmt(pauses.reduce((a, b) => Math.max(a, b), 0))}, total ${fmt(pauses.reduce((a, b) => a + b, 0))}`,
    ]
    process.stderr.write(lines.map((l) => `memvirt: ${l}\n`).join(''))
  }
  return { machine: r.machine, steps: r.steps, reason: r.reason }
}

// ---- snapshots on disk -----------------------------------------------------------------------------

/** The machine saved in `path`; a file that is not a whole snapshot of this version is one line, exit 2. */
// ---- snapshot files: format version 5 = version 4's sections compressed (3 = version 2's) ----------------------
// On disk a snapshot is "MVSNAP\r\n" · version u32 (5) · a zlib stream (RFC 1950, node's zlib at level 9, with its
// own Adler-32) of everything version 4 has after its version field (section count, sections, each with its
// CRC-32). The core encodes version 4 and decodes versions 1, 2 and 4; the shell compresses and inflates, and
// still reads a version-3 file (version 2 compressed) and an uncompressed version 1, 2 or 4 file.
const HEADER = 12
const version = (b: Uint8Array): number => b.length < HEADER ? -1 : new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(8, true)
const withVersion = (head: Uint8Array, v: number, body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(HEADER + body.length)
  out.set(head.subarray(0, 8), 0)
  new DataView(out.buffer).setUint32(8, v, true)
  out.set(body, HEADER)
  return out
}
/** The compressed file versions, and the core's version each holds compressed. */
const COMPRESSED: Readonly<Record<number, number>> = { 3: 2, 5: 4 }
/** The file's bytes for a machine: version 4's sections, compressed (version 5). */
export const snapshotFile = (m: Machine, position: number): Uint8Array => {
  const plain = encodeSnapshot(m, position)
  return withVersion(plain, 5, deflateSync(plain.subarray(HEADER), { level: 9 }))
}
/**
 * The first `want` bytes the zlib stream `z` inflates to (or all of them, if fewer), inflating no more than
 * `want` + 64 KiB: a prefix of the stream is inflated with a sync flush (which yields what it holds so far), and
 * its length is bisected when a prefix would yield more. Throws what zlib throws on a damaged stream.
 */
const SLACK = 64 * 1024
const inflatePrefix = (z: Uint8Array, want: number): Uint8Array => {
  const limit = want + SLACK
  const tryPrefix = (k: number): Uint8Array | undefined => {
    try {
      return new Uint8Array(inflateSync(z.subarray(0, k), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: limit }))
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return undefined
      throw e
    }
  }
  // the shortest prefix known to give too much, the longest known to give too little
  let lo = 0, hi = z.length + 1
  for (let k = Math.min(z.length, 1024); ; k = Math.min(z.length, k * 2)) {
    const out = tryPrefix(k)
    if (out === undefined) { hi = k; break }
    if (out.length >= want || k === z.length) return out
    lo = k
  }
  for (;;) {
    // one input byte yields at most a few hundred bytes, so the gap closes before lo and hi meet
    if (hi - lo <= 1) throw new Error(`${hi} bytes inflate to more than ${limit}`)
    const k = lo + Math.floor((hi - lo) / 2)
    const out = tryPrefix(k)
    if (out === undefined) hi = k
    else if (out.length >= want) return out
    else lo = k
  }
}

/**
 * A compressed file (version 3 or 5) as the bytes of the version the core decodes (2 or 4), or why its compressed body is not. The body is
 * inflated in two steps: first its header and STAT record (the core's `snapshotHead`, STAT at most
 * MAX_STAT_BYTES), which fix the size of the whole (no more pages than the RAM has), then the whole stream with
 * that size as zlib's output limit: a small file cannot inflate to more than a snapshot of its machine can hold.
 */
const inflated = (bytes: Uint8Array): Either<string, Uint8Array> => {
  const core = COMPRESSED[version(bytes)]
  if (core === undefined) return right(bytes)
  const z = bytes.subarray(HEADER)
  const asCore = (body: Uint8Array): Uint8Array => withVersion(bytes, core, body)
  const damaged = (e: unknown): Either<string, never> => left(`byte offset ${HEADER}: the compressed sections are damaged or cut (zlib: ${(e as Error).message.replace(/\s+/g, ' ')})`)
  let size: number | undefined
  try {
    for (let want = 28; size === undefined;) {
      const prefix = asCore(inflatePrefix(z, want - HEADER))
      if (prefix.length < want) return right(prefix)   // the stream ends early: the core says where
      const head = snapshotHead(prefix)
      if (head._tag === 'Left') return left(`byte offset (uncompressed) ${head.left.offset}: ${head.left.message}`)
      if (head.right._tag === 'Size') size = head.right.bytes
      else want = head.right.bytes
    }
  } catch (e) {
    return damaged(e)
  }
  try {
    return right(asCore(new Uint8Array(inflateSync(z, { maxOutputLength: Math.max(1, size - HEADER) }))))
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_BUFFER_TOO_LARGE') return damaged(e)
    return left(`byte offset ${HEADER}: the compressed sections inflate to more than the ${size - HEADER} bytes its section count and STAT record give`)
  }
}

/** A snapshot file's bytes as the machine and position they hold, or one line naming the byte offset of the first thing wrong. */
export const decodeSnapshotFile = (bytes: Uint8Array): Either<string, Snapshot> => {
  const plain = inflated(bytes)
  if (plain._tag === 'Left') return plain
  const where = plain.right === bytes ? 'byte offset' : 'byte offset (uncompressed)'
  const s = decodeSnapshot(plain.right)
  return s._tag === 'Left' ? left(`${where} ${s.left.offset}: ${s.left.message}`) : s
}

export const restore = (path: string): Snapshot => {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(readFileSync(path))
  } catch (e) {
    return cannotRead(path, e)
  }
  const s = decodeSnapshotFile(bytes)
  // The restored machine runs with the shell's fast translation engine, as a loaded program does.
  return s._tag === 'Left' ? failInput(`${path}: ${s.left}`) : { ...s.right, machine: withFastTranslation(s.right.machine) }
}

/**
 * After a run stopped by --save-at: writes the snapshot (atomically; never over a non-regular file) when the
 * run made its N steps without exiting, and says so on stderr. True when it saved.
 */
/** `position`: the steps the execution had made when this run started (a restored snapshot's). */
export const save = (plan: { readonly at: number; readonly file: string }, r: RunResult, position: number): boolean => {
  if (r.machine.htif.exitCode !== undefined || r.steps < plan.at) {
    process.stderr.write(`memvirt: the program ended before step ${plan.at}: nothing saved\n`)
    return false
  }
  let st
  try { st = lstatSync(plan.file) } catch { st = undefined }
  if (st !== undefined && !st.isFile()) return failInput(`--save-at: ${plan.file} exists and is not a regular file`)
  writeOutput(openOutput('--save-at', plan.file, { durable: true }), snapshotFile(r.machine, position + r.steps))
  process.stderr.write(`memvirt: saved the machine after step ${plan.at} to ${plan.file}\n`)
  return true
}

// ---- memvirt migrate ----------------------------------------------------------------------------------

interface MigrateFlags extends ProgramFlags {
  readonly at: string
  readonly bandwidth: string
  readonly downtimeMs: string
  readonly maxRounds: string
  readonly autoConverge?: boolean
  readonly insnRate: string
  readonly json?: boolean
  readonly logCommits?: string
  readonly plot?: string
  readonly dirtySource?: string
}

/**
 * `memvirt migrate PROG --at N [--bandwidth MiB/s] [--downtime-ms D] [--max-rounds R] [--auto-converge]
 * [--insn-rate N] [--json] [--log-commits LOG]` and run's options: runs PROG N steps, migrates it by
 * pre-copy (hypervisor/redundancy/migration.ts) and runs the destination to the end. The exit status is the
 * program's. Without --json: the program's output on stdout, a summary on stderr; with --json: one JSON
 * line per round and one for the stop-and-copy on stdout (the program's output is not printed).
 */
export const registerMigrate = (program: Command): void => {
  programOptions(program
    .command('migrate')
    .description('run a RISC-V ELF, live-migrate it by pre-copy after N steps (QEMU\'s scheme, simulated time), run the destination on')
    .argument('<elf>', 'a bare-metal RV64 ELF executable with tohost/fromhost symbols'))
    .requiredOption('--at <n>', 'start the migration after N steps')
    .option('--bandwidth <MiB/s>', 'migration link bandwidth (QEMU\'s max-bandwidth default)', String(DEFAULT_MIGRATION_BANDWIDTH_MIB_S))
    .option('--downtime-ms <ms>', 'stop-and-copy once the remaining pages fit bandwidth × this (QEMU\'s downtime-limit default)', String(DEFAULT_DOWNTIME_MS))
    .option('--max-rounds <r>', 'stop-and-copy after R rounds at the latest', String(DEFAULT_MAX_ROUNDS))
    .option('--auto-converge', 'throttle the source (20 %, +10 % a round, ≤ 99 %) while rounds dirty more than half of what they send')
    .option('--insn-rate <n>', 'the source\'s steps per second of simulated time', String(DEFAULT_INSN_RATE))
    .option('--json', 'one JSON line per round and one for the stop-and-copy, on stdout')
    .option('--log-commits <file>', "write the migrated execution's commit log (Spike's --log-commits format) to FILE")
    .option('--plot <file.svg>', 'write an SVG chart of the pages per round and the downtime after each against the limit')
    .option('--dirty-source <source>', DIRTY_SOURCE_HELP)
    .action(async (path: string, opts: MigrateFlags) => {
      const maxSteps = positiveInt('--max-insns', opts.maxInsns)
      const at = count('--at', opts.at)
      const o: MigrationOptions = {
        bandwidth: positiveInt('--bandwidth', opts.bandwidth, 1 << 30) * 1024 * 1024,
        downtimeMs: count('--downtime-ms', opts.downtimeMs),
        maxRounds: positiveInt('--max-rounds', opts.maxRounds, 10_000),
        autoConverge: opts.autoConverge === true,
        insnRate: positiveInt('--insn-rate', opts.insnRate),
        ...(dirtySource(opts.dirtySource) === 'dbits' ? { dirtySource: 'dbits' as const } : {}),
      }
      const m0 = loadProgram(path, opts)
      const plot = opts.plot === undefined ? undefined : openOutput('--plot', opts.plot)
      const parts: Uint8Array[] = []
      const writer = opts.logCommits === undefined ? undefined : new CommitLogWriter((b, n) => parts.push(b.slice(0, n)))
      const advance: Advance<undefined> = (from, n) => {
        const r = run(from, { maxSteps: n }, writer === undefined ? undefined : { commits: writer })
        return { machine: r.machine, steps: r.steps, trace: undefined }
      }
      const before = advance(m0, Math.min(at, maxSteps))
      const mig = migrate(before.machine, o, advance)
      const done = Math.min(maxSteps, before.steps + mig.steps)
      const after = advance(mig.destination, maxSteps - done)
      writer?.flush()
      if (opts.logCommits !== undefined) {
        const log = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
        parts.reduce((off, p) => { log.set(p, off); return off + p.length }, 0)
        writeOutput(openOutput('--log-commits', opts.logCommits), log)
      }
      if (plot !== undefined) writeOutput(plot, await renderSvg(migrationPlotSpec(mig, o)))
      const round3 = (x: number): number => Math.round(x * 1000) / 1000
      if (opts.json === true) {
        for (const r of mig.rounds) {
          process.stdout.write(`${JSON.stringify({ round: r.index, pages: r.pages, bytes: r.bytes, durationMs: round3(r.durationMs), steps: r.steps, dirtyPages: r.dirtyPages, dirtyPagesPerSecond: Math.round(r.dirtyRate), throttle: Math.round(r.throttle * 100) / 100, ...(r.dbits === undefined ? {} : { dirtyByDBits: r.dbits.byDBits, tablePages: r.dbits.tables }) })}\n`)
        }
        process.stdout.write(`${JSON.stringify({ stopAndCopy: { pages: mig.final.pages, bytes: mig.final.bytes, downtimeMs: round3(mig.final.downtimeMs), limitMs: o.downtimeMs, reason: mig.final.reason }, startedAt: before.steps, switchoverAt: before.steps + mig.steps })}\n`)
      } else {
        for (const w of after.machine.htif.output) (w.fd === 2 ? process.stderr : process.stdout).write(w.bytes)
        const sent = mig.rounds.reduce((n, r) => n + r.pages, 0) + mig.final.pages
        process.stderr.write(`memvirt: migrated after step ${before.steps}: ${mig.rounds.length} round(s), pages per round ${mig.rounds.map((r) => r.pages).join(' ')}; ` +
          `stop-and-copy of ${mig.final.pages} page(s) (${mig.final.reason}) at step ${before.steps + mig.steps}, downtime ${round3(mig.final.downtimeMs)} ms (limit ${o.downtimeMs} ms); ${sent} pages sent in all` +
          `${o.dirtySource === 'dbits' ? `; dirty sets from G-stage D bits (${mig.rounds.reduce((n, r) => n + (r.dbits?.byDBits ?? 0), 0)} pages by D bits)` : ''}\n`)
      }
      const code = after.machine.htif.exitCode
      if (code === undefined) {
        process.stderr.write(`memvirt: no HTIF exit after ${before.steps + mig.steps + after.steps} steps (--max-insns)\n`)
        process.exitCode = 124
        return
      }
      process.exitCode = code & 0xff
    })
}
