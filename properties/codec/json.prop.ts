// Laws of the JSON parser of the codec kit (src/codec/json.ts): on every valid JSON text within the
// depth limit it gives what JSON.parse gives; on any other string it returns a located error value,
// never throws; and a text is accepted exactly when JSON.parse accepts it.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { parseJson } from '../../src/codec/json.ts'

/** Structural equality that tells -0 from 0 and compares key order, as JSON.parse builds it. */
const same = (a: unknown, b: unknown): boolean => {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b)
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]))
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  }
  return a === b
}

/** JSON.parse's verdict: the value, or undefined when it throws. */
const reference = (s: string): { value: unknown } | undefined => {
  try {
    return { value: JSON.parse(s) as unknown }
  } catch {
    return undefined
  }
}

// Valid texts: compact (fc.json), with any string units (lone surrogates, escapes), re-indented,
// and with keys that exist on every JS object.
const awkwardKey = fc.constantFrom('__proto__', 'toString', 'constructor', 'hasOwnProperty', '0', '10', '-1', '')
const value = fc.jsonValue({ maxDepth: 6, stringUnit: 'binary' })
const validText = fc.oneof(
  fc.json({ maxDepth: 6 }),
  value.map((v) => JSON.stringify(v)),
  fc.tuple(value, fc.constantFrom(1, 2, '\t', ' \r\n ')).map(([v, indent]) => JSON.stringify(v, null, indent)),
  fc.tuple(fc.array(fc.tuple(awkwardKey, value), { maxLength: 4 })).map(([kvs]) =>
    `{${kvs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`),
  fc.double().map((d) => JSON.stringify(d)).filter((s) => s !== 'null'),
  fc.stringMatching(/^-?(0|[1-9][0-9]{0,30})(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,4})?$/),
)

test('on every valid JSON text within the depth limit, parseJson agrees with JSON.parse', () => {
  fc.assert(fc.property(validText, (s) => {
    const r = parseJson(s)
    const ref = reference(s)
    return ref !== undefined && r._tag === 'Right' && same(r.right, ref.value)
  }), { numRuns: runs(5000) })
})

// Near-misses: a valid text with one character deleted, replaced or inserted, cut short, or glued.
const edit = fc.tuple(validText, fc.nat(), fc.constantFrom('del', 'rep', 'ins', 'cut'),
  fc.constantFrom(...'{}[]",:\\ntfu0-+.eE \t\f\v\u00a0\ufeff\u0000\u001f\ud800x'.split('')))
  .map(([s, at, how, ch]) => {
    const i = s.length === 0 ? 0 : at % s.length
    switch (how) {
      case 'del': return s.slice(0, i) + s.slice(i + 1)
      case 'rep': return s.slice(0, i) + ch + s.slice(i + 1)
      case 'ins': return s.slice(0, i) + ch + s.slice(i)
      case 'cut': return s.slice(0, i)
    }
  })
const anyText = fc.oneof(edit, fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: fc.constantFrom(...'{}[],:"\\ 0-1.e tfnrulase'.split('')), maxLength: 40 }))

test('on any string, parseJson returns a value or a located error exactly when JSON.parse accepts or rejects it', () => {
  fc.assert(fc.property(anyText, (s) => {
    const r = parseJson(s)                     // a throw here fails the property
    const ref = reference(s)
    if (r._tag === 'Right') return ref !== undefined && same(r.right, ref.value)
    const e = r.left
    return ref === undefined && e.offset >= 0 && e.offset <= s.length && e.line >= 1 && e.column >= 1 && e.expected !== ''
  }), { numRuns: runs(6000) })
})

test('nesting beyond the limit is an error at the bracket that goes too deep, never a stack overflow', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 5000 }), fc.boolean(), (limit, depth, lists) => {
    const s = (lists ? '[' : '{"a":').repeat(depth) + '0' + (lists ? ']' : '}').repeat(depth)
    const r = parseJson(s, limit)
    if (depth <= limit) return r._tag === 'Right'
    return r._tag === 'Left' && r.left.offset === (lists ? limit : 5 * limit) && r.left.expected === `at most ${limit} nested lists and objects`
  }), { numRuns: runs(300) })
})

test.run()
