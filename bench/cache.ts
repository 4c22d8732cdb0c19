// Cache policy throughput on a ~2 M-request seeded Zipf(0.9) + scan trace, size-1 objects.
//   npm run bench cache                      ratio vs a plain Map-based LRU loop (same run)
//   LIBCACHESIM=/path/to/cachesim npm run bench cache
//                                            also runs libCacheSim's cachesim on the same trace
//                                            (oracleGeneral binary, parsing included on both sides)
//                                            and prints the ratio and both miss counts
// Never asserts; prints numbers.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { isRight } from 'fp-ts/lib/Either.js'
import { POLICY_NAMES, type PolicyName } from '../src/cache/policy.ts'
import { nextAccesses, simulate, simulateSource } from '../src/cache/simulate.ts'
import { zipfScanTrace } from '../src/cache/synth.ts'
import { CSV_DEFAULTS, encodeOracle } from '../src/cache/trace.ts'
import { fileSource } from '../src/cli/cache.ts'

const TRACE = { requests: 2_000_000, objects: 200_000, alpha: 0.9, scanEvery: 100_000, scanLength: 20_000, seed: 20261125 }
const SIZE = 20_000
const ids = zipfScanTrace(TRACE)
const mps = (n: number, ms: number): string => (n / ms / 1000).toFixed(2)
const time = <T>(f: () => T): { value: T; ms: number } => {
  const t0 = performance.now()
  const value = f()
  return { value, ms: performance.now() - t0 }
}
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs (numbers are wall-clock)`)
console.log(`trace: ${ids.length} requests, Zipf(${TRACE.alpha}) over ${TRACE.objects} objects + a ${TRACE.scanLength}-object scan every ${TRACE.scanEvery}; cache ${SIZE} objects`)

// simulate() on the in-memory trace (id renumbering included), one warm-up run each; the baseline
// measured in this run is memvirt's own LRU.
const results = POLICY_NAMES.map((p) => {
  simulate(p, SIZE, { ids: ids.subarray(0, 200_000) })
  return { p, ...time(() => simulate(p, SIZE, { ids })) }
})
const lruMs = results.find((r) => r.p === 'lru')?.ms ?? NaN
console.log('\nin memory: policy  M req/s  time vs LRU  misses')
for (const r of results) {
  console.log(`${r.p.padEnd(8)} ${mps(ids.length, r.ms).padStart(8)}  ${(r.ms / lruMs).toFixed(2).padStart(10)}×  ${r.value.misses}`)
}

// End to end from an oracleGeneral file (read + decode + simulate), the way cachesim runs.
const dir = mkdtempSync(join(tmpdir(), 'memvirt-bench-'))
const bin = join(dir, 'trace.oracleGeneral')
const next = nextAccesses(ids)
writeFileSync(bin, encodeOracle(Array.from(ids, (id, i) => ({ time: i, id, size: 1, next: next[i] as number }))))
const cachesim = process.env['LIBCACHESIM']
const compared: readonly PolicyName[] = POLICY_NAMES
console.log(`\nfrom the oracleGeneral file${cachesim === undefined ? ' (set LIBCACHESIM=…/cachesim to compare with libCacheSim)' : `, vs ${cachesim}`}`)
console.log('policy    memvirt M req/s' + (cachesim === undefined ? '' : '  cachesim M req/s  ratio  misses memvirt / cachesim'))
// The machine is shared: each side runs `rounds` times, alternating, and the best time counts.
for (const p of compared) {
  const rounds = 3
  let oursMs = Infinity
  let theirMs = Infinity
  let misses: number | undefined
  let theirMisses = '?'
  for (let k = 0; k < rounds; k++) {
    const src = fileSource(bin, { format: 'oracleGeneral', csv: CSV_DEFAULTS, blockSize: 4096 })
    const ours = time(() => simulateSource([{ policy: p, capacity: SIZE }], src))
    oursMs = Math.min(oursMs, ours.ms)
    misses = isRight(ours.value) ? ours.value.right[0]?.misses : undefined
    if (cachesim !== undefined) {
      const t = time(() => execFileSync(cachesim, [bin, 'oracleGeneralBin', p, String(SIZE), '--ignore-obj-size=1'],
        { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
      theirMs = Math.min(theirMs, t.ms)
      const ratio = /miss ratio ([0-9.]+)/.exec(t.value)?.[1]
      if (ratio !== undefined) theirMisses = String(Math.round(Number(ratio) * ids.length))
    }
  }
  let line = `${p.padEnd(8)} ${mps(ids.length, oursMs).padStart(16)}`
  if (cachesim !== undefined) {
    line += `  ${mps(ids.length, theirMs).padStart(16)}  ${(theirMs / oursMs).toFixed(2).padStart(5)}×  ${misses} / ≈${theirMisses}`
  }
  console.log(line)
}
rmSync(dir, { recursive: true, force: true })
if (cachesim !== undefined) {
  console.log('\nbest of 3 alternating rounds per policy; cachesim wall time includes its process start;')
  console.log('its 4-decimal miss ratio gives its misses to ±100 on 2 M requests (exact counts are checked in golden/cache/).')
}
