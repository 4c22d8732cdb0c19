// Loading a program for `memvirt run`/`check` (README, "Bad input"): an ELF without a `tohost` symbol
// is bad input — one line, exit 2 — rather than a run that spins to the step limit (issue 13 #9).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')

test('run: an ELF whose symbol table has no tohost is rejected in one line, exit 2', async () => {
  const bytes = Buffer.from(readFileSync(join(root, 'golden/programs/loop.elf')))
  // rename every "tohost" in the string tables to "tohosx" (same length, so no offset moves; the
  // linker stores the name as the tail of "write_tohost", so it is found by its terminating NUL)
  const name = Buffer.from('tohost\0', 'latin1')
  let renamed = 0
  for (let at = bytes.indexOf(name); at !== -1; at = bytes.indexOf(name, at + 1)) { bytes[at + 5] = 'x'.charCodeAt(0); renamed++ }
  assert.ok(renamed > 0)
  const elf = join(mkdtempSync(join(tmpdir(), 'memvirt-program-')), 'no-tohost.elf')
  writeFileSync(elf, bytes)
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, 'run', elf, '--max-insns', '1000'], { encoding: 'utf8', timeout: 60_000 }, (err, _out, stderr) =>
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr }))
  })
  assert.is(r.code, 2)
  assert.is(r.stderr.trimEnd().split('\n').length, 1)
  assert.match(r.stderr, /no `tohost` symbol/)
})

test.run()
