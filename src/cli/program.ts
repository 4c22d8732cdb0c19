// Loading a program for `memvirt run` and `memvirt check`: the ISA string, the ELF file and the machine
// options (Spike's `-m` RAM size and its HTIF polling interleave) decoded once, each bad input named in
// one line (exit 2).
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { parseElf } from '../elf/elf.ts'
import { DEFAULT_ISA, parseIsa } from '../cpu/isa.ts'
import { type Machine, type MachineOptions, SPIKE_INTERLEAVE, loadMachine } from '../machine/machine.ts'
import { SPIKE_RAM_BASE } from '../memory/memory-map.ts'
import { cannotRead, failInput } from './io.ts'
import { withFastTranslation } from './engines.ts'

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

/** The machine Spike would start for `path`: boot ROM, the ELF loaded, HTIF found. */
export const loadProgram = (path: string, flags: ProgramFlags): Machine => {
  const isa = parseIsa(flags.isa)
  if (isa._tag === 'Left') return failInput(`--isa: ${isa.left}`)
  const options = machineOptions(flags)
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(readFileSync(path))
  } catch (e) {
    return cannotRead(path, e)
  }
  const elf = parseElf(bytes)
  if (elf._tag === 'Left') return failInput(`${path}: ${elf.left.message}`)
  // Spike's loader only warns without tohost and runs on; a program that can never exit is rejected here.
  if (elf.right.tohost._tag === 'None') return failInput(`${path}: no \`tohost\` symbol: the program has no HTIF mailbox to exit through`)
  const ramEnd = SPIKE_RAM_BASE + options.ramSize
  const outside = elf.right.segments.find((s) => s.paddr < SPIKE_RAM_BASE || s.paddr + s.memsz > ramEnd)
  if (outside !== undefined) {
    return failInput(`${path}: byte ${outside.headerOffset} (program header, PT_LOAD): segment at 0x${outside.paddr.toString(16)} (${outside.memsz} bytes) ` +
      `lies outside RAM 0x${SPIKE_RAM_BASE.toString(16)}..0x${(ramEnd - 1n).toString(16)} (--ram ${options.ramSize >> 20n})`)
  }
  const m = loadMachine(isa.right, elf.right, options)
  return m._tag === 'Left' ? failInput(`${path}: ${m.left.message}`) : withFastTranslation(m.right)
}
