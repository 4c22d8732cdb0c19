// `memvirt run PROG --watch SYMBOL[:LEN]|ADDR:LEN|csr:NAME … [--check-every N | --on-write]`: the integrity
// monitor of src/hypervisor/introspect/integrity.ts on a run. Reports go to stderr (stdout is the program's),
// one line each, prefixed `memvirt watch:`. Bad watch arguments: one line, exit 2.
import type { Command } from 'commander'
import { type Elf } from '../elf/elf.ts'
import { type StepEvent } from '../cpu/event.ts'
import { type Machine } from '../machine/machine.ts'
import type { Baseline, Change, Watched } from '../hypervisor/introspect/integrity.ts'
import { failInput } from './io.ts'
import { positiveInt } from './program.ts'

export interface WatchFlags {
  readonly watch?: readonly string[]
  readonly checkEvery?: string
  readonly onWrite?: boolean
}

/** Adds --watch, --check-every and --on-write to a command. */
export const watchOptions = (cmd: Command): Command => cmd
  .option('--watch <what...>', 'integrity monitor: SYMBOL[:LEN], ADDR:LEN (physical), va:ADDR:LEN (guest-virtual), hva:ADDR:LEN (through satp) or csr:NAME; changes reported on stderr')
  .option('--check-every <n>', 'with --watch: compare against the baselines every N steps (default 1000)')
  .option('--on-write', 'with --watch: report every store into a watched region at once, by the storing pc, and DMA writes and remappings at the step they happen')

/** What the run's observer calls: after each step, its event and the machine it led to. */
export interface Watcher {
  readonly step: (ev: StepEvent, after: Machine) => void
  /** The last check at the end of the run. */
  readonly finish: (m: Machine) => void
}

/** The watcher the flags ask for, or undefined without --watch (the monitor's module is loaded only with --watch). */
export const integrityWatcher = async (elf: Elf, flags: WatchFlags, m0: Machine, report: (line: string) => void): Promise<Watcher | undefined> => {
  if (flags.watch === undefined || flags.watch.length === 0) {
    if (flags.checkEvery !== undefined || flags.onWrite === true) return failInput('--check-every and --on-write need --watch')
    return undefined
  }
  if (flags.checkEvery !== undefined && flags.onWrite === true) return failInput('--check-every and --on-write exclude each other')
  const { baselines, changeText, check, onWrite, parseWatch } = await import('../hypervisor/introspect/integrity.ts')
  const every = flags.checkEvery === undefined ? 1000 : positiveInt('--check-every', flags.checkEvery)
  const watched: Watched[] = []
  for (const text of flags.watch) {
    const w = parseWatch(elf, m0.isa, text)
    if (w._tag === 'Left') return failInput(`--watch ${text}: ${w.left.message}`)
    watched.push(w.right)
  }
  const b0 = baselines(m0, watched)
  if (b0._tag === 'Left') return failInput(`--watch: ${b0.left.message}`)
  let current: readonly Baseline[] = b0.right
  let before = m0
  let steps = 0
  const emit = (changes: readonly Change[]): void => { for (const c of changes) report(`memvirt watch: ${changeText(c)}\n`) }
  return {
    step: (ev, after) => {
      steps++
      if (flags.onWrite === true) {
        const r = onWrite(current, ev, before, after, steps)
        current = r.baselines
        before = after
        emit(r.changes)
      } else if (steps % every === 0) {
        const r = check(current, after, steps)
        current = r.baselines
        emit(r.changes)
      }
    },
    finish: (m) => {
      if (flags.onWrite === true) return
      const r = check(current, m, steps)
      current = r.baselines
      emit(r.changes)
    },
  }
}
