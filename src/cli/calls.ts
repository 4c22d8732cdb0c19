// `memvirt run PROG --trace-calls [SYMBOLS…] [--calls-json]`: function entries with a0–a7, returns by ra and
// sp, and traps, from src/hypervisor/introspect/calls.ts, one line each on stderr (stdout is the program's), as
// text (`memvirt call: …`) or JSON lines; with `--trace FILE`, entries and returns are `call` and `return`
// records of that JSONL trace instead (traps are its `trap` records already). Unknown symbols: one line, exit 2.
import type { Command } from 'commander'
import { type Elf } from '../elf/elf.ts'
import { type StepEvent } from '../cpu/event.ts'
import { type Machine } from '../machine/machine.ts'
import type { CallTracer } from '../hypervisor/introspect/calls.ts'
import { failInput } from './io.ts'
import { type Watcher } from './integrity.ts'

export interface CallFlags {
  readonly traceCalls?: boolean | readonly string[]
  readonly callsJson?: boolean
}

/** Adds --trace-calls and --calls-json to a command. */
export const callOptions = (cmd: Command): Command => cmd
  .option('--trace-calls [symbols...]', 'trace entries (a0–a7) and returns of these symbols (default: every function symbol), and traps, on stderr')
  .option('--calls-json', 'with --trace-calls: JSON lines instead of text')

/**
 * The call tracer the flags ask for, or undefined without --trace-calls. `traceLine`: where the run's JSONL
 * trace goes (with --trace), which then takes the entries and returns instead of `report`.
 */
export const callWatcher = async (elf: Elf, flags: CallFlags, m0: Machine, report: (line: string) => void, traceLine?: (line: string) => void): Promise<Watcher | undefined> => {
  if (flags.traceCalls === undefined || flags.traceCalls === false) {
    if (flags.callsJson === true) return failInput('--calls-json needs --trace-calls')
    return undefined
  }
  if (traceLine !== undefined && flags.callsJson === true) return failInput('--calls-json and --trace: with --trace the calls are records of the trace')
  // the tracer's modules, loaded only with --trace-calls
  const [{ callJson, callText, callTracer, traceStep }, { encodeCallLine }] = await Promise.all([import('../hypervisor/introspect/calls.ts'), import('../trace/jsonl.ts')])
  const t0 = callTracer(elf, flags.traceCalls === true ? [] : flags.traceCalls)
  if (t0._tag === 'Left') return failInput(`--trace-calls: ${t0.left.message}`)
  let tracer: CallTracer = t0.right
  let before = m0
  let steps = 0
  return {
    step: (ev: StepEvent, after: Machine) => {
      steps++
      const r = traceStep(tracer, before, ev, after, steps)
      tracer = r.tracer
      before = after
      for (const e of r.events) {
        if (traceLine !== undefined) {
          const line = encodeCallLine(e)
          if (line !== undefined) traceLine(line)
        } else {
          report(flags.callsJson === true ? callJson(e) + '\n' : `memvirt call: ${callText(e)}\n`)
        }
      }
    },
    finish: () => undefined,
  }
}
