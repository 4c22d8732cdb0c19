// Laws of checkpointing and failover (src/hypervisor/redundancy/), on golden programs with random
// checkpoint intervals and random faults (after any step, during any checkpoint copy, repeated):
// - after each commit the backup holds the primary's state at that checkpoint;
// - incremental checkpoints ≡ full ones (the same backups, the same releases);
// - no committed state and no released output is lost or duplicated: the releases, concatenated, are the
//   uninterrupted run's commit log, HTIF output and exit (once), and every failover resumes at the last commit.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Fault, type RedundancyEvent, type RedundancyOptions, protectedRun } from '../../../src/hypervisor/redundancy/failover.ts'
import { sameMachine } from '../../../src/hypervisor/redundancy/same-state.ts'
import { type Machine } from '../../../src/machine/machine.ts'
import { foldAdvance, loadGolden } from '../../../spec/hypervisor/redundancy/programs.ts'
import { fc, runs } from '../../fc.ts'

const PROGRAMS: readonly (readonly [string, string])[] = [['htif', 'rv64ima_zicsr'], ['basics', 'rv64imac_zicsr_zifencei_zicntr'], ['traps', 'rv64ima_zicsr']]
const loaded = PROGRAMS.map(([name, isa]) => loadGolden(name, isa))
const uninterrupted = loaded.map((m) => {
  const r = foldAdvance(m, 50_000)
  return { log: r.trace, steps: r.steps, output: text(r.machine), exit: r.machine.htif.exitCode }
})
function text(m: Machine): string { return m.htif.output.map((w) => `${w.fd}:${Buffer.from(w.bytes).toString('latin1')}`).join('') }

const faultArb = (steps: number): fc.Arbitrary<Fault> => fc.oneof(
  fc.integer({ min: 0, max: steps + 5 }).map((at): Fault => ({ kind: 'step', at })),
  fc.record({ kind: fc.constant('copy' as const), at: fc.integer({ min: 0, max: steps + 5 }), after: fc.integer({ min: 0, max: 6 }) }),
)
const scenarioArb = fc.integer({ min: 0, max: PROGRAMS.length - 1 }).chain((p) => fc.record({
  p: fc.constant(p),
  every: fc.integer({ min: 1, max: 120 }),
  // Sometimes on simulated time: every 1 to 200 mtime ticks (a chunk end ticks 50: traps end chunks here).
  everyTicks: fc.option(fc.bigInt({ min: 1n, max: 200n }), { nil: undefined }),
  // Repeated faults: some drawn twice on purpose.
  faults: fc.array(faultArb(uninterrupted[p]!.steps), { maxLength: 5 }).chain((fs) => fc.subarray(fs).map((again) => [...fs, ...again])),
}))

const protect = (p: number, every: number, faults: readonly Fault[], mode: RedundancyOptions['mode'], everyTicks?: bigint) => {
  const events: RedundancyEvent<string>[] = []
  const r = protectedRun(loaded[p]!, { every, mode, faults, maxSteps: 50_000, bandwidth: 1 << 30, ...(everyTicks === undefined ? {} : { everyTicks }) }, foldAdvance, (e) => events.push(e))
  return { r, events }
}

test('after each commit the backup holds the primary\'s state at that checkpoint (memory by contents, hart, CSRs, TLB, devices, HTIF)', () => {
  fc.assert(fc.property(scenarioArb, fc.constantFrom('full' as const, 'incremental' as const), ({ p, every, everyTicks, faults }, mode) => {
    const { events } = protect(p, every, faults, mode, everyTicks)
    for (const e of events) if (e._tag === 'Checkpoint') assert.ok(sameMachine(e.backup, e.primary), `checkpoint ${e.index} at ${e.position}`)
  }), { numRuns: runs(25) })
})

test('incremental ≡ full: the same checkpoints, backups of the same state, the same releases', () => {
  fc.assert(fc.property(scenarioArb, ({ p, every, everyTicks, faults }) => {
    const inc = protect(p, every, faults, 'incremental', everyTicks), full = protect(p, every, faults, 'full', everyTicks)
    const shape = (es: readonly RedundancyEvent<string>[]) => es.map((e) => e._tag === 'Checkpoint' ? `C${e.position}` : e._tag === 'Failover' ? `F${e.position}>${e.resumeAt}` : `R${e.position}:${e.traces.join('').length}`)
    assert.equal(shape(inc.events), shape(full.events))
    const backups = (es: readonly RedundancyEvent<string>[]) => es.flatMap((e) => e._tag === 'Checkpoint' ? [e.backup] : [])
    const bi = backups(inc.events), bf = backups(full.events)
    bi.forEach((b, i) => assert.ok(sameMachine(b, bf[i]!), `checkpoint ${i + 1}`))
    assert.ok(inc.r.stats.pagesPerCheckpoint.every((n, i) => n <= full.r.stats.pagesPerCheckpoint[i]!))
  }), { numRuns: runs(20) })
})

test('under random faults nothing committed or released is lost or duplicated: the releases are the uninterrupted run, each failover resumes at the last commit', () => {
  fc.assert(fc.property(scenarioArb, fc.constantFrom('full' as const, 'incremental' as const), ({ p, every, everyTicks, faults }, mode) => {
    const { r, events } = protect(p, every, faults, mode, everyTicks)
    const want = uninterrupted[p]!
    const releases = events.flatMap((e) => e._tag === 'Release' ? [e] : [])
    assert.is(releases.map((e) => e.traces.join('')).join(''), want.log)
    assert.is(releases.map((e) => e.output.map((w) => `${w.fd}:${Buffer.from(w.bytes).toString('latin1')}`).join('')).join(''), want.output)
    assert.equal(releases.flatMap((e) => e.exitCode === undefined ? [] : [e.exitCode]), [want.exit])
    assert.ok(releases.every((e, i) => i === 0 || e.position > releases[i - 1]!.position))   // commits only move forward
    let committed = 0
    for (const e of events) {
      if (e._tag === 'Checkpoint') committed = e.position
      if (e._tag === 'Failover') assert.is(e.resumeAt, committed)
    }
    assert.is(r.steps, want.steps)
    assert.is(r.stats.failovers, events.filter((e) => e._tag === 'Failover').length)
  }), { numRuns: runs(40) })
})

test('on simulated time, a checkpoint is taken once mtime has advanced the interval since the last commit, and not before (the last one aside: the run\'s end)', () => {
  fc.assert(fc.property(scenarioArb, fc.bigInt({ min: 1n, max: 200n }), ({ p, every, faults }, ticks) => {
    const { events } = protect(p, every, faults, 'incremental', ticks)
    // A failover resumes from the last commit, whose mtime stays the reference.
    let last = loaded[p]!.devices.clint.mtime
    const checkpoints = events.flatMap((e) => (e._tag === 'Checkpoint' ? [e] : []))
    checkpoints.forEach((e, i) => {
      const now = e.primary.devices.clint.mtime
      if (i < checkpoints.length - 1) assert.ok(now - last >= ticks, `checkpoint ${e.index}: mtime ${now} after ${last}`)
      last = now
    })
  }), { numRuns: runs(25) })
})

test.run()
