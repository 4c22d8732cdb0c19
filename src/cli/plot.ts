// SVG plots for the shell: a Vega-Lite spec compiled and rendered headlessly (no browser, no canvas).
// Vega and Vega-Lite are loaded on the first plot only: most commands draw none, and loading them
// costs about half a second of every start-up.
import type { TopLevelSpec } from 'vega-lite'

/** Renders a Vega-Lite spec to SVG text; the view is finalized afterwards (no timers left behind). */
export const renderSvg = async (spec: Record<string, unknown>): Promise<string> => {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')])
  const compiled = vl.compile(spec as unknown as TopLevelSpec).spec
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' })
  const svg = await view.toSVG()
  view.finalize()
  return svg
}
