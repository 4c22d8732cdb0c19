// The `--plot` timelines as Vega-Lite specifications (data only; the shell renders them to SVG):
// allocation vs demand per VM over epochs, one panel per VM, one line per policy.
import type { EpochRecord } from './model.ts'

export type PlotRun = { readonly policy: string; readonly epochs: readonly EpochRecord[] }

/** Allocation (MiB) of every policy and the demand, per VM, as a faceted line chart. */
export const allocTimelineSpec = (vmIds: readonly string[], runs: readonly PlotRun[]): Record<string, unknown> => {
  const values: { vm: string; epoch: number; series: string; mib: number }[] = []
  const first = runs[0]
  if (first !== undefined) {
    for (const e of first.epochs) vmIds.forEach((vm, i) => values.push({ vm, epoch: e.epoch, series: 'demand', mib: e.demand[i]! / 1024 }))
  }
  for (const r of runs) {
    for (const e of r.epochs) vmIds.forEach((vm, i) => values.push({ vm, epoch: e.epoch, series: r.policy, mib: e.alloc[i]! / 1024 }))
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'memvirt alloc: allocation vs demand per VM',
    data: { values },
    facet: { field: 'vm', type: 'nominal', title: null },
    columns: 3,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 260,
      height: 120,
      mark: { type: 'line', strokeWidth: 1.2, interpolate: 'step-after' },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
        y: { field: 'mib', type: 'quantitative', title: 'MiB' },
        color: { field: 'series', type: 'nominal', title: null, sort: ['demand', ...runs.map((r) => r.policy)] },
        strokeDash: { condition: { test: "datum.series === 'demand'", value: [3, 2] }, value: [1, 0] },
      },
    },
    config: { font: 'sans-serif' },
  }
}

/** GPU memory: per policy, each VM's slowdown as a grouped bar chart. */
export const gpuSlowdownSpec = (vmIds: readonly string[], runs: readonly { readonly policy: string; readonly slowdown: readonly (number | null)[] }[]): Record<string, unknown> => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: 'memvirt gpu: per-VM slowdown vs running alone',
  // a VM none of whose tasks finished (all out of memory) has no bar
  data: { values: runs.flatMap((r) => vmIds.flatMap((vm, i) => { const s = r.slowdown[i]; return s === null || s === undefined ? [] : [{ policy: r.policy, vm, slowdown: s }] })) },
  width: 420,
  height: 200,
  mark: 'bar',
  encoding: {
    x: { field: 'vm', type: 'nominal', title: null },
    xOffset: { field: 'policy', type: 'nominal' },
    y: { field: 'slowdown', type: 'quantitative', title: 'slowdown (×)' },
    color: { field: 'policy', type: 'nominal', title: null },
  },
  config: { font: 'sans-serif' },
})
