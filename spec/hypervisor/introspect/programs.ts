// Test helper: a golden program (golden/programs/*.elf) loaded as Spike would start it, and the
// machine run until the hart reaches a symbol (by the specification step, machine/step.ts).
import { fileURLToPath } from 'node:url'
import { type Elf } from '../../../src/elf/elf.ts'
import { type Machine } from '../../../src/machine/machine.ts'
import { step } from '../../../src/machine/step.ts'
import { loadGoldenProgram } from '../../../golden/programs/load.ts'

export const programPath = (name: string): string => fileURLToPath(new URL(`../../../golden/programs/${name}.elf`, import.meta.url))

export const loadGolden = (name: string, isaText: string): { readonly elf: Elf; readonly machine: Machine } => loadGoldenProgram(name, isaText)

/** The machine after steps until pc = the symbol's address (at most `bound` steps). */
export const runTo = (elf: Elf, m0: Machine, symbol: string, bound = 100_000): Machine => {
  const target = elf.symbols.get(symbol)?.value
  if (target === undefined) throw new Error(`no symbol ${symbol}`)
  let m = m0
  for (let i = 0; i < bound && m.hart.pc !== target; i++) m = step(m).machine
  if (m.hart.pc !== target) throw new Error(`${symbol} not reached in ${bound} steps`)
  return m
}

/** The machine after n steps. */
export const runSteps = (m0: Machine, n: number): Machine => {
  let m = m0
  for (let i = 0; i < n; i++) m = step(m).machine
  return m
}
