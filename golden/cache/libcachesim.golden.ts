// Miss counts on the committed seeded trace must equal libCacheSim's (cachesim at the commit
// recorded in libcachesim-misses.json; regenerate with make-golden.ts). The trace is read through
// the same streaming readers `memvirt cache` uses, every (policy, size) in one pass.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { isRight, right } from 'fp-ts/lib/Either.js'
import { isPolicyName, type PolicyName } from '../../src/cache/policy.ts'
import { nextAccesses, simulateSource, type Config, type Source } from '../../src/cache/simulate.ts'
import { simulateSource as engineSimulateSource } from '../../src/cache/engine/replay.ts'
import { zipfScanTrace } from '../../src/cache/synth.ts'
import { objectSize } from './make-golden.ts'
import { CSV_DEFAULTS, decodeCsvLine, decodeOracleRecord, encodeOracle, MSR_MAX_REQUEST_BLOCKS, ORACLE_RECORD_BYTES } from '../../src/cache/trace.ts'
import { fileSource } from '../../src/cli/cache.ts'

const here = new URL('.', import.meta.url).pathname
type Expected = {
  commit: string
  generator: Parameters<typeof zipfScanTrace>[0]
  results: Array<{ policy: string; size: number; misses: number; via: 'txt' | 'csv' | 'oracleGeneralBin'; params?: string }>
}
const expected = JSON.parse(readFileSync(`${here}libcachesim-misses.json`, 'utf8')) as Expected
const tracePath = `${here}zipf-scan-10k.txt`

// Each row's miss count from the specification's policies (simulate.ts) and from the engine's
// kernels (what `memvirt cache` runs): both must be libCacheSim's.
const misses = (via: Expected['results'][number]['via'], source: Source, bytes = false): Map<string, [number, number]> => {
  const rows = rowsOf(via, bytes)
  const configs: Config[] = rows.map((r) => ({ policy: r.policy as PolicyName, capacity: r.size, params: bytes ? {} : paramsOf(r.params) }))
  // libCacheSim numbers txt/csv ids by first appearance; only W-TinyLFU's sketch can tell
  const options = { ids: via === 'oracleGeneralBin' ? 'as-is' as const : 'first-appearance' as const, bytes }
  const spec = simulateSource(configs, source, options)
  const engine = engineSimulateSource(configs, source, options)
  assert.ok(isRight(spec) && isRight(engine))
  const at = (out: typeof spec, i: number): number => (isRight(out) ? (out.right[i]?.misses ?? -1) : -1)
  return new Map(rows.map((r, i) => [keyOf(r), [at(spec, i), at(engine, i)]]))
}
// The results of one reading; `params: "bytes"` marks the byte-sized runs (no -e parameters).
const rowsOf = (via: Expected['results'][number]['via'], bytes: boolean): Expected['results'] =>
  expected.results.filter((r) => r.via === via && (r.params === 'bytes') === bytes)
// libCacheSim's -e "k=v,k=v"
const paramsOf = (s: string | undefined): Record<string, number> =>
  Object.fromEntries((s ?? '').split(',').filter((kv) => kv !== '').map((kv) => [kv.split('=')[0] as string, Number(kv.split('=')[1])]))
const keyOf = (r: Expected['results'][number]): string => `${r.policy}/${r.size}/${r.params ?? ''}`

test('the committed trace is what the seeded generator produces, byte for byte', () => {
  const ids = zipfScanTrace(expected.generator)
  assert.is(readFileSync(tracePath, 'utf8'), Array.from(ids).join('\n') + '\n')
})

test(`txt: every policy, size and parameter set has libCacheSim's miss count (cachesim ${expected.commit.slice(0, 7)})`, () => {
  const ours = misses('txt', fileSource(tracePath, { format: 'txt', csv: CSV_DEFAULTS, blockSize: 4096, maxRequestBlocks: MSR_MAX_REQUEST_BLOCKS }))
  for (const r of rowsOf('txt', false)) {
    assert.ok(isPolicyName(r.policy))
    assert.equal(ours.get(keyOf(r)), [r.misses, r.misses], `${r.policy} size ${r.size} ${r.params ?? ''}`)
  }
})

test('oracleGeneral: Belady (next-access indices) and W-TinyLFU (raw ids) have libCacheSim’s miss counts', () => {
  const ids = zipfScanTrace(expected.generator)
  const next = nextAccesses(ids)
  const bin = encodeOracle(Array.from(ids, (id, i) => ({ time: i, id, size: 1, next: next[i] as number })))
  const dv = new DataView(bin.buffer)
  const source: Source = (sink) => {
    for (let at = 0; at < bin.length; at += ORACLE_RECORD_BYTES) {
      const r = decodeOracleRecord(dv, at)
      if (isRight(r)) sink(r.right.id, r.right.next)
    }
    return right(undefined)
  }
  const ours = misses('oracleGeneralBin', source)
  for (const r of rowsOf('oracleGeneralBin', false)) {
    assert.equal(ours.get(keyOf(r)), [r.misses, r.misses], `${r.policy} size ${r.size} ${r.params ?? ''}`)
  }
})

test('csv with obj-id-col=2 and a header: LRU has libCacheSim’s miss count', () => {
  const ids = zipfScanTrace(expected.generator)
  const lines = ['time,id', ...Array.from(ids, (id, i) => `${i},${id}`)]
  const source: Source = (sink) => {
    lines.slice(1).forEach((line) => {
      const r = decodeCsvLine(line, { ...CSV_DEFAULTS, objIdCol: 2, hasHeader: true })
      if (isRight(r) && r.right !== undefined) sink(r.right, NaN)
    })
    return right(undefined)
  }
  const ours = misses('csv', source)
  for (const r of rowsOf('csv', false)) {
    assert.equal(ours.get(keyOf(r)), [r.misses, r.misses], `${r.policy} size ${r.size} ${r.params ?? ''}`)
  }
})

test('byte-sized objects (oracleGeneral sizes, capacity in bytes): LRU, FIFO, CLOCK, SIEVE, S3-FIFO, LFU, ARC, 2Q, Belady have libCacheSim’s counts, on the specification and on the engine', () => {
  const ids = zipfScanTrace(expected.generator)
  const next = nextAccesses(ids)
  const bin = encodeOracle(Array.from(ids, (id, i) => ({ time: i, id, size: objectSize(id), next: next[i] as number })))
  const dv = new DataView(bin.buffer)
  const source: Source = (sink) => {
    for (let at = 0; at < bin.length; at += ORACLE_RECORD_BYTES) {
      const r = decodeOracleRecord(dv, at)
      if (isRight(r)) sink(r.right.id, r.right.next, r.right.size)
    }
    return right(undefined)
  }
  const ours = misses('oracleGeneralBin', source, true)
  const rows = rowsOf('oracleGeneralBin', true)
  assert.is(rows.length, 36)
  for (const r of rows) assert.equal(ours.get(keyOf(r)), [r.misses, r.misses], `${r.policy} ${r.size} bytes`)
})

test.run()
