// `memvirt run PROG.elf [--isa STRING] [--max-insns N] [--log-commits FILE] [--trace FILE]`: runs a bare-metal RISC-V
// ELF the way `spike --isa=STRING [--log-commits]` does, from Spike's boot ROM until the program writes
// its exit code to HTIF `tohost`. The exit status is that code (0 = pass), like Spike's. Spike's own flags
// are accepted too (spike-args.ts): `-m`, `--pc`, `-l`, `--log=FILE`, `+signature=FILE`,
// `+signature-granularity=N` (or `--signature`, `--signature-granularity`).
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { type Machine } from '../machine/machine.ts'
import { type StepEvent } from '../cpu/event.ts'
import { type Observer } from '../machine/run.ts'
import { run } from '../machine/engine/run.ts'
import { CommitLogWriter } from '../trace/commit-log-writer.ts'
import { encodeTraceLine } from '../trace/jsonl.ts'
import { failInput, writeFileAtomic } from './io.ts'
import { type ProgramFlags, loadProgramAndElf, positiveInt, programOptions } from './program.ts'
import { plusArgs } from './spike-args.ts'
import { type SignatureRegion, SPIKE_SIGNATURE_GRANULARITY, signatureRegion, signatureText } from '../machine/signature.ts'

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
  /** Spike's -l: the commit log to stderr, or to --log. */
  readonly l?: boolean
  readonly log?: string
  readonly signature?: string
  readonly signatureGranularity?: string
}

export const register = (program: Command): void => {
  programOptions(program
    .command('run')
    .description('run a RISC-V ELF like Spike (boot ROM, HTIF tohost exit) and optionally write its commit log')
    .argument('<elf...>', 'a bare-metal RV64 ELF executable with tohost/fromhost symbols; Spike\'s +signature=FILE and +signature-granularity=N may stand beside it'))
    .option('--log-commits <file>', "write Spike's --log-commits format to FILE")
    .option('-l', "Spike's -l: write the commit log (the --log-commits format, not Spike's disassembly lines) to stderr, or to --log")
    .option('--log <file>', "Spike's --log: where -l writes (created even without -l, as Spike does)")
    .option('--signature <file>', 'at the HTIF exit write the bytes between begin_signature and end_signature to FILE, as spike +signature=FILE does')
    .option('--signature-granularity <n>', 'bytes per signature line (Spike\'s +signature-granularity, default 16)')
    .option('--trace <file>', 'write the JSONL trace (one record per step: accesses with VA, GPA and PA, traps, TLB counts) to FILE')
    .action((args: string[], opts: RunOptions) => {
      const maxSteps = positiveInt('--max-insns', opts.maxInsns)
      const plus = plusArgs(args)
      if (plus._tag === 'Left') return failInput(plus.left)
      const path = plus.right.elf
      const signaturePath = plus.right.signature ?? opts.signature
      const granularityText = plus.right.granularity ?? opts.signatureGranularity
      const granularity = granularityText === undefined ? SPIKE_SIGNATURE_GRANULARITY : positiveInt('+signature-granularity', granularityText, 1 << 16)
      const { machine: m, elf } = loadProgramAndElf(path, opts)
      let signature: SignatureRegion | undefined
      if (signaturePath !== undefined) {
        const region = signatureRegion(elf, m.options.ram)
        if (region._tag === 'Left') return failInput(`${path}: ${region.left} (needed by +signature)`)
        signature = region.right
      }
      const outputs = [['--trace', opts.trace], ['--log-commits', opts.logCommits], ['--log', opts.log], ['+signature', signaturePath]]
        .filter((o): o is [string, string] => o[1] !== undefined)
      for (let i = 0; i < outputs.length; i++) {
        for (let j = i + 1; j < outputs.length; j++) {
          if (resolve(outputs[i]![1]) === resolve(outputs[j]![1])) return failInput(`${outputs[i]![0]} and ${outputs[j]![0]} name the same file`)
        }
      }
      const log = opts.logCommits === undefined ? undefined : new LogFile(opts.logCommits)
      let spikeLog: LogFile | undefined
      try {
        spikeLog = opts.log === undefined ? undefined : new LogFile(opts.log)
      } catch (e) {
        log?.abandon()
        throw e
      }
      let trace
      try {
        trace = opts.trace === undefined ? undefined : new LogFile(opts.trace)
      } catch (e) {
        log?.abandon()
        spikeLog?.abandon()
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
      // -l writes the same lines to stderr (or --log); with --log-commits too, each buffer goes to both.
      const toStderr = (bytes: Uint8Array, length: number): void => {
        for (let done = 0; done < length;) done += writeSync(2, bytes, done, length - done)
      }
      const lOut = opts.l !== true ? undefined : spikeLog !== undefined ? (b: Uint8Array, n: number): void => spikeLog.writeBytes(b, n) : toStderr
      const commits = log === undefined && lOut === undefined ? undefined : new CommitLogWriter((bytes, length) => {
        log?.writeBytes(bytes, length)
        lOut?.(bytes, length)
      })
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
        spikeLog?.abandon()
        trace?.abandon()
        throw e
      }
      commits?.flush()
      log?.finish()
      spikeLog?.finish()
      trace?.finish()
      const code = r.machine.htif.exitCode
      // Spike's host writes the signature when it stops, after the exit command (whatever the code).
      if (signaturePath !== undefined && signature !== undefined && code !== undefined) {
        try {
          writeFileAtomic(signaturePath, signatureText(r.machine.memory, signature, granularity))
        } catch (e) {
          return failInput(`cannot write ${signaturePath}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
        }
      }
      if (code === undefined) {
        process.stderr.write(`memvirt: no HTIF exit after ${r.steps} steps (--max-insns)\n`)
        process.exitCode = EXIT_LIMIT
        return
      }
      if (code !== 0) process.stderr.write(`*** FAILED *** (tohost = ${code})\n`)
      process.exitCode = code & 0xff
    })
}
