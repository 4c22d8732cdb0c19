// Running the selected policies over one workload and presenting the results: the comparison
// table `memvirt alloc` prints and the `--json` document. Pure: the shell does the writing.
import { simulate, type Metrics, type RunResult, type Workload } from './model.ts'
import { staticPolicy } from './static.ts'
import { balloonPolicy } from './balloon.ts'
import { esxPolicy } from './esx.ts'
import { squeezePolicy } from './squeeze.ts'
import { arAcoPolicy } from './ar-aco.ts'
import { blocksPolicy, runMakespan } from './blocks.ts'
import type { AllocHost } from './host.ts'
import { gpuPolicies, runGpu, type GpuHost, type GpuPolicyName, type GpuRun, type TaskOutcome } from './gpu.ts'
import type { GpuWorkload } from './gpu-workload.ts'

export const policyNames = ['static', 'balloon', 'esx', 'squeeze', 'ar-aco', 'blocks'] as const
export type PolicyName = (typeof policyNames)[number]

export type PolicyRun = RunResult<unknown> & { readonly makespanS: number; readonly unplacedVms: number }

/** Runs one named policy with the host's parameters (a fold over the workload's epochs). */
export const runPolicy = (name: PolicyName, host: AllocHost, w: Workload, seed: number, record = true): PolicyRun => {
  const c = host.capacityKib
  const r: RunResult<unknown> = (() => {
    switch (name) {
      case 'static': return simulate(staticPolicy, c, w, seed, record)
      case 'balloon': return simulate(balloonPolicy(host.balloon), c, w, seed, record)
      case 'esx': return simulate(esxPolicy(host.esx), c, w, seed, record)
      case 'squeeze': return simulate(squeezePolicy(host.squeeze), c, w, seed, record)
      case 'ar-aco': return simulate(arAcoPolicy(host.arAco), c, w, seed, record)
      case 'blocks': return simulate(blocksPolicy(host.blocks), c, w, seed, record)
    }
  })()
  const m = runMakespan(c, r.metrics.served, r.metrics.meanAllocByVm, host.cloudsim)
  return { ...r, makespanS: m.makespan, unplacedVms: m.unplacedVms.length }
}

const pad = (s: string, n: number, right = false): string => (right ? s.padEnd(n) : s.padStart(n))
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`

/**
 * The comparison table: utilization of what was given, host utilization, unmet demand, Jain
 * fairness of served fractions, satisfaction, makespan (CloudSim model), and utilization
 * relative to static when static is among the runs.
 */
export const formatAllocTable = (runs: readonly PolicyRun[]): string => {
  const base = runs.find((r) => r.policy === 'static')
  const head = ['policy', 'util', 'vs static', 'host util', 'unmet', 'fairness', 'satisfied', 'makespan s', 'events']
  const rows = runs.map((r) => {
    const m: Metrics = r.metrics
    return [
      r.policy, pct(m.utilization), base === undefined ? '-' : `${(m.utilization / base.metrics.utilization).toFixed(2)}×`,
      pct(m.hostUtilization), pct(m.unmetFraction), m.fairness.toFixed(3), m.satisfaction.toFixed(3),
      r.unplacedVms > 0 ? `${r.makespanS.toFixed(1)} (${r.unplacedVms} unplaced)` : r.makespanS.toFixed(1), String(r.events),
    ]
  })
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)))
  const line = (cells: readonly string[]): string => cells.map((c, k) => pad(c, widths[k]!, k === 0)).join('  ').trimEnd()
  return [line(head), line(widths.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n') + '\n'
}

/**
 * The fixed precision of every fractional figure in `--json` output: 6 decimal places (a microsecond
 * for times in seconds, 10^-6 for ratios). An integer divided by 10^6 prints as its shortest decimal,
 * so 52.769999999999996 s is written 52.77 (issue 13).
 */
export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6

const roundOutcome = (o: TaskOutcome): TaskOutcome =>
  o._tag === 'Done' ? { _tag: 'Done', gpu: o.gpu, startS: round6(o.startS), finishS: round6(o.finishS), migrated: o.migrated } : o

/** The `--json` document: one object per policy with every epoch and the metrics. */
export const allocJson = (w: Workload, runs: readonly PolicyRun[]): unknown[] =>
  runs.map((r) => ({
    policy: r.policy,
    epochs: r.epochs.map((e) => ({
      epoch: e.epoch,
      capacity: e.capacity,
      alloc: Object.fromEntries(w.vms.map((v, i) => [v.id, e.alloc[i]!])),
      demand: Object.fromEntries(w.vms.map((v, i) => [v.id, e.demand[i]!])),
    })),
    metrics: {
      utilization: round6(r.metrics.utilization),
      hostUtilization: round6(r.metrics.hostUtilization),
      unmetFraction: round6(r.metrics.unmetFraction),
      fairness: round6(r.metrics.fairness),
      satisfaction: round6(r.metrics.satisfaction),
      meanAllocKib: round6(r.metrics.meanAllocKib),
      makespanS: round6(r.makespanS),
      unplacedVms: r.unplacedVms,
      events: r.events,
    },
  }))

export const runGpuPolicies = (names: readonly GpuPolicyName[], host: GpuHost, w: GpuWorkload): GpuRun[] =>
  names.map((p) => runGpu(p, host, w.vms, w.tasks))

export const isGpuPolicy = (s: string): s is GpuPolicyName => (gpuPolicies as readonly string[]).includes(s)

/** The GPU comparison table. */
export const formatGpuTable = (runs: readonly GpuRun[]): string => {
  const head = ['policy', 'mean slowdown', 'max slowdown', 'fairness', 'gpu mem util', 'completion s', 'oom', 'migrations']
  const rows = runs.map((r) => {
    const s = r.metrics.slowdown.flatMap((x) => (x === null ? [] : [x]))
    const none = r.metrics.slowdown.length - s.length
    return [
      r.policy, s.length === 0 ? '-' : (s.reduce((a, b) => a + b, 0) / s.length).toFixed(2) + (none > 0 ? ` (${none} VM${none > 1 ? 's' : ''} none done)` : ''),
      s.length === 0 ? '-' : Math.max(...s).toFixed(2), r.metrics.fairness.toFixed(3),
      pct(r.metrics.memUtilization), r.metrics.completionS.toFixed(1), String(r.metrics.outOfMemory), String(r.metrics.migrations),
    ]
  })
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)))
  const line = (cells: readonly string[]): string => cells.map((c, k) => pad(c, widths[k]!, k === 0)).join('  ').trimEnd()
  return [line(head), line(widths.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n') + '\n'
}

export const gpuJson = (w: GpuWorkload, runs: readonly GpuRun[]): unknown[] =>
  runs.map((r) => ({
    policy: r.policy,
    tasks: r.outcomes.map((o, i) => ({ task: i, vm: w.vms[w.tasks[i]!.vm]!.id, ...roundOutcome(o) })),
    metrics: {
      slowdown: Object.fromEntries(w.vms.map((v, i) => { const s = r.metrics.slowdown[i]; return [v.id, s === null || s === undefined ? null : round6(s)] })),
      fairness: round6(r.metrics.fairness),
      memUtilization: round6(r.metrics.memUtilization),
      completionS: round6(r.metrics.completionS),
      outOfMemory: r.metrics.outOfMemory,
      migrations: r.metrics.migrations,
    },
  }))
