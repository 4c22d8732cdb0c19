// The byte-oriented commit-log writer (src/trace/engine/commit-log-writer.ts) writes exactly what the readable
// definition `commitLine` (src/trace/commit-log.ts) writes: for any sequence of step events (random
// ones, with CSR numbers low enough to sort between integer registers, traps, and the events of real runs),
// for any buffer size, and for the lines a compiled block writes itself (through the sink's block calls
// directly, with blocks left early and step events between them, and in logged fast runs with
// translation off, under Sv39/48/57 and under two-stage translation).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { type MemRead, type MemWrite, type Retired, type StepEvent, NO_TRANSLATIONS } from '../../src/cpu/event.ts'
import { type Priv } from '../../src/cpu/hart.ts'
import { commitLine } from '../../src/trace/commit-log.ts'
import { CommitLogWriter } from '../../src/trace/engine/commit-log-writer.ts'
import { foldSteps } from '../../src/machine/run.ts'
import { type Machine } from '../../src/machine/machine.ts'
import { runFast } from '../../src/machine/engine/run.ts'
import { arbLoopMachine, arbProgramMachine } from '../../spec/cpu/arbitraries.ts'
import { arbEngineMachine } from '../cpu/engine-arbitraries.ts'
import { arbXlateMachine } from '../cpu/engine-xlate-arbitraries.ts'
import { type LineShape } from '../../src/cpu/commit-sink.ts'
import { trap } from '../../src/cpu/trap.ts'

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
const arbTrapped: fc.Arbitrary<StepEvent> = fc.record({
  pc: u64, bits: fc.option(fc.nat(0xffff_ffff), { nil: undefined }), priv: fc.constantFrom<Priv>(0, 1, 3), virt: fc.boolean(),
  cause: fc.nat(23).map(BigInt), tval: u64, target: fc.constantFrom<'M' | 'HS' | 'VS'>('M', 'HS', 'VS'),
}).map((t): StepEvent => ({ _tag: 'Trapped', pc: t.pc, bits: t.bits, priv: t.priv, virt: t.virt, trap: trap(t.cause, t.tval), target: t.target, xlate: NO_TRANSLATIONS }))
const arbEvent: fc.Arbitrary<StepEvent> = fc.oneof(
  { weight: 8, arbitrary: arbRetired },
  { weight: 1, arbitrary: arbTrapped },
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

/** A logged fast run of n steps writes what commitLine writes for the fold's events (and makes as many steps). */
const loggedRunMatches = (m: Machine, n: number, cap: number | null): void => {
  const evs: string[] = []
  const slow = foldSteps(m, { maxSteps: n }, { event: (ev) => evs.push(commitLine(ev)) })
  const { writer, text } = collecting(cap ?? undefined)
  const fast = runFast(m, { maxSteps: n }, { commits: writer })
  assert.is(fast.steps, slow.steps)
  assert.is(text(), evs.join(''))
}

test('a logged fast run (compiled blocks write their own lines) ≡ commitLine of the fold\'s events', () => {
  fc.assert(fc.property(fc.oneof(arbEngineMachine, arbLoopMachine), fc.integer({ min: 1, max: 3000 }), fc.option(fc.integer({ min: 1, max: 2000 })),
    loggedRunMatches), { numRuns: runs(250) })
})

// ---- the block calls, against commitLine ------------------------------------------------------------------

/** A compiled block's instruction as the sink sees it: its fixed part and the shape of its line's items. */
interface BlockInsn { readonly priv: Priv; readonly pc: bigint; readonly bits: number; readonly length: 2 | 4; readonly shape: LineShape }
const arbShape: fc.Arbitrary<LineShape> = fc.oneof(
  fc.constant<LineShape>({ kind: 'none' }),
  fc.integer({ min: 1, max: 31 }).map((rd): LineShape => ({ kind: 'rd', rd })),
  fc.integer({ min: 1, max: 31 }).map((rd): LineShape => ({ kind: 'load', rd })),
  fc.constant<LineShape>({ kind: 'mem' }),
  size.map((n): LineShape => ({ kind: 'store', size: n })),
)
const arbBlockInsn: fc.Arbitrary<BlockInsn> = fc.record({
  priv: fc.constantFrom<Priv>(0, 1, 3), pc: u64, bits: fc.nat(0xffff_ffff), length: fc.constantFrom<2 | 4>(2, 4), shape: arbShape,
}).map((i) => ({ ...i, bits: i.length === 2 ? i.bits & 0xffff : i.bits }))
/** What one executed line reads: the register's value, the address (below 2^53), store data's source register. */
interface Values { readonly v: bigint; readonly va: number; readonly rs2: number }
const arbValues: fc.Arbitrary<Values> = fc.record({ v: u64, va: fc.maxSafeNat(), rs2: fc.nat(31) })
/** What the log sees between blocks: a run of a block's first `count` lines, a step's event, or a flush. */
type Part =
  | { readonly _tag: 'block'; readonly block: number; readonly count: number; readonly values: readonly Values[] }
  | { readonly _tag: 'event'; readonly ev: StepEvent }
  | { readonly _tag: 'flush' }
const arbPart: fc.Arbitrary<Part> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ block: fc.nat(), count: fc.integer({ min: 1, max: 12 }), values: fc.array(arbValues, { minLength: 12, maxLength: 12 }) }).map((b): Part => ({ _tag: 'block', ...b })) },
  { weight: 2, arbitrary: arbEvent.map((ev): Part => ({ _tag: 'event', ev })) },
  { weight: 1, arbitrary: fc.constant<Part>({ _tag: 'flush' }) },
)

/** The event of a block line executed with `values`, as `step` would report it. */
const blockEvent = (i: BlockInsn, { v, va, rs2 }: Values): StepEvent => {
  const s = i.shape
  const at = BigInt(va)
  const data = rs2 === 0 ? 0n : v
  return {
    _tag: 'Retired', pc: i.pc, bits: i.bits, length: i.length, priv: i.priv, virt: false, csrs: [], xlate: NO_TRANSLATIONS,
    rd: s.kind === 'rd' || s.kind === 'load' ? s.rd : 0, rdValue: v,
    loads: s.kind === 'load' || s.kind === 'mem' ? [{ va: at, gpa: undefined, pa: at, size: 8, value: 0n }] : [],
    stores: s.kind === 'store' ? [{ va: at, gpa: undefined, pa: at, size: s.size, value: masked(data, s.size) }] : [],
  }
}

test('block lines (runs of a block\'s lines, left early, with events and flushes between) ≡ commitLine of their events', () => {
  fc.assert(fc.property(fc.array(fc.array(arbBlockInsn, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
    fc.array(arbPart, { maxLength: 40 }), fc.option(fc.integer({ min: 1, max: 20_000 })), (blocks, parts, cap) => {
      const { writer, text } = collecting(cap ?? undefined)
      const prefixes = blocks.map((b) => b.map((i, k) => writer.prefix(i.priv, i.pc, i.bits, i.length, i.shape, k)))
      const regs = new BigUint64Array(32)
      const x32 = new Uint32Array(regs.buffer)
      const expected: string[] = []
      for (const part of parts) {
        if (part._tag === 'flush') { writer.flush(); continue }
        if (part._tag === 'event') { writer.push(part.ev); expected.push(commitLine(part.ev)); continue }
        const b = part.block % blocks.length
        for (let k = 0; k < Math.min(part.count, blocks[b]!.length); k++) {
          const i = blocks[b]![k]!, p = prefixes[b]![k]!, values = part.values[k]!
          const s = i.shape
          expected.push(commitLine(blockEvent(i, values)))
          if (s.kind === 'none') writer.line(p)
          else if (s.kind === 'rd') { regs[s.rd] = values.v; writer.lineRd(p, x32, s.rd) }
          else if (s.kind === 'load') { regs[s.rd] = values.v; writer.lineLoad(p, x32, s.rd, values.va) }
          else if (s.kind === 'mem') writer.lineMem(p, values.va)
          else { if (values.rs2 !== 0) regs[values.rs2] = values.v; writer.lineStore(p, x32, values.rs2, s.size, values.va) }
          regs[0] = 0n
        }
      }
      assert.is(text(), expected.join(''))
    }), { numRuns: runs(400) })
})

test('a logged fast run under translation (S, U, VS, VU, MPRV; Sv39/48/57, G-stage Sv39x4/48x4) ≡ commitLine of the fold\'s events', () => {
  fc.assert(fc.property(arbXlateMachine, fc.integer({ min: 1, max: 1500 }), fc.option(fc.integer({ min: 1, max: 20_000 })),
    loggedRunMatches), { numRuns: runs(150) })
})

test.run()
