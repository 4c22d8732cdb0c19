// Loading a program for `memvirt run` and `memvirt check`: the ISA string, the ELF file and the machine
// options (Spike's `-m` RAM size and its HTIF polling interleave) decoded once, each bad input named in
// one line (exit 2).
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { parseElf } from '../elf/elf.ts'
import { DEFAULT_ISA, parseIsa } from '../cpu/isa.ts'
import { type Machine, type MachineOptions, SPIKE_INTERLEAVE, loadMachine } from '../machine/machine.ts'
import { failInput } from './io.ts'

/** The flags every program-running command shares. */
export interface ProgramFlags {
  readonly isa: string
  readonly maxInsns: string
  readonly ram: string
  readonly interleave: string
}

/** Spike's default RAM, in MiB (`spike -m2048`). */
const DEFAULT_RAM_MIB = 2048
/** RAM ends below 2^52 (0x8000_0000 + this many MiB), where the model's addresses stay exact numbers. */
const MAX_RAM_MIB = 1 << 30

/** Adds --isa, --max-insns, --ram and --interleave to a command. */
export const programOptions = (cmd: Command): Command => cmd
  .option('--isa <string>', 'Spike ISA string, e.g. rv64imac_zicsr_zifencei_zicntr_h_svadu', DEFAULT_ISA)
  .option('--max-insns <n>', 'stop after N steps (instructions or traps)', '100000000')
  .option('--ram <MiB>', 'RAM at 0x80000000, in MiB (Spike\'s -m)', String(DEFAULT_RAM_MIB))
  .option('--interleave <n>', 'steps between HTIF polls and timer ticks (Spike\'s INTERLEAVE)', String(SPIKE_INTERLEAVE))

/** A positive integer flag value, at most `max`. */
export const positiveInt = (flag: string, text: string, max = Number.MAX_SAFE_INTEGER): number => {
  const n = Number(text)
  return /^[1-9][0-9]*$/.test(text) && Number.isSafeInteger(n) && n <= max ? n : failInput(`${flag}: expected a positive integer up to ${max}, got "${text}"`)
}

/** The machine options the flags ask for. */
export const machineOptions = (flags: ProgramFlags): MachineOptions => ({
  ramSize: BigInt(positiveInt('--ram', flags.ram, MAX_RAM_MIB)) << 20n,
  interleave: positiveInt('--interleave', flags.interleave),
})

const errorCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'error'

/** The machine Spike would start for `path`: boot ROM, the ELF loaded, HTIF found. */
export const loadProgram = (path: string, flags: ProgramFlags): Machine => {
  const isa = parseIsa(flags.isa)
  if (isa._tag === 'Left') return failInput(`--isa: ${isa.left}`)
  const options = machineOptions(flags)
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(readFileSync(path))
  } catch (e) {
    return failInput(`cannot read ${path}: ${errorCode(e)}`)
  }
  const elf = parseElf(bytes)
  if (elf._tag === 'Left') return failInput(`${path}: ${elf.left.message}`)
  // Spike only warns and then spins for ever; the README promises exit 2: without the mailbox the
  // program has no way to end the run.
  if (elf.right.tohost._tag === 'None') return failInput(`${path}: no tohost symbol: the program could never end the run through HTIF`)
  const m = loadMachine(isa.right, elf.right, options)
  return m._tag === 'Left' ? failInput(`${path}: ${m.left.message}`) : m.right
}
