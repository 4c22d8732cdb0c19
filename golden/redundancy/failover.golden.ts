// Every golden program with a committed Spike log (golden/programs/programs.json), run under a standby with
// two injected failures — one after a third of its steps, one during the checkpoint copy at two thirds —
// through the fast engine and the byte writer, as `memvirt run --checkpoint-every` runs it: the released
// commit log is Spike's, byte for byte (the re-executed stretches appear once), and the exit code 0.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { loadGolden } from '../../spec/hypervisor/redundancy/programs.ts'
import { run } from '../../src/machine/engine/run.ts'
import { CommitLogWriter } from '../../src/trace/engine/commit-log-writer.ts'
import { type Advance, protectedRun } from '../../src/hypervisor/redundancy/failover.ts'

const DIR = new URL('../programs/', import.meta.url)
interface Entry { readonly isa: string; readonly spike?: string }
const manifest = JSON.parse(readFileSync(new URL('programs.json', DIR), 'utf8')) as { programs: Record<string, Entry> }

const advance: Advance<Buffer> = (m, maxSteps) => {
  const parts: Buffer[] = []
  const w = new CommitLogWriter((b, n) => parts.push(Buffer.from(b.subarray(0, n))))
  const r = run(m, { maxSteps }, { commits: w })
  w.flush()
  return { machine: r.machine, steps: r.steps, trace: Buffer.concat(parts) }
}

for (const [name, entry] of Object.entries(manifest.programs)) {
  if (entry.spike === undefined) continue
  const spike = entry.spike
  test(`${name}: checkpoints every 37 steps, a fault at a third and one mid-copy at two thirds: the released log is Spike's`, () => {
    const m = loadGolden(name, entry.isa)
    const total = run(m, { maxSteps: 50_000 }).steps
    const parts: Buffer[] = []
    const exits: (number | undefined)[] = []
    const r = protectedRun(m, {
      every: 37, mode: 'incremental', maxSteps: 50_000, bandwidth: 1 << 30,
      faults: [{ kind: 'step', at: Math.floor(total / 3) }, { kind: 'copy', at: Math.floor(2 * total / 3), after: 1 }],
    }, advance, (e) => { if (e._tag === 'Release') { parts.push(...e.traces); if (e.exitCode !== undefined) exits.push(e.exitCode) } })
    assert.is(r.stats.failovers, 2)
    assert.equal(exits, [0])
    assert.fixture(Buffer.concat(parts).toString('latin1'), readFileSync(new URL(spike, DIR), 'latin1'))
  })
}

test.run()
