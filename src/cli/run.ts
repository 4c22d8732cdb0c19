// `memvirt run PROG.elf [--isa STRING] [--max-insns N] [--log-commits FILE] [--trace FILE] [--iommu]`: runs a bare-metal RISC-V
// ELF the way `spike --isa=STRING [--log-commits]` does, from Spike's boot ROM until the program writes
// its exit code to HTIF `tohost`. The exit status is that code (0 = pass), like Spike's.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { type Machine } from '../machine/machine.ts'
import { type StepEvent } from '../cpu/event.ts'
import { type Observer } from '../machine/run.ts'
import { run } from '../machine/engine/run.ts'
import { CommitLogWriter } from '../trace/commit-log-writer.ts'
import { encodeTraceLine } from '../trace/jsonl.ts'
import { withIommuPlatform } from '../iommu/platform/platform.ts'
import { failInput } from './io.ts'
import { type ProgramFlags, loadProgram, positiveInt, programOptions } from './program.ts'

/**
 * A commit-log file written as the run goes (bounded memory), into a temporary sibling that is renamed
 * over the target only when the run has finished: never a half-written log under the final name.
 */
class LogFile {
  private readonly tmp: string
  private readonly fd: number
  private buffer = ''
  constructor(private readonly path: string) {
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
    try {
      this.fd = openSync(this.tmp, 'w')
    } catch (e) {
      this.fd = -1
      failInput(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
    }
  }
  write(text: string): void {
    this.buffer += text
    if (this.buffer.length >= 1 << 20) this.flush()
  }
  /** Bytes written at once (the commit-log writer hands over its whole buffer). */
  writeBytes(bytes: Uint8Array, length: number): void {
    this.flush()
    for (let done = 0; done < length;) done += writeSync(this.fd, bytes, done, length - done)
  }
  private flush(): void {
    if (this.buffer !== '') writeSync(this.fd, this.buffer)
    this.buffer = ''
  }
  finish(): void {
    this.flush()
    fsyncSync(this.fd)
    closeSync(this.fd)
    renameSync(this.tmp, this.path)
  }
  abandon(): void {
    try { closeSync(this.fd) } catch { /* already closed */ }
    try { unlinkSync(this.tmp) } catch { /* never created */ }
  }
}

/** Exit status when --max-insns stops a program that has not exited (GNU timeout's convention). */
export const EXIT_LIMIT = 124

interface RunOptions extends ProgramFlags {
  readonly logCommits?: string
  readonly trace?: string
  readonly iommu?: boolean
}

export const register = (program: Command): void => {
  programOptions(program
    .command('run')
    .description('run a RISC-V ELF like Spike (boot ROM, HTIF tohost exit) and optionally write its commit log')
    .argument('<elf>', 'a bare-metal RV64 ELF executable with tohost/fromhost symbols'))
    .option('--log-commits <file>', "write Spike's --log-commits format to FILE")
    .option('--trace <file>', 'write the JSONL trace (one record per step: accesses with VA, GPA and PA, traps, TLB counts) to FILE')
    .option('--iommu', 'attach the RISC-V IOMMU (registers at 0x30010000) and a DMA engine behind it (0x30020000)')
    .action((path: string, opts: RunOptions) => {
      const maxSteps = positiveInt('--max-insns', opts.maxInsns)
      const loaded = loadProgram(path, opts)
      const m = opts.iommu === true ? withIommuPlatform(loaded) : loaded
      if (opts.trace !== undefined && opts.logCommits !== undefined && resolve(opts.trace) === resolve(opts.logCommits)) {
        return failInput('--trace and --log-commits name the same file')
      }
      const log = opts.logCommits === undefined ? undefined : new LogFile(opts.logCommits)
      let trace
      try {
        trace = opts.trace === undefined ? undefined : new LogFile(opts.trace)
      } catch (e) {
        log?.abandon()
        throw e
      }
      let order = 0
      // What the program writes through HTIF (fd 1 or 2, console device) is printed as it happens.
      let printed = 0
      const machineSeen = (after: Machine): void => {
        const out = after.htif.output
        for (; printed < out.length; printed++) (out[printed]!.fd === 2 ? process.stderr : process.stdout).write(out[printed]!.bytes)
      }
      // The commit log comes from the byte writer; a run without --trace keeps the fast engine, whose
      // compiled blocks write their lines themselves.
      const commits = log === undefined ? undefined : new CommitLogWriter((bytes, length) => log.writeBytes(bytes, length))
      const observe: Observer = {
        ...(commits === undefined ? {} : { commits }),
        ...(trace === undefined ? {} : { event: (ev: StepEvent): void => trace.write(encodeTraceLine(ev, ++order)) }),
        machine: machineSeen,
      }
      let r
      try {
        r = run(m, { maxSteps }, observe)
      } catch (e) {
        log?.abandon()
        trace?.abandon()
        throw e
      }
      commits?.flush()
      log?.finish()
      trace?.finish()
      const code = r.machine.htif.exitCode
      if (code === undefined) {
        process.stderr.write(`memvirt: no HTIF exit after ${r.steps} steps (--max-insns)\n`)
        process.exitCode = EXIT_LIMIT
        return
      }
      if (code !== 0) process.stderr.write(`*** FAILED *** (tohost = ${code})\n`)
      process.exitCode = code & 0xff
    })
}
