// Miss-ratio curves: miss ratio as a function of cache size, one curve per policy, and the
// vega-lite specification that draws them (the shell renders it to SVG with vega).
import type { PolicyName } from './policy.ts'

export type MrcPoint = {
  readonly policy: PolicyName
  readonly size: number
  readonly requests: number
  readonly misses: number
  readonly missRatio: number
}

/** Cache sizes for a curve over a working set of `distinct` objects (or bytes): 1‰ … 100% of it, deduplicated. */
export const mrcSizes = (distinct: number): number[] => {
  const fractions = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1]
  const sizes = fractions.map((f) => Math.max(1, Math.round(f * distinct)))
  return [...new Set(sizes)]
}

/** The vega-lite spec of the curves: log-scaled size on x, miss ratio on y, one colour per policy. */
export const mrcSpec = (title: string, points: readonly MrcPoint[], unit: 'objects' | 'bytes' = 'objects'): Record<string, unknown> => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title,
  width: 560,
  height: 320,
  data: { values: points.map((p) => ({ policy: p.policy, size: p.size, missRatio: p.missRatio })) },
  mark: { type: 'line', point: true },
  encoding: {
    x: { field: 'size', type: 'quantitative', scale: { type: 'log' }, title: `cache size (${unit})` },
    y: { field: 'missRatio', type: 'quantitative', scale: { domain: [0, 1] }, title: 'miss ratio' },
    color: { field: 'policy', type: 'nominal', title: 'policy', scale: { scheme: 'tableau20' } },
  },
})
