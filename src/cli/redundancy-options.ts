// The options of `memvirt run` that redundancy.ts acts on — checkpointing under a standby (--checkpoint-every,
// --checkpoint, --fail-at, --copy-bandwidth, --dirty-source, --stats) and snapshots (--save-at, --restore) — and
// the plans decoded from them. Kept apart from redundancy.ts so that defining run's options and checking them
// loads none of the checkpointing, snapshot and migration code: run loads that only when these flags ask.
import type { Command } from 'commander'
import { type Fault, type RedundancyOptions, DEFAULT_BANDWIDTH_MIB_S, SPIKE_TIMEBASE_HZ } from '../hypervisor/redundancy/failover.ts'
import { type DirtySource } from '../hypervisor/redundancy/dirty-bits.ts'
import { failInput } from './io.ts'
import { positiveInt } from './program.ts'

export interface RedundancyFlags {
  readonly checkpointEvery?: string
  readonly checkpoint: string
  readonly failAt: readonly string[]
  readonly copyBandwidth: string
  readonly dirtySource?: string
  readonly stats?: boolean
}

const collect = (v: string, prev: readonly string[]): readonly string[] => [...prev, v]

export const DIRTY_SOURCE_HELP = 'where an incremental checkpoint\'s (a migration round\'s) dirty set comes from: versions (the memory\'s own, default) or dbits (G-stage D bits for the guest\'s pages, versions for the rest)'

/** --dirty-source: `versions` (also when absent) or `dbits`. */
export const dirtySource = (text: string | undefined): DirtySource =>
  text === undefined || text === 'versions' || text === 'dbits' ? text ?? 'versions' : failInput(`--dirty-source: expected versions or dbits, got "${text}"`)

/** Adds the checkpointing options to `memvirt run`. */
export const redundancyOptions = (cmd: Command): Command => cmd
  .option('--checkpoint-every <n>', 'run under a standby: checkpoint every N steps (or every T of simulated time: 5ms, 500us), release output when its checkpoint commits')
  .option('--checkpoint <mode>', 'what a checkpoint copies: full (every written page) or incremental (pages written since the last)', 'incremental')
  .option('--fail-at <k>', 'inject a fault (repeatable): K fails the primary after step K; copy:K[:P] fails it during the first checkpoint at step ≥ K after P pages (default 1)', collect, [])
  .option('--copy-bandwidth <MiB/s>', 'copy bandwidth for the modelled checkpoint pause', String(DEFAULT_BANDWIDTH_MIB_S))
  .option('--dirty-source <source>', DIRTY_SOURCE_HELP)
  .option('--stats', 'print statistics to stderr: the checkpoints\' with --checkpoint-every, else the guest translation\'s (memory references per miss, table memory, VMM exits)')

/** A step count flag value (0 allowed). */
export const count = (flag: string, text: string): number => {
  const n = Number(text)
  return /^[0-9]+$/.test(text) && Number.isSafeInteger(n) ? n : failInput(`${flag}: expected a step count, got "${text}"`)
}

/** One --fail-at value: `K` or `copy:K[:P]`. */
const fault = (text: string): Fault => {
  const copy = /^copy:([^:]*)(?::(.*))?$/.exec(text)
  if (copy === null) return { kind: 'step', at: count('--fail-at', text) }
  return { kind: 'copy', at: count('--fail-at', copy[1]!), after: copy[2] === undefined ? 1 : count('--fail-at', copy[2]) }
}

/** The checkpointing the flags ask for, or undefined for a plain run (checkpoint flags without --checkpoint-every are refused). */
export const redundancyPlan = (flags: RedundancyFlags, maxSteps: number): RedundancyOptions | undefined => {
  if (flags.checkpointEvery === undefined) {
    // (--stats alone prints the guest translation's costs: cli/run.ts.)
    if (flags.failAt.length > 0) failInput('--fail-at needs --checkpoint-every')
    if (flags.dirtySource !== undefined) failInput('--dirty-source needs --checkpoint-every')
    return undefined
  }
  const mode = flags.checkpoint
  if (mode !== 'full' && mode !== 'incremental') return failInput(`--checkpoint: expected full or incremental, got "${mode}"`)
  const source = dirtySource(flags.dirtySource)
  if (source === 'dbits' && mode === 'full') failInput('--dirty-source dbits needs --checkpoint incremental (a full checkpoint copies every page)')
  const mib = positiveInt('--copy-bandwidth', flags.copyBandwidth, 1 << 30)
  // N steps, or T of simulated time (`5ms`, `500us`) at Spike's 10 MHz timebase.
  const time = /^([0-9]+)(ms|us)$/.exec(flags.checkpointEvery)
  const ticks = time === null ? undefined : BigInt(positiveInt('--checkpoint-every', time[1]!)) * BigInt(SPIKE_TIMEBASE_HZ / (time[2] === 'ms' ? 1000 : 1_000_000))
  return {
    every: ticks === undefined ? positiveInt('--checkpoint-every', flags.checkpointEvery) : 1, mode,
    ...(source === 'dbits' ? { dirtySource: source } : {}),
    ...(ticks === undefined ? {} : { everyTicks: ticks }),
    faults: flags.failAt.map(fault), maxSteps, bandwidth: mib * 1024 * 1024,
  }
}

export interface SnapshotFlags {
  readonly saveAt?: readonly string[]
  readonly restore?: string
}

/** Adds --save-at N FILE and --restore FILE to `memvirt run`. */
export const snapshotOptions = (cmd: Command): Command => cmd
  .option('--save-at <n-and-file...>', 'N FILE: stop after N steps and write the whole machine to FILE (a snapshot, format version 5: version 4 compressed with zlib; continue it with memvirt resume FILE)')
  .option('--restore <file>', 'resume the machine saved in FILE (instead of loading an ELF; --isa and --ram come from the snapshot)')

/** Where to save, if --save-at asks. */
export const savePlan = (flags: SnapshotFlags): { readonly at: number; readonly file: string } | undefined => {
  if (flags.saveAt === undefined) return undefined
  if (flags.saveAt.length !== 2) return failInput(`--save-at: expected N FILE, got ${flags.saveAt.length} value(s)`)
  return { at: positiveInt('--save-at', flags.saveAt[0]!), file: flags.saveAt[1]! }
}
