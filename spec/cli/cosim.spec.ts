// `memvirt cosim` and `memvirt cosim-replay` run as a user runs them (node src/cli/bin.mjs): the JSON-lines
// session on stdin/stdout, bad requests answered with an error object, replay exit statuses 0/1/2 and
// --json. Expected values: Spike's boot ROM (riscv/sim.cc) and Spike's recorded stream of sv39.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const elf = join(root, 'golden/programs/sv39.elf')
const trace = join(root, 'golden/cosim/sv39.spike.jsonl')
const dir = mkdtempSync(join(tmpdir(), 'memvirt-cosim-'))

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[], input = ''): Promise<Run> => new Promise((resolve) => {
  const child = execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
  child.stdin!.end(input)
})

const SESSION = [
  '{"event":"retire","pc":"0x1000","insn":"0x00000297","rd":5,"value":"0x1000"}',
  '{"event":"retire","pc":"0x1004","insn":"0x02028593","rd":11,"value":"0x1020"}',
  '{"event":"nmi"}',
  '{"event":"retire","pc":"0x1008","insn":"0xf1402573","rd":10}',
  '',
  '{"event":"retire","pc":"0x1008","insn":"0xf1402573","rd":10,"value":"0x1"}',
].join('\n') + '\n'

test('cosim: one reply per request, a bad request gets an error object, a mismatch names field and values', async () => {
  const r = await memvirt(['cosim', '--isa', 'rv64ima_zicsr', elf], SESSION)
  const replies = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.is(replies.length, 5)
  assert.equal(replies[0], { ok: true })
  assert.equal(replies[1], { ok: true })
  assert.equal(replies[2], { ok: false, index: 2, error: replies[2]!['error'] })
  assert.match(String(replies[2]!['error']), 'not supported')
  assert.equal(replies[3], { ok: false, index: 3, error: 'field value: rd and value come together (both absent when no register is written)' })
  assert.equal({ ...replies[4], explain: undefined }, { ok: false, index: 4, field: 'value', dut: '0x0000000000000001', model: '0x0000000000000000', explain: undefined })
  assert.is(r.code, 1)
  assert.is(r.stderr, '')
})

test('cosim-replay: Spike\'s stream of sv39 matches, exit 0', async () => {
  const r = await memvirt(['cosim-replay', '--isa', 'rv64ima_zicsr', elf, trace])
  assert.is(r.code, 0)
  assert.match(r.stdout, 'all 895 events match (420 retired, 14 traps, 28 accesses, 433 fetches, 0 other)')
})

test('cosim-replay --json: one reply per event, index counting from 0, exit 1 at the first mismatch', async () => {
  const lines = readFileSync(trace, 'utf8').split('\n')
  const k = lines.findIndex((l) => l.includes('"va":"0x0000000040000008","pa":"0x0000000080004008"'))   // sv39's first translated access
  const bad = JSON.parse(lines[k]!) as Record<string, string>
  lines[k] = JSON.stringify({ ...bad, pa: '0x0000000080005008' })
  writeFileSync(join(dir, 'mutant.jsonl'), lines.join('\n'))
  const r = await memvirt(['cosim-replay', '--isa', 'rv64ima_zicsr', '--json', elf, join(dir, 'mutant.jsonl')])
  assert.is(r.code, 1)
  const replies = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.is(replies.length, k + 1)
  assert.equal(replies.at(-1)!['index'], k)
  assert.equal(replies.at(-1)!['field'], 'pa')
  const text = await memvirt(['cosim-replay', '--isa', 'rv64ima_zicsr', elf, join(dir, 'mutant.jsonl')])
  assert.is(text.code, 1)
  assert.match(text.stdout, `mutant.jsonl:${k + 1}: event ${k}: pa differs: DUT "0x0000000080005008", model "0x0000000080004008"`)
})

test('cosim-replay: a bad line of the trace is one line naming file, line and field, exit 2', async () => {
  writeFileSync(join(dir, 'bad.jsonl'), '{"event":"retire","pc":"0x1000","insn":"0x00000297"}\n{"event":"retire","pc":4096,"insn":"0x0"}\n')
  const r = await memvirt(['cosim-replay', elf, join(dir, 'bad.jsonl')])
  assert.is(r.code, 2)
  assert.is(r.stderr, `memvirt cosim-replay: ${join(dir, 'bad.jsonl')}:2: field pc: expected a 64-bit hex string like 0x8000_1000, got the number 4096 (64-bit values are written as hex strings)\n`)
  assert.is(r.stdout, '')
  const missing = await memvirt(['cosim-replay', elf, join(dir, 'none.jsonl')])
  assert.is(missing.code, 2)
  assert.match(missing.stderr, /^memvirt cosim-replay: cannot read .*none\.jsonl: no such file or directory \(ENOENT\)\n$/)
})

test('cosim: a bad option value is one line, exit 2', async () => {
  const r = await memvirt(['cosim', '--misaligned', 'sometimes', elf])
  assert.is(r.code, 2)
  assert.is(r.stderr, 'memvirt cosim: --misaligned: expected one of isa, trap, split, got "sometimes"\n')
})

test.run()
