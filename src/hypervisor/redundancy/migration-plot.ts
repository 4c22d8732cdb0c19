// The `migrate --plot` chart as a Vega-Lite specification (data only; the shell renders it to SVG, as the
// alloc plots are): the pages each pre-copy round sent and the stop-and-copy's, and, per round, the downtime
// a stop-and-copy right after it would have cost (its dirtied pages at the bandwidth) against the limit.
import { type Migration, type MigrationOptions } from './migration.ts'
import { PAGE_BYTES } from '../../memory/memory.ts'

/** One bar of the chart: a round (or the stop-and-copy), its pages, and the downtime stopping after it costs. */
export interface MigrationPlotRow {
  readonly step: string
  readonly order: number
  readonly pages: number
  readonly downtimeMs: number
  readonly phase: 'pre-copy' | 'stop-and-copy'
}

/**
 * The chart's rows: round i sent `pages`; stopping after it would copy its dirtied pages with the source
 * stopped, `dirtyPages × 4096 / bandwidth` ms. The last row is the stop-and-copy itself, whose downtime is
 * the migration's.
 */
export const migrationPlotRows = (mig: Pick<Migration<unknown>, 'rounds' | 'final'>, o: Pick<MigrationOptions, 'bandwidth'>): readonly MigrationPlotRow[] => [
  ...mig.rounds.map((r) => ({ step: `round ${r.index}`, order: r.index, pages: r.pages, downtimeMs: r.dirtyPages * PAGE_BYTES / o.bandwidth * 1000, phase: 'pre-copy' as const })),
  { step: 'stop-and-copy', order: mig.rounds.length, pages: mig.final.pages, downtimeMs: mig.final.downtimeMs, phase: 'stop-and-copy' as const },
]

/** Two panels over the same rounds: pages sent per round, and the downtime after each against the limit (a rule). */
export const migrationPlotSpec = (mig: Pick<Migration<unknown>, 'rounds' | 'final'>, o: Pick<MigrationOptions, 'bandwidth' | 'downtimeMs'>): Record<string, unknown> => {
  const values = migrationPlotRows(mig, o)
  const x = { field: 'step', type: 'ordinal', title: null, sort: { field: 'order' } }
  const color = { field: 'phase', type: 'nominal', title: null, sort: ['pre-copy', 'stop-and-copy'] }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `memvirt migrate: ${mig.rounds.length} round(s), stop-and-copy ${mig.final.reason}`,
    data: { values },
    vconcat: [
      {
        width: 420, height: 140,
        mark: 'bar',
        encoding: { x, y: { field: 'pages', type: 'quantitative', title: 'pages sent' }, color },
      },
      {
        width: 420, height: 140,
        layer: [
          { mark: 'bar', encoding: { x, y: { field: 'downtimeMs', type: 'quantitative', title: 'downtime if stopped (ms)' }, color } },
          {
            data: { values: [{ limitMs: o.downtimeMs }] },
            mark: { type: 'rule', color: 'firebrick', strokeDash: [4, 2] },
            encoding: { y: { field: 'limitMs', type: 'quantitative' } },
          },
          {
            data: { values: [{ limitMs: o.downtimeMs, label: `limit ${o.downtimeMs} ms` }] },
            mark: { type: 'text', align: 'right', dy: -6, color: 'firebrick' },
            encoding: { y: { field: 'limitMs', type: 'quantitative' }, x: { value: 420 }, text: { field: 'label' } },
          },
        ],
      },
    ],
    config: { font: 'sans-serif' },
  }
}
