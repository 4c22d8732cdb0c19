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
import { migrate } from '../../../src/hypervisor/redundancy/migration.ts'
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

test.run()
