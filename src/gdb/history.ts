// The history of machine states reverse execution is served from (GDB manual, "Remote Protocol" ›
// "Packets": `bs`, `bc`; "Stop Reply Packets": `replaylog`). States are persistent, so a checkpoint is a
// reference; memory stays bounded by keeping one checkpoint every `interval` steps and at most `capacity`
// of them (the oldest dropped), and any earlier state is rebuilt by re-executing from the nearest
// checkpoint at or before it — the machine is deterministic, so the replay is the same run.
import { type Machine } from '../machine/machine.ts'
import { type StepResult } from '../machine/step.ts'

/** One step of the machine: the specification's `step`, or an engine's equal of it. */
export type Stepper = (m: Machine) => StepResult

/** The machine at step `index` of the session, and the traps taken by then. */
export interface Checkpoint {
  readonly index: number
  readonly machine: Machine
  readonly traps: number
}

export interface History {
  /** Ascending by index; never empty: the first is the earliest state reverse execution reaches. */
  readonly checkpoints: readonly Checkpoint[]
  readonly interval: number
  readonly capacity: number
}

export const checkpoint = (index: number, machine: Machine, traps: number): Checkpoint => ({ index, machine, traps })

/** A history whose only (and earliest) state is `machine` at `index`. */
export const startHistory = (index: number, machine: Machine, traps: number, interval: number, capacity: number): History =>
  ({ checkpoints: [checkpoint(index, machine, traps)], interval, capacity })

/** The first index reverse execution can reach. */
export const earliest = (h: History): number => h.checkpoints[0]!.index

/**
 * The history after the run reached step `index` going forward: a checkpoint every `interval` steps past
 * the last one, the oldest dropped beyond `capacity`. States already covered (a replay) change nothing.
 */
export const record = (h: History, index: number, machine: Machine, traps: number): History => {
  const last = h.checkpoints[h.checkpoints.length - 1]!
  if (index < last.index + h.interval) return h
  const kept = h.checkpoints.length >= h.capacity ? h.checkpoints.slice(1) : h.checkpoints
  return { checkpoints: [...kept, checkpoint(index, machine, traps)], interval: h.interval, capacity: h.capacity }
}

/** The last checkpoint at or before `index`, or undefined before the earliest. */
export const checkpointBefore = (h: History, index: number): Checkpoint | undefined => {
  let best: Checkpoint | undefined
  for (const c of h.checkpoints) if (c.index <= index) best = c
  return best
}

/** The state at step `index` (earliest ≤ index), rebuilt from the nearest checkpoint. */
export const stateAt = (h: History, index: number, stepper: Stepper): Checkpoint | undefined => {
  const c = checkpointBefore(h, index)
  if (c === undefined) return undefined
  let m = c.machine
  let traps = c.traps
  for (let i = c.index; i < index; i++) {
    const r = stepper(m)
    m = r.machine
    if (r.event._tag === 'Trapped') traps++
  }
  return checkpoint(index, m, traps)
}
