// The codec kit's JSON parser (src/codec/json.ts), RFC 8259: a value or one error located by line and
// column, never a thrown exception; nesting is limited; object keys are own keys only.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_MAX_DEPTH, parseJson, lineColumn } from '../../src/codec/json.ts'

const where = (text: string, maxDepth?: number): { line: number; column: number; offset: number; expected: string } | 'ok' => {
  const r = parseJson(text, maxDepth)
  return r._tag === 'Right' ? 'ok' : { line: r.left.line, column: r.left.column, offset: r.left.offset, expected: r.left.expected }
}

const A_VALUE = 'a value (object, list, string, number, true, false or null)'

test('RFC 8259 §2: a text is one value with insignificant whitespace (space, tab, LF, CR) around it', () => {
  assert.is(where(' {"a": [1, -2.5e3, true, null, "\\u00e9"]} \r\n\t'), 'ok')
  assert.equal(where('{"a": 1} x'), { line: 1, column: 10, offset: 9, expected: 'the end of the input after the JSON value' })
  assert.equal(where(''), { line: 1, column: 1, offset: 0, expected: 'a value before the end of the input' })
  // U+00A0 and form feed are not JSON whitespace
  assert.equal(where('\f1'), { line: 1, column: 1, offset: 0, expected: A_VALUE })
})

test('errors are located: line 1 "{\\n" is offsets 0-1, line 2 is 20 characters (2-21), line 3 starts at 22; its "}" is at 22 + 16 = 38', () => {
  assert.equal(where('{\n  "privilege": "S",\n  "accesses": [ }\n'), { line: 3, column: 17, offset: 38, expected: A_VALUE })
})

test('RFC 8259 §5: a trailing comma in a list is not a value', () => {
  assert.equal(where('{"a": [1, 2,]}'), { line: 1, column: 13, offset: 12, expected: A_VALUE })
})

test('RFC 8259 §4: object members are "name": value, names are strings, separated by commas', () => {
  assert.equal(where('{a: 1}'), { line: 1, column: 2, offset: 1, expected: 'a field name in double quotes' })
  assert.equal(where('{"a" 1}'), { line: 1, column: 6, offset: 5, expected: "':' after the field name" })
  assert.equal(where('{"a": 1 "b": 2}'), { line: 1, column: 9, offset: 8, expected: "',' or '}' after a field value" })
  assert.equal(where('{"a": 1,}'), { line: 1, column: 9, offset: 8, expected: 'a field name in double quotes' })
})

test('RFC 8259 §7: strings end with a quote, hold no control character, and escape only " \\ / b f n r t uXXXX', () => {
  assert.equal(where('{"a": "b'), { line: 1, column: 9, offset: 8, expected: 'a closing " before the end of the input' })
  assert.equal(where('"a\tb"'), { line: 1, column: 3, offset: 2, expected: 'no control character inside a string (end the string with ")' })
  assert.equal(where('"\\x"'), { line: 1, column: 3, offset: 2, expected: 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)' })
  assert.equal(where('"\\u12g4"'), { line: 1, column: 4, offset: 3, expected: '4 hex digits after \\u' })
  const r = parseJson('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"')
  assert.equal(r, { _tag: 'Right', right: '"\\/\b\f\n\r\t\u00e9\u{1f600}' })
})

test('RFC 8259 §6: numbers have no leading zeros, no leading "+", digits on both sides of "."', () => {
  for (const bad of ['01', '+1', '1.', '.5', '1e', '-']) assert.type(where(bad), 'object', bad)
  assert.equal(parseJson('[0, -0, 1.5e2, 2E-1]'), { _tag: 'Right', right: [0, -0, 150, 0.2] })
})

test('nesting deeper than the limit (64 by default) is an error at the bracket that goes too deep, not a stack overflow', () => {
  assert.is(DEFAULT_MAX_DEPTH, 64)
  assert.is(where('['.repeat(64) + ']'.repeat(64)), 'ok')
  assert.equal(where('['.repeat(65) + ']'.repeat(65)), { line: 1, column: 65, offset: 64, expected: 'at most 64 nested lists and objects' })
  // issue 13 #4: 5 000 levels crashed the CLI with a stack trace; a million is one error value
  assert.equal(where('{"a":'.repeat(5000) + '1' + '}'.repeat(5000)), { line: 1, column: 321, offset: 320, expected: 'at most 64 nested lists and objects' })
  assert.type(where('['.repeat(1_000_000)), 'object')
  assert.equal(where('[[[1]]]', 2), { line: 1, column: 3, offset: 2, expected: 'at most 2 nested lists and objects' })
})

test('keys that exist on every JS object ("__proto__", "toString") are own keys of a prototype-less object', () => {
  const r = parseJson('{"__proto__": {"polluted": 1}, "toString": 2}')
  if (r._tag === 'Left') return assert.unreachable('valid JSON')
  const o = r.right as Record<string, unknown>
  assert.is(Object.getPrototypeOf(o), null)
  assert.equal(Object.keys(o), ['__proto__', 'toString'])
  assert.equal(Object.entries(o).map(([k, v]) => [k, typeof v]), [['__proto__', 'object'], ['toString', 'number']])
  assert.is(({} as Record<string, unknown>)['polluted'], undefined)
  assert.not.ok('constructor' in o)
})

test('a later duplicate key replaces an earlier one (as JSON.parse does)', () => {
  const r = parseJson('{"a": 1, "b": 0, "a": 2}')
  if (r._tag === 'Left') return assert.unreachable('valid JSON')
  assert.equal(Object.entries(r.right as object), [['a', 2], ['b', 0]])
})

test('lineColumn: lines end at "\\n"; columns count UTF-16 code units from 1', () => {
  assert.equal(lineColumn('ab\ncd\n', 0), { line: 1, column: 1 })
  assert.equal(lineColumn('ab\ncd\n', 3), { line: 2, column: 1 })
  assert.equal(lineColumn('ab\ncd\n', 5), { line: 2, column: 3 })
  assert.equal(lineColumn('ab\ncd\n', 6), { line: 3, column: 1 })
})

test.run()
