// The golden programs (golden/programs/) loaded for the redundancy specs, and the uninterrupted run
// they are compared with: the step fold, its commit log line by line.
import { readFileSync } from 'node:fs'
import { type Machine, loadMachine, withHart } from '../../../src/machine/machine.ts'
import { withCsrs } from '../../../src/cpu/hart.ts'
import { ENVCFG_ADUE } from '../../../src/cpu/csr/fields.ts'
import { parseIsa } from '../../../src/cpu/isa.ts'
import { parseElf } from '../../../src/elf/elf.ts'
import { translate } from '../../../src/mmu/translate.ts'
import { contextFor } from '../../../src/cpu/translation-context.ts'
import { virt } from '../../../src/bits/address.ts'
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

/** golden/redundancy/NAME.elf (dguest: a guest under Svadu) loaded as the golden programs are. */
export const loadRedundancyGolden = (name: string, isaText: string): Machine => {
  const isa = parseIsa(isaText)
  const elf = parseElf(new Uint8Array(readFileSync(new URL(`../../../golden/redundancy/${name}.elf`, import.meta.url))))
  if (isa._tag === 'Left' || elf._tag === 'Left') throw new Error(`${name}: cannot load`)
  const m = loadMachine(isa.right, elf.right)
  if (m._tag === 'Left') throw new Error(m.left.message)
  return m.right
}

/**
 * `m` with hardware A/D updating on for the G-stage from reset (menvcfg.ADUE = 1; the ISA must have
 * Svadu): how the golden hypervisor programs, written for Svade with A and D preset in their G-stage
 * leaves, are run under `dirtySource: 'dbits'` (their firmware never writes menvcfg).
 */
export const withGStageAdue = (m: Machine): Machine => withHart(m, withCsrs(m.hart, { ...m.hart.csr, menvcfg: m.hart.csr.menvcfg | ENVCFG_ADUE }))

/**
 * A stretch of the step fold: its commit log, the host pages its stores wrote through a G-stage (a GPA) and
 * otherwise, and the pages of the SCs that failed: an SC translates as a store before it checks its
 * reservation (Spike's check_load_reservation; execute/atomic.ts), so a failing one may set D and write nothing.
 */
export interface StoreStretch {
  readonly log: string
  readonly viaG: readonly number[]
  readonly other: readonly number[]
  readonly failedSc: readonly number[]
}

const isSc = (bits: number): boolean => (bits & 0x7f) === 0x2f && (bits >>> 27) === 0b00011

/** Advancing by the step fold one step at a time, recording the commit log and which pages stores wrote (or failed SCs aimed at). */
export const storeAdvance: Advance<StoreStretch> = (m, maxSteps) => {
  let log = ''
  const viaG: number[] = [], other: number[] = [], failedSc: number[] = []
  let cur = m, steps = 0
  while (steps < maxSteps && cur.htif.exitCode === undefined) {
    const before = cur
    const r = foldSteps(cur, { maxSteps: 1 }, {
      event: (ev) => {
        log += commitLine(ev)
        if (ev._tag !== 'Retired') return
        for (const s of ev.stores) {
          const pages = [Number(s.pa >> 12n), Number((s.pa + BigInt(s.size) - 1n) >> 12n)]
          ;(s.gpa === undefined ? other : viaG).push(...pages)
        }
        if (isSc(ev.bits) && ev.stores.length === 0) {
          const h = before.hart
          const t = translate(before.memory, contextFor(h.csr, before.isa, h.priv, h.virt), { va: virt(h.x[(ev.bits >>> 15) & 31]!), access: 'store' })
          if (t.result._tag === 'Right') failedSc.push(Number((t.result.right.pa as bigint) >> 12n))
        }
      },
    })
    if (r.steps === 0) break
    cur = r.machine
    steps += r.steps
  }
  return { machine: cur, steps, trace: { log, viaG, other, failedSc } }
}
