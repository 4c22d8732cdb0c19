// `memvirt check --json` (src/trace/check-json.ts): each result as one JSON object with documented field
// names; items a line lacks are null. The CLI case runs the model on hyp.elf against Spike's own log of it
// with one value altered by hand (as spec/trace/cli.spec.ts does for the text report).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkJson } from '../../src/trace/check-json.ts'

const A = 'core   0: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000'
const A2 = 'core   0: 3 0x0000000000001000 (0x00000297) x6  0x0000000000001000'

test('no divergence: result, the instructions compared, how the model ended and its steps', () => {
  assert.equal(checkJson({ _tag: 'NoDivergence', instructions: 3, end: { reason: 'limit', steps: 5 } }, 'dut.log'),
    { result: 'no-divergence', instructions: 3, modelEnd: 'limit', steps: 5 })
})

test('a divergence: instruction number, pc, log file and line, each differing item (null where absent), both lines', () => {
  const r = checkJson({
    _tag: 'Divergence', instruction: 7, dutLine: 9, pc: '0x0000000000001000', expected: A, found: A2,
    diffs: [{ item: 'x5', expected: '0x0000000000001000', found: undefined }, { item: 'x6', expected: undefined, found: '0x0000000000001000' }],
  }, 'dut.log')
  assert.equal(r, {
    result: 'divergence', instruction: 7, pc: '0x0000000000001000', log: 'dut.log', line: 9,
    diffs: [{ item: 'x5', expected: '0x0000000000001000', found: null }, { item: 'x6', expected: null, found: '0x0000000000001000' }],
    expected: A, found: A2,
  })
  // null, not a missing key, survives JSON.stringify
  assert.match(JSON.stringify(r), '"found":null')
})

test('the log ends early: the instructions it had and the model\'s next line', () => {
  assert.equal(checkJson({ _tag: 'LogEnded', instructions: 2, expected: A }, 'dut.log'), { result: 'log-ended', instructions: 2, log: 'dut.log', expected: A })
})

test('a bad log line is no result (it stays one line on stderr, exit 2)', () => {
  assert.is(checkJson({ _tag: 'BadLine', dutLine: 4, message: 'expected …' }, 'dut.log'), undefined)
})

test('memvirt check --json: one altered value in Spike\'s hyp log → one JSON line on stdout, exit 1', async () => {
  const root = fileURLToPath(new URL('../../', import.meta.url))
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-check-json-'))
  const log = join(dir, 'altered.log')
  // Spike's line 300 is `csrr s4, sepc` with x20 = 0x000000008000243c; the "DUT" says 0x…2440.
  writeFileSync(log, readFileSync(join(root, 'golden/programs/hyp.spike.commits'), 'utf8').replace('x20 0x000000008000243c', 'x20 0x0000000080002440'))
  const r = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [join(root, 'src/cli/bin.mjs'), 'check', join(root, 'golden/programs/hyp.elf'), '--against', log, '--isa', 'rv64imah_zicsr', '--json'],
      { encoding: 'utf8' }, (err, stdout) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout }))
  })
  assert.is(r.code, 1)
  assert.is(r.stdout.split('\n').length, 2)            // one line and its newline
  const j = JSON.parse(r.stdout) as Record<string, unknown>
  assert.is(j.result, 'divergence')
  assert.is(j.instruction, 300)
  assert.is(j.line, 300)
  assert.is(j.pc, '0x00000000800025f8')
  assert.equal(j.diffs, [{ item: 'x20', expected: '0x000000008000243c', found: '0x0000000080002440' }])
})

test('memvirt check --format qemu --json: QEMU\'s own log of demo.elf → no divergence in 30 instructions; --format other → exit 2', async () => {
  const root = fileURLToPath(new URL('../../', import.meta.url))
  const q = join(root, 'golden/trace/qemu')
  const run = (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> => new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'src/cli/bin.mjs'), 'check', join(q, 'demo.elf'), '--against', join(q, 'demo.qemu.txt'), '--isa', 'rv64im_zicsr', ...args],
      { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
  })
  const [ok, bad] = await Promise.all([run(['--format', 'qemu', '--json']), run(['--format', 'sail'])])
  assert.is(ok.code, 0, ok.stderr)
  assert.equal(JSON.parse(ok.stdout), { result: 'no-divergence', instructions: 30, modelEnd: 'exit', steps: 36 })
  assert.is(bad.code, 2)
  assert.is(bad.stderr.trimEnd().split('\n').length, 1)
})

test.run()
