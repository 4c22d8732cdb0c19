// The trace inputs of `memvirt cache` and `blockcache`. The `vm,block,R|W` block trace (--format vmcsv): line 1 may be a header; any
// other line is a request or an error, so a file of prose is rejected rather than read as an empty
// trace (issue 13 #8); a folder or an over-full host list is bad input too.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeVmBlockLine } from '../../src/cli/cache.ts'
import { MAX_VMS } from '../../src/cache/blockcache.ts'

const bin = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url))

test('vmcsv: line 1 starting with a letter is a header, skipped', () => {
  assert.equal(decodeVmBlockLine('vm,block,op', 1), { _tag: 'Right', right: undefined })
})

test('vmcsv: a request line is vm, block and R or W', () => {
  assert.equal(decodeVmBlockLine(' 2, 7 ,W', 3), { _tag: 'Right', right: { vm: 2, block: 7, write: true } })
})

test('vmcsv: a later line starting with a letter is an error, not a second header', () => {
  assert.is(decodeVmBlockLine('The quick brown fox', 2)._tag, 'Left')
  assert.is(decodeVmBlockLine('vm,block,op', 5)._tag, 'Left')
})

test('blockcache msr: a trace with more Hostnames than MAX_VMS is rejected, not cut to the first MAX_VMS', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-vmcsv-'))
  const trace = join(dir, 'hosts.csv')
  // MAX_VMS + 1 distinct hosts, one 4 KiB read each
  writeFileSync(trace, Array.from({ length: MAX_VMS + 1 }, (_, i) => `1,host${i},0,Read,${i * 4096},4096,1`).join('\n') + '\n')
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, 'blockcache', trace, '--format', 'msr', '--size', '8'], { encoding: 'utf8', timeout: 60_000 }, (err, _out, stderr) =>
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr }))
  })
  rmSync(dir, { recursive: true, force: true })
  assert.is(r.code, 2)
  assert.match(r.stderr, `more than ${MAX_VMS} hosts`)
})

for (const [command, format] of [['cache', 'txt'], ['cache', 'csv'], ['cache', 'oracleGeneral'], ['cache', 'msr'], ['blockcache', 'vmcsv']]) {
  test(`${command} --format ${format}: a folder given as the trace is one line, exit 2 (not EISDIR's stack trace)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memvirt-folder-'))
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, command!, dir, '--format', format!, '--size', '8'], { encoding: 'utf8', timeout: 60_000 }, (err, _out, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr }))
    })
    rmSync(dir, { recursive: true, force: true })
    assert.is(r.code, 2)
    assert.is(r.stderr.trimEnd().split('\n').length, 1)
    assert.match(r.stderr, 'is a directory')
  })
}

test('vmcsv: vm and block are decimal integers; an empty field, hex, an exponent or a fraction is an error (an empty block was read as 0: found by reviewing the fuzzer\'s accepted runs)', () => {
  assert.equal(decodeVmBlockLine('0,,W', 2), { _tag: 'Left', left: 'block "" is not a non-negative integer' })
  assert.equal(decodeVmBlockLine(',4,R', 2), { _tag: 'Left', left: 'vm "" is not an integer in 0..255' })
  assert.equal(decodeVmBlockLine('0,0x10,R', 2), { _tag: 'Left', left: 'block "0x10" is not a non-negative integer' })
  assert.equal(decodeVmBlockLine('0,1e3,R', 2), { _tag: 'Left', left: 'block "1e3" is not a non-negative integer' })
  assert.equal(decodeVmBlockLine('1.0,3,R', 2), { _tag: 'Left', left: 'vm "1.0" is not an integer in 0..255' })
})

test.run()
