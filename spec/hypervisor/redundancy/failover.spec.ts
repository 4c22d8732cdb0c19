// Checkpoints, output commit and failover on the golden programs: whatever the checkpoint interval and
// the injected faults, the released console output, exit code and commit log equal the uninterrupted
// run's and Spike's committed log (Remus, Cully et al. NSDI 2008, §3.3 "output commit").
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Fault, type RedundancyEvent, type RedundancyOptions, protectedRun } from '../../../src/hypervisor/redundancy/failover.ts'
import { type HostWrite } from '../../../src/machine/htif.ts'
import { foldAdvance, loadGolden, spikeLog, stdoutOf } from './programs.ts'

const HTIF_STDOUT = 'hello, HTIF\n\n!'                   // golden/programs/programs.json, as Spike prints it

const options = (every: number, faults: readonly Fault[] = [], mode: RedundancyOptions['mode'] = 'incremental'): RedundancyOptions =>
  ({ every, mode, faults, maxSteps: 50_000, bandwidth: 1 << 30 })

const released = (name: string, isa: string, o: RedundancyOptions) => {
  const events: RedundancyEvent<string>[] = []
  const r = protectedRun(loadGolden(name, isa), o, foldAdvance, (e) => events.push(e))
  const releases = events.filter((e) => e._tag === 'Release')
  const writes: HostWrite[] = releases.flatMap((e) => e.output)
  return {
    r, events,
    log: releases.flatMap((e) => e.traces).join(''),
    stdout: writes.map((w) => Buffer.from(w.bytes).toString('latin1')).join(''),
    exits: releases.filter((e) => e.exitCode !== undefined).map((e) => e.exitCode),
  }
}

for (const every of [1, 7, 64, 1000]) {
  test(`output commit (§3.3), no fault, a checkpoint every ${every} steps: htif.elf's released log is Spike's, its output and exit as Spike's`, () => {
    const x = released('htif', 'rv64ima_zicsr', options(every))
    assert.fixture(x.log, spikeLog('htif'))
    assert.is(x.stdout, HTIF_STDOUT)
    assert.equal(x.exits, [0])                  // the exit is released once, with the last checkpoint
    assert.is(x.r.stats.failovers, 0)
    assert.is(x.r.stats.reexecuted, 0)
  })
}

test('failover: a fault after step 250 with checkpoints every 100 loses the 50 steps since the commit at 200, re-executed once', () => {
  const x = released('hvdemo', 'rv64imah_zicsr', options(100, [{ kind: 'step', at: 250 }]))
  assert.fixture(x.log, spikeLog('hvdemo'))
  assert.equal(x.exits, [0])
  assert.is(x.r.stats.failovers, 1)
  assert.is(x.r.stats.reexecuted, 50)
  const f = x.events.find((e) => e._tag === 'Failover')
  assert.equal(f !== undefined && f._tag === 'Failover' ? [f.during, f.position, f.resumeAt] : [], ['run', 250, 200])
})

test('failover during a checkpoint copy: the half-copied checkpoint at 300 is discarded, the backup resumes at 200', () => {
  const x = released('hvdemo', 'rv64imah_zicsr', options(100, [{ kind: 'copy', at: 300, after: 1 }]))
  assert.fixture(x.log, spikeLog('hvdemo'))
  assert.is(x.r.stats.reexecuted, 100)
  const f = x.events.find((e) => e._tag === 'Failover')
  assert.equal(f !== undefined && f._tag === 'Failover' ? [f.during, f.position, f.resumeAt] : [], ['copy', 300, 200])
})

test('repeated faults: the same point failing twice, then another, each re-executed stretch appears once in the log', () => {
  const faults: Fault[] = [{ kind: 'step', at: 130 }, { kind: 'step', at: 130 }, { kind: 'step', at: 1000 }, { kind: 'copy', at: 1500, after: 0 }]
  const x = released('hvdemo', 'rv64imah_zicsr', options(100, faults))
  assert.fixture(x.log, spikeLog('hvdemo'))
  assert.equal(x.exits, [0])
  assert.is(x.r.stats.failovers, 4)
  // 30 + 30 (130 twice, from 100), 0 (1000 is a checkpoint position: the fault strikes before its
  // checkpoint, so the 100 steps from 900 are lost), 100 (the copy at 1500 fails: back to 1400).
  assert.is(x.r.stats.reexecuted, 30 + 30 + 100 + 100)
})

test('a fault at step 0 and a fault past the exit: the first fails over to the initial copy, the second never strikes', () => {
  const x = released('htif', 'rv64ima_zicsr', options(10, [{ kind: 'step', at: 0 }, { kind: 'step', at: 1_000_000 }]))
  assert.fixture(x.log, spikeLog('htif'))
  assert.is(x.stdout, HTIF_STDOUT)
  assert.is(x.r.stats.failovers, 1)
  assert.is(x.r.stats.reexecuted, 0)
})

test('output commit: nothing is released before its checkpoint commits — each release follows a checkpoint at the same position', () => {
  const x = released('htif', 'rv64ima_zicsr', options(16, [{ kind: 'step', at: 40 }]))
  x.events.forEach((e, i) => {
    if (e._tag !== 'Release') return
    const before = x.events[i - 1]
    assert.ok(before?._tag === 'Checkpoint' && before.position === e.position)
  })
})

test('full and incremental checkpoints release the same run; full copies every written page each time', () => {
  const inc = released('htif', 'rv64ima_zicsr', options(20, [{ kind: 'step', at: 33 }], 'incremental'))
  const full = released('htif', 'rv64ima_zicsr', options(20, [{ kind: 'step', at: 33 }], 'full'))
  assert.is(full.log, inc.log)
  assert.is(full.stdout, inc.stdout)
  const m = loadGolden('htif', 'rv64ima_zicsr')
  assert.ok(full.r.stats.pagesPerCheckpoint.every((n) => n >= m.memory.pages))
  assert.ok(inc.r.stats.pagesPerCheckpoint.some((n) => n < m.memory.pages))
})

test('the surviving machine is the uninterrupted run\'s final machine', () => {
  const x = released('htif', 'rv64ima_zicsr', options(5, [{ kind: 'step', at: 12 }]))
  assert.is(stdoutOf(x.r.machine), HTIF_STDOUT)
  assert.is(x.r.machine.htif.exitCode, 0)
})

test.run()
