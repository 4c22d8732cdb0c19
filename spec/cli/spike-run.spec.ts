// `memvirt run` with Spike's flags, run as a user runs it (node src/cli/bin.mjs): -m with several RAM
// regions, --pc, -l and --log, +signature / --signature. Expected outputs: Spike's commit log of
// loop_short (golden/programs, written by Spike), the hand-worked signatures of sigbasic, and Spike's boot
// ROM (riscv/sim.cc: it loads the start pc from its data word at 0x1018 and jumps there).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const prog = (name: string): string => join(root, 'golden/programs', name)
const dir = mkdtempSync(join(tmpdir(), 'memvirt-spike-run-'))
const out = (name: string): string => join(dir, name)

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})

const SIG = ['--isa', 'rv64ima_zicsr']
const runs = {
  plusSignature: memvirt(['run', ...SIG, '+signature=' + out('a.sig'), '+signature-granularity=4', prog('sigbasic.elf')]),
  flagSignature: memvirt(['run', ...SIG, prog('sigbasic.elf'), '--signature', out('b.sig')]),
  twoRegions: memvirt(['run', ...SIG, '-m0x80000000:0x2000,0x80002000:0x2000', prog('sigbasic.elf'), '+signature=' + out('c.sig'), '+signature-granularity=4']),
  gap: memvirt(['run', ...SIG, '-m0x80000000:0x2000,0x80003000:0x1000', prog('sigbasic.elf')]),
  overlapsRom: memvirt(['run', ...SIG, '-m0x0:0x100000', prog('sigbasic.elf')]),
  mAndRam: memvirt(['run', ...SIG, '-m16', '--ram', '16', prog('sigbasic.elf')]),
  badM: memvirt(['run', ...SIG, '-m0x80000000', prog('sigbasic.elf'), '-mfoo']),
  realigned: memvirt(['run', ...SIG, '-m0x80000000:0x3800', prog('sigbasic.elf')]),
  noSymbols: memvirt(['run', '--isa', 'rv64i_zicsr', prog('loop_short.elf'), '+signature=' + out('never.sig')]),
  badPlus: memvirt(['run', ...SIG, prog('sigbasic.elf'), '+permissive']),
  badGranularity: memvirt(['run', ...SIG, prog('sigbasic.elf'), '+signature=' + out('never2.sig'), '+signature-granularity=0']),
  l: memvirt(['run', '--isa', 'rv64i_zicsr', '-l', prog('loop_short.elf')]),
  lToLog: memvirt(['run', '--isa', 'rv64i_zicsr', '-l', '--log=' + out('l.log'), prog('loop_short.elf')]),
  pc: memvirt(['run', '--isa', 'rv64i_zicsr', '-l', '--pc=0x80000004', '--max-insns', '6', prog('loop_short.elf')]),
  badPc: memvirt(['run', '--isa', 'rv64i_zicsr', '--pc=0x8000_0000', prog('loop_short.elf')]),
}

const oneLine = (r: Run): boolean => r.stderr.startsWith('memvirt run: ') && r.stderr.trimEnd().split('\n').length === 1

test('+signature=FILE +signature-granularity=4 writes the hand-worked signature', async () => {
  const r = await runs.plusSignature
  assert.is(r.code, 0, r.stderr)
  assert.fixture(readFileSync(out('a.sig'), 'latin1'), readFileSync(prog('sigbasic.hand.sig4'), 'latin1'))
})

test('--signature FILE after the ELF, at Spike\'s default granularity 16', async () => {
  const r = await runs.flagSignature
  assert.is(r.code, 0, r.stderr)
  assert.fixture(readFileSync(out('b.sig'), 'latin1'), readFileSync(prog('sigbasic.hand.sig16'), 'latin1'))
})

test('-m base:size,base:size: the program runs across two touching RAM regions (code and signature in the second)', async () => {
  const r = await runs.twoRegions
  assert.is(r.code, 0, r.stderr)
  assert.fixture(readFileSync(out('c.sig'), 'latin1'), readFileSync(prog('sigbasic.hand.sig4'), 'latin1'))
})

test('-m leaving a loaded segment outside RAM, or overlapping the boot ROM, is one line and exit 2', async () => {
  for (const r of [await runs.gap, await runs.overlapsRom]) {
    assert.is(r.code, 2)
    assert.ok(oneLine(r), r.stderr)
  }
  assert.match((await runs.gap).stderr, 'outside RAM')
  assert.match((await runs.overlapsRom).stderr, 'bootrom')
})

test('-m with --ram, and a malformed -m, are refused', async () => {
  for (const r of [await runs.mAndRam, await runs.badM]) {
    assert.is(r.code, 2)
    assert.ok(oneLine(r), r.stderr)
  }
})

test('spike.cc create_mem_region: a region that is not whole pages is widened, with a warning', async () => {
  const r = await runs.realigned
  assert.is(r.code, 0)
  assert.match(r.stderr, 'realigned to the 4 KiB page size: [0x80000000, 0x80003FFF]')
})

test('+signature on an ELF without begin_signature/end_signature, an unknown plusarg, granularity 0: exit 2, no file', async () => {
  for (const r of [await runs.noSymbols, await runs.badPlus, await runs.badGranularity]) {
    assert.is(r.code, 2)
    assert.ok(oneLine(r), r.stderr)
  }
  assert.not.ok(existsSync(out('never.sig')))
  assert.not.ok(existsSync(out('never2.sig')))
})

test('-l writes the commit log to stderr: Spike\'s --log-commits lines for loop_short', async () => {
  const r = await runs.l
  assert.is(r.code, 0)
  assert.fixture(r.stderr, readFileSync(prog('loop_short.spike.commits'), 'latin1'))
})

test('-l --log=FILE writes the same log to FILE and nothing to stderr', async () => {
  const r = await runs.lToLog
  assert.is(r.code, 0)
  assert.is(r.stderr, '')
  assert.fixture(readFileSync(out('l.log'), 'latin1'), readFileSync(prog('loop_short.spike.commits'), 'latin1'))
})

test('--pc=ADDR: the boot ROM loads ADDR instead of the entry point and jumps there', async () => {
  const r = await runs.pc
  assert.is(r.code, 124)       // stopped by --max-insns 6
  const lines = r.stderr.split('\n')
  assert.is(lines[3], 'core   0: 3 0x000000000000100c (0x0182b283) x5  0x0000000080000004 mem 0x0000000000001018')
  assert.ok(lines[5]!.startsWith('core   0: 3 0x0000000080000004 '), lines[5])
})

test('--pc that is not a strtoull number is refused', async () => {
  const r = await runs.badPc
  assert.is(r.code, 2)
  assert.ok(oneLine(r), r.stderr)
})

test.run()
