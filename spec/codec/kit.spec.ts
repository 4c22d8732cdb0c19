// The codec kit's value decoders (src/codec/): hex strings, bounded numbers, closed enums, exact
// objects and lists, and the one error line. Expected messages are the documented ones
// (README, "Decoding every input once"); expected values are worked by hand.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Hex32, Hex64, parseHex } from '../../src/codec/hex.ts'
import { bounded, intRange, numberFromText, rangeText, realRange } from '../../src/codec/numbers.ts'
import { Bool, oneOf } from '../../src/codec/enums.ts'
import { exact, list, nullable } from '../../src/codec/objects.ts'
import { decodeJsonText, decodeValue } from '../../src/codec/decode.ts'
import { describeError, fieldError, formatError, lineError } from '../../src/codec/errors.ts'
import type * as t from 'io-ts'

/** The decoded value, or the error line as `describeError` gives it. */
const run = <A>(codec: t.Decoder<unknown, A>, u: unknown): A | string => {
  const r = decodeValue(codec, u)
  return r._tag === 'Right' ? r.right : describeError(r.left)
}

test('hex: "0x", hex digits of either case, "_" only between two digits; at most the width', () => {
  assert.is(parseHex('0xffff_ffff_c000_0000', 64), 0xffff_ffff_c000_0000n)
  assert.is(parseHex('0xAbC', 64), 0xabcn)
  assert.is(parseHex('0x0000_0000_0000_0000_0001', 64), 1n)      // leading zeros do not count
  for (const bad of ['0x_1000', '0x1000_', '0x10__00', '0X10', '0x', '10', '0x1g', ' 0x1']) assert.is(parseHex(bad, 64), undefined, bad)
  assert.is(parseHex('0xffff_ffff_ffff_ffff', 64), 2n ** 64n - 1n)
  assert.is(parseHex('0x1_0000_0000_0000_0000', 64), undefined)
  assert.is(parseHex('0x1_0000_0000', 32), undefined)
})

test('hex codecs: a JSON number is refused with the reason; encoding is 0x and width/4 lower-case digits', () => {
  assert.is(run(Hex64, 4096), 'expected a 64-bit hex string like 0x8000_1000, got the number 4096 (64-bit values are written as hex strings)')
  assert.is(run(Hex64, '0x1_0000_0000_0000_0000'), '0x1_0000_0000_0000_0000 does not fit in 64 bits')
  assert.is(run(Hex64, '0x8000_1000'), 0x8000_1000n)
  assert.is(Hex64.encode(0xabcn), '0x0000000000000abc')
  assert.is(run(Hex32, '0x0000_0073'), 0x73)
  assert.is(Hex32.encode(0x73), '0x00000073')
})

test('bounded numbers: the range is in the message; NaN, infinities and non-integers stay out', () => {
  const r = bounded(intRange(1, 1000))
  assert.is(run(r, 1000), 1000)
  assert.is(run(r, 1001), 'expected an integer from 1 to 1000, got 1001')
  assert.is(run(r, 1.5), 'expected an integer from 1 to 1000, got 1.5')
  assert.is(run(r, '7'), 'expected an integer from 1 to 1000, got "7"')
  const p = bounded(realRange(0, 1, { maxOpen: true }))
  assert.is(run(p, 0), 0)
  assert.is(run(p, 1), 'expected a number in [0, 1), got 1')
  assert.is(rangeText(realRange(1, 2 ** 40, { minOpen: true })), 'a number in (1, 2^40]')
  assert.is(rangeText(intRange(0, 1_000_000)), 'an integer from 0 to 1000000')
  assert.is(rangeText(intRange(1, Number.MAX_SAFE_INTEGER)), 'an integer from 1 to 2^53 - 1')
  assert.is(rangeText(intRange(1, 2 ** 40 - 1)), 'an integer from 1 to 1099511627775')
})

test('numbers in flag text: decimal only, in range, quoted back in the message', () => {
  assert.equal(numberFromText(intRange(1, 10), ' 10 '), { _tag: 'Right', right: 10 })
  assert.equal(numberFromText(intRange(1, 10), '11'), { _tag: 'Left', left: "expected an integer from 1 to 10, got '11'" })
  for (const bad of ['0x10', '', 'Infinity', '1e', 'NaN', '1,5']) assert.is(numberFromText(realRange(-1e9, 1e9), bad)._tag, 'Left', bad)
  assert.equal(numberFromText(realRange(0, 1), '.5'), { _tag: 'Right', right: 0.5 })
})

test('closed enums: only the listed values, compared with ===', () => {
  const access = oneOf(['fetch', 'load', 'store'] as const)
  assert.is(run(access, 'load'), 'load')
  assert.is(run(access, 'read'), 'expected one of "fetch", "load", "store", got "read"')
  assert.is(run(oneOf([1, 2, 4, 8]), '8'), 'expected one of 1, 2, 4, 8, got "8"')
  assert.is(run(Bool, 1), 'expected true or false, got 1')
})

const Word = exact('a word', { addr: Hex64 }, { size: oneOf([1, 2, 4, 8]), note: nullable(Bool) })

test('exact objects: unknown and missing fields are named by their path; optional fields may be absent', () => {
  assert.equal(run(Word, { addr: '0x10' }), { addr: 0x10n })
  assert.is(run(Word, { addr: '0x10', sise: 4 }), 'field sise: unknown field (known: addr, size, note)')
  assert.is(run(Word, { size: 4 }), 'field addr: missing (expected a 64-bit hex string like 0x8000_1000)')
  assert.is(run(Word, [1]), 'expected a word, got [1]')
  assert.is(run(list(Word), [{ addr: '0x0' }, { addr: '0x0', size: 3 }]), 'field [1].size: expected one of 1, 2, 4, 8, got 3')
})

test('exact objects: "__proto__", "toString", "constructor", "hasOwnProperty" are unknown fields, not prototype lookups (issue 13 #7)', () => {
  for (const key of ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
    const r = decodeJsonText(Word, `{"addr": "0x1", "${key}": {}}`)
    assert.equal(r, { _tag: 'Left', left: fieldError(key, 'unknown field (known: addr, size, note)') }, key)
  }
  // nor does a prototype supply a required field
  const o = Object.create({ addr: '0x1' }) as object
  assert.is(run(Word, o), 'field addr: missing (expected a 64-bit hex string like 0x8000_1000)')
})

test('a key that is not a plain name is quoted in the path, so the error stays one line (a newline, a long key)', () => {
  // the key is the two characters x, newline
  assert.is(run(Word, { addr: '0x10', 'x\n': 1 }), 'field ["x\\n"]: unknown field (known: addr, size, note)')
  assert.is(run(list(Word), [{ addr: '0x0', 'a b': 1 }]), 'field [0]["a b"]: unknown field (known: addr, size, note)')
  const long = run(Word, { addr: '0x10', ['k'.repeat(5000)]: 1 })
  assert.ok(typeof long === 'string' && long.length < 120 && !long.includes('\n'))
})

test('lists: bounds on the number of entries', () => {
  assert.is(run(list(Bool, { min: 1 }), []), 'expected at least 1 entry, got an empty list')
  assert.is(run(list(Bool, { max: 2 }), [true, true, true]), 'expected at most 2 entries, got 3')
})

test('encoding an exact object writes its fields in schema order', () => {
  assert.equal(Object.keys(Word.encode({ note: null, size: 8, addr: 1n })), ['addr', 'size', 'note'])
})

test('the one error line: FILE:LINE:COL for located errors, FILE: field PATH for bad fields', () => {
  assert.is(formatError('x.json', fieldError('accesses[2].va', 'expected …')), 'x.json: field accesses[2].va: expected …')
  assert.is(formatError('x.json', fieldError('', 'expected a scenario')), 'x.json: expected a scenario')
  assert.is(formatError('t.csv', lineError(3, undefined, 'demand_kib: expected …')), 't.csv:3: demand_kib: expected …')
  const syntax = decodeJsonText(Bool, '[\n  tru]')
  assert.ok(syntax._tag === 'Left')
  assert.is(formatError('x.json', syntax.left), 'x.json:2:3: malformed JSON: expected a value (object, list, string, number, true, false or null)')
})

test.run()
