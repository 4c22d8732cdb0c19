// `memvirt introspect`, run as a user runs it: reads through the guest's tables after N steps; bad input
// (unknown symbol, bad range, bad space) is one line on stderr with exit status 2. Expected bytes come from
// golden/programs/sv39.S (CASE 2 stores 0x1234 at VA 0x40000008) and hyp.S (HSV stores 0x80000000fedcba98
// at GVA 0x40000008).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const elf = (name: string): string => join(root, 'golden/programs', `${name}.elf`)

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})

const sv39 = ['introspect', elf('sv39'), '--isa', 'rv64ima_zicsr', '--at', '300']
const runs = {
  text: memvirt([...sv39, '--read-va', '0x40000000', '--len', '16', '--space', 'host']),
  symbol: memvirt([...sv39, '--read-va', 'page0+8', '--len', '8', '--space', 'physical', '--json']),
  guest: memvirt(['introspect', elf('hyp'), '--isa', 'rv64imah_zicsr', '--at', '200', '--read-va', '0x40000008', '--len', '8', '--space', 'guest', '--json']),
  unknown: memvirt([...sv39, '--read-va', 'no_such_symbol']),
  unmapped: memvirt([...sv39, '--read-va', '0x40007000', '--space', 'host']),
  space: memvirt([...sv39, '--read-va', '0', '--space', 'sideways']),
  len: memvirt([...sv39, '--read-va', '0', '--len', '-1']),
}

const oneLine = (r: Run, pattern: RegExp): void => {
  assert.is(r.code, 2)
  assert.is(r.stdout, '')
  assert.is(r.stderr.split('\n').filter((l) => l !== '').length, 1)
  assert.match(r.stderr, pattern)
}

test('text: the VA, the PA it reaches through the S-stage, and the dump holding 0x1234 at offset 8', async () => {
  const r = await runs.text
  assert.is(r.code, 0)
  assert.match(r.stdout, /host 0x0000000040000000 → PA 0x[0-9a-f]{16}, 16 bytes/)
  assert.match(r.stdout, /0x0000000040000000: 00 00 00 00 00 00 00 00 34 12 00 00 00 00 00 00/)
})

test('a symbol with an offset as the address (physical space): page0+8 holds 0x1234', async () => {
  const r = await runs.symbol
  assert.is(r.code, 0)
  const j = JSON.parse(r.stdout) as { bytes: string; space: string }
  assert.is(j.bytes, '3412000000000000')
  assert.is(j.space, 'physical')
})

test('H chapter: the guest space reads through VS-stage and G-stage from HS-mode', async () => {
  const r = await runs.guest
  assert.is(r.code, 0)
  const j = JSON.parse(r.stdout) as { bytes: string; mode: string }
  assert.is(j.bytes, '98badcfe00000080')
})

test('bad input → one line, exit 2: unknown symbol, unmapped VA, unknown space, bad length', async () => {
  oneLine(await runs.unknown, /unknown symbol "no_such_symbol"/)
  oneLine(await runs.unmapped, /0x0000000040007000 does not translate/)
  oneLine(await runs.space, /--space/)
  oneLine(await runs.len, /--len/)
})

test.run()
