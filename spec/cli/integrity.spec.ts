// `memvirt run --watch`, run as a user runs it: reports on stderr, the program's own output and exit code
// unchanged; bad watch arguments are one line, exit 2. Expected values from golden/programs/sv39.S: CASE 2's
// sd (kernel + 16, S-mode) stores 0x1234 into page0 + 8; CASE 1 writes satp and (START) stvec in M-mode.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseElf } from '../../src/elf/elf.ts'
import { fnv1a64 } from '../../src/hypervisor/introspect/integrity.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const elfPath = join(root, 'golden/programs/sv39.elf')
const elf = parseElf(new Uint8Array(readFileSync(elfPath)))
const sym = (name: string): bigint => (elf._tag === 'Right' ? elf.right.symbols.get(name)!.value : 0n)
const h16 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0')

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})
const sv39 = ['run', elfPath, '--isa', 'rv64ima_zicsr']
const runs = {
  onWrite: memvirt([...sv39, '--watch', 'page0:16', 'csr:satp', 'csr:stvec', '--on-write']),
  periodic: memvirt([...sv39, '--watch', 'page0:16', '--check-every', '100']),
  unknown: memvirt([...sv39, '--watch', 'nosuch:8']),
  both: memvirt([...sv39, '--watch', 'page0:16', '--on-write', '--check-every', '5']),
  alone: memvirt([...sv39, '--on-write']),
}

test('--on-write: the sd into page0 reported by its pc in S-mode with old and new hash; satp and stvec by value, in M-mode', async () => {
  const r = await runs.onWrite
  assert.is(r.code, 0)
  const lines = r.stderr.trim().split('\n')
  const stored = new Uint8Array(16)
  stored[8] = 0x34; stored[9] = 0x12
  assert.ok(lines.some((l) => new RegExp(`^memvirt watch: step \\d+ pc ${h16(sym('kernel') + 16n)} S-mode page0:16 hash ${h16(fnv1a64(new Uint8Array(16)))} → ${h16(fnv1a64(stored))}$`).test(l)), r.stderr)
  assert.ok(lines.some((l) => l.includes(`M-mode csr:satp value ${h16(0n)} → ${h16((8n << 60n) | (sym('root') >> 12n))}`)), r.stderr)
  assert.ok(lines.some((l) => l.includes(`M-mode csr:stvec value ${h16(0n)} → ${h16(sym('strap'))}`)), r.stderr)
})

test('--check-every N: the change is seen at a check (a step that is a multiple of N)', async () => {
  const r = await runs.periodic
  assert.is(r.code, 0)
  assert.match(r.stderr, /^memvirt watch: step \d*00 pc 0x[0-9a-f]{16} S-mode page0:16 hash /m)
})

test('bad watch arguments → one line, exit 2', async () => {
  for (const r of [await runs.unknown, await runs.both, await runs.alone]) {
    assert.is(r.code, 2)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
  }
  assert.match((await runs.unknown).stderr, /--watch nosuch:8: unknown symbol "nosuch"/)
})

test.run()
