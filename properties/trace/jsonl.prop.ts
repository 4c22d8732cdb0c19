// Laws of the JSONL trace codec: decoding what was encoded gives back the record; one event is one
// line; a reader may reorder a record's keys.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { type MemRead, type Retired, type StepEvent, type Trapped, type TranslationCounts } from '../../src/cpu/event.ts'
import { type Priv } from '../../src/cpu/hart.ts'
import { decodeTraceLine, encodeTraceLine, traceRecord } from '../../src/trace/jsonl.ts'

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const priv = fc.constantFrom<Priv>(0, 1, 3)
const xlate: fc.Arbitrary<TranslationCounts> = fc.record({ tlbHits: fc.nat(4), walks: fc.nat(4), twoStageWalks: fc.nat(4) })
const access: fc.Arbitrary<MemRead> = fc.record({
  va: u64, gpa: fc.option(u64, { nil: undefined }), pa: u64, size: fc.constantFrom(1, 2, 4, 8), value: u64,
})

const retired: fc.Arbitrary<Retired> = fc.record({
  _tag: fc.constant('Retired' as const), pc: u64, length: fc.constantFrom<2 | 4>(2, 4), priv, virt: fc.boolean(),
  rd: fc.integer({ min: 0, max: 31 }), rdValue: u64,
  csrs: fc.uniqueArray(fc.integer({ min: 0, max: 4095 }), { maxLength: 3 }).chain((ns) =>
    fc.tuple(...ns.map((n) => fc.tuple(fc.constant(n), u64))).map((ps) => ps.sort((a, b) => a[0] - b[0]))),
  loads: fc.array(access, { maxLength: 2 }), stores: fc.array(access, { maxLength: 2 }), xlate,
  bits: fc.integer({ min: 0, max: 0xffff }),
}).chain((r) => (r.length === 2 ? fc.constant(r) : fc.integer({ min: 0, max: 0xffffffff }).map((bits) => ({ ...r, bits }))))
  .map((r) => (r.rd === 0 ? { ...r, rdValue: 0n } : r))

const trapped: fc.Arbitrary<Trapped> = fc.record({
  _tag: fc.constant('Trapped' as const), pc: u64, bits: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
  priv, virt: fc.boolean(),
  trap: fc.record({
    cause: fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 63 })).map(([i, c]) => (i ? 1n << 63n : 0n) | BigInt(c)),
    tval: u64, tval2: u64, tinst: u64, gva: fc.boolean(),
  }),
  target: fc.constantFrom('M' as const, 'HS' as const, 'VS' as const), xlate,
})

const event: fc.Arbitrary<StepEvent> = fc.oneof(retired, trapped, fc.record({ _tag: fc.constant('Waiting' as const), pc: u64 }))
const order = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })

test('decode ∘ encode = the record: every event, every order', () => {
  fc.assert(fc.property(event, order, (ev, n) => {
    assert.equal(decodeTraceLine(encodeTraceLine(ev, n)), { _tag: 'Right', right: traceRecord(ev, n) })
  }), { numRuns: runs(500) })
})

test('one line per event: the encoding ends in exactly one newline and has no other', () => {
  fc.assert(fc.property(event, order, (ev, n) => {
    const line = encodeTraceLine(ev, n)
    assert.is(line.indexOf('\n'), line.length - 1)
  }), { numRuns: runs(200) })
})

test('decoding does not depend on the order of the keys in the line', () => {
  fc.assert(fc.property(event, order, (ev, n) => {
    const line = encodeTraceLine(ev, n)
    const reversed = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(line) as object).reverse()))
    const r = decodeTraceLine(reversed)
    assert.equal(r, { _tag: 'Right', right: traceRecord(ev, n) })
  }), { numRuns: runs(200) })
})

test.run()
