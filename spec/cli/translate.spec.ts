// The `memvirt translate` and `memvirt demo` shells, run as a user runs them (node src/cli/bin.mjs):
// bad input is one line on stderr, exit status 2, nothing on stdout, no output file; good input exits 0.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const golden = (name: string): string => join(root, 'golden/translate', name)
const dir = mkdtempSync(join(tmpdir(), 'memvirt-translate-'))
const file = (name: string, text: string): string => { const p = join(dir, name); writeFileSync(p, text); return p }

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[], cwd = root): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})

// Start every run at once (each costs a Node start-up); the tests below await their own.
const badField = file('bad-field.json', JSON.stringify({ privilege: 'S', accesses: [{ va: '0x0', access: 'load' }, { va: '0x1', access: 'load' }, { va: 'zz', access: 'load' }] }))
const outFile = join(dir, 'out.txt')
const runs = {
  badField: memvirt(['translate', badField]),
  badFieldWithOutput: memvirt(['translate', badField, '-o', join(dir, 'never.txt')]),
  missing: memvirt(['translate', join(dir, 'no-such.json')]),
  malformed: memvirt(['translate', file('malformed.json', '{"privilege": "S",\n "accesses": [}')]),
  unknownMode: memvirt(['translate', file('mode.json', JSON.stringify({ privilege: 'S', csrs: { hgatp: '0x7000_0000_0000_0000' }, accesses: [{ va: '0x0', access: 'load' }] }))]),
  text: memvirt(['translate', golden('sv39.json')]),
  json: memvirt(['translate', '--json', golden('sv39.json')]),
  output: memvirt(['translate', golden('sv39.json'), '--output', outFile]),
  unwritable: memvirt(['translate', golden('sv39.json'), '-o', join(dir, 'no-such-dir', 'out.txt')]),
  demo: memvirt(['demo', 'translate'], tmpdir()),
  deep: memvirt(['translate', file('deep.json', '{"privilege": "S", "accesses": ' + '['.repeat(5000) + ']'.repeat(5000) + '}')]),
  protoKey: memvirt(['translate', file('proto.json', '{"privilege": "S", "accesses": [{"va": "0x0", "access": "load", "__proto__": {}}]}')]),
  ctorKey: memvirt(['translate', file('ctor.json', '{"privilege": "S", "constructor": 1, "accesses": [{"va": "0x0", "access": "load"}]}')]),
}

const oneLine = (r: Run, expected: string | RegExp): void => {
  assert.is(r.code, 2)
  assert.is(r.stdout, '')
  assert.ok(r.stderr.endsWith('\n') && r.stderr.indexOf('\n') === r.stderr.length - 1, `one line on stderr, got ${JSON.stringify(r.stderr)}`)
  if (typeof expected === 'string') assert.is(r.stderr, expected + '\n')
  else assert.match(r.stderr, expected)
}

test('a bad field: one line naming the file and the field\'s path, exit 2, nothing on stdout', async () => {
  oneLine(await runs.badField, `memvirt: ${badField}: field accesses[2].va: expected a 64-bit hex string like 0x8000_1000, got "zz"`)
})

test('a bad field with --output: exit 2 and no output file is created', async () => {
  oneLine(await runs.badFieldWithOutput, `memvirt: ${badField}: field accesses[2].va: expected a 64-bit hex string like 0x8000_1000, got "zz"`)
  assert.not.ok(existsSync(join(dir, 'never.txt')))
})

test('an unreadable file: one line, exit 2', async () => {
  oneLine(await runs.missing, `memvirt: cannot read ${join(dir, 'no-such.json')}: no such file or directory (ENOENT)`)
})

test('malformed JSON: one line with the line and column, exit 2', async () => {
  oneLine(await runs.malformed, `memvirt: ${join(dir, 'malformed.json')}:2:15: malformed JSON: expected a value (object, list, string, number, true, false or null)`)
})

test('JSON nested 5 000 deep: one line with the line and column of the bracket past the limit, exit 2 (issue 13 #4)', async () => {
  // '{"privilege": "S", "accesses": ' is 31 characters; the 64th '[' (the 65th level) is at offset 31 + 63
  oneLine(await runs.deep, `memvirt: ${join(dir, 'deep.json')}:1:95: malformed JSON: expected at most 64 nested lists and objects`)
})

test('keys every JS object has ("__proto__", "constructor") are unknown fields, exit 2 (issue 13 #7)', async () => {
  oneLine(await runs.protoKey, `memvirt: ${join(dir, 'proto.json')}: field accesses[0].__proto__: unknown field (known: va, access, hlvx, privilege, V, note)`)
  oneLine(await runs.ctorKey, `memvirt: ${join(dir, 'ctor.json')}: field constructor: unknown field (known: privilege, accesses, description, extensions, memoryMap, memory, ptes, csrs, V)`)
})

test('an unsupported hgatp MODE: one line naming the file and field csrs.hgatp, exit 2', async () => {
  oneLine(await runs.unknownMode, new RegExp(`^memvirt: ${join(dir, 'mode.json')}: field csrs\\.hgatp: unsupported MODE 7 `))
})

test('a good scenario: exit 0, the explained walks on stdout, nothing on stderr', async () => {
  const r = await runs.text
  assert.is(r.code, 0)
  assert.is(r.stderr, '')
  assert.is(r.stdout, readFileSync(golden('sv39.expected.txt'), 'utf8'))
})

test('--json: one JSON object per access', async () => {
  const r = await runs.json
  assert.is(r.code, 0)
  const lines = r.stdout.trimEnd().split('\n')
  assert.is(lines.length, 10)
  assert.equal(lines.map((l) => (JSON.parse(l) as { index: number }).index), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
})

test('--output writes the file and prints nothing', async () => {
  const r = await runs.output
  assert.is(r.code, 0)
  assert.is(r.stdout, '')
  assert.is(readFileSync(outFile, 'utf8'), readFileSync(golden('sv39.expected.txt'), 'utf8'))
})

test('an output file that cannot be written: one line, exit 2, no stack trace', async () => {
  oneLine(await runs.unwritable, `memvirt: cannot write ${join(dir, 'no-such-dir', 'out.txt')}: no such file or directory (ENOENT)`)
})

test('demo translate (the translation walkthrough) runs from any working directory', async () => {
  const r = await runs.demo
  assert.is(r.code, 0)
  assert.is(r.stderr, '')
  assert.is(r.stdout, readFileSync(golden('demo.expected.txt'), 'utf8'))
})

test.run()
