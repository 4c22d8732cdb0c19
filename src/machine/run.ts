// Running a machine: the fold of `step` until the program exits through HTIF or a limit is reached.
// A faster engine may later replace the loop; it must stay equal to this fold (issue 4).
import { type Machine } from './machine.ts'
import { type StepEvent } from '../cpu/event.ts'
import { step } from '../cpu/step.ts'

export interface RunLimits {
  /** Stop after this many steps (instructions retired or traps taken). */
  readonly maxSteps: number
}

export type StopReason = 'exit' | 'limit'

export interface RunResult {
  readonly machine: Machine
  readonly steps: number
  readonly reason: StopReason
}

/**
 * Steps `m` until htif.exitCode is set or `limits.maxSteps` steps were made, calling `observe` with
 * every event and the machine after it, in order (the commit-log writer, the console and tracers hang
 * here; the fold itself stays pure).
 */
export const run = (m: Machine, limits: RunLimits, observe?: (ev: StepEvent, after: Machine) => void): RunResult => {
  let cur = m
  let steps = 0
  while (cur.htif.exitCode === undefined && steps < limits.maxSteps) {
    const r = step(cur)
    cur = r.machine
    steps++
    if (observe !== undefined) observe(r.event, cur)
  }
  return { machine: cur, steps, reason: cur.htif.exitCode !== undefined ? 'exit' : 'limit' }
}
