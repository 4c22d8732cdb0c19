// `memvirt cache -e key=value`: each eviction parameter is one of a chosen policy's own parameters and
// lies in its range, so a replay always ends (issue 13 #3: S3-FIFO with fifo-size-ratio=1.5 left no
// main queue and never ended) and keys every JS object has are not parameters (issue 13 #7).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url))
const trace = join(mkdtempSync(join(tmpdir(), 'memvirt-eparams-')), 'loop.txt')
// four objects requested round and round: a 5-object cache has hits, so every queue is exercised
writeFileSync(trace, Array.from({ length: 40 }, (_, i) => String(i % 4)).join('\n') + '\n')

const cache = (...args: string[]): Promise<{ code: number; stderr: string }> => new Promise((resolve) => {
  execFile(process.execPath, [bin, 'cache', trace, '--format', 'txt', '--size', '5', ...args], { encoding: 'utf8', timeout: 30_000 }, (err, _out, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr }))
})

test('S3-FIFO fifo-size-ratio lies in [0, 1): 1.5 is one line naming the parameter, exit 2', async () => {
  const r = await cache('--policy', 's3fifo', '-e', 'fifo-size-ratio=1.5')
  assert.is(r.code, 2)
  assert.match(r.stderr, /fifo-size-ratio: expected a number in \[0, 1\)/)
})

test('2Q Ain-size-ratio lies in [0, 1) too', async () => {
  const r = await cache('--policy', 'twoq', '-e', 'Ain-size-ratio=1')
  assert.is(r.code, 2)
  assert.match(r.stderr, /Ain-size-ratio/)
})

test('a key every JS object has (toString, constructor) is no policy parameter', async () => {
  const r = await cache('--policy', 's3fifo', '-e', 'toString=1')
  assert.is(r.code, 2)
  assert.match(r.stderr, /no chosen policy has parameter toString/)
})

test('an in-range parameter is accepted', async () => {
  const r = await cache('--policy', 's3fifo', '-e', 'fifo-size-ratio=0.5')
  assert.is(r.code, 0)
})

test.run()
