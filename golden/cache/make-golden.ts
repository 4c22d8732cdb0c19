// Regenerates the cache golden data: writes the seeded synthetic trace (txt, and the same requests
// as oracleGeneral with next-access indices for Belady) and records libCacheSim's miss counts.
//   LIBCACHESIM=/work/ext/libCacheSim/_build/bin/cachesim node --import tsx golden/cache/make-golden.ts
// cachesim prints the miss ratio with 4 decimals; with exactly 10 000 requests that is the exact
// miss count. The expected values in the JSON are libCacheSim's, never this model's.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nextAccesses } from '../../src/cache/simulate.ts'
import { mulberry32, zipfScanTrace } from '../../src/cache/synth.ts'
import { encodeOracle } from '../../src/cache/trace.ts'

export const GOLDEN_TRACE = { requests: 10_000, objects: 3_000, alpha: 0.9, scanEvery: 2_000, scanLength: 200, seed: 20261125 }
export const GOLDEN_SIZES = [1, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 3000]
// libCacheSim's names for our policies (cachesim accepts them case-insensitively)
export const CACHESIM_NAME = {
  lru: 'lru', fifo: 'fifo', clock: 'clock', lfu: 'lfu', arc: 'arc', twoq: 'twoq', s3fifo: 's3fifo',
  sieve: 'sieve', lirs: 'lirs', wtinylfu: 'wtinylfu', belady: 'belady',
} as const

const here = new URL('.', import.meta.url).pathname

/** A seeded size in bytes for each object (1 … 4096), fixed per object, for the byte-sized runs. */
export const objectSize = (id: number): number => 1 + Math.floor(mulberry32(id * 7919 + 13).value * 4096)
export const BYTE_SIZES = [4096, 65536, 1048576, 4194304]

/** The golden requests as oracleGeneral records of byte-sized objects (`objectSize`), next accesses for Belady. */
export const sizedOracle = (ids: Float64Array): Uint8Array => {
  const next = nextAccesses(ids)
  return encodeOracle(Array.from(ids, (id, i) => ({ time: i, id, size: objectSize(id), next: next[i] as number })))
}

/**
 * A small synthetic MSR-format block trace of three hosts (VMs) for `memvirt blockcache`:
 * "web" re-reads a small hot set, "db" mixes a hot set with a wide random range and 40% writes,
 * "backup" streams sequentially (a scan that pollutes a shared LRU).
 */
export const threeVmMsr = (requests: number, seed: number): string => {
  let s = seed
  const next = (): number => {
    const r = mulberry32(s)
    s = r.seed
    return r.value
  }
  const lines: string[] = []
  let stream = 0
  for (let i = 0; i < requests; i++) {
    const u = next()
    const t = 128166372000000000 + i * 10000
    if (u < 0.4) lines.push(`${t},web,0,Read,${Math.floor(next() * 64) * 4096},4096,500`)
    else if (u < 0.75) {
      const block = next() < 0.7 ? Math.floor(next() * 128) : Math.floor(next() * 20000)
      lines.push(`${t},db,1,${next() < 0.4 ? 'Write' : 'Read'},${block * 4096},${next() < 0.2 ? 8192 : 4096},800`)
    } else lines.push(`${t},backup,0,Read,${(stream++) * 65536},65536,2000`)
  }
  return lines.join('\n') + '\n'
}
if (process.argv[1]?.endsWith('make-golden.ts')) writeFileSync(join(here, 'three-vms.msr.csv'), threeVmMsr(5000, 7))
const cachesim = process.env['LIBCACHESIM']
if (cachesim !== undefined && process.argv[1]?.endsWith('make-golden.ts')) {
  const ids = zipfScanTrace(GOLDEN_TRACE)
  const txt = Array.from(ids).join('\n') + '\n'
  writeFileSync(join(here, 'zipf-scan-10k.txt'), txt)
  const work = mkdtempSync(join(tmpdir(), 'memvirt-golden-'))
  writeFileSync(join(work, 'trace.txt'), txt)
  const next = nextAccesses(ids)
  writeFileSync(join(work, 'trace.oracleGeneral'),
    encodeOracle(Array.from(ids, (id, i) => ({ time: i, id, size: 1, next: next[i] as number }))))
  // the same ids as a csv with a header and the id in column 2, to check the csv options too
  writeFileSync(join(work, 'trace.csv'), 'time,id\n' + Array.from(ids, (id, i) => `${i},${id}`).join('\n') + '\n')
  const run = (args: string[]): number => {
    const out = execFileSync(cachesim, args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    const m = /miss ratio ([0-9.]+)/.exec(out)
    if (m === null) throw new Error(`no miss ratio in cachesim output: ${out}`)
    return Math.round(Number(m[1]) * GOLDEN_TRACE.requests)
  }
  const results: Array<{ policy: string; size: number; misses: number; via: string; params?: string }> = []
  for (const [policy, name] of Object.entries(CACHESIM_NAME)) {
    for (const size of GOLDEN_SIZES) {
      const via = policy === 'belady' ? 'oracleGeneralBin' : 'txt'
      const file = policy === 'belady' ? 'trace.oracleGeneral' : 'trace.txt'
      results.push({ policy, size, misses: run([file, via, name, String(size), '--ignore-obj-size=1']), via })
    }
  }
  // W-TinyLFU hashes ids: also from the oracleGeneral file, where ids are used as they are
  // (from txt, libCacheSim numbers them 1, 2, 3, … by first appearance)
  for (const size of GOLDEN_SIZES) {
    results.push({ policy: 'wtinylfu', size, via: 'oracleGeneralBin', misses: run(['trace.oracleGeneral', 'oracleGeneralBin', 'wtinylfu', String(size), '--ignore-obj-size=1']) })
  }
  // byte-sized objects: the same requests as an oracleGeneral file with per-object sizes,
  // cachesim without --ignore-obj-size, cache sizes in bytes
  writeFileSync(join(work, 'sized.oracleGeneral'), sizedOracle(ids))
  for (const policy of ['lru', 'fifo', 'clock', 'sieve', 's3fifo', 'lfu', 'arc', 'twoq', 'belady']) {
    for (const size of BYTE_SIZES) {
      results.push({ policy, size, via: 'oracleGeneralBin', params: 'bytes', misses: run(['sized.oracleGeneral', 'oracleGeneralBin', policy, String(size)]) })
    }
  }
  // non-default parameters, as libCacheSim's -e
  const withParams: Array<[string, string]> = [
    ['s3fifo', 'fifo-size-ratio=0.2,move-to-main-threshold=1'], ['s3fifo', 'ghost-size-ratio=0.5'],
    ['twoq', 'Ain-size-ratio=0.4,Aout-size-ratio=0.3'], ['clock', 'n-bit-counter=3'], ['wtinylfu', 'window-size=0.1'],
  ]
  for (const [policy, params] of withParams) {
    for (const size of [50, 200, 1000]) {
      results.push({ policy, size, via: 'txt', params, misses: run(['trace.txt', 'txt', policy, String(size), '--ignore-obj-size=1', '-e', params]) })
    }
  }
  for (const size of GOLDEN_SIZES) {
    results.push({
      policy: 'lru', size, via: 'csv',
      misses: run(['trace.csv', 'csv', 'lru', String(size), '--ignore-obj-size=1', '-t', 'obj-id-col=2,has-header=true,delimiter=,']),
    })
  }
  const commit = execFileSync('git', ['-C', join(cachesim, '../../..'), 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()
  writeFileSync(join(here, 'libcachesim-misses.json'), JSON.stringify({
    tool: 'libCacheSim cachesim (github.com/1a1a11a/libCacheSim)',
    commit,
    command: 'cachesim TRACE txt|oracleGeneralBin|csv POLICY SIZE --ignore-obj-size=1 [-e PARAMS] [-t "obj-id-col=2,has-header=true,delimiter=,"]',
    trace: 'zipf-scan-10k.txt',
    generator: GOLDEN_TRACE,
    results,
  }, null, 1) + '\n')
  console.log(`wrote ${results.length} results from ${cachesim} at ${commit}`)
}
