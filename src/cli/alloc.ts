// `memvirt alloc` and `memvirt gpu`: the imperative shell of the allocation policies. Reads and
// decodes the workload and host files, runs the pure simulations, prints the comparison table
// or JSON, and renders the --plot SVG with Vega-Lite + Vega (headless, no canvas).
import type { Command } from 'commander'
import { failInput, readText } from './io.ts'
import { openOutput, writeOutput } from './output.ts'
import { renderSvg } from './plot.ts'
import { defaultCapacityKib, formatWorkloadCsv, generateWorkload, generatorDefaults, parseWorkloadCsv } from '../alloc/workload.ts'
import { allocHostDefaults, parseAllocHost, parseGpuHost, type AllocHost } from '../alloc/host.ts'
import { formatError } from '../codec/errors.ts'
import { intRange, numberFromText } from '../codec/numbers.ts'
import { allocJson, formatAllocTable, formatGpuTable, gpuJson, isGpuPolicy, policyNames, runGpuPolicies, runPolicy, type PolicyName } from '../alloc/report.ts'
import { allocTimelineSpec, gpuSlowdownSpec } from '../alloc/plot.ts'
import { defaultGpuHost, formatGpuCsv, generateGpuWorkload, parseGpuCsv } from '../alloc/gpu-workload.ts'
import { gpuPolicies, type GpuPolicyName } from '../alloc/gpu.ts'
import type { Workload } from '../alloc/model.ts'



const parseSeed = (s: string): number => {
  const n = numberFromText(intRange(0, Number.MAX_SAFE_INTEGER), s)
  return n._tag === 'Left' ? failInput(`--seed: ${n.left}`) : n.right
}

const parseList = <T extends string>(s: string, ok: (x: string) => x is T, known: readonly string[], flag: string): T[] => {
  const out: T[] = []
  for (const p of s.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    if (!ok(p)) return failInput(`${flag}: unknown policy '${p}' (known: ${known.join(', ')})`)
    if (!out.includes(p)) out.push(p)
  }
  if (out.length === 0) return failInput(`${flag}: no policy given`)
  return out
}

type AllocOptions = { host?: string; policy: string; seed: string; json?: boolean; plot?: string; emitWorkload?: string }

const allocAction = async (workloadPath: string | undefined, o: AllocOptions): Promise<void> => {
  const seed = parseSeed(o.seed)
  const names = parseList<PolicyName>(o.policy, (x): x is PolicyName => (policyNames as readonly string[]).includes(x), policyNames, '--policy')
  let w: Workload
  if (workloadPath === undefined) w = generateWorkload({ ...generatorDefaults, seed })
  else {
    const r = parseWorkloadCsv(readText(workloadPath))
    if (r._tag === 'Left') return failInput(formatError(workloadPath, r.left))
    w = r.right
  }
  let host: AllocHost
  if (o.host === undefined) {
    if (workloadPath !== undefined) return failInput('--host: required with a workload file (a JSON object with at least "capacityKib")')
    host = allocHostDefaults(defaultCapacityKib(w))
  } else {
    const r = parseAllocHost(readText(o.host))
    if (r._tag === 'Left') return failInput(formatError(o.host, r.left))
    host = r.right
  }
  const floor = w.vms.reduce((s, v) => s + v.minKib, 0)
  if (floor > host.capacityKib) return failInput(`${o.host ?? 'host'}: capacityKib ${host.capacityKib} cannot hold the VMs' minimums (Σ min_kib = ${floor})`)
  const emit = o.emitWorkload === undefined ? undefined : openOutput('--emit-workload', o.emitWorkload)
  const plot = o.plot === undefined ? undefined : openOutput('--plot', o.plot)
  if (emit !== undefined) writeOutput(emit, formatWorkloadCsv(w))
  const runs = names.map((n) => runPolicy(n, host, w, seed))
  if (plot !== undefined) writeOutput(plot, await renderSvg(allocTimelineSpec(w.vms.map((v) => v.id), runs)))
  if (o.json === true) process.stdout.write(JSON.stringify(allocJson(w, runs)) + '\n')
  else {
    process.stdout.write(`${w.vms.length} VMs × ${w.epochs} epochs, capacity ${host.capacityKib} KiB, seed ${seed}\n`)
    process.stdout.write(formatAllocTable(runs))
  }
}

type GpuOptions = { host?: string; policy: string; seed: string; json?: boolean; plot?: string; emitTasks?: string }

const gpuAction = async (tasksPath: string | undefined, o: GpuOptions): Promise<void> => {
  const seed = parseSeed(o.seed)
  const names = parseList<GpuPolicyName>(o.policy, isGpuPolicy, gpuPolicies, '--policy')
  const w = (() => {
    if (tasksPath === undefined) return generateGpuWorkload(seed)
    const r = parseGpuCsv(readText(tasksPath))
    return r._tag === 'Left' ? failInput(formatError(tasksPath, r.left)) : r.right
  })()
  const host = (() => {
    if (o.host === undefined) return defaultGpuHost
    const r = parseGpuHost(readText(o.host))
    return r._tag === 'Left' ? failInput(formatError(o.host, r.left)) : r.right
  })()
  const emit = o.emitTasks === undefined ? undefined : openOutput('--emit-tasks', o.emitTasks)
  const plot = o.plot === undefined ? undefined : openOutput('--plot', o.plot)
  if (emit !== undefined) writeOutput(emit, formatGpuCsv(w))
  const runs = runGpuPolicies(names, host, w)
  if (plot !== undefined) writeOutput(plot, await renderSvg(gpuSlowdownSpec(w.vms.map((v) => v.id), runs.map((r) => ({ policy: r.policy, slowdown: r.metrics.slowdown })))))
  if (o.json === true) process.stdout.write(JSON.stringify(gpuJson(w, runs)) + '\n')
  else {
    process.stdout.write(`${w.vms.length} VMs, ${w.tasks.length} tasks, GPUs ${host.gpuMemKib.map((k) => `${k / 1048576} GiB`).join(' + ')}, seed ${seed}\n`)
    process.stdout.write(formatGpuTable(runs))
  }
}

/** Adds `alloc` and `gpu` to the program. */
export const register = (program: Command): void => {
  program
    .command('alloc')
    .description('run VM memory allocation policies over a workload and compare them')
    .argument('[workload]', 'CSV epoch,vm,demand_kib[,active_kib][,weight][,min_kib][,max_kib]; default: the bundled seeded workload')
    .option('--host <file>', 'host JSON: {"capacityKib": N, ...policy parameters}')
    .option('--policy <list>', `comma-separated policies (${policyNames.join(', ')})`, policyNames.join(','))
    .option('--seed <n>', 'PRNG seed (and the generated workload\'s seed)', '1')
    .option('--json', 'print the per-epoch allocations and metrics as JSON')
    .option('--plot <file.svg>', 'write an SVG timeline of allocation vs demand per VM')
    .option('--emit-workload <file.csv>', 'also write the workload used as CSV')
    .action(allocAction)
  program
    .command('gpu')
    .description('run GPU memory policies for VMs sharing GPUs through an RPC GPU server')
    .argument('[tasks]', 'CSV vm,arrival_s,mem_kib,work_s[,weight]; default: a seeded generated task list')
    .option('--host <file>', 'GPU host JSON: {"gpuMemKib": [N, ...], "pcieKibPerSec": N}')
    .option('--policy <list>', `comma-separated policies (${gpuPolicies.join(', ')})`, gpuPolicies.join(','))
    .option('--seed <n>', 'seed of the generated task list', '1')
    .option('--json', 'print per-task outcomes and metrics as JSON')
    .option('--plot <file.svg>', 'write an SVG bar chart of per-VM slowdowns')
    .option('--emit-tasks <file.csv>', 'also write the task list used as CSV')
    .action(gpuAction)
}
