// `memvirt check` and `memvirt run --trace`, run as a user runs them (node src/cli/bin.mjs): exit 0 / 1 /
// 2, what is printed, and that a trace file is either complete or absent.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeTraceLine } from '../../src/trace/jsonl.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const hypElf = join(root, 'golden/programs/hyp.elf')
const hypLog = join(root, 'golden/programs/hyp.spike.commits')
const ISA = 'rv64imah_zicsr'   // golden/programs/programs.json
const dir = mkdtempSync(join(tmpdir(), 'memvirt-check-'))
const file = (name: string, text: string): string => { const p = join(dir, name); writeFileSync(p, text); return p }

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})

// Spike's log of hyp.elf: 476 commit lines, truncated after the store to tohost.
const spikeLines = readFileSync(hypLog, 'utf8').split('\n').slice(0, -1)
// Line 300 is `csrr s4, sepc` in the HS trap handler: x20 = 0x000000008000243c. The DUT reports another value.
const altered = spikeLines.map((l, i) => (i === 299 ? l.replace('x20 0x000000008000243c', 'x20 0x0000000080002440') : l))
const traceFile = join(dir, 'hyp.jsonl')

// Start every run at once (each costs a Node start-up); the tests below await their own.
const runs = {
  agree: memvirt(['check', hypElf, '--against', hypLog, '--isa', ISA]),
  altered: memvirt(['check', hypElf, '--against', file('altered.log', altered.join('\n') + '\n'), '--isa', ISA]),
  short: memvirt(['check', hypElf, '--against', file('short.log', spikeLines.slice(0, 100).join('\n') + '\n'), '--isa', ISA]),
  garbage: memvirt(['check', hypElf, '--against', file('garbage.log', spikeLines.slice(0, 3).join('\n') + '\nhello world\n'), '--isa', ISA]),
  missing: memvirt(['check', hypElf, '--against', join(dir, 'no-such.log'), '--isa', ISA]),
  noAgainst: memvirt(['check', hypElf, '--isa', ISA]),
  trace: memvirt(['run', hypElf, '--isa', ISA, '--trace', traceFile]),
  traceUnwritable: memvirt(['run', hypElf, '--isa', ISA, '--trace', join(dir, 'no-such-dir', 'x.jsonl')]),
  smallRam: memvirt(['check', hypElf, '--against', hypLog, '--isa', ISA, '--ram', '1']),
  noRam: memvirt(['run', hypElf, '--isa', ISA, '--ram', '0']),
  badInterleave: memvirt(['check', hypElf, '--against', hypLog, '--isa', ISA, '--interleave', 'often']),
}

test('check: the model against Spike\'s own log of hyp.elf → exit 0, no divergence in 476 instructions', async () => {
  const r = await runs.agree
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, 'no divergence in 476 instructions\n')
})

test('check: one altered register value → exit 1, naming instruction 300, its pc, the item and both values', async () => {
  const r = await runs.altered
  assert.is(r.code, 1, r.stderr)
  const lines = r.stdout.split('\n')
  assert.match(lines[0]!, /^divergence at instruction 300 \(pc 0x00000000800025f8, .*altered\.log line 300\): x20 differs$/)
  assert.is(lines[1], '  x20: expected 0x000000008000243c, found 0x0000000080002440')
  assert.is(lines[2], `  expected: ${spikeLines[299]}`)
  assert.is(lines[3], `  found:    ${altered[299]}`)
})

test('check: a log that ends early → exit 1, log ends after 100 instructions, with the 101st expected line', async () => {
  const r = await runs.short
  assert.is(r.code, 1, r.stderr)
  assert.is(r.stdout, `log ends after 100 instructions; expected instruction 101: ${spikeLines[100]}\n`)
})

test('check: a line that is not Spike\'s format → exit 2, one line naming the line number, nothing on stdout', async () => {
  const r = await runs.garbage
  assert.is(r.code, 2)
  assert.is(r.stdout, '')
  assert.match(r.stderr, /^memvirt check: .*garbage\.log line 4: expected a Spike log line starting "core   0: "\n$/)
})

test('check: an unreadable log → exit 2, one line', async () => {
  const r = await runs.missing
  assert.is(r.code, 2)
  assert.match(r.stderr, /^memvirt check: cannot read .*no-such\.log: no such file or directory \(ENOENT\)\n$/)
})

test('check: --against is required', async () => {
  const r = await runs.noAgainst
  assert.ok(r.code !== 0)
  assert.match(r.stderr, /--against/)
})

test('--ram 1: hyp.elf (its memory lies in the first MiB at 0x8000_0000) still agrees with Spike\'s log', async () => {
  const r = await runs.smallRam
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, 'no divergence in 476 instructions\n')
})

test('--ram 0 and --interleave often → exit 2, one line naming the flag', async () => {
  for (const [r, flag] of [[await runs.noRam, '--ram'], [await runs.badInterleave, '--interleave']] as const) {
    assert.is(r.code, 2)
    assert.is(r.stdout, '')
    assert.match(r.stderr, new RegExp(`^memvirt (run|check): ${flag}: expected a positive integer up to \\d+, got "[^"]*"\n$`))
  }
})

test('run --trace: one record per step, every line decodes, the retired records are Spike\'s 476 lines', async () => {
  const r = await runs.trace
  assert.is(r.code, 0, r.stderr)
  const lines = readFileSync(traceFile, 'utf8').split('\n')
  assert.is(lines.pop(), '')
  const records = lines.map((l, i) => {
    const d = decodeTraceLine(l)
    if (d._tag === 'Left') throw new Error(`line ${i + 1}: ${d.left}`)
    return d.right
  })
  assert.equal(records.map((x) => x.order), records.map((_, i) => i + 1))
  assert.is(records.filter((x) => x.kind === 'retired').length, 476)
  assert.ok(!readdirSync(dir).some((n) => n.endsWith('.tmp')))
})

test('run --trace into a directory that does not exist → exit 2, one line, no file', async () => {
  const r = await runs.traceUnwritable
  assert.is(r.code, 2)
  assert.match(r.stderr, /^memvirt run: cannot write .*x\.jsonl: no such file or directory \(ENOENT\)\n$/)
  assert.not.ok(existsSync(join(dir, 'no-such-dir')))
})

test.run()
