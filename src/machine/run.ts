// Running a machine: the fold of `step` until the program exits through HTIF or a limit is reached.
// Untraced runs use the faster engine in cpu/fast.ts, which is proved equal to this fold.
import { type Machine } from './machine.ts'
import { type StepEvent } from '../cpu/event.ts'
import { step } from '../cpu/step.ts'
import { runFast } from '../cpu/fast.ts'

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
  // Without an observer the faster engine runs; it is equal to this fold (properties/cpu/step-run.prop.ts).
  if (observe === undefined) return runFast(m, limits)
  return foldSteps(m, limits, observe)
}

/** `run` as the plain fold of `step`: the specification the faster engine is checked against. */
export const foldSteps = (m: Machine, limits: RunLimits, observe?: (ev: StepEvent, after: Machine) => void): RunResult => {
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
