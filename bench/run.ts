// `npm run bench [name…]`: runs each benchmark file bench/<name>.ts in its own process (so one
// benchmark's heap and JIT state do not colour the next), or all of them when no name is given.
import { readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const here = dirname(fileURLToPath(import.meta.url))
const all = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3)).sort()
const wanted = process.argv.slice(2)
const unknown = wanted.filter((w) => !all.includes(w))
if (unknown.length > 0) {
  process.stderr.write(`memvirt bench: no benchmark named ${unknown.join(', ')} (have: ${all.join(', ')})\n`)
  process.exit(2)
}
let status = 0
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n## bench/${name}.ts`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], { stdio: 'inherit' })
  if (r.status !== 0) status = 1
}
process.exit(status)
