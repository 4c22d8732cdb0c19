// The JSONL trace record format (src/trace/jsonl.ts): hand-written JSON for hand-built events, and the
// decoder's error messages naming the bad field.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Retired, type Trapped } from '../../src/cpu/event.ts'
import { decodeTraceLine, encodeTraceLine, traceRecord } from '../../src/trace/jsonl.ts'

// `lw a0, 8(s0)` in VS-mode (priv 1, V = 1): a guest virtual address 0x1008, guest-physical
// 0x80201008, host-physical 0x90201008, read 0x12345678; one two-stage walk for the data access and a
// TLB hit for the fetch.
const lw: Retired = {
  _tag: 'Retired', pc: 0x1000n, bits: 0x00842503, length: 4, priv: 1, virt: true, rd: 10, rdValue: 0x12345678n, csrs: [],
  loads: [{ va: 0x1008n, gpa: 0x80201008n, pa: 0x90201008n, size: 4, value: 0x12345678n }], stores: [],
  xlate: { tlbHits: 1, walks: 1, twoStageWalks: 1 },
}
const lwJson = '{"order":42,"kind":"retired","pc":"0x0000000000001000","insn":"0x00842503","len":4,"priv":1,"v":true,' +
  '"x":[{"reg":10,"value":"0x0000000012345678"}],"csrs":[],' +
  '"loads":[{"va":"0x0000000000001008","gpa":"0x0000000080201008","pa":"0x0000000090201008","size":4,"value":"0x0000000012345678"}],' +
  '"stores":[],"xlate":{"tlbHits":1,"walks":1,"twoStageWalks":1}}\n'

// A load guest-page fault (cause 21) in VS-mode, taken to HS: tval = the GVA 0x2010, htval = GPA >> 2
// = 0x100002010 >> 2 = 0x40000804, htinst 0, GVA set.
const fault: Trapped = {
  _tag: 'Trapped', pc: 0x80000100n, bits: 0x01053503, priv: 1, virt: true,
  trap: { cause: 21n, tval: 0x2010n, tval2: 0x40000804n, tinst: 0n, gva: true }, target: 'HS',
  xlate: { tlbHits: 1, walks: 1, twoStageWalks: 1 },
}
const faultJson = '{"order":43,"kind":"trap","pc":"0x0000000080000100","insn":"0x01053503","priv":1,"v":true,' +
  '"interrupt":false,"cause":21,"tval":"0x0000000000002010","tval2":"0x0000000040000804","tinst":"0x0000000000000000",' +
  '"gva":true,"target":"HS","xlate":{"tlbHits":1,"walks":1,"twoStageWalks":1}}\n'

test('a retired VS-mode load is written with its GVA, GPA and PA, 64-bit values as 16-digit hex', () => {
  assert.is(encodeTraceLine(lw, 42), lwJson)
})

test('a guest-page fault is written with its cause, tval, htval (tval2), tinst, GVA and target', () => {
  assert.is(encodeTraceLine(fault, 43), faultJson)
})

test('an interrupt is written with interrupt = true and the code without bit 63', () => {
  // Machine timer interrupt: mcause = 2^63 | 7.
  const timer: Trapped = { ...fault, bits: undefined, priv: 3, virt: false, trap: { cause: (1n << 63n) | 7n, tval: 0n, tval2: 0n, tinst: 0n, gva: false }, target: 'M' }
  const line = encodeTraceLine(timer, 1)
  assert.ok(line.includes('"insn":null,"priv":3,"v":false,"interrupt":true,"cause":7,'), line)
})

test('a wait is written with its pc only', () => {
  assert.is(encodeTraceLine({ _tag: 'Waiting', pc: 0x80000010n }, 9), '{"order":9,"kind":"wait","pc":"0x0000000080000010"}\n')
})

test('a compressed instruction: 16 bits and len 2; a V = 0 access has gpa null; CSR writes carry the CSR name', () => {
  // c.sd a0, 0(sp) = 0xe02a; csrw mscratch (0x340).
  const ev: Retired = {
    _tag: 'Retired', pc: 0x80000000n, bits: 0xe02a, length: 2, priv: 3, virt: false, rd: 0, rdValue: 0n,
    csrs: [[0x340, 5n]], loads: [], stores: [{ va: 0x80001000n, gpa: undefined, pa: 0x80001000n, value: 0xffn, size: 8 }],
    xlate: { tlbHits: 0, walks: 0, twoStageWalks: 0 },
  }
  assert.is(encodeTraceLine(ev, 1), '{"order":1,"kind":"retired","pc":"0x0000000080000000","insn":"0x0000e02a","len":2,"priv":3,"v":false,' +
    '"x":[],"csrs":[{"csr":832,"name":"mscratch","value":"0x0000000000000005"}],"loads":[],' +
    '"stores":[{"va":"0x0000000080001000","gpa":null,"pa":"0x0000000080001000","size":8,"value":"0x00000000000000ff"}],' +
    '"xlate":{"tlbHits":0,"walks":0,"twoStageWalks":0}}\n')
})

test('decoding the hand-written lines gives the records of the events', () => {
  assert.equal(decodeTraceLine(lwJson), { _tag: 'Right', right: traceRecord(lw, 42) })
  assert.equal(decodeTraceLine(faultJson), { _tag: 'Right', right: traceRecord(fault, 43) })
})

test('decoding reads 1 to 16 hex digits of either case after "0x"', () => {
  assert.equal(decodeTraceLine('{"kind":"wait","pc":"0xAbC","order":3}'), { _tag: 'Right', right: { order: 3, kind: 'wait', pc: 0xabcn } })
})

test('decoding reads "_" between hex digits (the one Hex64 of every decoder) and refuses an upper-case "0X"', () => {
  assert.equal(decodeTraceLine('{"order":1,"kind":"wait","pc":"0x8000_0010"}'), { _tag: 'Right', right: { order: 1, kind: 'wait', pc: 0x8000_0010n } })
  assert.is(decodeTraceLine('{"order":1,"kind":"wait","pc":"0X10"}')._tag, 'Left')
})

const errorOf = (line: string): string => {
  const r = decodeTraceLine(line)
  return r._tag === 'Left' ? r.left : 'decoded'
}

test('a decoding error names the field: a 64-bit value given as a JSON number', () => {
  assert.is(errorOf(lwJson.replace('"pa":"0x0000000090201008"', '"pa":12')), 'field loads[0].pa: expected a 64-bit hex string like 0x8000_1000, got the number 12 (64-bit values are written as hex strings)')
})

test('a decoding error names the field: a value wider than 64 bits', () => {
  assert.is(errorOf(faultJson.replace('"tval":"0x0000000000002010"', '"tval":"0x10000000000000000"')),
    'field tval: 0x10000000000000000 does not fit in 64 bits')
})

test('a decoding error names the field: a missing field', () => {
  assert.is(errorOf('{"order":1,"kind":"wait"}'), 'field pc: missing (expected a 64-bit hex string like 0x8000_1000)')
})

test('a decoding error names the field: an unknown field', () => {
  assert.match(errorOf('{"order":1,"kind":"wait","pc":"0x0","pcc":"0x0"}'), /^field pcc: unknown field/)
})

test('a decoding error names the field: an unknown kind, a bad target, a bad privilege', () => {
  assert.is(errorOf('{"order":1,"kind":"halt","pc":"0x0"}'), 'field kind: expected "retired", "trap", "wait", "call" or "return", got "halt"')
  assert.is(errorOf(faultJson.replace('"target":"HS"', '"target":"S"')), 'field target: expected one of "M", "HS", "VS", got "S"')
  assert.is(errorOf(lwJson.replace('"priv":1', '"priv":2')), 'field priv: expected one of 3, 1, 0, got 2')
})

test('a line that is not JSON, or not an object, is refused', () => {
  assert.is(errorOf('{"order":1'), "1:11: malformed JSON: expected ',' or '}' after a field value")
  assert.is(errorOf('[1]'), 'expected a trace record (a JSON object), got [1]')
})

test.run()
