// JSON text (RFC 8259) to a JSON value, for every JSON input memvirt reads: scenarios, host files,
// trace lines. Unlike `JSON.parse` it never throws, nests at most `maxDepth` levels (so a 5 000-deep
// file is an error, not a stack overflow), runs in time linear in the text, and locates every error.
import { type Either, left, right } from '../bits/either.ts'

// ---- values ---------------------------------------------------------------------------------------

/** A JSON value. Objects have no prototype: a key like "toString" or "__proto__" is an own key only. */
export type Json = null | boolean | number | string | readonly Json[] | JsonObject
export interface JsonObject { readonly [key: string]: Json }

/** A JSON syntax error: where (offset from 0; line and column from 1, in UTF-16 code units) and what was expected there. */
export interface JsonSyntaxError {
  readonly _tag: 'JsonSyntaxError'
  readonly offset: number
  readonly line: number
  readonly column: number
  readonly expected: string
}

/** How deeply lists and objects may nest by default: far beyond any memvirt input (they nest 3 or 4 levels). */
export const DEFAULT_MAX_DEPTH = 64

/** Line and column (both from 1) of a character offset: a line ends at each "\n". */
export const lineColumn = (text: string, offset: number): { line: number; column: number } => {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return { line, column: offset - lineStart + 1 }
}

const syntaxError = (text: string, offset: number, expected: string): JsonSyntaxError =>
  ({ _tag: 'JsonSyntaxError', offset, ...lineColumn(text, offset), expected })

// ---- the parser -----------------------------------------------------------------------------------

const WHITESPACE = ' \t\n\r'
const NUMBER = '-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?'
const HEX4 = /^[0-9a-fA-F]{4}$/
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }
const A_VALUE = 'a value (object, list, string, number, true, false or null)'

/** An open list or object: the entries read so far and, inside an object, the key awaiting its value. */
type Open =
  | { readonly kind: 'list'; readonly items: Json[] }
  | { readonly kind: 'object'; readonly fields: Record<string, Json>; key: string }

/**
 * Parses a JSON text. The result agrees with `JSON.parse` on every valid text nesting at most
 * `maxDepth` lists and objects (a later duplicate key wins, as there); anything else is a
 * `JsonSyntaxError` saying where and what was expected. Never throws; linear time; the nesting is
 * kept on an explicit stack, not the call stack.
 *
 * @example
 * parseJson('{"a": [1, 2]}')   // right({ a: [1, 2] })
 * parseJson('{"a": [1, 2,]}')  // left({ line: 1, column: 13, expected: 'a value (…)', … })
 */
export const parseJson = (text: string, maxDepth: number = DEFAULT_MAX_DEPTH): Either<JsonSyntaxError, Json> => {
  let i = 0
  const stack: Open[] = []
  const number = new RegExp(NUMBER, 'y')     // sticky: matches at i only (a regex per call: lastIndex is state)
  const fail = (expected: string, at: number = i): Either<JsonSyntaxError, never> => left(syntaxError(text, at, expected))
  const skipWhitespace = (): void => { while (i < text.length && WHITESPACE.includes(text[i]!)) i++ }

  /** A string starting at the opening quote at i; leaves i after the closing quote. */
  const readString = (): Either<JsonSyntaxError, string> => {
    i++
    let out = ''
    let chunk = i
    while (i < text.length) {
      const ch = text.charCodeAt(i)
      if (ch === 0x22) {                                 // the closing "
        out += text.slice(chunk, i)
        i++
        return right(out)
      }
      if (ch === 0x5c) {                                 // a backslash escape
        out += text.slice(chunk, i)
        const esc = text[i + 1]
        if (esc === 'u') {
          const digits = text.slice(i + 2, i + 6)
          if (!HEX4.test(digits)) return fail('4 hex digits after \\u', i + 2)
          out += String.fromCharCode(parseInt(digits, 16))
          i += 6
        } else if (esc !== undefined && esc in ESCAPES) {
          out += ESCAPES[esc]!
          i += 2
        } else return fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)', i + 1)
        chunk = i
        continue
      }
      if (ch < 0x20) return fail('no control character inside a string (end the string with ")')
      i++
    }
    return fail('a closing " before the end of the input')
  }

  /** A scalar (string, number, true, false, null) starting at i; leaves i after it. */
  const readScalar = (): Either<JsonSyntaxError, Json> => {
    const ch = text[i]
    if (ch === '"') return readString()
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) { i += word.length; return right(value) }
    }
    number.lastIndex = i
    const m = number.exec(text)
    if (m !== null) { i += m[0].length; return right(Number(m[0])) }
    return fail(i >= text.length ? 'a value before the end of the input' : A_VALUE)
  }

  // Each turn reads one value: a scalar, or the opening of a list or object (pushed on the stack).
  // A finished value goes into the innermost open container; then a ',' or the closing bracket follows.
  for (;;) {
    skipWhitespace()
    let value: Json
    const ch = text[i]
    if (ch === '[' || ch === '{') {
      if (stack.length >= maxDepth) return fail(`at most ${maxDepth} nested lists and objects`)
      i++
      skipWhitespace()
      if (ch === '[') {
        if (text[i] !== ']') { stack.push({ kind: 'list', items: [] }); continue }
        i++
        value = []
      } else {
        if (text[i] !== '}') {
          if (text[i] !== '"') return fail('a field name in double quotes')
          const key = readString()
          if (key._tag === 'Left') return key
          skipWhitespace()
          if (text[i] !== ':') return fail("':' after the field name")
          i++
          stack.push({ kind: 'object', fields: Object.create(null) as Record<string, Json>, key: key.right })
          continue
        }
        i++
        value = Object.create(null) as JsonObject
      }
    } else {
      const scalar = readScalar()
      if (scalar._tag === 'Left') return scalar
      value = scalar.right
    }
    // Close every container this value completes.
    for (;;) {
      const top = stack.at(-1)
      if (top === undefined) {
        skipWhitespace()
        return i < text.length ? fail('the end of the input after the JSON value') : right(value)
      }
      if (top.kind === 'list') top.items.push(value)
      else top.fields[top.key] = value
      skipWhitespace()
      if (text[i] === ',') {
        i++
        if (top.kind === 'object') {
          skipWhitespace()
          if (text[i] !== '"') return fail('a field name in double quotes')
          const key = readString()
          if (key._tag === 'Left') return key
          skipWhitespace()
          if (text[i] !== ':') return fail("':' after the field name")
          i++
          top.key = key.right
        }
        break
      }
      const close = top.kind === 'list' ? ']' : '}'
      if (text[i] !== close) return fail(top.kind === 'list' ? "',' or ']' after a list entry" : "',' or '}' after a field value")
      i++
      stack.pop()
      value = top.kind === 'list' ? top.items : top.fields
    }
  }
}

/** A JSON syntax error as the one line users see after the file name: `malformed JSON: expected …`. */
export const describeSyntaxError = (e: JsonSyntaxError): string => `malformed JSON: expected ${e.expected}`
