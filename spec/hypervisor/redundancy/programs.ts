// The golden programs (golden/programs/) loaded for the redundancy specs, and the uninterrupted run
// they are compared with: the step fold, its commit log line by line.
import { readFileSync } from 'node:fs'
import { parseElf } from '../../../src/elf/elf.ts'
import { parseIsa } from '../../../src/cpu/isa.ts'
import { type Machine, loadMachine } from '../../../src/machine/machine.ts'
import { foldSteps } from '../../../src/machine/run.ts'
import { commitLine } from '../../../src/trace/commit-log.ts'
import { type Advance } from '../../../src/hypervisor/redundancy/failover.ts'

const DIR = new URL('../../../golden/programs/', import.meta.url)

export const loadGolden = (name: string, isaText: string): Machine => {
  const isa = parseIsa(isaText)
  const elf = parseElf(new Uint8Array(readFileSync(new URL(`${name}.elf`, DIR))))
  if (isa._tag === 'Left' || elf._tag === 'Left') throw new Error(`${name}: cannot load`)
  const m = loadMachine(isa.right, elf.right)
  if (m._tag === 'Left') throw new Error(m.left.message)
  return m.right
}

/** Spike's committed commit log for a golden program. */
export const spikeLog = (name: string): string => readFileSync(new URL(`${name}.spike.commits`, DIR), 'utf8')

/** Advancing by the step fold, recording the stretch's commit log. */
export const foldAdvance: Advance<string> = (m, maxSteps) => {
  let log = ''
  const r = foldSteps(m, { maxSteps }, { event: (ev) => { log += commitLine(ev) } })
  return { machine: r.machine, steps: r.steps, trace: log }
}

export const stdoutOf = (m: Machine): string => m.htif.output.map((w) => Buffer.from(w.bytes).toString('latin1')).join('')
