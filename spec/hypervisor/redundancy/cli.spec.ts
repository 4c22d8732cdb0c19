// `memvirt run PROG --checkpoint-every N [--checkpoint full|incremental] [--fail-at K]… [--stats]`, run as a
// user runs it: what the surviving execution prints and logs, and its exit status, are an uninterrupted
// run's (and Spike's committed log), whatever faults are injected; bad flags are one line, exit 2.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const programs = join(root, 'golden/programs')
const memvirt = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root })

test('hvdemo.elf with checkpoints every 100 steps and faults at 130 (twice), 250 and mid-copy at 1500: --log-commits is Spike\'s log, exit 0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-redundancy-'))
  try {
    const log = join(dir, 'hvdemo.log')
    const r = memvirt('run', join(programs, 'hvdemo.elf'), '--isa', 'rv64imah_zicsr', '--log-commits', log, '--checkpoint-every', '100',
      '--fail-at', '130', '--fail-at', '130', '--fail-at', '250', '--fail-at', 'copy:1500', '--stats')
    assert.is(r.status, 0, r.stderr)
    assert.fixture(readFileSync(log, 'latin1'), readFileSync(join(programs, 'hvdemo.spike.commits'), 'latin1'))
    // 30 + 30 + 50 + 100 steps lost since the commits at 100, 100, 200 and 1400.
    assert.match(r.stderr, 'memvirt: failovers: 4; re-executed steps: 210\n')
    assert.match(r.stderr, 'memvirt: checkpoints: 24 (incremental, every 100 steps; 2304 steps survive)\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('htif.elf with full checkpoints every 7 steps and two faults prints what Spike prints, once', () => {
  const r = memvirt('run', join(programs, 'htif.elf'), '--isa', 'rv64ima_zicsr', '--checkpoint-every', '7', '--checkpoint', 'full',
    '--fail-at', '20', '--fail-at', 'copy:40:0')
  assert.is(r.status, 0, r.stderr)
  assert.is(r.stdout, 'hello, HTIF\n\n!')
})

test('--trace under checkpoints and faults is the uninterrupted run\'s JSONL trace (golden/trace/hyp.jsonl, checked against Spike): each re-executed step once, numbered in the surviving execution', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-redundancy-trace-'))
  try {
    for (const [i, faults] of [['--fail-at', '50', '--fail-at', 'copy:200', '--fail-at', '300'], ['--fail-at', '1', '--fail-at', '1', '--checkpoint', 'full'], []].entries()) {
      const trace = join(dir, `hyp${i}.jsonl`)
      const r = memvirt('run', join(programs, 'hyp.elf'), '--isa', 'rv64imah_zicsr', '--trace', trace, '--checkpoint-every', String(37 + i * 50), ...faults)
      assert.is(r.status, 0, r.stderr)
      assert.fixture(readFileSync(trace, 'utf8'), readFileSync(join(root, 'golden/trace/hyp.jsonl'), 'utf8'))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('--checkpoint-every 5us: checkpoints on simulated time (Spike\'s 10 MHz mtime: 50 ticks, one chunk end\'s worth) with faults still release Spike\'s log; 1ms on loop.elf is one checkpoint per 10^6 steps (100 steps a tick)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-redundancy-time-'))
  try {
    const log = join(dir, 'hvdemo.log')
    const r = memvirt('run', join(programs, 'hvdemo.elf'), '--isa', 'rv64imah_zicsr', '--log-commits', log, '--checkpoint-every', '5us',
      '--fail-at', '250', '--fail-at', 'copy:1500', '--stats')
    assert.is(r.status, 0, r.stderr)
    assert.fixture(readFileSync(log, 'latin1'), readFileSync(join(programs, 'hvdemo.spike.commits'), 'latin1'))
    assert.match(r.stderr, /every 50 mtime ticks; 2304 steps survive/)
    const loop = memvirt('run', join(programs, 'loop.elf'), '--isa', 'rv64i_zicsr', '--max-insns', '2100000', '--checkpoint-every', '1ms', '--stats')
    assert.is(loop.status, 124)
    assert.match(loop.stderr, 'memvirt: checkpoints: 3 (incremental, every 10000 mtime ticks; 2100000 steps survive)\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a malformed --fail-at, an unknown --checkpoint mode, or --fail-at without --checkpoint-every: one line, exit 2', () => {
  const elf = join(programs, 'htif.elf')
  for (const [args, message] of [
    [['--checkpoint-every', '5', '--fail-at', 'copy:x'], 'memvirt run: --fail-at: expected a step count, got "x"\n'],
    [['--checkpoint-every', '5', '--checkpoint', 'half'], 'memvirt run: --checkpoint: expected full or incremental, got "half"\n'],
    [['--fail-at', '3'], 'memvirt run: --fail-at needs --checkpoint-every\n'],
    [['--checkpoint-every', '5', '--dirty-source', 'bits'], 'memvirt run: --dirty-source: expected versions or dbits, got "bits"\n'],
    [['--checkpoint-every', '5', '--checkpoint', 'full', '--dirty-source', 'dbits'], 'memvirt run: --dirty-source dbits needs --checkpoint incremental (a full checkpoint copies every page)\n'],
    [['--dirty-source', 'dbits'], 'memvirt run: --dirty-source needs --checkpoint-every\n'],
  ] as const) {
    const r = memvirt('run', elf, '--isa', 'rv64ima_zicsr', ...args)
    assert.is(r.status, 2)
    assert.is(r.stderr, message)
  }
})

test('--dirty-source dbits on dguest (a guest under Svadu): the released log is Spike\'s, --stats names the source and what D bits found; migrate\'s rounds too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-redundancy-dbits-'))
  try {
    const dguest = join(root, 'golden/redundancy/dguest.elf')
    const log = join(dir, 'dguest.log')
    const r = memvirt('run', dguest, '--isa', 'rv64imah_zicsr_svadu', '--log-commits', log, '--checkpoint-every', '10', '--dirty-source', 'dbits', '--fail-at', '70', '--stats')
    assert.is(r.status, 0, r.stderr)
    assert.fixture(readFileSync(log, 'latin1'), readFileSync(join(root, 'golden/redundancy/dguest.spike.commits'), 'latin1'))
    assert.match(r.stderr, 'memvirt: checkpoints: 21 (incremental, dirty set from G-stage D bits, every 10 steps; 203 steps survive)\n')
    // dguest's 12 guest stores: 6 data pages, and the 2 MiB leaf's pages holding data — with a checkpoint
    // every 10 steps (one loop round) each round's superpage store is one checkpoint's 1 or 2 pages: 6 + 1 + 5 × 2.
    assert.match(r.stderr, /memvirt: dirty source dbits: 17 pages by D bits, \d+ outside the armed G-stage leaves and 0 written under them otherwise than through the G-stage/)
    const m = memvirt('migrate', dguest, '--isa', 'rv64imah_zicsr_svadu', '--at', '120', '--bandwidth', '1', '--insn-rate', '2000', '--dirty-source', 'dbits', '--json')
    assert.is(m.status, 0, m.stderr)
    assert.match(m.stdout, /"dirtyByDBits":\d+,"tablePages":\d+/)
    const plain = memvirt('migrate', dguest, '--isa', 'rv64imah_zicsr_svadu', '--at', '120', '--bandwidth', '1', '--insn-rate', '2000', '--json')
    assert.not.match(plain.stdout, /dirtyByDBits/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
