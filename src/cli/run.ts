// `memvirt run PROG.elf [--isa STRING] [--max-insns N] [--log-commits FILE] [--trace FILE] [--iommu]`: runs a bare-metal RISC-V
// ELF the way `spike --isa=STRING [--log-commits]` does, from Spike's boot ROM until the program writes
// its exit code to HTIF `tohost`. The exit status is that code (0 = pass), like Spike's. Spike's own flags
// are accepted too (spike-args.ts): `-m`, `--pc`, `-l`, `--log=FILE`, `+signature=FILE`,
// `+signature-granularity=N` (or `--signature`, `--signature-granularity`).
import { writeSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { type Machine, withTlb } from '../machine/machine.ts'
import { type StepEvent } from '../cpu/event.ts'
import { type Observer } from '../machine/run.ts'
import { foldStepsFast, run } from '../machine/engine/run.ts'
import { withGuest } from '../mmu/tlb.ts'
import type * as ShadowHart from '../hypervisor/shadow/hart.ts'
import { DEFAULT_EXIT_CYCLES, DEFAULT_MEM_REF_CYCLES, guestStatsText } from '../hypervisor/shadow/cost.ts'
import type * as Writer from '../trace/engine/commit-log-writer.ts'
import type * as Jsonl from '../trace/jsonl.ts'
import { runProgress, traceWarnBytes } from './run-progress.ts'
import { failInput } from './io.ts'
import { openOutput, writeOutput } from './output.ts'
import { type ProgramFlags, loadProgramAndElf, positiveInt, programOptions } from './program.ts'
import { plusArgs } from './spike-args.ts'
import { type SignatureRegion, SPIKE_SIGNATURE_GRANULARITY, signatureRegion, signatureText } from '../machine/signature.ts'
import { type RedundancyFlags, type SnapshotFlags, redundancyOptions, redundancyPlan, savePlan, snapshotOptions } from './redundancy-options.ts'
import type * as Redundancy from './redundancy.ts'
import { type WatchFlags, type Watcher, integrityWatcher, watchOptions } from './integrity.ts'
import { type CallFlags, callOptions, callWatcher } from './calls.ts'
import { type TlbFlags, staleWatcher, tlbOptions, withTlbFlags } from './tlb.ts'

/** Exit status when --max-insns stops a program that has not exited (GNU timeout's convention). */
export const EXIT_LIMIT = 124

interface RunOptions extends ProgramFlags, RedundancyFlags, SnapshotFlags, WatchFlags, CallFlags, TlbFlags {
  readonly logCommits?: string
  readonly trace?: string
  /** Spike's -l: the commit log to stderr, or to --log. */
  readonly l?: boolean
  readonly log?: string
  readonly signature?: string
  readonly signatureGranularity?: string
  readonly iommu?: boolean
  readonly guestTranslation: string
  readonly exitCycles: string
  readonly memRefCycles: string
}

/** The options `run` and `resume` share. */
const runOptions = (cmd: Command): Command =>
  tlbOptions(callOptions(watchOptions(snapshotOptions(redundancyOptions(programOptions(cmd))
    .option('--log-commits <file>', "write Spike's --log-commits format to FILE")
    .option('-l', "Spike's -l: write the commit log (the --log-commits format, not Spike's disassembly lines) to stderr, or to --log")
    .option('--log <file>', "Spike's --log: where -l writes (created even without -l, as Spike does)")
    .option('--signature <file>', 'at the HTIF exit write the bytes between begin_signature and end_signature to FILE, as spike +signature=FILE does')
    .option('--signature-granularity <n>', 'bytes per signature line (Spike\'s +signature-granularity, default 16)')
    .option('--trace <file>', 'write the JSONL trace (one record per step: accesses with VA, GPA and PA, traps, TLB counts) to FILE')
    .option('--iommu', 'attach the RISC-V IOMMU (registers at 0x30010000) and a DMA engine behind it (0x30020000)')
    .option('--guest-translation <mode>', 'V=1 translation: nested (the two-stage walk) or shadow (shadow tables kept by the model\'s VMM)', 'nested')
    .option('--exit-cycles <n>', 'cycles per VMM exit in the --stats cost line', String(DEFAULT_EXIT_CYCLES))
    .option('--mem-ref-cycles <n>', 'cycles per memory reference of a walk in the --stats cost line', String(DEFAULT_MEM_REF_CYCLES))))))

export const register = (program: Command): void => {
  runOptions(program
    .command('run')
    .description('run a RISC-V ELF like Spike (boot ROM, HTIF tohost exit) and optionally write its commit log')
    .argument('[elf...]', 'a bare-metal RV64 ELF executable with tohost/fromhost symbols (none with --restore); Spike\'s +signature=FILE and +signature-granularity=N may stand beside it'))
    .action(runAction)
  runOptions(program
    .command('resume')
    .description('continue a snapshot written by run --save-at N FILE (the same as run --restore FILE), with run\'s options')
    .argument('<snapshot>', 'a snapshot file written by --save-at'))
    .action((file: string, opts: RunOptions, cmd: Command) => {
      if (opts.restore !== undefined) return failInput('give the snapshot once (resume FILE, without --restore)')
      return runAction([], { ...opts, restore: file }, cmd)
    })
}

/**
 * The modules a run needs only when its flags ask for them (the IOMMU, the shadow and nested walkers, the
 * commit-log writer, the JSONL trace, checkpoints and snapshots): each is a chunk of the bundle of its own,
 * so that a plain run parses and evaluates none of them. Which ones depends on the flags alone.
 */
interface Optional {
  readonly attachIommu?: (m: Machine) => Machine
  readonly shadow?: typeof ShadowHart
  readonly writer?: typeof Writer
  readonly jsonl?: typeof Jsonl
  readonly redundancy?: typeof Redundancy
}

const optionalFor = async (opts: RunOptions): Promise<Optional> => {
  const [iommu, shadow, writer, jsonl, redundancy] = await Promise.all([
    opts.iommu !== true ? undefined : Promise.all([import('../iommu/platform/platform.ts'), import('../iommu/iommu.ts'), import('../iommu/engine/translate-fast.ts')]),
    opts.guestTranslation !== 'shadow' && opts.stats !== true ? undefined : import('../hypervisor/shadow/hart.ts'),
    opts.logCommits === undefined && opts.l !== true ? undefined : import('../trace/engine/commit-log-writer.ts'),
    opts.trace === undefined ? undefined : import('../trace/jsonl.ts'),
    opts.checkpointEvery === undefined && opts.saveAt === undefined && opts.restore === undefined ? undefined : import('./redundancy.ts'),
  ])
  return {
    ...(iommu === undefined ? {} : { attachIommu: (m: Machine) => iommu[0].withIommuPlatform(m, iommu[1].DEFAULT_OPTIONS, iommu[2].translateFast) }),
    ...(shadow === undefined ? {} : { shadow }),
    ...(writer === undefined ? {} : { writer }),
    ...(jsonl === undefined ? {} : { jsonl }),
    ...(redundancy === undefined ? {} : { redundancy }),
  }
}

/**
 * The flags that shape the machine an ELF is loaded into. A snapshot carries its own (ISA, RAM and HTIF
 * interleave) and continues where it stopped, so with --restore (or resume) they would be ignored: refused.
 */
const MACHINE_FLAGS = [['isa', '--isa'], ['ram', '--ram'], ['m', '-m'], ['pc', '--pc'], ['interleave', '--interleave']] as const
const refuseMachineFlags = (cmd: Command | undefined): void => {
  for (const [key, flag] of MACHINE_FLAGS) {
    if (cmd?.getOptionValueSource(key) === 'cli') failInput(`${flag}: a snapshot fixes the machine it continues (its ISA, RAM and HTIF interleave, and where it stopped); give ${flag} with an ELF`)
  }
}

const runAction = async (args: string[], opts: RunOptions, cmd?: Command): Promise<void> => {
  if (opts.restore !== undefined) refuseMachineFlags(cmd)
  const lazy = await optionalFor(opts)
  const maxSteps = positiveInt('--max-insns', opts.maxInsns)
  const plus = args.length === 0 && opts.restore !== undefined ? undefined : plusArgs(args)
  if (plus?._tag === 'Left') return failInput(plus.left)
  const path = plus?.right.elf
  if ((path === undefined) === (opts.restore === undefined)) return failInput('expected an ELF or --restore FILE (one of them)')
  const signaturePath = plus?.right.signature ?? opts.signature
  const granularityText = plus?.right.granularity ?? opts.signatureGranularity
  const granularity = granularityText === undefined ? SPIKE_SIGNATURE_GRANULARITY : positiveInt('+signature-granularity', granularityText, 1 << 16)
  const loaded = path === undefined ? undefined : loadProgramAndElf(path, opts)
  const start = loaded === undefined ? lazy.redundancy!.restore(opts.restore!) : { machine: loaded.machine, position: 0 }
  const guestMode = opts.guestTranslation
  if (guestMode !== 'nested' && guestMode !== 'shadow') return failInput(`--guest-translation: expected nested or shadow, got "${guestMode}"`)
  const exitCycles = positiveInt('--exit-cycles', opts.exitCycles)
  const memRefCycles = positiveInt('--mem-ref-cycles', opts.memRefCycles)
  // The stats of a plain run are the guest translation's; under --checkpoint-every, the checkpoints'.
  const counted = guestMode === 'shadow' || (opts.stats === true && opts.checkpointEvery === undefined)
  const m0 = withTlbFlags(lazy.attachIommu !== undefined ? lazy.attachIommu(start.machine) : start.machine, opts)
  const m = counted ? withTlb(m0, withGuest(m0.tlb, lazy.shadow!.guestWalker(guestMode))) : m0
  let signature: SignatureRegion | undefined
  if (signaturePath !== undefined) {
    if (loaded === undefined) return failInput('+signature needs the ELF (its begin_signature and end_signature symbols), not --restore')
    const region = signatureRegion(loaded.elf, m.options.ram)
    if (region._tag === 'Left') return failInput(`${path}: ${region.left} (needed by +signature)`)
    signature = region.right
  }
  const redundant = redundancyPlan(opts, maxSteps)
  const saving = savePlan(opts)
  if (redundant !== undefined && saving !== undefined) return failInput('--save-at is not available with --checkpoint-every')
  if (redundant !== undefined && guestMode === 'shadow') return failInput('--guest-translation shadow is not available with --checkpoint-every')
  const named = [['--log-commits', opts.logCommits], ['--trace', opts.trace], ['--log', opts.log], ['+signature', signaturePath]]
    .filter((o): o is [string, string] => o[1] !== undefined)
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      if (resolve(named[i]![1]) === resolve(named[j]![1])) return failInput(`${named[i]![0]} and ${named[j]![0]} name the same file`)
    }
  }
  // Every output is opened before the run (a bad path costs nothing) and completed after it: a regular
  // file appears under its name only complete; an error or a signal leaves no temporary file behind.
  const log = opts.logCommits === undefined ? undefined : openOutput('--log-commits', opts.logCommits)
  const spikeLog = opts.log === undefined ? undefined : openOutput('--log', opts.log)
  const trace = opts.trace === undefined ? undefined : openOutput('--trace', opts.trace)
  const signatureOut = signaturePath === undefined ? undefined : openOutput('+signature', signaturePath)
  // The integrity monitor and the call tracer see every step's event and the machine after it.
  // Under --checkpoint-every the stale answers come from the checkpoints' releases (the surviving execution's, once).
  const stale = staleWatcher(opts, m, (line) => process.stderr.write(line))
  const watchers = [...(loaded === undefined ? [] : [await integrityWatcher(loaded.elf, opts, m, (line) => process.stderr.write(line)), await callWatcher(loaded.elf, opts, m, (line) => process.stderr.write(line), trace === undefined ? undefined : (line) => trace.text(line))]),
    redundant === undefined ? stale : undefined]
    .filter((w): w is Watcher => w !== undefined)
  const watcher: Watcher | undefined = watchers.length === 0 ? undefined : {
    step: (ev, after) => { for (const w of watchers) w.step(ev, after) },
    finish: (end) => { for (const w of watchers) w.finish(end) },
  }
  if (redundant !== undefined && watcher !== undefined) return failInput('--watch and --trace-calls are not available with --checkpoint-every')
  let order = 0
  // What the program writes through HTIF (fd 1 or 2, console device) is printed as it happens.
  let printed = m.htif.output.length          // a restored machine printed its earlier output already
  const progress = await runProgress(maxSteps, m)
  const machineSeen = (after: Machine): void => {
    progress.seen(after)
    const out = after.htif.output
    for (; printed < out.length; printed++) (out[printed]!.fd === 2 ? process.stderr : process.stdout).write(out[printed]!.bytes)
  }
  // The commit log comes from the byte writer; a run without --trace keeps the fast engine, whose
  // compiled blocks write their lines themselves. -l writes the same lines to stderr (or --log).
  const toStderr = (bytes: Uint8Array, length: number): void => {
    for (let done = 0; done < length;) done += writeSync(2, bytes, done, length - done)
  }
  const lOut = opts.l !== true ? undefined : spikeLog !== undefined ? (b: Uint8Array, n: number): void => spikeLog.bytes(b, n) : toStderr
  const toLogs = log === undefined && lOut === undefined ? undefined : (bytes: Uint8Array, length: number): void => {
    log?.bytes(bytes, length)
    lOut?.(bytes, length)
  }
  const commits = toLogs === undefined ? undefined : new lazy.writer!.CommitLogWriter(toLogs)
  let lastEvent: StepEvent | undefined
  let traceBytes = 0
  let warnAt = traceWarnBytes()
  const observe: Observer = {
    ...(commits === undefined ? {} : { commits }),
    ...(trace === undefined && watcher === undefined ? {} : {
      event: (ev: StepEvent): void => {
        if (trace !== undefined) {
          const line = lazy.jsonl!.encodeTraceLine(ev, ++order)
          traceBytes += line.length
          if (traceBytes > warnAt) {
            process.stderr.write(`memvirt run: warning: --trace has written ${(traceBytes / 2 ** 30).toFixed(1)} GiB so far (${order} steps); --max-insns bounds it\n`)
            warnAt = Infinity
          }
          trace.text(line)
        }
        lastEvent = ev
      },
    }),
    machine: watcher === undefined ? machineSeen : (after: Machine): void => {
      machineSeen(after)
      if (lastEvent !== undefined) watcher.step(lastEvent, after)
    },
  }
  // A guest walker sees every store (write-protect), which the fast engine's compiled blocks do not report: `step` runs
  // (`run` itself also runs the fold while a walker is on the TLB).
  const runner = counted ? foldStepsFast : run
  const r = redundant === undefined ? runner(m, { maxSteps: Math.min(maxSteps, saving?.at ?? maxSteps) }, observe)
    : lazy.redundancy!.runRedundant(redundant, m, toLogs === undefined ? undefined : (b) => toLogs(b, b.length), opts.stats === true, trace === undefined ? undefined : (line) => trace.text(line), stale?.stale)
  progress.stop()
  watcher?.finish(r.machine)
  if (redundant !== undefined) stale?.finish(r.machine)
  commits?.flush()
  log?.commit()
  spikeLog?.commit()
  trace?.commit()
  const walker = r.machine.tlb.guest
  if (opts.stats === true && (walker instanceof lazy.shadow!.ShadowVmm || walker instanceof lazy.shadow!.NestedCounter)) process.stderr.write(guestStatsText(walker.stats, exitCycles, memRefCycles))
  if (saving !== undefined && lazy.redundancy!.save(saving, r, start.position)) return
  const code = r.machine.htif.exitCode
  // Spike's host writes the signature when it stops, after the exit command (whatever the code).
  if (signatureOut !== undefined && signature !== undefined) {
    if (code !== undefined) writeOutput(signatureOut, signatureText(r.machine.memory, signature, granularity))
    else signatureOut.abandon()
  }
  if (code === undefined) {
    process.stderr.write(`memvirt run: no HTIF exit after ${r.steps} steps (--max-insns)\n`)
    process.exitCode = EXIT_LIMIT
    return
  }
  if (code !== 0) process.stderr.write(`*** FAILED *** (tohost = ${code})\n`)
  process.exitCode = code & 0xff
}
