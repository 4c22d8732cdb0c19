// `memvirt cache --size` in libCacheSim's forms, and --format guessed when omitted, end to end: a fraction is that share of the trace's working
// set (here counted independently, as the distinct lines of the txt trace), units are bytes and so need
// --obj-size, and a bad size is one line with exit 2.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('../..', import.meta.url))
const trace = join(root, 'golden/cache/zipf-scan-10k.txt')
const memvirt = (...args: string[]) => spawnSync(process.execPath, [join(root, 'src/cli/bin.mjs'), ...args], { encoding: 'utf8' })

test('--size 0.1 is a tenth of the distinct objects, rounded down; a count beside it stays a count', () => {
  const distinct = new Set(readFileSync(trace, 'utf8').split('\n').filter((l) => l !== '')).size
  const r = memvirt('cache', trace, '--format', 'txt', '--policy', 'lru', '--size', '0.1,1000', '--json')
  assert.is(r.status, 0, r.stderr)
  const rows = JSON.parse(r.stdout) as { size: number }[]
  assert.equal(rows.map((x) => x.size), [Math.floor(distinct / 10), 1000])
})

test('a size with a unit is bytes: without --obj-size it is one line, exit 2', () => {
  const r = memvirt('cache', trace, '--format', 'txt', '--policy', 'lru', '--size', '1GiB')
  assert.is(r.status, 2)
  assert.is(r.stdout, '')
  assert.is(r.stderr, 'memvirt cache: --size: 1GiB is in bytes: give --obj-size (sizes count objects without it)\n')
})

test('a size that is none of the forms is one line naming them, exit 2', () => {
  const r = memvirt('cache', trace, '--format', 'txt', '--policy', 'lru', '--size', '1.5')
  assert.is(r.status, 2)
  assert.match(r.stderr, /^memvirt cache: --size: expected a count \(e\.g\. 1000\), a count with a unit .* got "1\.5"\n$/)
})

test('without --format the format is guessed: a .txt trace gives what --format txt gives; an MSR .csv runs as msr', () => {
  const guessed = memvirt('cache', trace, '--policy', 'lru', '--size', '100', '--json')
  const given = memvirt('cache', trace, '--format', 'txt', '--policy', 'lru', '--size', '100', '--json')
  assert.is(guessed.status, 0, guessed.stderr)
  assert.is(guessed.stdout, given.stdout)
  const msr = memvirt('cache', join(root, 'golden/cache/three-vms.msr.csv'), '--policy', 'lru', '--size', '256', '--json')
  const msrGiven = memvirt('cache', join(root, 'golden/cache/three-vms.msr.csv'), '--format', 'msr', '--policy', 'lru', '--size', '256', '--json')
  assert.is(msr.status, 0, msr.stderr)
  assert.is(msr.stdout, msrGiven.stdout)
})

test('a trace whose name tells nothing needs --format: one line, exit 2', () => {
  const r = memvirt('cache', join(root, 'golden/programs/loop.elf'), '--size', '10')
  assert.is(r.status, 2)
  assert.match(r.stderr, /^memvirt cache: .*loop\.elf: cannot tell its format from its name .*: give --format txt\|csv\|oracleGeneral\|msr\n$/)
})

test.run()
