// Decoding errors and the one way they are shown: `FILE:LINE:COL: …` for a syntax error located in
// the text, `FILE: field a.b[3]: expected …` for a well-formed value with a bad field. Every decoder
// of outside input (scenarios, host files, trace lines, flags) reports through these types.
import type * as t from 'io-ts'
import { type JsonSyntaxError, describeSyntaxError } from './json.ts'

/** A bad field: its path as users write it (`accesses[2].va`, '' for the whole value) and what is wrong. */
export interface FieldError {
  readonly _tag: 'FieldError'
  readonly path: string
  readonly message: string
}

/** A located error in a line-oriented text (a CSV row, a trace line): line and optional column from 1. */
export interface LineError {
  readonly _tag: 'LineError'
  readonly line: number
  readonly column: number | undefined
  readonly message: string
}

export type DecodeError = JsonSyntaxError | FieldError | LineError

export const fieldError = (path: string, message: string): FieldError => ({ _tag: 'FieldError', path, message })
export const lineError = (line: number, column: number | undefined, message: string): LineError => ({ _tag: 'LineError', line, column, message })

/**
 * A path with one more step: a field name (`a.b`) or a list index (`a[3]`). A key that is not a plain
 * name is quoted as JSON and cut to 40 characters (`a["x\\ny"]`), so a key with a newline or a
 * megabyte of text still makes a one-line message.
 */
export const subPath = (path: string, key: string | number): string => {
  if (typeof key === 'number') return `${path}[${key}]`
  if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) && key.length <= 40) return path === '' ? key : `${path}.${key}`
  const quoted = JSON.stringify(key)
  return `${path}[${quoted.length > 40 ? `${quoted.slice(0, 36)}..."` : quoted}]`
}

/** The path of an io-ts context (its first entry is the root value): `accesses[2].va`. */
export const contextPath = (c: t.Context): string =>
  c.slice(1).reduce((p, e) => subPath(p, /^(0|[1-9][0-9]*)$/.test(e.key) ? Number(e.key) : e.key), '')

/** The first io-ts validation error as a field error. */
export const fromValidation = (errors: t.Errors): FieldError => {
  const e = errors[0]
  if (e === undefined) return fieldError('', 'invalid value')
  return fieldError(contextPath(e.context), e.message ?? `expected ${e.context.at(-1)?.type.name ?? 'a valid value'}, got ${showValue(e.value)}`)
}

/** A short rendering of an offending JSON value for an error message (at most 40 characters). */
export const showValue = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  if (typeof u === 'bigint') return String(u)
  let s: string | undefined
  try {
    s = JSON.stringify(u)
  } catch {
    s = undefined                                // a value JSON cannot hold (never from parsed JSON)
  }
  if (s === undefined) s = String(typeof u)
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}

/** The message after the file name, without it. */
export const describeError = (e: DecodeError): string => {
  switch (e._tag) {
    case 'JsonSyntaxError': return `${e.line}:${e.column}: ${describeSyntaxError(e)}`
    case 'LineError': return `${e.line}${e.column === undefined ? '' : `:${e.column}`}: ${e.message}`
    case 'FieldError': return e.path === '' ? e.message : `field ${e.path}: ${e.message}`
  }
}

/**
 * The one line a user sees for a decoding error in `file`.
 *
 * @example
 * formatError('x.json', { _tag: 'JsonSyntaxError', offset: 38, line: 3, column: 17, expected: 'a value' })
 * // 'x.json:3:17: malformed JSON: expected a value'
 * formatError('x.json', fieldError('accesses[2].va', 'expected a 64-bit hex string like 0x8000_1000, got "zz"'))
 * // 'x.json: field accesses[2].va: expected a 64-bit hex string like 0x8000_1000, got "zz"'
 */
export const formatError = (file: string, e: DecodeError): string =>
  e._tag === 'FieldError' ? `${file}: ${describeError(e)}` : `${file}:${describeError(e)}`
