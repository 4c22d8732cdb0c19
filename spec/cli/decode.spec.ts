// Every outside input decoded at the edge with the codec kit (src/codec/), run as a user runs the CLI:
// a bad host file, a bad flag or hostile JSON is one line on stderr naming the file and the line and
// column or the field, exit status 2, nothing on stdout (issue 13 #4, #7, #10 and the flags it lists).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const dir = mkdtempSync(join(tmpdir(), 'memvirt-decode-'))
const file = (name: string, text: string): string => { const p = join(dir, name); writeFileSync(p, text); return p }

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (...args: string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})

const ALLOC_KEYS = 'capacityKib, esx, balloon, squeeze, arAco, blocks, cloudsim'
const hosts = {
  proto: file('proto.json', '{"capacityKib": 1048576, "__proto__": {}}'),
  hasOwn: file('has-own.json', '{"capacityKib": 1048576, "hasOwnProperty": 1}'),
  toStr: file('to-string.json', '{"capacityKib": 1048576, "esx": {"toString": 1}}'),
  deep: file('deep.json', '{"capacityKib": ' + '['.repeat(5000) + ']'.repeat(5000) + '}'),
  samples: file('samples.json', '{"capacityKib": 1048576, "esx": {"samplePages": 1e12}}'),
  malformed: file('malformed.json', '{\n  "capacityKib": 1048576,\n  "esx": {"tau": 0.5,}\n}'),
  pcie: file('pcie.json', '{"gpuMemKib": [16777216], "pcieKibPerSec": 1e-300}'),
  gpuDeep: file('gpu-deep.json', '['.repeat(5000)),
}
const trace = file('t.txt', '1\n2\n1\n')

// Start every run at once (each costs a Node start-up); the tests below await their own.
const runs = {
  proto: memvirt('alloc', '--host', hosts.proto),
  hasOwn: memvirt('alloc', '--host', hosts.hasOwn),
  toStr: memvirt('alloc', '--host', hosts.toStr),
  deep: memvirt('alloc', '--host', hosts.deep),
  samples: memvirt('alloc', '--host', hosts.samples),
  malformed: memvirt('alloc', '--host', hosts.malformed),
  pcie: memvirt('gpu', '--host', hosts.pcie),
  gpuDeep: memvirt('gpu', '--host', hosts.gpuDeep),
  admission: memvirt('cache', trace, '--format', 'txt', '--size', '2', '--admission', 'window=10,threshold=11'),
  admissionKey: memvirt('cache', trace, '--format', 'txt', '--size', '2', '--admission', 'window=10,threshold=2,widow=3'),
  gpuJson: memvirt('gpu', '--json'),
}

const oneLine = async (run: Promise<Run>, expected: string): Promise<void> => {
  const r = await run
  assert.is(r.stdout, '')
  assert.is(r.stderr, `memvirt: ${expected}\n`)
  assert.is(r.code, 2)
}

test('host JSON: "__proto__", "hasOwnProperty", "toString" are unknown keys, one line naming file and field (issue 13 #7)', async () => {
  await oneLine(runs.proto, `${hosts.proto}: field __proto__: unknown field (known: ${ALLOC_KEYS})`)
  await oneLine(runs.hasOwn, `${hosts.hasOwn}: field hasOwnProperty: unknown field (known: ${ALLOC_KEYS})`)
  await oneLine(runs.toStr, `${hosts.toStr}: field esx.toString: unknown field (known: tau, samplePages, fastGain, slowGain, sharesPerWeight)`)
})

test('host JSON nested 5 000 deep: one line with line and column, no stack trace (issue 13 #4)', async () => {
  // '{"capacityKib": ' is 16 characters; the 64th '[' opens the 65th level, at offset 16 + 63 = 79
  await oneLine(runs.deep, `${hosts.deep}:1:80: malformed JSON: expected at most 64 nested lists and objects`)
  await oneLine(runs.gpuDeep, `${hosts.gpuDeep}:1:65: malformed JSON: expected at most 64 nested lists and objects`)
})

test('host JSON syntax errors: FILE:LINE:COL, not V8\'s multi-line text (issue 13 #10)', async () => {
  // line 3 is '  "esx": {"tau": 0.5,}': the '}' after the comma is its 22nd character
  await oneLine(runs.malformed, `${hosts.malformed}:3:22: malformed JSON: expected a field name in double quotes`)
})

test('unbounded parameters are refused with their documented range (issue 13 #10)', async () => {
  await oneLine(runs.samples, `${hosts.samples}: field esx.samplePages: expected an integer from 0 to 10000, got 1000000000000`)
  await oneLine(runs.pcie, `${hosts.pcie}: field pcieKibPerSec: expected a number in [1, 2^40], got 1e-300`)
})

test('--admission: a threshold above the window (never admits) and an unknown key are refused', async () => {
  await oneLine(runs.admission, '--admission: threshold: expected at most the window (10), got 11: no object could ever be admitted')
  await oneLine(runs.admissionKey, '--admission: unknown key "widow" (expected window=W,threshold=K)')
})

test('gpu --json: every fraction has at most 6 decimal places (52.77, not 52.769999999999996)', async () => {
  const r = await runs.gpuJson
  assert.is(r.code, 0, r.stderr)
  const long = r.stdout.match(/\d+\.\d{7,}/g) ?? []
  assert.equal(long, [])
  assert.match(r.stdout, /"startS":\d+\.\d{1,6}[,}]/)
})

test.run()
