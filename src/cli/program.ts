// Loading a program for `memvirt run` and `memvirt check`: the ISA string, the ELF file and the machine
// options (Spike's `-m` RAM layout or `--ram`, `--pc`, its HTIF polling interleave) decoded once, each bad
// input named in one line (exit 2).
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { type Elf, parseElf } from '../elf/elf.ts'
import { DEFAULT_ISA, parseIsa } from '../cpu/isa.ts'
import { type Machine, type MachineOptions, SPIKE_INTERLEAVE, coveredByRam, loadMachine, platformMapOf, ramAtDramBase } from '../machine/machine.ts'
import { cannotRead, failInput } from './io.ts'
import { withFastTranslation } from './engines.ts'
import { parseCNumber, parseMemLayout } from './spike-args.ts'

/** The flags every program-running command shares. */
export interface ProgramFlags {
  readonly isa: string
  readonly maxInsns: string
  readonly ram: string
  readonly interleave: string
  /** Spike's `-m`: MiB at 0x8000_0000, or base:size pairs. */
  readonly m?: string
  /** Spike's `--pc`: the address the boot ROM jumps to instead of the ELF's entry. */
  readonly pc?: string
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
  .option('-m <layout>', 'Spike\'s -m: RAM in MiB at 0x80000000 (-m2048), or base:size pairs (-m0x80000000:0x10000000,0x90000000:0x1000)')
  .option('--pc <addr>', 'Spike\'s --pc: start at ADDR instead of the ELF\'s entry point')

/** A positive integer flag value, at most `max`. */
export const positiveInt = (flag: string, text: string, max = Number.MAX_SAFE_INTEGER): number => {
  const n = Number(text)
  return /^[1-9][0-9]*$/.test(text) && Number.isSafeInteger(n) && n <= max ? n : failInput(`${flag}: expected a positive integer up to ${max}, got "${text}"`)
}

/** The RAM regions `-m` (or else `--ram`) asks for; Spike's realignment warnings go to stderr. */
const ramOf = (flags: ProgramFlags): MachineOptions['ram'] => {
  if (flags.m === undefined) return ramAtDramBase(BigInt(positiveInt('--ram', flags.ram, MAX_RAM_MIB)) << 20n)
  if (flags.ram !== String(DEFAULT_RAM_MIB)) return failInput('-m and --ram both set the RAM: give one')
  const layout = parseMemLayout(flags.m)
  if (layout._tag === 'Left') return failInput(`-m: ${layout.left}`)
  for (const w of layout.right.warnings) process.stderr.write(`memvirt: warning: ${w}\n`)
  return layout.right.ram
}

/** The machine options the flags ask for. */
export const machineOptions = (flags: ProgramFlags): MachineOptions => {
  const options = { ram: ramOf(flags), interleave: positiveInt('--interleave', flags.interleave) }
  const map = platformMapOf(options)
  return typeof map === 'string' ? failInput(`-m: ${map} (Spike refuses overlapping devices too)`) : options
}

/** The machine Spike would start for `path`: boot ROM, the ELF loaded, HTIF found. */
export const loadProgram = (path: string, flags: ProgramFlags): Machine => loadProgramAndElf(path, flags).machine

/** The machine Spike would start for `path`, and the decoded ELF (its symbols: the signature's bounds). */
export const loadProgramAndElf = (path: string, flags: ProgramFlags): { readonly machine: Machine; readonly elf: Elf } => {
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
  const outside = elf.right.segments.find((s) => s.memsz > 0n && !coveredByRam(options.ram, s.paddr, s.memsz))
  if (outside !== undefined) {
    const ram = options.ram.map((r) => `0x${r.base.toString(16)}..0x${(r.base + r.size - 1n).toString(16)}`).join(', ')
    return failInput(`${path}: byte ${outside.headerOffset} (program header, PT_LOAD): segment at 0x${outside.paddr.toString(16)} (${outside.memsz} bytes) ` +
      `lies outside RAM ${ram}`)
  }
  const pc = flags.pc === undefined ? undefined : parseCNumber(flags.pc)
  if (flags.pc !== undefined && pc === undefined) return failInput(`--pc: expected an address (decimal, 0x hex or 0 octal) below 2^64, got "${flags.pc}"`)
  const m = loadMachine(isa.right, pc === undefined ? elf.right : { ...elf.right, entry: pc }, options)
  return m._tag === 'Left' ? failInput(`${path}: ${m.left.message}`) : { machine: withFastTranslation(m.right), elf: elf.right }
}
