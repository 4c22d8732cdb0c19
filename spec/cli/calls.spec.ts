// `memvirt run --trace-calls`, run as a user runs it, on golden/programs/hyp.elf: the entry of the guest (via
// sret into VS-mode) and hyp.S CASE 8's store to a G-stage read-only page (cause 23, tval GVA 0x40001000,
// taken to HS); unknown symbols are one line, exit 2.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type CallRecord, type ReturnRecord, callEventOf, decodeTraceLine } from '../../src/trace/jsonl.ts'
import { callText } from '../../src/hypervisor/introspect/calls.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const hyp = ['run', join(root, 'golden/programs/hyp.elf'), '--isa', 'rv64imah_zicsr']

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})
const calls = ['run', join(root, 'golden/programs/calls.elf'), '--isa', 'rv64ima_zicsr']
const dir = mkdtempSync(join(tmpdir(), 'memvirt-calls-'))
const traceFile = join(dir, 'calls.jsonl')
const runs = {
  callsText: memvirt([...calls, '--trace-calls']),
  callsTrace: memvirt([...calls, '--trace-calls', '--trace', traceFile]),
  jsonAndTrace: memvirt([...calls, '--trace-calls', '--calls-json', '--trace', join(dir, 'x.jsonl')]),
  text: memvirt([...hyp, '--trace-calls', 'guest']),
  json: memvirt([...hyp, '--trace-calls', 'guest', '--calls-json']),
  unknown: memvirt([...hyp, '--trace-calls', 'nosuch']),
}

test('text: the guest entered in VS-mode; the G-stage store fault from VS to HS', async () => {
  const r = await runs.text
  assert.is(r.code, 0)
  assert.match(r.stderr, /^memvirt call: step \d+ VS-mode call guest\(a0=0x[0-9a-f]+, .*a7=0x[0-9a-f]+\) ra 0x[0-9a-f]+ sp 0x[0-9a-f]+$/m)
  assert.match(r.stderr, /^memvirt call: step \d+ VS-mode trap cause 23 tval 0x40001000 at 0x[0-9a-f]+ → HS-mode$/m)
})

test('JSON lines: one object per event', async () => {
  const r = await runs.json
  const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { event: string; cause?: number; tval?: string; target?: string })
  assert.ok(events.some((e) => e.event === 'call'))
  assert.ok(events.some((e) => e.event === 'trap' && e.cause === 23 && e.tval === '0x40001000' && e.target === 'HS'))
})

test('an unknown symbol → one line, exit 2', async () => {
  const r = await runs.unknown
  assert.is(r.code, 2)
  assert.is(r.stderr.trim(), 'memvirt run: --trace-calls: unknown symbol "nosuch"')
})

test('calls.S (scale → twice, sum recursing 3 deep): the text form pairs each return with its entry by ra and sp', async () => {
  const r = await runs.callsText
  assert.is(r.code, 0)
  const lines = r.stderr.trimEnd().split('\n')
  // scale(5, 7) = twice(35) = 70; sum(3) = 6, its nested calls at 3, 2, 1, 0 (calls.S).
  assert.equal(lines.map((l) => l.replace(/^memvirt call: step \d+ M-mode /, '').replace(/\(a0=(0x[0-9a-f]+),.*$/, '($1)').replace(/ at .*$/, '')),
    ['call scale(0x5)', 'call twice(0x23)', 'return twice → a0=0x46', 'return scale → a0=0x46',
      'call sum(0x3)', 'call sum(0x2)', 'call sum(0x1)', 'call sum(0x0)',
      'return sum → a0=0x0', 'return sum → a0=0x1', 'return sum → a0=0x3', 'return sum → a0=0x6'])
})

test('with --trace the entries and returns are call/return records of the JSONL trace, after their step\'s record, equal to the text form', async () => {
  const [text, traced] = [await runs.callsText, await runs.callsTrace]
  assert.is(traced.code, 0)
  assert.is(traced.stderr, '')
  const records = readFileSync(traceFile, 'utf8').trimEnd().split('\n').map((l) => {
    const d = decodeTraceLine(l)
    if (d._tag === 'Left') throw new Error(d.left)
    return d.right
  })
  const callRecords = records.filter((x): x is CallRecord | ReturnRecord => x.kind === 'call' || x.kind === 'return')
  assert.is(callRecords.length, 12)
  assert.equal(callRecords.map((x) => `memvirt call: ${callText(callEventOf(x))}`), text.stderr.trimEnd().split('\n'))
  records.forEach((x, i) => {
    if (x.kind === 'call' || x.kind === 'return') assert.is(x.order, records[i - 1]!.order, `record ${i} follows its step's`)
  })
})

test('--calls-json with --trace → one line, exit 2', async () => {
  const r = await runs.jsonAndTrace
  assert.is(r.code, 2)
  assert.is(r.stderr.trim(), 'memvirt run: --calls-json and --trace: with --trace the calls are records of the trace')
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
