// The `memvirt virtio-iommu` shell, run as a user runs it (node src/cli/bin.mjs): bad input is one
// line on stderr naming the file and the field, exit status 2, nothing on stdout; good input exits 0.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const dir = mkdtempSync(join(tmpdir(), 'memvirt-virtio-'))
const file = (name: string, value: unknown): string => {
  const p = join(dir, name)
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value))
  return p
}

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, 'virtio-iommu', ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})

const good = { config: { pageSizeMask: '0xfffffffffffff000' }, endpoints: [{ id: 8 }], requests: [{ op: 'attach', endpoint: 8, domain: 1 }], dma: [{ endpoint: 8, iova: '0x0', access: 'read' }] }
const badVirtEnd = file('bad-virt-end.json', { ...good, requests: [{ op: 'attach', endpoint: 8, domain: 1 }, { op: 'map', domain: 1, virtStart: '0x0', virtEnd: 4095, physStart: '0x0', flags: ['read'] }] })
const badOp = file('bad-op.json', { ...good, requests: [{ op: 'mpa', domain: 1 }] })
const zeroMask = file('zero-mask.json', { ...good, config: { pageSizeMask: '0x0' } })
const malformed = file('malformed.json', '{"config": {"pageSizeMask": "0x1000"},\n "endpoints": [}')
const goodFile = file('good.json', good)
const ctor = file('constructor.json', `{"config": {"pageSizeMask": "0x1000", "constructor": {}}, "endpoints": [], "requests": []}`)
const deep = file('deep.json', `{"config": ${'['.repeat(100)}${']'.repeat(100)},\n "endpoints": [], "requests": []}`)

const runs = {
  badVirtEnd: memvirt([badVirtEnd]),
  badOp: memvirt([badOp]),
  zeroMask: memvirt([zeroMask]),
  malformed: memvirt([malformed]),
  missing: memvirt([join(dir, 'no-such.json')]),
  badModel: memvirt([goodFile, '--model', 'kvm']),
  good: memvirt([goodFile]),
  goodJson: memvirt([goodFile, '--json']),
  ctor: memvirt([ctor]),
  deep: memvirt([deep]),
}

const exactly = (r: Run, line: string): void => {
  assert.equal([r.code, r.stdout, r.stderr], [2, '', `memvirt virtio-iommu: ${line}\n`])
}

const oneLine = (r: Run, ...parts: string[]): void => {
  assert.is(r.code, 2)
  assert.is(r.stdout, '')
  assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr)
  for (const p of parts) assert.ok(r.stderr.includes(p), `"${p}" in ${r.stderr}`)
}

test('a bad field: one line naming the file and the field path, exit 2', async () => {
  exactly(await runs.badVirtEnd, `${badVirtEnd}: field requests[1].virtEnd: expected a 64-bit hex string like 0x8000_1000, got the number 4095 (64-bit values are written as hex strings)`)
})

test('an unknown request op: one line naming requests[0].op and the known ops, exit 2', async () => {
  exactly(await runs.badOp, `${badOp}: field requests[0].op: expected one of "attach", "detach", "map", "unmap", "probe", "unknown", got "mpa"`)
})

test('page_size_mask 0 (the device must set at least one bit): one line naming config.pageSizeMask, exit 2', async () => {
  exactly(await runs.zeroMask, `${zeroMask}: field config.pageSizeMask: the device must set at least one bit (the granule)`)
})

test('malformed JSON: one line with the file, line and column, exit 2', async () => {
  // line 2 is ` "endpoints": [}`: the '}' at column 16 stands where a list entry should
  exactly(await runs.malformed, `${malformed}:2:16: malformed JSON: expected a value (object, list, string, number, true, false or null)`)
})

test('"constructor" in an object is an unknown field, never a prototype lookup: one line, exit 2', async () => {
  exactly(await runs.ctor, `${ctor}: field config.constructor: unknown field (known: pageSizeMask, inputRange, domainRange, bypass, legacyBypass, probeSize, mmio)`)
})

test('JSON nested 100 deep: one line with line and column (the bracket that would open level 65), exit 2', async () => {
  // `{"config": ` takes columns 1-11 and level 1; the 64th '[' (column 11 + 64 = 75) would open level 65
  exactly(await runs.deep, `${deep}:1:75: malformed JSON: expected at most 64 nested lists and objects`)
})

test('a missing file: one line, exit 2', async () => {
  oneLine(await runs.missing, 'no-such.json', 'ENOENT')
})

test('an unknown --model: one line, exit 2', async () => {
  oneLine(await runs.badModel, '--model')
})

test('a good scenario: exit 0, the request and the DMA on stdout, nothing on stderr', async () => {
  const r = await runs.good
  assert.is(r.code, 0)
  assert.is(r.stderr, '')
  assert.ok(r.stdout.includes('request 1: ATTACH endpoint 8 to domain 1: OK (0)'))
  assert.ok(r.stdout.includes('dma 1: endpoint 8 read 0x0 -> fault MAPPING (2)'))
})

test('--json: one object per request and per DMA', async () => {
  const r = await runs.goodJson
  const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { op: string })
  assert.equal(lines.map((l) => l.op), ['request', 'dma'])
})

test.run()
