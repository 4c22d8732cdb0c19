// Laws of pre-copy live migration (src/hypervisor/redundancy/migration.ts), on golden programs migrated at a
// random step with random bandwidth, downtime limit, round bound, instruction rate and auto-converge: it
// terminates within the round bound; at switchover the destination equals the source; and the log and exit
// of the migrated execution (the source's steps, then the destination's) are the unmigrated run's.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { migrate } from '../../../src/hypervisor/redundancy/migration.ts'
import { sameMachine } from '../../../src/hypervisor/redundancy/same-state.ts'
import { foldAdvance, loadGolden } from '../../../spec/hypervisor/redundancy/programs.ts'
import { fc, runs } from '../../fc.ts'

const PROGRAMS = [['htif', 'rv64ima_zicsr'], ['sv39', 'rv64ima_zicsr'], ['hvdemo', 'rv64imah_zicsr']] as const
const loaded = PROGRAMS.map(([name, isa]) => loadGolden(name, isa))
const whole = loaded.map((m) => { const r = foldAdvance(m, 50_000); return { log: r.trace, exit: r.machine.htif.exitCode } })

test('migration terminates within its round bound; at switchover the destination is the source; the migrated run is the unmigrated one', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: PROGRAMS.length - 1 }), fc.integer({ min: 0, max: 2500 }),
    fc.record({
      bandwidth: fc.integer({ min: 4096, max: 1 << 24 }), downtimeMs: fc.integer({ min: 0, max: 50 }), maxRounds: fc.integer({ min: 1, max: 8 }),
      autoConverge: fc.boolean(), insnRate: fc.integer({ min: 1000, max: 2_000_000 }),
    }),
    (p, at, o) => {
      const before = foldAdvance(loaded[p]!, at)
      const mig = migrate(before.machine, o, foldAdvance)
      assert.ok(mig.rounds.length >= 1 && mig.rounds.length <= o.maxRounds)
      assert.ok(sameMachine(mig.destination, mig.source))
      const after = foldAdvance(mig.destination, 50_000)
      assert.is(before.trace + mig.traces.join('') + after.trace, whole[p]!.log)
      assert.is(after.machine.htif.exitCode, whole[p]!.exit)
      if (mig.final.reason === 'converged') assert.ok(mig.final.downtimeMs <= o.downtimeMs + 1e-9)
    }), { numRuns: runs(25) })
})

// loop.elf writes a new page about every 4 000 steps and runs 20 M steps: a source that keeps dirtying
// memory, so rounds stop only at the bound (or converge under throttling); the logs are compared up to a horizon.
const loop = loadGolden('loop', 'rv64i_zicsr')
test('a source that keeps writing: migration stops at its round bound at the latest, the destination is the source, the log runs on unbroken', () => {
  let bounded = 0
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 20_000 }),
    fc.record({
      // Rounds of at most a few thousand steps (round 0's 20-odd pages at ≥ 8 MiB/s, ≤ 200 000 steps/s).
      bandwidth: fc.integer({ min: 8 << 20, max: 64 << 20 }), downtimeMs: fc.integer({ min: 0, max: 1 }), maxRounds: fc.integer({ min: 1, max: 6 }),
      autoConverge: fc.boolean(), insnRate: fc.integer({ min: 20_000, max: 200_000 }),
    }),
    (at, o) => {
      const before = foldAdvance(loop, at)
      const mig = migrate(before.machine, o, foldAdvance)
      assert.ok(mig.rounds.length >= 1 && mig.rounds.length <= o.maxRounds)
      if (mig.final.reason === 'max-rounds') { bounded++; assert.is(mig.rounds.length, o.maxRounds) }
      assert.ok(sameMachine(mig.destination, mig.source))
      const after = foldAdvance(mig.destination, 300)
      assert.is(before.trace + mig.traces.join('') + after.trace, foldAdvance(loop, at + mig.steps + after.steps).trace)
    }), { numRuns: runs(15) })
  assert.ok(bounded > 0, 'some migrations reach the round bound')
})

test.run()
