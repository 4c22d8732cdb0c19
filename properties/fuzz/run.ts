// `npm run fuzz`: every decoder the CLI calls, fuzzed in process (FUZZ_CASES mutants each, default
// 10^5), then every CLI command spawned on mutated files and flags (FUZZ_RUNS runs each, default
// 2 000), each printed as a table of outcome classes. Seeds fixed; FC_SEED overrides. FUZZ_ONLY=
// in-process|spawned runs one half; FUZZ_DECODERS / FUZZ_COMMANDS (comma-separated names) pick rows;
// FUZZ_PARALLEL (default 2) decoders or spawned runs at once; FUZZ_KEEP_ACCEPTED=DIR saves the accepted runs
// whose input was mutated (to review); FUZZ_TIMEOUT_MS (default 30 000)
// makes a spawned run a hang, FUZZ_HANG_S (default 120) a decoder silent for 1 000 cases.
// Exits 1 when any case is not a value, a clean reject or an accepted run.
import { spawnSync } from 'node:child_process'
import { Worker } from 'node:worker_threads'
import { seed } from '../fc.ts'
import { DECODERS, ROOT } from './decoders.ts'
import type { InProcessTally } from './in-process.ts'
import { CLASSES, TARGETS, fuzzSpawned } from './spawned.ts'

const env = (name: string, dflt: number): number => {
  const s = process.env[name]
  const n = s === undefined || s === '' ? dflt : Number(s)
  if (!Number.isSafeInteger(n) || n < 0) { console.error(`memvirt fuzz: ${name} must be a non-negative integer, got ${JSON.stringify(s)}`); process.exit(2) }
  return n
}
const cases = env('FUZZ_CASES', 100_000)
const runs = env('FUZZ_RUNS', 2_000)
const parallel = Math.max(1, env('FUZZ_PARALLEL', 2))
const timeoutMs = env('FUZZ_TIMEOUT_MS', 30_000)
const only = process.env.FUZZ_ONLY ?? ''
/** FUZZ_KEEP_ACCEPTED=DIR: every accepted run with a mutated input saved there, to review. */
const keepAccepted = process.env.FUZZ_KEEP_ACCEPTED === undefined || process.env.FUZZ_KEEP_ACCEPTED === '' ? undefined : process.env.FUZZ_KEEP_ACCEPTED
/** A decoder's worker that reports nothing for this long (1 000 cases) is stopped as hung. */
const HANG_S = env('FUZZ_HANG_S', 120)
const pick = (names: string): ((n: string) => boolean) => { const want = names.split(',').filter((x) => x !== ''); return (n) => want.length === 0 || want.includes(n) }
const pickDecoder = pick(process.env.FUZZ_DECODERS ?? '')
const pickTarget = pick(process.env.FUZZ_COMMANDS ?? '')
const pad = (s: string | number, n: number): string => String(s).padStart(n)
let failures = 0

console.log(`memvirt fuzz: FC_SEED=${seed} FUZZ_CASES=${cases} FUZZ_RUNS=${runs} FUZZ_PARALLEL=${parallel} FUZZ_TIMEOUT_MS=${timeoutMs}`)
if (only !== 'spawned' && cases > 0) {
  console.log(`\nin process: ${cases} mutants per decoder (ok = a decoded value or a decode error value; hang = one case over 1 s)`)
  console.log(`${'decoder'.padEnd(22)}${pad('cases', 9)}${pad('ok', 9)}${pad('crash', 7)}${pad('wrong', 7)}${pad('hang', 6)}${pad('slowest ms', 12)}${pad('s', 7)}`)
  const row = (t: InProcessTally, s: number): string =>
    `${t.decoder.padEnd(22)}${pad(t.cases, 9)}${pad(t.ok, 9)}${pad(t.crash, 7)}${pad(t.wrong, 7)}${pad(t.hang, 6)}${pad(t.slowestMs.toFixed(1), 12)}${pad(s.toFixed(0), 7)}`
  // each decoder in a worker thread, `parallel` at a time; one silent for HANG_S seconds is stopped
  const one = (name: string): Promise<void> => new Promise((resolve) => {
    const t0 = Date.now()
    const w = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { decoder: name, cases, seed } })
    let done = 0
    let failed = false
    let stopped = false
    let timer = setTimeout(() => undefined, 0)
    const arm = (): void => { clearTimeout(timer); timer = setTimeout(() => { stopped = true; void w.terminate() }, HANG_S * 1000) }
    arm()
    w.on('message', (m: { progress?: number; tally?: InProcessTally }) => {
      arm()
      if (m.progress !== undefined) done = m.progress
      if (m.tally === undefined) return
      const t = m.tally
      failures += t.crash + t.wrong + t.hang
      console.log(row(t, (Date.now() - t0) / 1000))
      for (const e of t.examples) console.log(`  ${e.kind}: seed #${e.seed} edits ${e.edits.slice(0, 300)}\n    ${e.error}`)
    })
    w.on('error', (e) => { failed = true; failures++; console.log(`${name.padEnd(22)} worker failed after ${done} cases: ${String(e)}`) })
    w.on('exit', () => {
      clearTimeout(timer)
      if (stopped && !failed) { failures++; console.log(`${name.padEnd(22)} hang: no answer for ${HANG_S} s after case ${done} (FC_SEED=${seed}; replay with FUZZ_DECODERS=${name})`) }
      resolve()
    })
  })
  const queue = DECODERS.filter((x) => pickDecoder(x.name)).map((x) => x.name)
  await Promise.all(Array.from({ length: parallel }, async () => { for (let n = queue.shift(); n !== undefined; n = queue.shift()) await one(n) }))
}
if (only !== 'in-process' && runs > 0) {
  // the bundle bin.mjs runs when it matches the sources (else it compiles them on every start)
  spawnSync(process.execPath, [ROOT + 'src/cli/build.mjs'], { stdio: 'ignore' })
  console.log(`\nspawned: ${runs} runs per command (leftover counts runs that also left a file behind)`)
  console.log(`${'command'.padEnd(30)}${CLASSES.map((c) => pad(c, 11)).join('')}${pad('s', 7)}`)
  for (const t of TARGETS.filter((x) => pickTarget(x.name))) {
    const t0 = Date.now()
    const r = await fuzzSpawned(t, runs, seed, parallel, timeoutMs, true, keepAccepted)
    failures += CLASSES.filter((c) => c !== 'reject' && c !== 'accepted').reduce((n, c) => n + r.counts[c], 0)
    console.log(`${t.name.padEnd(30)}${CLASSES.map((c) => pad(r.counts[c], 11)).join('')}${pad(((Date.now() - t0) / 1000).toFixed(0), 7)}`)
    console.log(`  accepted with a mutated input: ${r.acceptedMutated} (the other ${r.counts.accepted - r.acceptedMutated} read only valid inputs)`)
    for (const e of r.examples) console.log(`  ${e.cls}: memvirt ${e.argv}${e.leftover === '' ? '' : ` (left ${e.leftover})`}\n    ${e.stderr.split('\n').slice(0, 3).join('\n    ')}`)
  }
}
console.log(`\nmemvirt fuzz: ${failures === 0 ? 'no' : failures} failing case${failures === 1 ? '' : 's'}`)
process.exitCode = failures === 0 ? 0 : 1
