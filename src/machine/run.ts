// Running a machine: the fold of `step` until the program exits through HTIF or a limit is reached.
// This is the specification; `run` in machine/engine/run.ts chooses the faster engine, proved equal to it.
import { type Machine } from './machine.ts'
import { type StepEvent } from '../cpu/event.ts'
import { type HartAccel, specAccel } from '../cpu/accel.ts'
import { type CommitSink } from '../cpu/commit-sink.ts'
import { step } from './step.ts'

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
 * Who watches a run (the commit-log writer, the JSONL tracer, the console): the shell's side of it.
 * The fold itself stays pure; these callbacks only read.
 */
export interface Observer {
  /** Every step's event, in order. */
  readonly event?: (ev: StepEvent) => void
  /**
   * The commit log: each step's line, in order. A run watched only by this (and `machine`) keeps the
   * faster engine, whose compiled blocks write their lines straight into the sink.
   */
  readonly commits?: CommitSink
  /**
   * The machine after a step (or, in the faster engine, a stretch of compiled blocks) that may have
   * changed what the platform shows outside (HTIF output,
   * the exit code). An engine may skip it after steps that cannot (plain ALU, branches, RAM accesses
   * away from tohost), so it is not called once per event.
   */
  readonly machine?: (after: Machine) => void
}

/**
 * `run` as the plain fold of `step`: the specification the faster engine is checked against. Steps `m`
 * until htif.exitCode is set or `limits.maxSteps` steps were made, telling `observe` about every event.
 */
export const foldSteps = (m: Machine, limits: RunLimits, observe?: Observer, accel: HartAccel = specAccel): RunResult => {
  let cur = m
  let steps = 0
  while (cur.htif.exitCode === undefined && steps < limits.maxSteps) {
    const r = step(cur, accel)
    cur = r.machine
    steps++
    if (observe !== undefined) {
      observe.event?.(r.event)
      observe.commits?.push(r.event)
      observe.machine?.(cur)
    }
  }
  return { machine: cur, steps, reason: cur.htif.exitCode !== undefined ? 'exit' : 'limit' }
}
