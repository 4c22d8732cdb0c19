// A golden program (golden/programs/NAME.elf) loaded into a machine out of reset on Spike's platform,
// under an ISA string: the one loader the goldens and specs that run these programs share.
import { readFileSync } from 'node:fs'
import { type Elf, parseElf } from '../../src/elf/elf.ts'
import { parseIsa } from '../../src/cpu/isa.ts'
import { type Machine, loadMachine } from '../../src/machine/machine.ts'

const DIR = new URL('./', import.meta.url)

/** The ELF of golden program `name` and the machine that runs it under `isaText`; throws on a broken file (a test fixture). */
export const loadGoldenProgram = (name: string, isaText: string): { readonly elf: Elf; readonly machine: Machine } => {
  const isa = parseIsa(isaText)
  const elf = parseElf(new Uint8Array(readFileSync(new URL(`${name}.elf`, DIR))))
  if (isa._tag === 'Left' || elf._tag === 'Left') throw new Error(`${name}: cannot load`)
  const m = loadMachine(isa.right, elf.right)
  if (m._tag === 'Left') throw new Error(m.left.message)
  return { elf: elf.right, machine: m.right }
}
