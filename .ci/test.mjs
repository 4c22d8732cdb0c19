#!/usr/bin/env node
// `npm test`: typecheck, the layer rules (dependency-cruiser, .dependency-cruiser.cjs) and lint (eslint with
// typescript-eslint's type-checked rules and the architecture rules, eslint.config.mjs), the CLI bundle (src/cli/build.mjs, so CLI tests run the bundle users start), then every uvu suite (spec/, properties/, golden/), then the tsd type tests.
// Ends with one summary line "memvirt: N passed, M failed" and exits non-zero if any stage failed.
import { spawnSync } from 'node:child_process'

const stages = [
  ['typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.']],
  ['layers', process.execPath, ['node_modules/dependency-cruiser/bin/dependency-cruise.mjs', 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err']],
  ['lint', process.execPath, ['node_modules/eslint/bin/eslint.js', '--max-warnings', '0', 'src', 'spec', 'properties', 'golden', 'bench']],
  ['build', process.execPath, ['src/cli/build.mjs']],
  ['uvu', process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', '.', '^(spec|properties|golden)/.*\\.(spec|prop|golden)\\.ts$', '--color', 'false']],
  ['tsd', process.execPath, ['node_modules/tsd/dist/cli.js', '--typings', 'src/index.ts', '--files', 'spec/types/**/*.test-d.ts']],
]

let passed = 0
let failed = 0
for (const [name, cmd, args] of stages) {
  const t0 = Date.now()
  process.stdout.write(`\n== ${name}\n`)
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 28 })
  process.stdout.write(r.stdout ?? '')
  const ok = r.status === 0
  if (name === 'uvu') {
    const total = Number(/Total:\s+(\d+)/.exec(r.stdout ?? '')?.[1] ?? 0)
    const pass = Number(/Passed:\s+(\d+)/.exec(r.stdout ?? '')?.[1] ?? 0)
    const skip = Number(/Skipped:\s+(\d+)/.exec(r.stdout ?? '')?.[1] ?? 0)
    passed += pass
    failed += Math.max(total - pass - skip, ok ? 0 : 1)
  } else if (ok) passed += 1
  else failed += 1
  process.stdout.write(`== ${name}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`)
}
console.log(`\nmemvirt: ${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
