#!/usr/bin/env node
// `npm run props:deep`: every property folder under three seeds other than CI's (FC_SEED), each law at
// FC_NUM_RUNS times its CI count (default 5 here). A nightly-style exploration, outside `npm test`:
// it prints each run's summary and exits non-zero if any seed found a counterexample.
import { spawnSync } from 'node:child_process'

const SEEDS = [1, 4242, 0x5eed5]
const multiplier = process.env.FC_NUM_RUNS ?? '5'
let failed = 0
for (const seed of SEEDS) {
  process.stdout.write(`\n== properties, FC_SEED=${seed} FC_NUM_RUNS=${multiplier}\n`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', '.', '^properties/.*\\.prop\\.ts$', '--color', 'false'],
    { stdio: 'inherit', env: { ...process.env, FC_SEED: String(seed), FC_NUM_RUNS: multiplier } })
  if (r.status !== 0) failed++
}
console.log(`\nprops:deep: ${SEEDS.length - failed} seeds passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
