// `memvirt run --trace-calls`, run as a user runs it, on golden/programs/hyp.elf: the entry of the guest (via
// sret into VS-mode) and hyp.S CASE 8's store to a G-stage read-only page (cause 23, tval GVA 0x40001000,
// taken to HS); unknown symbols are one line, exit 2.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const hyp = ['run', join(root, 'golden/programs/hyp.elf'), '--isa', 'rv64imah_zicsr']

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})
const runs = {
  text: memvirt([...hyp, '--trace-calls', 'guest']),
  json: memvirt([...hyp, '--trace-calls', 'guest', '--calls-json']),
  unknown: memvirt([...hyp, '--trace-calls', 'nosuch']),
}

test('text: the guest entered in VS-mode; the G-stage store fault from VS to HS', async () => {
  const r = await runs.text
  assert.is(r.code, 0)
  assert.match(r.stderr, /^memvirt call: step \d+ VS-mode call guest\(a0=0x[0-9a-f]+, .*a7=0x[0-9a-f]+\) ra 0x[0-9a-f]+$/m)
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

test.run()
