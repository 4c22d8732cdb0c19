// `memvirt run PROG.elf [--isa STRING] [--max-insns N] [--log-commits FILE] [--trace FILE]`: runs a bare-metal RISC-V
// ELF the way `spike --isa=STRING [--log-commits]` does, from Spike's boot ROM until the program writes
// its exit code to HTIF `tohost`. The exit status is that code (0 = pass), like Spike's.
import type { Command } from 'commander'
import { type Machine } from '../machine/machine.ts'
import { type StepEvent } from '../cpu/event.ts'
import { type Observer } from '../machine/run.ts'
import { run } from '../machine/engine/run.ts'
import { CommitLogWriter } from '../trace/commit-log-writer.ts'
import { encodeTraceLine } from '../trace/jsonl.ts'
import { failInput } from './io.ts'
import { openOutput } from './output.ts'
import { type ProgramFlags, loadProgram, positiveInt, programOptions } from './program.ts'
import { type RedundancyFlags, type SnapshotFlags, redundancyOptions, redundancyPlan, restore, runRedundant, save, savePlan, snapshotOptions } from './redundancy.ts'
import { type WatchFlags, type Watcher, integrityWatcher, watchOptions } from './integrity.ts'
import { type CallFlags, callOptions, callWatcher } from './calls.ts'

/** Exit status when --max-insns stops a program that has not exited (GNU timeout's convention). */
export const EXIT_LIMIT = 124

interface RunOptions extends ProgramFlags, RedundancyFlags, SnapshotFlags, WatchFlags, CallFlags {
  readonly logCommits?: string
  readonly trace?: string
}

export const register = (program: Command): void => {
  callOptions(watchOptions(snapshotOptions(redundancyOptions(programOptions(program
    .command('run')
    .description('run a RISC-V ELF like Spike (boot ROM, HTIF tohost exit) and optionally write its commit log')
    .argument('[elf]', 'a bare-metal RV64 ELF executable with tohost/fromhost symbols (none with --restore)'))
    .option('--log-commits <file>', "write Spike's --log-commits format to FILE")
    .option('--trace <file>', 'write the JSONL trace (one record per step: accesses with VA, GPA and PA, traps, TLB counts) to FILE')))))
    .action((path: string | undefined, opts: RunOptions) => {
      const maxSteps = positiveInt('--max-insns', opts.maxInsns)
      if ((path === undefined) === (opts.restore === undefined)) return failInput('expected an ELF or --restore FILE (one of them)')
      const start = path === undefined ? restore(opts.restore!) : { machine: loadProgram(path, opts), position: 0 }
      const m = start.machine
      const redundant = redundancyPlan(opts, maxSteps)
      const saving = savePlan(opts)
      if (redundant !== undefined && saving !== undefined) return failInput('--save-at is not available with --checkpoint-every')
      if (redundant !== undefined && opts.trace !== undefined) return failInput('--trace is not available with --checkpoint-every')
      // Both outputs are opened before the run (a bad path costs nothing) and completed after it: a regular
      // file appears under its name only complete; an error or a signal leaves no temporary file behind.
      const log = opts.logCommits === undefined ? undefined : openOutput('--log-commits', opts.logCommits)
      const trace = opts.trace === undefined ? undefined : openOutput('--trace', opts.trace)
      // The integrity monitor and the call tracer see every step's event and the machine after it.
      const watchers = path === undefined ? [] : [integrityWatcher(path, opts, m, (line) => process.stderr.write(line)), callWatcher(path, opts, m, (line) => process.stderr.write(line))]
        .filter((w): w is Watcher => w !== undefined)
      const watcher: Watcher | undefined = watchers.length === 0 ? undefined : {
        step: (ev, after) => { for (const w of watchers) w.step(ev, after) },
        finish: (end) => { for (const w of watchers) w.finish(end) },
      }
      if (redundant !== undefined && watcher !== undefined) return failInput('--watch and --trace-calls are not available with --checkpoint-every')
      let order = 0
      // What the program writes through HTIF (fd 1 or 2, console device) is printed as it happens.
      let printed = m.htif.output.length          // a restored machine printed its earlier output already
      const machineSeen = (after: Machine): void => {
        const out = after.htif.output
        for (; printed < out.length; printed++) (out[printed]!.fd === 2 ? process.stderr : process.stdout).write(out[printed]!.bytes)
      }
      // The commit log comes from the byte writer; a run without --trace keeps the fast engine, whose
      // compiled blocks write their lines themselves.
      const commits = log === undefined ? undefined : new CommitLogWriter((bytes, length) => log.bytes(bytes, length))
      let lastEvent: StepEvent | undefined
      const observe: Observer = {
        ...(commits === undefined ? {} : { commits }),
        ...(trace === undefined && watcher === undefined ? {} : {
          event: (ev: StepEvent): void => {
            trace?.text(encodeTraceLine(ev, ++order))
            lastEvent = ev
          },
        }),
        machine: watcher === undefined ? machineSeen : (after: Machine): void => {
          machineSeen(after)
          if (lastEvent !== undefined) watcher.step(lastEvent, after)
        },
      }
      const r = redundant === undefined ? run(m, { maxSteps: Math.min(maxSteps, saving?.at ?? maxSteps) }, observe)
        : runRedundant(redundant, m, log === undefined ? undefined : (b) => log.bytes(b, b.length), opts.stats === true)
      watcher?.finish(r.machine)
      commits?.flush()
      log?.commit()
      trace?.commit()
      if (saving !== undefined && save(saving, r, start.position)) return
      const code = r.machine.htif.exitCode
      if (code === undefined) {
        process.stderr.write(`memvirt run: no HTIF exit after ${r.steps} steps (--max-insns)\n`)
        process.exitCode = EXIT_LIMIT
        return
      }
      if (code !== 0) process.stderr.write(`*** FAILED *** (tohost = ${code})\n`)
      process.exitCode = code & 0xff
    })
}
