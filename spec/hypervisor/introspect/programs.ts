// Test helper: a golden program (golden/programs/*.elf) loaded as Spike would start it, and the
// machine run until the hart reaches a symbol (by the specification step, machine/step.ts).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Elf, parseElf } from '../../../src/elf/elf.ts'
import { parseIsa } from '../../../src/cpu/isa.ts'
import { type Machine, loadMachine } from '../../../src/machine/machine.ts'
import { step } from '../../../src/machine/step.ts'

export const programPath = (name: string): string => fileURLToPath(new URL(`../../../golden/programs/${name}.elf`, import.meta.url))

export const loadGolden = (name: string, isaText: string): { elf: Elf; machine: Machine } => {
  const elf = parseElf(new Uint8Array(readFileSync(programPath(name))))
  const isa = parseIsa(isaText)
  if (elf._tag === 'Left' || isa._tag === 'Left') throw new Error(`cannot load ${name}`)
  const m = loadMachine(isa.right, elf.right)
  if (m._tag === 'Left') throw new Error(m.left.message)
  return { elf: elf.right, machine: m.right }
}

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
