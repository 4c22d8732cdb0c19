// Prints the co-simulation's mutation table (README "Co-simulation", "Proof that it catches bugs"):
// `node --import tsx golden/cosim/mutation-table.ts`. One row per injected DUT bug (mutations.ts):
// where it was injected, where cosim stopped, the field, both values, and the explanation's first line and
// its line that names the cause. A last row replays every unmutated stream end to end.
import { TRACED, mutants, replay, traceOf, verdictOf } from './mutations.ts'

const cell = (s: string): string => s.replaceAll('|', '\\|').trim().replace(/ {2,}/g, ' ')
const rows = mutants().map((m) => {
  const v = verdictOf(m)
  if (v === undefined) return `| ${m.kind} | ${m.program} | ${cell(m.change)} | ${m.index} | **passed: not caught** | | | | |`
  const key = v.explain.find((l) => l.includes(m.explains)) ?? ''
  const why = [v.explain[0] ?? '', ...(key === v.explain[0] ? [] : [key])].map(cell).join(' / ')
  return `| ${m.kind} | ${m.program} | ${cell(m.change)} | ${m.index} | ${v.index} | ${v.field} | ${JSON.stringify(v.dut)} | ${JSON.stringify(v.model)} | ${why} |`
})
const clean = TRACED.map((name) => {
  const es = traceOf(name)
  const r = replay(name, es)
  return `${name} ${r.replies.filter((x) => x.ok).length}/${es.length}`
})
process.stdout.write([
  '| injected bug | program | change | injected at event | cosim stopped at | field | DUT | model | explanation (first line / the line naming the cause) |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `Unmutated streams, events matched: ${clean.join(', ')}.`,
  '',
].join('\n'))
