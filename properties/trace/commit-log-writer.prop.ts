// The byte-oriented commit-log writer (src/trace/engine/commit-log-writer.ts) writes exactly what the readable
// definition `commitLine` (src/trace/commit-log.ts) writes: for any sequence of step events (random
// ones, with CSR numbers low enough to sort between integer registers, and the events of real runs),
// for any buffer size, and for the lines a compiled block writes itself.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { type MemRead, type MemWrite, type Retired, type StepEvent, NO_TRANSLATIONS } from '../../src/cpu/event.ts'
import { type Priv } from '../../src/cpu/hart.ts'
import { commitLine } from '../../src/trace/commit-log.ts'
import { CommitLogWriter } from '../../src/trace/engine/commit-log-writer.ts'
import { foldSteps } from '../../src/machine/run.ts'
import { runFast } from '../../src/machine/engine/run.ts'
import { arbLoopMachine, arbProgramMachine } from '../../spec/cpu/arbitraries.ts'
import { arbEngineMachine } from '../cpu/engine-arbitraries.ts'

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const size = fc.constantFrom(1, 2, 4, 8)
const masked = (v: bigint, n: number): bigint => v & ((1n << BigInt(8 * n)) - 1n)
const arbRead: fc.Arbitrary<MemRead> = fc.record({ va: u64, gpa: fc.constant(undefined), pa: u64, size, value: u64 })
const arbWrite: fc.Arbitrary<MemWrite> = fc.tuple(u64, size, u64).map(([va, n, v]) => ({ va, gpa: undefined, pa: va, size: n, value: masked(v, n) }))
// CSR numbers from 1 (fflags: key 0x14, between x1 and x2) to 0xfff, ascending as step reports them.
const arbCsrs = fc.uniqueArray(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 0xfff })), { maxLength: 4 })
  .chain((ns) => fc.tuple(...[...ns].sort((a, b) => a - b).map((n) => fc.tuple(fc.constant(n), u64))))

const arbRetired: fc.Arbitrary<Retired> = fc.record({
  pc: u64, length: fc.constantFrom<2 | 4>(2, 4), bits: fc.nat(0xffff_ffff), priv: fc.constantFrom<Priv>(0, 1, 3), virt: fc.boolean(),
  rd: fc.nat(31), rdValue: u64, csrs: arbCsrs, loads: fc.array(arbRead, { maxLength: 2 }), stores: fc.array(arbWrite, { maxLength: 2 }),
}).map((r) => ({ _tag: 'Retired', ...r, bits: r.length === 2 ? r.bits & 0xffff : r.bits, xlate: NO_TRANSLATIONS }))
const arbEvent: fc.Arbitrary<StepEvent> = fc.oneof(
  { weight: 8, arbitrary: arbRetired },
  { weight: 1, arbitrary: u64.map((pc): StepEvent => ({ _tag: 'Waiting', pc })) },
)

/** A writer that collects what it flushes, as text, with a buffer of `capacity` bytes. */
const collecting = (capacity?: number): { writer: CommitLogWriter; text: () => string } => {
  const parts: string[] = []
  const writer = new CommitLogWriter((b, n) => parts.push(Buffer.from(b.subarray(0, n)).toString('latin1')), capacity)
  return { writer, text: () => { writer.flush(); return parts.join('') } }
}

test('writer ≡ commitLine on random events, with any buffer size', () => {
  fc.assert(fc.property(fc.array(arbEvent, { maxLength: 60 }), fc.option(fc.integer({ min: 1, max: 600 })), (evs, cap) => {
    const { writer, text } = collecting(cap ?? undefined)
    for (const ev of evs) writer.push(ev)
    assert.is(text(), evs.map(commitLine).join(''))
  }), { numRuns: runs(400) })
})

test('writer ≡ commitLine on the events of real runs (traps, CSR writes, AMOs, every mode)', () => {
  fc.assert(fc.property(fc.oneof(arbProgramMachine, arbLoopMachine), fc.integer({ min: 1, max: 200 }), (m, n) => {
    const evs: StepEvent[] = []
    foldSteps(m, { maxSteps: n }, { event: (ev) => evs.push(ev) })
    const { writer, text } = collecting(256)
    for (const ev of evs) writer.push(ev)
    assert.is(text(), evs.map(commitLine).join(''))
  }), { numRuns: runs(150) })
})

test('a logged fast run (compiled blocks write their own lines) ≡ commitLine of the fold\'s events', () => {
  fc.assert(fc.property(fc.oneof(arbEngineMachine, arbLoopMachine), fc.integer({ min: 1, max: 3000 }), fc.option(fc.integer({ min: 1, max: 2000 })), (m, n, cap) => {
    const evs: string[] = []
    const slow = foldSteps(m, { maxSteps: n }, { event: (ev) => evs.push(commitLine(ev)) })
    const { writer, text } = collecting(cap ?? undefined)
    const fast = runFast(m, { maxSteps: n }, { commits: writer })
    assert.is(fast.steps, slow.steps)
    assert.is(text(), evs.join(''))
  }), { numRuns: runs(250) })
})

test.run()
