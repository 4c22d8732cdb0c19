// `memvirt introspect PROG --at N --read-va VA --len L [--space S] [--json]`: runs the program N steps and
// reads L bytes at VA (a number or a symbol, `sym+off`) in the chosen address space, through the guest's
// own tables, without changing the machine (src/hypervisor/introspect/). Bad input: one line, exit 2.
import type { Command } from 'commander'
import { hex } from '../bits/bits.ts'
import { run } from '../machine/engine/run.ts'
import { type Space, SPACES, hexDump, physicalAddress, readMemory } from '../hypervisor/introspect/memory.ts'
import { modeText, privRegister } from '../hypervisor/introspect/registers.ts'
import { resolveAddress, symbolText } from '../hypervisor/introspect/symbols.ts'
import { failInput } from './io.ts'
import { type ProgramFlags, loadProgramAndElf, programOptions } from './program.ts'

interface IntrospectOptions extends ProgramFlags {
  readonly at: string
  readonly readVa: string
  readonly len: string
  readonly space: string
  readonly json?: boolean
}

/** At most this many bytes per read (a dump is for reading, not for copying RAM out). */
const MAX_LEN = 1 << 20

/** A non-negative integer flag. */
const count = (flag: string, text: string, max: number): number => {
  const n = Number(text)
  return /^[0-9]+$/.test(text) && Number.isSafeInteger(n) && n <= max ? n : failInput(`${flag}: expected an integer from 0 to ${max}, got "${text}"`)
}

export const register = (program: Command): void => {
  programOptions(program
    .command('introspect')
    .description('run a program N steps, then read guest memory through its own page tables (no side effects)')
    .argument('<elf>', 'a bare-metal RV64 ELF executable (as for run)'))
    .option('--at <n>', 'steps to run before looking (0 = out of reset)', '0')
    .requiredOption('--read-va <address>', 'address to read: a number (0x…) or a symbol, optionally +offset')
    .option('--len <bytes>', 'bytes to read', '64')
    .option('--space <space>', `address space: ${SPACES.join(', ')}`, 'current')
    .option('--json', 'one JSON object instead of the text dump')
    .action((path: string, opts: IntrospectOptions) => {
      const at = count('--at', opts.at, Number.MAX_SAFE_INTEGER)
      const len = count('--len', opts.len, MAX_LEN)
      if (!(SPACES as readonly string[]).includes(opts.space)) return failInput(`--space: expected one of ${SPACES.join(', ')}, got "${opts.space}"`)
      const space = opts.space as Space
      const { machine: m0, elf } = loadProgramAndElf(path, opts)
      const va = resolveAddress(elf, opts.readVa)
      if (va._tag === 'Left') return failInput(`--read-va: ${va.left.message}`)
      const m = at === 0 ? m0 : run(m0, { maxSteps: at }).machine
      const bytes = readMemory(m, space, va.right, len)
      if (bytes._tag === 'Left') return failInput(`--read-va: ${bytes.left.message}`)
      const pa = physicalAddress(m, space, va.right)
      const where = symbolText(elf, m.hart.pc)
      if (opts.json === true) {
        process.stdout.write(JSON.stringify({
          at, retired: Number(m.hart.instret), pc: hex(m.hart.pc), symbol: where ?? null, mode: modeText(m.hart, m.isa),
          priv: Number(privRegister(m.hart)), space, va: hex(va.right), pa: pa._tag === 'Right' ? hex(pa.right) : null,
          bytes: Array.from(bytes.right, (b) => b.toString(16).padStart(2, '0')).join(''),
        }) + '\n')
        return
      }
      process.stdout.write(`after ${at} steps: pc ${hex(m.hart.pc)}${where === undefined ? '' : ` <${where}>`}, ${modeText(m.hart, m.isa)}-mode, ${m.hart.instret} retired\n`)
      process.stdout.write(`${space} ${hex(va.right)}${pa._tag === 'Right' ? ` → PA ${hex(pa.right)}` : ''}, ${len} bytes\n`)
      process.stdout.write(hexDump(va.right, bytes.right))
    })
}
