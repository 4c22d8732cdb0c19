// `memvirt cache` end to end as a user runs it: its --json miss counts on the committed trace are
// libCacheSim's (libcachesim-misses.json), and bad input is one line on stderr with status 2.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeOracle } from '../../src/cache/trace.ts'

const here = new URL('.', import.meta.url).pathname
const bin = join(here, '../../src/cli/bin.mjs')
const memvirt = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' })
type Row = { policy: string; size: number; misses: number; via: string; params?: string }
const expected = (JSON.parse(readFileSync(join(here, 'libcachesim-misses.json'), 'utf8')) as { results: Row[] }).results

test('memvirt cache --json prints libCacheSim’s miss counts', () => {
  const r = memvirt('cache', join(here, 'zipf-scan-10k.txt'), '--format', 'txt', '--policy', 'lru,s3fifo,wtinylfu,belady', '--size', '100,1000', '--json')
  assert.is(r.status, 0, r.stderr)
  const rows = JSON.parse(r.stdout) as Array<{ policy: string; size: number; requests: number; misses: number; missRatio: number }>
  assert.is(rows.length, 8)
  for (const row of rows) {
    const ref = expected.find((e) => e.policy === row.policy && e.size === row.size && e.via === (row.policy === 'belady' ? 'oracleGeneralBin' : 'txt') && e.params === undefined)
    assert.is(row.misses, ref?.misses, `${row.policy} ${row.size}`)
    assert.is(row.requests, 10000)
    assert.is(row.missRatio, row.misses / 10000)
  }
})

test('a bad record is one line naming the line, exit status 2, and no plot file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-cli-'))
  writeFileSync(join(dir, 'bad.txt'), '1\n2\nx3\n')
  const r = memvirt('cache', join(dir, 'bad.txt'), '--format', 'txt', '--size', '2', '--plot', join(dir, 'out.svg'), '--mrc')
  assert.is(r.status, 2)
  assert.is(r.stderr, `memvirt cache: ${join(dir, 'bad.txt')}: line 3: object id "x3" is not a non-negative integer\n`)
  assert.is(r.stdout, '')
  assert.not.ok(existsSync(join(dir, 'out.svg')))
})

test('a truncated oracleGeneral record names its byte offset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-cli-'))
  writeFileSync(join(dir, 't.bin'), new Uint8Array(24 + 5))
  const r = memvirt('cache', join(dir, 't.bin'), '--format', 'oracleGeneral', '--size', '2')
  assert.is(r.status, 2)
  assert.is(r.stderr, `memvirt cache: ${join(dir, 't.bin')}: byte offset 24: truncated record (5 of 24 bytes)\n`)
})

test('oracleGeneral records of size 0 are skipped, as libCacheSim’s reader does', () => {
  // ids 1 2 1 3 2 1 4 1 with sizes 1 1 0 1 1 0 1 1, LRU of 2: cachesim (aa0fc40) prints
  // "6 req, miss ratio 0.8333", i.e. 5 misses
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-cli-'))
  const ids = [1, 2, 1, 3, 2, 1, 4, 1]
  const sizes = [1, 1, 0, 1, 1, 0, 1, 1]
  writeFileSync(join(dir, 'z.bin'), encodeOracle(ids.map((id, i) => ({ time: i, id, size: sizes[i] as number, next: Infinity }))))
  const r = memvirt('cache', join(dir, 'z.bin'), '--format', 'oracleGeneral', '--size', '2', '--json')
  assert.is(r.status, 0, r.stderr)
  const [row] = JSON.parse(r.stdout) as Array<{ requests: number; misses: number }>
  assert.equal([row?.requests, row?.misses], [6, 5])
})

// zstd: both files made by the zstd CLI (v1.5.4, -19) from golden inputs. The oracleGeneral one holds the
// first 2 000 requests of zipf-scan-10k.txt with next-access indices and sizes 1 + id mod 7; cachesim
// (aa0fc40) read it compressed, as libCacheSim reads `.zst` traces, and printed these miss ratios
// (× 2 000 requests: exact counts).
test('a zstd-compressed oracleGeneral trace gives cachesim’s counts on that same .zst', () => {
  const zst = join(here, 'zipf-scan-2k.oracleGeneral.bin.zst')
  const r = memvirt('cache', zst, '--policy', 'lru,belady,s3fifo', '--size', '50,500', '--json')
  assert.is(r.status, 0, r.stderr)
  const got = (JSON.parse(r.stdout) as Array<{ policy: string; size: number; requests: number; misses: number }>).map((x) => [x.policy, x.size, x.requests, x.misses])
  // cachesim: LRU 0.7610 0.4665, Belady 0.5540 0.4345, S3FIFO-0.1000-2 0.6810 0.4695
  assert.equal(got, [['lru', 50, 2000, 1522], ['lru', 500, 2000, 933], ['belady', 50, 2000, 1108], ['belady', 500, 2000, 869], ['s3fifo', 50, 2000, 1362], ['s3fifo', 500, 2000, 939]])
  // in bytes (cachesim without --ignore-obj-size, 1000 bytes): miss ratio 0.5625
  const b = memvirt('cache', zst, '--obj-size', '--policy', 'lru', '--size', '1000', '--json')
  assert.is((JSON.parse(b.stdout) as Array<{ misses: number }>)[0]?.misses, 1125, b.stderr)
})

test('a zstd-compressed txt trace reads as its decompressed text (libCacheSim reads only binary traces compressed)', () => {
  const args = ['--policy', 'lru,arc,lirs,wtinylfu', '--size', '100,1000', '--json']
  const plain = memvirt('cache', join(here, 'zipf-scan-10k.txt'), ...args)
  const packed = memvirt('cache', join(here, 'zipf-scan-10k.txt.zst'), ...args)
  assert.is(packed.status, 0, packed.stderr)
  assert.is(packed.stdout, plain.stdout)
})

test('a truncated zstd trace is one line naming the compressed byte offset, exit status 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-cli-'))
  writeFileSync(join(dir, 't.txt.zst'), readFileSync(join(here, 'zipf-scan-10k.txt.zst')).subarray(0, 5000))
  const r = memvirt('cache', join(dir, 't.txt.zst'), '--size', '2')
  assert.is(r.status, 2)
  assert.is(r.stderr, `memvirt cache: ${join(dir, 't.txt.zst')}: zstd: compressed byte offset 5000: unexpected EOF\n`)
})

test('--num-thread 3 prints byte for byte what one thread prints (every policy, three sizes)', () => {
  const args = [join(here, 'zipf-scan-10k.txt'), '--policy', 'lru,fifo,clock,lfu,arc,twoq,s3fifo,sieve,lirs,wtinylfu,belady', '--size', '100,1000,3000', '--json']
  const one = memvirt('cache', ...args)
  const three = memvirt('cache', ...args, '--num-thread', '3')
  assert.is(three.status, 0, three.stderr)
  assert.is(three.stdout, one.stdout)
  assert.is((JSON.parse(one.stdout) as unknown[]).length, 33)
})

test.run()
