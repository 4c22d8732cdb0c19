// Pre-copy live migration (QEMU's migration/ram.c scheme; Clark et al., NSDI 2005), clause by clause on
// golden programs, with the round arithmetic worked by hand: a round lasts its bytes / bandwidth, and the
// source makes that many seconds × its instruction rate steps meanwhile (fewer under auto-converge).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Round, migrate } from '../../../src/hypervisor/redundancy/migration.ts'
import { migrationPlotRows, migrationPlotSpec } from '../../../src/hypervisor/redundancy/migration-plot.ts'
import { sameMachine } from '../../../src/hypervisor/redundancy/same-state.ts'
import { foldAdvance, loadGolden, spikeLog } from './programs.ts'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const programs = join(root, 'golden/programs')

test('round 0 copies every written page while the source runs: 4 pages at 4096 × 1000 B/s last 4 ms, 4 steps at 1000 steps/s', () => {
  const m = loadGolden('htif', 'rv64ima_zicsr')
  const mig = migrate(m, { bandwidth: 4096 * 1000, downtimeMs: 1000, maxRounds: 5, autoConverge: false, insnRate: 1000 }, foldAdvance)
  assert.is(mig.rounds[0]!.pages, m.memory.pages)
  assert.is(m.memory.pages, 4)                    // htif.elf's PT_LOAD segments (readelf -l): 0x8000_0000 + 0xec, 0x8000_1000 + 0x204d: pages 0x80000–0x80003
  assert.is(mig.rounds[0]!.durationMs, 4)
  assert.is(mig.rounds[0]!.steps, 4)
  assert.is(mig.final.reason, 'converged')       // what is left fits 4096 × 1000 B/s × 1 s
  assert.ok(sameMachine(mig.destination, mig.source))
})

test('stop-and-copy is forced after --max-rounds when the source keeps dirtying pages (downtime limit 0)', () => {
  const m = foldAdvance(loadGolden('loop', 'rv64i_zicsr'), 1000).machine
  const mig = migrate(m, { bandwidth: 8 << 20, downtimeMs: 0, maxRounds: 3, autoConverge: false, insnRate: 100_000 }, foldAdvance)
  assert.is(mig.rounds.length, 3)
  assert.is(mig.final.reason, 'max-rounds')
  assert.ok(mig.final.pages > 0)
})

test('the CLI: hvdemo.elf migrated after step 500 writes Spike\'s log and exits 0; --json gives one line per round and the stop-and-copy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-migrate-'))
  try {
    const log = join(dir, 'm.log')
    const r = spawnSync(process.execPath, [join(root, 'src/cli/bin.mjs'), 'migrate', join(programs, 'hvdemo.elf'), '--isa', 'rv64imah_zicsr',
      '--at', '500', '--bandwidth', '1', '--downtime-ms', '1', '--insn-rate', '20000', '--json', '--log-commits', log], { encoding: 'utf8', cwd: root })
    assert.is(r.status, 0, r.stderr)
    assert.fixture(readFileSync(log, 'latin1'), spikeLog('hvdemo'))
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    // Round 0: the pages written by step 500 (as the step fold leaves them), at 1 MiB/s, while the source
    // makes duration × 20 000 steps.
    const pages = foldAdvance(loadGolden('hvdemo', 'rv64imah_zicsr'), 500).machine.memory.pages
    const ms = pages * 4096 / (1 << 20) * 1000
    const first = lines[0]!
    assert.equal([first.round, first.pages, first.bytes, first.durationMs, first.steps, first.throttle],
      [0, pages, pages * 4096, Math.round(ms * 1000) / 1000, Math.floor(ms / 1000 * 20_000), 0])
    assert.ok('stopAndCopy' in lines.at(-1)!)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

const roundOf = (index: number, pages: number, dirtyPages: number): Round =>
  ({ index, pages, bytes: pages * 4096, durationMs: 0, steps: 0, dirtyPages, dirtyRate: 0, throttle: 0 })

test('--plot rows: each round\'s pages, and the downtime stopping after it costs (its dirtied pages at the bandwidth); the stop-and-copy last', () => {
  // At 1 MiB/s a page takes 4096 / 2^20 s = 3.90625 ms: 16 dirtied pages 62.5 ms, 4 pages 15.625 ms.
  const mig = { rounds: [roundOf(0, 19, 16), roundOf(1, 16, 4)], final: { pages: 4, bytes: 4 * 4096, downtimeMs: 15.625, reason: 'converged' as const } }
  assert.equal(migrationPlotRows(mig, { bandwidth: 1 << 20 }), [
    { step: 'round 0', order: 0, pages: 19, downtimeMs: 62.5, phase: 'pre-copy' },
    { step: 'round 1', order: 1, pages: 16, downtimeMs: 15.625, phase: 'pre-copy' },
    { step: 'stop-and-copy', order: 2, pages: 4, downtimeMs: 15.625, phase: 'stop-and-copy' },
  ])
  const spec = migrationPlotSpec(mig, { bandwidth: 1 << 20, downtimeMs: 20 })
  assert.match(JSON.stringify(spec), /"limitMs":20/)
})

test('the CLI: migrate --plot FILE.svg draws a bar per round and the stop-and-copy, and the limit; a bad --plot path is one line before any work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-migrate-plot-'))
  try {
    const svg = join(dir, 'm.svg')
    const args = ['migrate', join(programs, 'hvdemo.elf'), '--isa', 'rv64imah_zicsr', '--at', '500', '--bandwidth', '1', '--downtime-ms', '1', '--insn-rate', '20000', '--json']
    const r = spawnSync(process.execPath, [join(root, 'src/cli/bin.mjs'), ...args, '--plot', svg], { encoding: 'utf8', cwd: root })
    assert.is(r.status, 0, r.stderr)
    const rounds = r.stdout.trimEnd().split('\n').length - 1
    const text = readFileSync(svg, 'utf8')
    assert.ok(text.startsWith('<svg'))
    const labels = [...text.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])
    for (let i = 0; i < rounds; i++) assert.is(labels.filter((l) => l === `round ${i}`).length, 2, `round ${i}`)  // one per panel
    assert.is(labels.filter((l) => l === `round ${rounds}`).length, 0)
    assert.ok(labels.includes('limit 1 ms'))
    const bad = spawnSync(process.execPath, [join(root, 'src/cli/bin.mjs'), ...args, '--plot', join(dir, 'no-such', 'm.svg')], { encoding: 'utf8', cwd: root })
    assert.is(bad.status, 2)
    assert.is(bad.stdout, '')
    assert.match(bad.stderr, /^memvirt migrate: cannot write .*m\.svg: no such file or directory \(ENOENT\)\n$/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
