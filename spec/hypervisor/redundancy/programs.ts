// The golden programs (golden/programs/) loaded for the redundancy specs, and the uninterrupted run
// they are compared with: the step fold, its commit log line by line.
import { readFileSync } from 'node:fs'
import { type Machine } from '../../../src/machine/machine.ts'
import { loadGoldenProgram } from '../../../golden/programs/load.ts'
import { foldSteps } from '../../../src/machine/run.ts'
import { commitLine } from '../../../src/trace/commit-log.ts'
import { type Advance } from '../../../src/hypervisor/redundancy/failover.ts'

const DIR = new URL('../../../golden/programs/', import.meta.url)

export const loadGolden = (name: string, isaText: string): Machine => loadGoldenProgram(name, isaText).machine

/** Spike's committed commit log for a golden program. */
export const spikeLog = (name: string): string => readFileSync(new URL(`${name}.spike.commits`, DIR), 'utf8')

/** Advancing by the step fold, recording the stretch's commit log. */
export const foldAdvance: Advance<string> = (m, maxSteps) => {
  let log = ''
  const r = foldSteps(m, { maxSteps }, { event: (ev) => { log += commitLine(ev) } })
  return { machine: r.machine, steps: r.steps, trace: log }
}

export const stdoutOf = (m: Machine): string => m.htif.output.map((w) => Buffer.from(w.bytes).toString('latin1')).join('')
