// One voice (issue 13): every error line starts `memvirt COMMAND:` (or `memvirt:` when no command is known),
// argument errors included; a missing file is worded the same by every command; `memvirt --version`,
// `memvirt` alone (the help, on stdout, exit 0) and `memvirt help COMMAND`.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const dir = mkdtempSync(join(tmpdir(), 'memvirt-voice-'))
const missing = join(dir, 'no-such-file')
const elf = join(root, 'golden/programs/basics.elf')
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})

const runs = {
  version: memvirt(['--version']),
  alone: memvirt([]),
  helpRun: memvirt(['help', 'run']),
  unknownOption: memvirt(['run', elf, '--bogus']),
  unknownCommand: memvirt(['bogus']),
  nestedOption: memvirt(['demo', 'translate', '--bogus']),
  missingArgument: memvirt(['cache', '--format', 'txt']),
  missing: {
    run: memvirt(['run', missing]),
    check: memvirt(['check', elf, '--against', missing]),
    cache: memvirt(['cache', missing, '--format', 'txt', '--size', '1']),
    blockcache: memvirt(['blockcache', missing, '--format', 'vmcsv', '--size', '1']),
    alloc: memvirt(['alloc', missing, '--host', missing]),
    gpu: memvirt(['gpu', missing]),
    translate: memvirt(['translate', missing]),
    iommu: memvirt(['iommu', missing]),
    'virtio-iommu': memvirt(['virtio-iommu', missing]),
    resume: memvirt(['resume', missing]),
    migrate: memvirt(['migrate', missing, '--at', '10']),
    introspect: memvirt(['introspect', missing, '--read-va', '0x1000']),
    gdbserver: memvirt(['gdbserver', missing]),
    cosim: memvirt(['cosim', missing]),
    'cosim-replay': memvirt(['cosim-replay', elf, missing]),
  },
}

test('--version prints `memvirt VERSION` (package.json\'s version) on stdout, exit 0', async () => {
  const r = await runs.version
  assert.is(r.code, 0)
  assert.is(r.stdout, `memvirt ${version}\n`)
  assert.is(r.stderr, '')
})

test('memvirt alone prints the help on stdout and exits 0 (it is a question, not an error)', async () => {
  const r = await runs.alone
  assert.is(r.code, 0)
  assert.is(r.stderr, '')
  assert.match(r.stdout, /^Usage: memvirt /)
  for (const c of ['cache', 'blockcache', 'alloc', 'gpu', 'translate', 'demo', 'run', 'check', 'help']) assert.match(r.stdout, new RegExp(`\\n  ${c} `))
})

test('memvirt help run prints run\'s usage on stdout, exit 0', async () => {
  const r = await runs.helpRun
  assert.is(r.code, 0)
  assert.match(r.stdout, /^Usage: memvirt run \[options\] \[elf\.\.\.\]/)
  assert.match(r.stdout, /--log-commits <file>/)
})

test('argument errors start `memvirt COMMAND:` (not commander\'s `error:`), one line, exit 2', async () => {
  const oneLine = (r: Run, line: string): void => {
    assert.is(r.code, 2)
    assert.is(r.stdout, '')
    assert.is(r.stderr, `${line}\n`)
  }
  oneLine(await runs.unknownOption, "memvirt run: unknown option '--bogus'")
  oneLine(await runs.unknownCommand, "memvirt: unknown command 'bogus'")
  oneLine(await runs.nestedOption, "memvirt demo translate: unknown option '--bogus'")
  oneLine(await runs.missingArgument, "memvirt cache: missing required argument 'trace'")
})

test('a missing file is worded one way by every command: `memvirt COMMAND: cannot read PATH: no such file or directory (ENOENT)`', async () => {
  for (const [command, run] of Object.entries(runs.missing)) {
    const r = await run
    assert.is(r.code, 2, `${command}: ${r.stderr}`)
    assert.is(r.stdout, '')
    assert.is(r.stderr, `memvirt ${command}: cannot read ${missing}: no such file or directory (ENOENT)\n`)
  }
})

test.run()
