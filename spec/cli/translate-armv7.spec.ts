// `memvirt translate --arch armv7`, run as a user runs it (node src/cli/bin.mjs): a golden scenario
// prints its expected text (or, with --json, one JSON object per event) and exits 0; bad input (a bad
// field, a bad --arch) is one line on stderr naming the file and field, exit status 2, nothing on stdout.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const golden = (name: string): string => join(root, 'golden/translate/armv7', name)
const dir = mkdtempSync(join(tmpdir(), 'memvirt-armv7-'))

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})

const bad = join(dir, 'bad.json')
writeFileSync(bad, JSON.stringify({ registers: { ttbr0: '0x4000' }, events: [{ va: '0x0', access: 'read', pl: 2 }] }))
const proto = join(dir, 'proto.json')
writeFileSync(proto, '{"registers": {"__proto__": {"mmu": true}}, "events": [{"va": "0x0", "access": "read"}]}')
const deep = join(dir, 'deep.json')
writeFileSync(deep, `{"registers": {},\n"events": [${'{"note": '.repeat(99)}"x"${'}'.repeat(99)}]}`)
const runs = {
  golden: memvirt(['translate', '--arch', 'armv7', golden('short-shadow.json')]),
  badField: memvirt(['translate', '--arch', 'armv7', bad]),
  badArch: memvirt(['translate', '--arch', 'x86', bad]),
  json: memvirt(['translate', '--arch', 'armv7', '--json', golden('short-shadow.json')]),
  proto: memvirt(['translate', '--arch', 'armv7', proto]),
  deep: memvirt(['translate', '--arch', 'armv7', deep]),
}

test('a golden scenario: its hand-written expected text, exit 0', async () => {
  const r = await runs.golden
  assert.is(r.code, 0)
  assert.fixture(r.stdout, readFileSync(golden('short-shadow.expected.txt'), 'utf8'))
})

test('a bad field: one line naming the file and the field, exit 2', async () => {
  const r = await runs.badField
  assert.is(r.code, 2)
  assert.is(r.stdout, '')
  assert.is(r.stderr, `memvirt translate: ${bad}: field events[0].pl: expected one of 0, 1, got 2\n`)
})

test('"__proto__" in an object is an unknown field, never the prototype: one line, exit 2', async () => {
  const r = await runs.proto
  assert.equal([r.code, r.stdout, r.stderr], [2, '',
    `memvirt translate: ${proto}: field registers.__proto__: unknown field (known: mmu, afe, ttbcr, ttbr0, ttbr1, dacr, contextidr)\n`])
})

test('JSON nested 100 deep: one line with line and column (the object that would open level 65), exit 2', async () => {
  // line 2 is `"events": [` then '{"note": ' nine characters at a time; the scenario is level 1, the list
  // level 2, so the 63rd '{' (column 12 + 62 * 9 = 570) would open level 65
  const r = await runs.deep
  assert.equal([r.code, r.stdout, r.stderr], [2, '', `memvirt translate: ${deep}:2:570: malformed JSON: expected at most 64 nested lists and objects\n`])
})

test('--arch other than riscv or armv7: one line, exit 2', async () => {
  assert.equal([(await runs.badArch).code, (await runs.badArch).stderr], [2, 'memvirt translate: --arch: expected riscv or armv7, got "x86"\n'])
})

test('--json: one JSON object per event (8) and a summary, exit 0', async () => {
  const r = await runs.json
  assert.is(r.code, 0)
  const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { event: string })
  assert.equal(lines.map((l) => l.event), ['access', 'access', 'access', 'access', 'access', 'access', 'tlbi', 'access', 'summary'])
})

test.run()
