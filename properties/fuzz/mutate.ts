// Byte-level mutation of real inputs, as fast-check arbitraries: a seed file (one of the project's own
// valid inputs) with one to four edits — a bit flipped, bytes inserted, deleted, spliced from another
// seed, the tail cut, a run duplicated, a number set to an extreme, deep nesting, a prototype key.
// Every edit is a pure function of its drawn parameters, so a failing case is replayed from its seed.
import { fc } from '../fc.ts'

/** Tokens an insert draws from: structure characters, extremes, keys every JS object has, odd bytes. */
const TOKENS: readonly string[] = [
  '{', '}', '[', ']', '"', ',', ':', '\n', '\r\n', '\t', ' ', '\0', '\\', '\\u0000', '\\ud800', 'é', '\u2028', '\ufeff',
  '0', '-', '+', '.', 'e', 'x', '0x', '0b', 'null', 'true', '[]', '{}', '""',
  '1e308', '-1e308', '1e-300', '-0', 'NaN', 'Infinity', '9007199254740993', '18446744073709551616', '0xffffffffffffffff',
  '"__proto__"', '"constructor"', '"toString"', '"hasOwnProperty"', '"valueOf"', '"prototype"',
  'R', 'W', 'Read', 'Write', 'core   0: ', '3 0x', ' (0x', ')', 'x', ' mem ', 'c0_',
]

/** Values a number is replaced with (the k-th run of digits in the text). */
const EXTREMES: readonly string[] = [
  '0', '-1', '-0', '1e308', '1e-300', '1e400', '9007199254740993', '18446744073709551615', '18446744073709551616',
  '4294967296', '2147483648', '1099511627776', '1e12', '1e9', '0.5', '1.5', '99999999999999999999999999', 'NaN', '',
  '0x8000000000000000', '0xffffffffffffffff',
]

/** Keys a JSON key is replaced with (the k-th `"name":`). */
const PROTO_KEYS: readonly string[] = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__', '']

export type Edit =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'insert'; readonly at: number; readonly token: number }
  | { readonly op: 'delete'; readonly at: number; readonly len: number }
  | { readonly op: 'splice'; readonly at: number; readonly from: number; readonly src: number; readonly len: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'duplicate'; readonly at: number; readonly len: number; readonly times: number }
  | { readonly op: 'number'; readonly k: number; readonly value: number }
  | { readonly op: 'nest'; readonly at: number; readonly depth: number; readonly open: number }
  | { readonly op: 'key'; readonly k: number; readonly key: number }
  | { readonly op: 'byte'; readonly at: number; readonly value: number }

const enc = new TextEncoder()
const bytesOf = (s: string): Uint8Array => enc.encode(s)
const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  parts.reduce((at, p) => { out.set(p, at); return at + p.length }, 0)
  return out
}

/** Positions of the k-th match of `re` in the bytes read as latin1 (one char per byte, so offsets agree). */
const kthMatch = (b: Uint8Array, re: RegExp, k: number): RegExpExecArray | undefined => {
  const text = Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1')
  const all = [...text.matchAll(re)]
  return all.length === 0 ? undefined : all[k % all.length]
}

/** Applies one edit; `seeds` supplies splice material. Never mutates its inputs. */
export const applyEdit = (b: Uint8Array, e: Edit, seeds: readonly Uint8Array[]): Uint8Array => {
  const n = b.length
  const pos = (at: number): number => (n === 0 ? 0 : at % (n + 1))
  switch (e.op) {
    case 'flip': {
      if (n === 0) return b
      const out = b.slice()
      const i = e.at % n
      out[i] = out[i]! ^ (1 << e.bit)
      return out
    }
    case 'byte': {
      if (n === 0) return Uint8Array.of(e.value)
      const out = b.slice()
      out[e.at % n] = e.value
      return out
    }
    case 'insert': { const i = pos(e.at); return concat([b.subarray(0, i), bytesOf(TOKENS[e.token % TOKENS.length]!), b.subarray(i)]) }
    case 'delete': { const i = pos(e.at); return concat([b.subarray(0, i), b.subarray(Math.min(n, i + e.len))]) }
    case 'truncate': return b.slice(0, pos(e.at))
    case 'splice': {
      const s = seeds[e.src % seeds.length]!
      const from = s.length === 0 ? 0 : e.from % s.length
      const i = pos(e.at)
      return concat([b.subarray(0, i), s.subarray(from, from + e.len), b.subarray(i)])
    }
    case 'duplicate': {
      const i = pos(e.at)
      const run = b.subarray(i, Math.min(n, i + e.len))
      return concat([b.subarray(0, i), ...Array.from({ length: e.times }, () => run), b.subarray(i)])
    }
    case 'number': {
      const m = kthMatch(b, /-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/g, e.k)
      if (m === undefined) return b
      return concat([b.subarray(0, m.index), bytesOf(EXTREMES[e.value % EXTREMES.length]!), b.subarray(m.index + m[0].length)])
    }
    case 'key': {
      const m = kthMatch(b, /"[A-Za-z_][A-Za-z0-9_]*"(?=\s*:)/g, e.k)
      if (m === undefined) return b
      return concat([b.subarray(0, m.index), bytesOf(JSON.stringify(PROTO_KEYS[e.key % PROTO_KEYS.length])), b.subarray(m.index + m[0].length)])
    }
    case 'nest': {
      const i = pos(e.at)
      const open = ['[', '{"a":', '[{"x":'][e.open % 3]!
      const close = [']', '}', '}]'][e.open % 3]!
      return concat([b.subarray(0, i), bytesOf(open.repeat(e.depth)), bytesOf('0'), bytesOf(close.repeat(e.depth)), b.subarray(i)])
    }
  }
}

const at = fc.nat({ max: 1 << 20 })
/** One edit, weighted towards the small local ones. */
export const edit: fc.Arbitrary<Edit> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('flip' as const), at, bit: fc.nat({ max: 7 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('byte' as const), at, value: fc.constantFrom(0, 0x7f, 0x80, 0xff, 0x0a, 0x2c, 0x22) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('insert' as const), at, token: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), at, len: fc.integer({ min: 1, max: 64 }) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('splice' as const), at, from: at, src: fc.nat(), len: fc.integer({ min: 1, max: 256 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('truncate' as const), at }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('duplicate' as const), at, len: fc.integer({ min: 1, max: 128 }), times: fc.integer({ min: 1, max: 64 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('number' as const), k: fc.nat(), value: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('nest' as const), at, depth: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(1000, 5000, 20000)), open: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('key' as const), k: fc.nat(), key: fc.nat() }), weight: 2 },
)

/** A mutated input: which seed, and the edits applied to it in order. */
export interface Mutant { readonly seed: number; readonly edits: readonly Edit[]; readonly bytes: Uint8Array }

/** A seed with one to four edits (an unmutated seed one time in twenty, so valid paths are walked too). */
export const mutant = (seeds: readonly Uint8Array[]): fc.Arbitrary<Mutant> =>
  fc.tuple(fc.nat({ max: seeds.length - 1 }), fc.oneof({ arbitrary: fc.constant([] as Edit[]), weight: 1 }, { arbitrary: fc.array(edit, { minLength: 1, maxLength: 4 }), weight: 19 }))
    .map(([seed, edits]) => ({ seed, edits, bytes: edits.reduce((b, e) => applyEdit(b, e, seeds), seeds[seed]!) }))
