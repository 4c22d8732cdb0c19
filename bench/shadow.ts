// The nested-vs-shadow cost table (issue 15, "Cost accounting"): the hypervisor demo and the two builds
// of golden/programs/remap.S, each run once with the two-stage walk (`--guest-translation nested`) and
// once through the model's VMM and its shadow tables (`shadow`), their `--stats` figures side by side:
// V=1 TLB misses, memory references per miss, page-table memory, VMM exits by kind, and the modelled
// cost at the stated prices (src/hypervisor/shadow/cost.ts), with the price of a memory reference at
// which the balance flips. Each run must exit 0 (the programs check themselves; their commit logs equal
// Spike's under both modes: golden/programs.golden.ts, golden/shadow.golden.ts). The model's own time
// per run is printed beside, shadow against the nested run of the same program (the baseline), never
// asserted.
//
//   npm run bench shadow                     (the defaults: 1400 cycles per exit, 40 per reference)
//   node --import tsx bench/shadow.ts [--exit-cycles N] [--mem-ref-cycles N]
import { withTlb } from '../src/machine/machine.ts'
import { withGuest } from '../src/mmu/tlb.ts'
import { foldStepsFast } from '../src/machine/engine/run.ts'
import { type GuestStats, NestedCounter, ShadowVmm, guestWalker } from '../src/hypervisor/shadow/hart.ts'
import { type CostRow, DEFAULT_EXIT_CYCLES, DEFAULT_MEM_REF_CYCLES, costTable } from '../src/hypervisor/shadow/cost.ts'
import { loadGoldenProgram } from '../golden/programs/load.ts'

const PROGRAMS = ['hvdemo', 'remap_often', 'remap_rare'] as const
const ISA = 'rv64imah_zicsr'

const option = (name: string, fallback: number): number => {
  const args = process.argv.slice(2)
  const i = args.indexOf(name)
  if (i < 0) return fallback
  const text = args[i + 1] ?? ''
  if (!/^[1-9][0-9]{0,8}$/.test(text)) {
    process.stderr.write(`memvirt bench shadow: ${name}: expected a positive integer, got "${text}"\n`)
    process.exit(2)
  }
  return Number(text)
}
const known = new Set(['--exit-cycles', '--mem-ref-cycles'])
const stray = process.argv.slice(2).filter((a, i, all) => a.startsWith('-') ? !known.has(a) : !known.has(all[i - 1] ?? ''))
if (stray.length > 0) {
  process.stderr.write(`memvirt bench shadow: unknown argument "${stray[0]}" (have: --exit-cycles N, --mem-ref-cycles N)\n`)
  process.exit(2)
}
const exitCycles = option('--exit-cycles', DEFAULT_EXIT_CYCLES)
const memRefCycles = option('--mem-ref-cycles', DEFAULT_MEM_REF_CYCLES)

const runOnce = (name: string, mode: 'nested' | 'shadow'): { stats: GuestStats; seconds: number } => {
  const m = loadGoldenProgram(name, ISA).machine
  const t0 = process.hrtime.bigint()
  const r = foldStepsFast(withTlb(m, withGuest(m.tlb, guestWalker(mode))), { maxSteps: 1_000_000 })
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  if (r.machine.htif.exitCode !== 0) throw new Error(`${name} under ${mode}: exit ${r.machine.htif.exitCode} after ${r.steps} steps`)
  const w = r.machine.tlb.guest
  if (!(w instanceof NestedCounter || w instanceof ShadowVmm)) throw new Error(`${name}: the guest walker went missing`)
  return { stats: w.stats, seconds }
}

const rows: CostRow[] = []
const times: string[] = []
for (const name of PROGRAMS) {
  const nested = runOnce(name, 'nested'), shadow = runOnce(name, 'shadow')
  rows.push({ program: name, nested: nested.stats, shadow: shadow.stats })
  times.push(`${name.padEnd(12)} model time: nested ${nested.seconds.toFixed(2)} s, shadow ${shadow.seconds.toFixed(2)} s (${(shadow.seconds / nested.seconds).toFixed(2)}× nested's)`)
}
process.stdout.write(costTable(rows, exitCycles, memRefCycles))
process.stdout.write(`\n${times.join('\n')}\n`)
