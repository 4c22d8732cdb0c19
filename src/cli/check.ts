// `memvirt check PROG.elf --against DUT.log [--isa STRING] [--max-insns N]`: runs the model on PROG.elf
// and compares its commit log with another implementation's Spike-format log (`--log-commits`, with or
// without `-l`), reporting the first divergence. Exit 0: no divergence; 1: a divergence, or the log ends
// before the model's run does; 2: bad input (an unreadable file, a line that is not Spike's format).
import { closeSync, openSync, readSync } from 'node:fs'
import type { Command } from 'commander'
import { type CheckResult, firstDivergence, modelCommitLines } from '../trace/check.ts'
import { cannotRead, failInput } from './io.ts'
import { checkJson } from '../trace/check-json.ts'
import { type ProgramFlags, loadProgramAndElf, positiveInt, programOptions } from './program.ts'
import { parseCNumber } from './spike-args.ts'
import { firstDivergenceQemu, modelStates } from '../trace/check-qemu.ts'

/** The lines of a file, read 64 KiB at a time (a DUT log may be far larger than memory wants). */
function* fileLines(path: string): Generator<string, void, undefined> {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    return cannotRead(path, e)
  }
  const buffer = Buffer.alloc(1 << 16)
  const decoder = new TextDecoder('utf-8')
  let partial = ''
  try {
    for (;;) {
      let n: number
      try {
        n = readSync(fd, buffer, 0, buffer.length, null)
      } catch (e) {
        return cannotRead(path, e)
      }
      if (n === 0) break
      const lines = (partial + decoder.decode(buffer.subarray(0, n), { stream: true })).split('\n')
      partial = lines.pop()!
      yield* lines
    }
    partial += decoder.decode()
    if (partial !== '') yield partial
  } finally {
    closeSync(fd)
  }
}

/** What `check` prints for a result (newline-terminated), and its exit status. */
export const report = (r: CheckResult, logPath: string): { readonly text: string; readonly status: 0 | 1 } => {
  switch (r._tag) {
    case 'NoDivergence': {
      const limit = r.end.reason === 'limit' ? ` (the model stopped at --max-insns, ${r.end.steps} steps, before its HTIF exit)` : ''
      return { text: `no divergence in ${r.instructions} instructions${limit}\n`, status: 0 }
    }
    case 'Divergence': {
      const width = Math.max(...r.diffs.map((d) => d.item.length)) + 1
      const items = r.diffs.map((d) => `  ${(d.item + ':').padEnd(width)} expected ${d.expected ?? '(none)'}, found ${d.found ?? '(none)'}\n`).join('')
      return {
        text: `divergence at instruction ${r.instruction} (pc ${r.pc}, ${logPath} line ${r.dutLine}): ${r.diffs.map((d) => d.item).join(', ')} differ${r.diffs.length === 1 ? 's' : ''}\n` +
          items + `  expected: ${r.expected}\n  found:    ${r.found}\n`,
        status: 1,
      }
    }
    case 'LogEnded':
      return { text: `log ends after ${r.instructions} instructions; expected instruction ${r.instructions + 1}: ${r.expected}\n`, status: 1 }
    case 'BadLine':
      return failInput(`${logPath} line ${r.dutLine}: ${r.message}`)
  }
}

interface CheckOptions extends ProgramFlags {
  readonly against: string
  readonly json?: boolean
  readonly format: string
}

export const register = (program: Command): void => {
  programOptions(program
    .command('check')
    .description("run a RISC-V ELF on the model and report the first divergence from another implementation's Spike-format commit log")
    .argument('<elf>', 'a bare-metal RV64 ELF executable with tohost/fromhost symbols')
    .requiredOption('--against <log>', 'the DUT\'s log: `spike --log-commits` format (lines `spike -l` adds are skipped)')
    .option('--format <format>', 'the log\'s format: spike (--log-commits, with or without -l) or qemu (qemu-system-riscv64 -d in_asm,cpu,nochain -singlestep)', 'spike')
    .option('--json', 'print the result as one JSON object (fields in the README: result, instruction, pc, log, line, diffs, expected, found)'))
    .action((path: string, opts: CheckOptions) => {
      const maxSteps = positiveInt('--max-insns', opts.maxInsns)
      if (opts.format !== 'spike' && opts.format !== 'qemu') return failInput(`--format: expected spike or qemu, got "${opts.format}"`)
      const { machine: m, elf } = loadProgramAndElf(path, opts)
      const lines = fileLines(opts.against)
      // QEMU's log is aligned with the model's run where both reach the pc the boot ROM jumps to.
      const r = opts.format === 'qemu'
        ? firstDivergenceQemu(modelStates(m, maxSteps), lines, (opts.pc === undefined ? undefined : parseCNumber(opts.pc)) ?? elf.entry)
        : firstDivergence(modelCommitLines(m, maxSteps), lines)
      lines.return(undefined)
      const out = report(r, opts.against)
      const json = opts.json === true ? checkJson(r, opts.against) : undefined
      process.stdout.write(json === undefined ? out.text : JSON.stringify(json) + '\n')
      process.exitCode = out.status
    })
}
