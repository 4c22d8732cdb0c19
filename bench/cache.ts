// Cache simulation speed, whole process, beside libCacheSim's cachesim in the same run (issue 19).
//   npm run bench cache                 the 2 M-request trace below, as txt and as oracleGeneral, every
//                                       policy, a cache of 20 000 objects; and as oracleGeneral with
//                                       object sizes (golden/cache's 1 … 4096 bytes per object), the sized
//                                       policies, a cache of 40 MiB (`--obj-size`; cachesim without
//                                       --ignore-obj-size): `memvirt cache` and `cachesim` each started
//                                       as a process, alternately, 3 rounds, median wall time and the ratio
//   LIBCACHESIM=/path/to/cachesim       where cachesim is (default /work/ext/libCacheSim/_build/bin/cachesim);
//                                       without it the comparison is skipped with one line
//   CACHE_BIG=1                         also a stream of 2^24 + 2^20 distinct objects through the engine
//                                       (traces beyond a JS Map's 2^24 entries), time and peak RSS
// Never asserts; prints numbers. Run `npm run build` first so memvirt starts from its bundle.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { right } from '../src/bits/either.ts'
import { POLICY_NAMES, SIZED_POLICIES, type PolicyName } from '../src/cache/policy.ts'
import { nextAccesses, simulateSource as specSimulateSource, sourceOf } from '../src/cache/simulate.ts'
import { simulateSource } from '../src/cache/engine/replay.ts'
import { zipfScanTrace } from '../src/cache/synth.ts'
import { encodeOracle } from '../src/cache/trace.ts'
import { objectSize } from '../golden/cache/make-golden.ts'

const TRACE = { requests: 2_000_000, objects: 200_000, alpha: 0.9, scanEvery: 100_000, scanLength: 20_000, seed: 20261125 }
const SIZE = 20_000
const SIZE_BYTES = 40 * 1024 * 1024
const ROUNDS = 3
const ids = zipfScanTrace(TRACE)
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number
const wall = (f: () => void): number => {
  const t0 = performance.now()
  f()
  return performance.now() - t0
}
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs (wall-clock times)`)
console.log(`trace: ${ids.length} requests, Zipf(${TRACE.alpha}) over ${TRACE.objects} objects + a ${TRACE.scanLength}-object scan every ${TRACE.scanEvery}; cache ${SIZE} objects`)

// In process: the engine (kernels) against the specification's in-place policies, same trace in memory.
const trace = { ids, next: nextAccesses(ids) }
console.log('\nin process, M req/s:  policy  engine  specification in place')
for (const p of POLICY_NAMES) {
  const engine = wall(() => simulateSource([{ policy: p, capacity: SIZE }], sourceOf(trace)))
  const spec = wall(() => specSimulateSource([{ policy: p, capacity: SIZE }], sourceOf(trace)))
  console.log(`  ${p.padEnd(9)} ${(ids.length / engine / 1000).toFixed(2).padStart(6)}  ${(ids.length / spec / 1000).toFixed(2).padStart(6)}`)
}
const sized = { ...trace, sizes: Array.from(ids, objectSize) }
console.log(`\nin process, objects of 1 … 4096 bytes, cache ${SIZE_BYTES} bytes, M req/s:  policy  engine  specification in place`)
for (const p of SIZED_POLICIES) {
  const engine = wall(() => simulateSource([{ policy: p, capacity: SIZE_BYTES }], sourceOf(sized), { bytes: true }))
  const spec = wall(() => specSimulateSource([{ policy: p, capacity: SIZE_BYTES }], sourceOf(sized), { bytes: true }))
  console.log(`  ${p.padEnd(9)} ${(ids.length / engine / 1000).toFixed(2).padStart(6)}  ${(ids.length / spec / 1000).toFixed(2).padStart(6)}`)
}

// Whole processes on the same files.
const cachesim = process.env['LIBCACHESIM'] ?? '/work/ext/libCacheSim/_build/bin/cachesim'
if (!existsSync(cachesim)) {
  console.log(`\nskipped: no cachesim at ${cachesim} (build libCacheSim outside the repo and set LIBCACHESIM=…/cachesim)`)
} else {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-bench-'))
  const txt = join(dir, 'trace.txt')
  const bin = join(dir, 'trace.oracleGeneral.bin')
  writeFileSync(txt, Array.from(ids, String).join('\n') + '\n')
  writeFileSync(bin, encodeOracle(Array.from(ids, (id, i) => ({ time: i, id, size: 1, next: trace.next[i] as number }))))
  const sizedBin = join(dir, 'sized.oracleGeneral.bin')
  writeFileSync(sizedBin, encodeOracle(Array.from(ids, (id, i) => ({ time: i, id, size: objectSize(id), next: trace.next[i] as number }))))
  const memvirt = join(import.meta.dirname, '../src/cli/bin.mjs')
  console.log(`\nwhole process, ${ROUNDS} alternating rounds, median seconds; ratio = cachesim time / memvirt time (> 1: memvirt faster)`)
  console.log('  format          policy     memvirt  cachesim  ratio  misses memvirt / cachesim (4-decimal ratio × requests)')
  const runs: ReadonlyArray<readonly [string, string, string, readonly PolicyName[], number, readonly string[], readonly string[]]> = [
    ['txt', txt, 'txt', POLICY_NAMES, SIZE, [], ['--ignore-obj-size=1']],
    ['oracleGeneral', bin, 'oracleGeneralBin', POLICY_NAMES, SIZE, [], ['--ignore-obj-size=1']],
    ['oracleG. bytes', sizedBin, 'oracleGeneralBin', SIZED_POLICIES, SIZE_BYTES, ['--obj-size'], []],
  ]
  for (const [format, file, type, policies, size, ourFlags, theirFlags] of runs) {
    for (const p of policies) {
      if (p === 'belady' && format === 'txt') continue // cachesim needs next-access indices for Belady
      const ours: number[] = []
      const theirs: number[] = []
      let mine = ''
      let their = ''
      for (let k = 0; k < ROUNDS; k++) {
        ours.push(wall(() => { mine = execFileSync(process.execPath, [memvirt, 'cache', file, ...ourFlags, '--policy', p, '--size', String(size), '--json'], { encoding: 'utf8' }) }))
        theirs.push(wall(() => {
          const r = spawnSync(cachesim, [file, type, p, String(size), ...theirFlags], { cwd: dir, encoding: 'utf8' })
          their = r.stdout + r.stderr
        }))
      }
      const m = (JSON.parse(mine) as Array<{ misses: number }>)[0]?.misses
      const ratio = /miss ratio ([0-9.]+)/.exec(their)?.[1]
      const o = median(ours) / 1000
      const t = median(theirs) / 1000
      console.log(`  ${format.padEnd(14)}  ${p.padEnd(9)} ${o.toFixed(2).padStart(7)}  ${t.toFixed(2).padStart(8)}  ${(t / o).toFixed(2).padStart(5)}  ${m} / ≈${ratio === undefined ? '?' : Math.round(Number(ratio) * ids.length)}`)
    }
  }
  rmSync(dir, { recursive: true, force: true })
}

if (process.env['CACHE_BIG'] === '1') {
  const n = 2 ** 24 + 2 ** 20
  const t = wall(() => {
    const r = simulateSource([{ policy: 'lru', capacity: 1_000_000 }, { policy: 's3fifo', capacity: 1_000_000 }],
      (sink) => { for (let i = 0; i < n; i++) sink(i * 7919, NaN); return right(undefined) })
    console.log(`\n${n} distinct objects (beyond 2^24), LRU and S3-FIFO of 10^6: ${JSON.stringify(r)}`)
  })
  console.log(`  ${(t / 1000).toFixed(1)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`)
}
