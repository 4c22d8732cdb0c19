// `memvirt cosim ELF [--isa …]`: the model as a lockstep oracle for a design under test, speaking JSON lines
// on stdin/stdout (one request, one reply: README "Co-simulation"); and `memvirt cosim-replay ELF
// DUT-TRACE.jsonl [--isa …] [--json]`, which feeds a recorded trace through the same core (src/cosim/).
import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import { DEFAULT_ISA } from '../cpu/isa.ts'
import { SPIKE_INTERLEAVE } from '../machine/machine.ts'
import { type CosimOptions, type CosimState, type DutEvent, type Reply, cosimStep, decodeEvent, encodeReply, refuse, startCosim } from '../cosim/index.ts'
import { failInput, readText } from './io.ts'
import { loadProgram } from './program.ts'

interface CosimFlags {
  readonly isa: string
  readonly misaligned: string
  readonly ad: string
  readonly interrupts: string
  readonly pmpGranularity: string
  readonly tlb: string
}

const choice = <A extends string>(flag: string, text: string, values: readonly A[]): A =>
  (values as readonly string[]).includes(text) ? text as A : failInput(`${flag}: expected one of ${values.join(', ')}, got "${text}"`)

/** The implementation-defined choices the flags name (src/cosim/options.ts). */
const optionsOf = (f: CosimFlags): CosimOptions => {
  const g = /^[1-9][0-9]{0,9}$/.test(f.pmpGranularity) ? BigInt(f.pmpGranularity) : 0n
  if (g < 4n || (g & (g - 1n)) !== 0n) return failInput(`--pmp-granularity: expected a power of two of at least 4 (bytes), got "${f.pmpGranularity}"`)
  return {
    misaligned: choice('--misaligned', f.misaligned, ['isa', 'trap', 'split'] as const),
    adUpdate: choice('--ad', f.ad, ['svadu', 'hardware', 'fault'] as const),
    interrupts: choice('--interrupts', f.interrupts, ['dut', 'model'] as const),
    pmpGranularity: g,
    tlb: choice('--tlb', f.tlb, ['spike', 'exact'] as const),
  }
}

const cosimOptions = (cmd: Command): Command => cmd
  .option('--isa <string>', 'Spike ISA string of the design, e.g. rv64imac_zicsr_zifencei_zicntr_h_svadu', DEFAULT_ISA)
  .option('--misaligned <choice>', 'misaligned loads/stores: isa (trap unless the ISA names zicclsm: Spike), trap, split', 'isa')
  .option('--ad <choice>', 'PTE A/D updates: svadu (as menvcfg/henvcfg.ADUE say: Spike), hardware (always), fault (never: Svade)', 'svadu')
  .option('--interrupts <choice>', 'interrupt timing: dut (taken where the DUT reports one, checked pending and enabled), model (where Spike takes them)', 'dut')
  .option('--pmp-granularity <bytes>', 'PMP granularity in bytes (Spike\'s --pmpgranularity)', '4')
  .option('--tlb <mode>', 'TLB caching: spike (the model\'s TLB is Spike\'s) or exact (a DUT may also use a translation no fence has covered yet)', 'spike')

/** The co-simulation of ELF `path` out of reset under the flags. */
const start = (path: string, f: CosimFlags): CosimState =>
  startCosim(loadProgram(path, { isa: f.isa, maxInsns: '1', ram: '2048', interleave: String(SPIKE_INTERLEAVE) }), optionsOf(f))

export const register = (program: Command): void => {
  cosimOptions(program
    .command('cosim')
    .description('lockstep co-simulation: read DUT events as JSON lines on stdin, answer each with one JSON line on stdout')
    .argument('<elf>', 'the bare-metal RV64 ELF the design under test runs'))
    .action(async (elf: string, f: CosimFlags) => {
      let s = start(elf, f)
      let mismatched = false
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
      for await (const line of lines) {
        if (line.trim() === '') continue
        const e = decodeEvent(line)
        const r = e._tag === 'Left' ? refuse(s, e.left) : guarded(s, e.right)
        s = r.state
        if (!r.reply.ok && 'field' in r.reply) mismatched = true
        process.stdout.write(encodeReply(r.reply) + '\n')
      }
      process.exitCode = mismatched ? 1 : 0
    })

  cosimOptions(program
    .command('cosim-replay')
    .description('feed a recorded DUT trace (JSON lines) through the co-simulation; exit 0 when it all matches, 1 at the first mismatch')
    .argument('<elf>', 'the bare-metal RV64 ELF the trace was recorded from')
    .argument('<trace>', 'the DUT trace: one event per line (README "Co-simulation")'))
    .option('--json', 'print one reply per event (index counts events from 0), up to the first mismatch')
    .action((elf: string, trace: string, f: CosimFlags & { readonly json?: boolean }) => {
      const events = readTrace(trace)
      let s = start(elf, f)
      const out: string[] = []
      let counts = { retire: 0, trap: 0, access: 0, fetch: 0, other: 0 }
      for (const { event, line } of events) {
        const r = cosimStep(s, event)
        s = r.state
        if (f.json === true) out.push(encodeReply(r.reply))
        if (!r.reply.ok && !('field' in r.reply)) return failInput(`${trace}:${line}: ${r.reply.error}`)
        if (!r.reply.ok) {
          process.stdout.write(f.json === true ? out.join('\n') + '\n' : mismatchText(trace, line, r.reply))
          process.exitCode = 1
          return
        }
        counts = count(counts, event)
      }
      process.stdout.write(f.json === true ? (out.length === 0 ? '' : out.join('\n') + '\n')
        : `${trace}: all ${events.length} events match (${counts.retire} retired, ${counts.trap} traps, ${counts.access} accesses, ${counts.fetch} fetches, ${counts.other} other)\n`)
      process.exitCode = 0
    })
}

/**
 * A step of the session that never ends it: should the core throw (a defect, not a DUT's doing), the request
 * is answered with an error object naming what went wrong and the session goes on from the state before it.
 */
const guarded = (s: CosimState, e: DutEvent): ReturnType<typeof cosimStep> => {
  try {
    return cosimStep(s, e)
  } catch (x) {
    return refuse(s, `internal error in the model: ${x instanceof Error ? x.message : String(x)}`)
  }
}

const count = (c: { retire: number; trap: number; access: number; fetch: number; other: number }, e: DutEvent): typeof c =>
  e.event === 'retire' ? { ...c, retire: c.retire + 1 } : e.event === 'trap' ? { ...c, trap: c.trap + 1 }
    : e.event === 'access' ? { ...c, access: c.access + 1 } : e.event === 'fetch' ? { ...c, fetch: c.fetch + 1 } : { ...c, other: c.other + 1 }

/** The trace's events with their line numbers; a bad line is one error line naming the file, line and field (exit 2). */
const readTrace = (path: string): { event: DutEvent; line: number }[] => {
  const text = readText(path)
  const out: { event: DutEvent; line: number }[] = []
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '') return
    const e = decodeEvent(l)
    if (e._tag === 'Left') failInput(`${path}:${i + 1}: ${e.left}`)
    else out.push({ event: e.right, line: i + 1 })
  })
  return out
}

/** A mismatch for a reader: where, which field, both values, then the model's explanation indented. */
const mismatchText = (trace: string, line: number, r: Extract<Reply, { field: string }>): string =>
  [`${trace}:${line}: event ${r.index}: ${r.field} differs: DUT ${JSON.stringify(r.dut)}, model ${JSON.stringify(r.model)}`,
    ...r.explain.map((x) => `  ${x}`)].join('\n') + '\n'
