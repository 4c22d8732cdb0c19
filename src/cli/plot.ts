// SVG plots for the shell: a Vega-Lite spec compiled and rendered headlessly (no browser, no canvas).
import * as vl from 'vega-lite'
import * as vega from 'vega'

/** Renders a Vega-Lite spec to SVG text; the view is finalized afterwards (no timers left behind). */
export const renderSvg = async (spec: Record<string, unknown>): Promise<string> => {
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' })
  const svg = await view.toSVG()
  view.finalize()
  return svg
}
