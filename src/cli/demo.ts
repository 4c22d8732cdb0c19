// `memvirt demo` (what `npm start` runs): the bundled hypervisor demo. A small hypervisor (HS-mode) runs
// a VS-mode guest with its own Sv39 page tables under a Sv39x4 G-stage, demand-pages the guest's memory
// through guest-page faults, and exits; the demo prints what happened and writes the JSONL trace.
// `memvirt demo translate` keeps the earlier two-stage translation walkthrough.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Either, isLeft, left, right } from '../bits/either.ts'
import type { Command } from 'commander'
import { hex } from '../bits/bits.ts'
import { parseElf } from '../elf/elf.ts'
import { parseIsa } from '../cpu/isa.ts'
import { type StepEvent } from '../cpu/event.ts'
import { loadMachine } from '../machine/machine.ts'
import { foldSteps } from '../machine/run.ts'
import { type TlbConfig } from '../mmu/tlb.ts'
import {
  type RunSummary, addEvent, causeName, emptySummary, isGuestPageFault, retiredTotal, tlbHitRate, trapsByCause,
  trapsInOrder,
} from '../machine/summary.ts'
import { encodeTraceLine } from '../trace/jsonl.ts'
import { failInput, writeFileAtomic } from './io.ts'
import { parseScenario } from './scenario.ts'
import { formatError } from '../codec/errors.ts'
import { renderScenario } from './translate.ts'

// ---- the hypervisor demo ------------------------------------------------------------------------------

/** The demo program, found relative to this module so the demo runs from any working directory. */
export const HV_DEMO_ELF_PATH = fileURLToPath(new URL('../../golden/programs/hvdemo.elf', import.meta.url))
/** The ISA it runs under (its entry in golden/programs/programs.json, where Spike's log of it is checked). */
export const HV_DEMO_ISA = 'rv64imah_zicsr'
/** The trace's file name (in the working directory) unless --trace names another. */
export const DEFAULT_TRACE = 'memvirt-demo.jsonl'
/** The program exits after about 2 300 steps; this bound only stops a broken build from spinning. */
const MAX_STEPS = 100_000

/** What the demo run produced: the summary fold, how it ended, and the TLB it ran with. */
export interface DemoRun {
  readonly summary: RunSummary
  /** The HTIF exit code (0 = the hypervisor's checks passed), or undefined when the step bound hit first. */
  readonly exitCode: number | undefined
  readonly tlb: TlbConfig
}

/**
 * Runs the demo ELF with the pure step fold, summarizing every event; `onEvent` (the shell's trace
 * writer) sees each event with its order, from 1. An ELF that cannot be loaded is a Left message.
 */
export const runHypervisorDemo = (elfBytes: Uint8Array, onEvent?: (ev: StepEvent, order: number) => void): Either<string, DemoRun> => {
  const isa = parseIsa(HV_DEMO_ISA)
  if (isLeft(isa)) return left(isa.left)
  const elf = parseElf(elfBytes)
  if (isLeft(elf)) return left(elf.left.message)
  const m = loadMachine(isa.right, elf.right)
  if (isLeft(m)) return left(m.left.message)
  let summary = emptySummary
  const r = foldSteps(m.right, { maxSteps: MAX_STEPS }, {
    event: (ev) => {
      summary = addEvent(summary, ev)
      onEvent?.(ev, summary.steps)
    },
  })
  return right({ summary, exitCode: r.machine.htif.exitCode, tlb: r.machine.tlb.config })
}

const STORY = `\
memvirt demo: a hypervisor runs a guest whose memory it pages in on demand
(golden/programs/hvdemo.S under ${HV_DEMO_ISA}; its commit log equals Spike's, golden/programs.golden.ts)

  M-mode firmware delegates the guest's traps to HS-mode and enters the hypervisor. The hypervisor
  (HS) builds a Sv39x4 G-stage table that backs the guest's code and page tables but not its data,
  and enters the guest (VS) with sret. The guest builds its own Sv39 tables, turns paging on (satp,
  which in VS-mode is vsatp) and fills and sums an array spanning four pages. The first touch of each
  array page is a guest-page fault: the hypervisor reads the guest-physical address from htval, maps
  a host page there, fences (HFENCE.GVMA) and returns; the guest's access runs again and succeeds.
  The guest ends with ECALL; the hypervisor checks the guest's sum and exits through HTIF.
`

const ACCESS_OF: Readonly<Record<string, string>> = { '20': 'fetch', '21': 'load ', '23': 'store' }

/** Right-aligned count. */
const n = (x: number, width = 6): string => String(x).padStart(width)

/**
 * The demo's report: the story, the outcome, instructions by mode, traps by cause, each guest-page
 * fault's addresses, the translation counts with the TLB hit rate, and where the trace went.
 */
export const renderDemo = (d: DemoRun, tracePath: string | undefined): string => {
  const s = d.summary
  const lines: string[] = [STORY]
  lines.push(d.exitCode === 0
    ? `Result: passed (HTIF exit code 0) after ${s.steps} steps`
    : d.exitCode === undefined ? `Result: no exit after ${s.steps} steps` : `Result: FAILED (HTIF exit code ${d.exitCode}) after ${s.steps} steps`)
  lines.push('')
  const r = s.retired
  lines.push(`Instructions retired ${n(retiredTotal(s))}   (M ${r.M}, HS ${r.HS}, VS ${r.VS}, U ${r.U}, VU ${r.VU})`)
  lines.push(`Traps taken          ${n(s.trapCount)}`)
  for (const g of trapsByCause(s)) lines.push(`  ${n(g.count, 4)} × ${causeName(g.cause)} (cause ${g.cause & 0xffn}) → ${g.target}`)
  const faults = trapsInOrder(s).filter((t) => isGuestPageFault(t.cause))
  lines.push('')
  lines.push(`Guest-page faults    ${n(faults.length)}   (tval = guest-virtual address, htval << 2 = guest-physical address)`)
  for (const f of faults) {
    lines.push(`  step ${n(f.step, 5)}  ${ACCESS_OF[String(f.cause)] ?? 'fetch'}  pc ${hex(f.pc, 8)}  GVA ${hex(f.tval, 8)} → GPA ${hex(f.gpa ?? 0n, 8)}  (${f.from} → ${f.target})`)
  }
  const x = s.xlate
  const rate = tlbHitRate(s)
  lines.push('')
  lines.push(`Address translation  (TLB ${d.tlb.sets} sets × ${d.tlb.ways} ways, ${d.tlb.replacement.toUpperCase()}, flushed where Spike flushes its TLB)`)
  lines.push(`  translations ${n(x.tlbHits + x.walks)}   TLB hits ${n(x.tlbHits)}   page-table walks ${n(x.walks)} (two-stage ${x.twoStageWalks})`)
  lines.push(`  TLB hit rate ${rate === undefined ? '—' : `${(rate * 100).toFixed(2)} %`}`)
  lines.push('')
  lines.push(tracePath === undefined
    ? 'Trace: not written (--no-trace)'
    : `Trace: ${s.steps} records (one JSON object per step) written to ${tracePath}`)
  return lines.join('\n') + '\n'
}

// ---- the translation walkthrough (`memvirt demo translate`) ---------------------------------------------

/** The walkthrough's scenario, found next to this module so it runs from any working directory. */
export const TRANSLATE_DEMO_PATH = fileURLToPath(new URL('./demo-translate.json', import.meta.url))

/** The translation demo's whole output (text or JSON lines), from the scenario's text. */
export const translateDemo = (scenarioText: string, json: boolean): string => {
  const s = parseScenario(scenarioText)
  if (isLeft(s)) return failInput(`bundled demo scenario ${formatError('demo-translate.json', s.left)}`)
  if (json) return renderScenario(s.right, 'json')
  return `${renderScenario(s.right, 'text')}\n(the same as \`memvirt translate src/cli/demo-translate.json\`; the README describes the scenario format)\n`
}

// ---- the shell ------------------------------------------------------------------------------------------

interface DemoOptions {
  /** A file name, or false for --no-trace. */
  readonly trace: string | false
}

export const register = (program: Command): void => {
  const demo = program
    .command('demo')
    .description('run the bundled hypervisor demo (an HS hypervisor demand-paging a VS guest: Sv39 over Sv39x4, guest-page faults) and summarize it')
    .option('--trace <file>', 'write the JSONL trace (one record per step) to FILE', DEFAULT_TRACE)
    .option('--no-trace', 'do not write the trace')
    .action((opts: DemoOptions) => {
      let elfBytes: Uint8Array
      try {
        elfBytes = new Uint8Array(readFileSync(HV_DEMO_ELF_PATH))
      } catch (e) {
        return failInput(`cannot read the demo program ${HV_DEMO_ELF_PATH}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
      }
      const trace: string[] = []
      const d = runHypervisorDemo(elfBytes, opts.trace === false ? undefined : (ev, order) => { trace.push(encodeTraceLine(ev, order)) })
      if (isLeft(d)) return failInput(`the demo program ${HV_DEMO_ELF_PATH}: ${d.left}`)
      if (opts.trace !== false) {
        try {
          writeFileAtomic(opts.trace, trace.join(''))
        } catch (e) {
          return failInput(`cannot write ${opts.trace}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
        }
      }
      process.stdout.write(renderDemo(d.right, opts.trace === false ? undefined : opts.trace))
      if (d.right.exitCode !== 0) process.exitCode = 1
    })
  demo
    .command('translate')
    .description('explain the bundled two-stage translation scenario (Sv39 over Sv39x4, a guest-page fault, a Svadu update)')
    .option('--json', 'print JSON lines instead of text')
    .action((opts: { json?: boolean }) => {
      process.stdout.write(translateDemo(readFileSync(TRANSLATE_DEMO_PATH, 'utf8'), opts.json === true))
    })
}
