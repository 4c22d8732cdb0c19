// Cache sizes as libCacheSim's cachesim takes them: a count, a count with a binary unit (K/KB/KiB = 1024,
// M = 1024², G = 1024³, T = 1024⁴, any case: libCacheSim's conv_size_str_to_byte_ul), or a fraction in
// (0, 1) of the trace's working set (distinct objects, or their bytes with --obj-size), rounded down as
// libCacheSim rounds its automatic sizes, and at least 1.
import { type Either, left, right } from '../bits/either.ts'

export type SizeSpec =
  | { readonly _tag: 'Count'; readonly value: number; readonly unit: boolean }
  | { readonly _tag: 'Fraction'; readonly value: number }

const UNITS: Readonly<Record<string, number>> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }

/**
 * One size of a `--size` list.
 * @example parseSizeSpec('1GiB') // right({ _tag: 'Count', value: 1073741824, unit: true })
 * @example parseSizeSpec('0.1')  // right({ _tag: 'Fraction', value: 0.1 })
 */
export const parseSizeSpec = (text: string): Either<string, SizeSpec> => {
  const t = text.trim()
  const counted = /^([0-9]+)\s*(?:([kmgt])(?:i?b)?)?$/i.exec(t)
  if (counted !== null) {
    const n = Number(counted[1])
    const unit = counted[2] === undefined ? 1 : UNITS[counted[2].toLowerCase()]!
    const value = n * unit
    if (!Number.isSafeInteger(value) || value < 1) return left(`expected a size from 1 to 2^53 - 1, got "${text}"`)
    return right({ _tag: 'Count', value, unit: counted[2] !== undefined })
  }
  if (/^0?\.[0-9]+$/.test(t)) {
    const value = Number(t)
    if (value > 0 && value < 1) return right({ _tag: 'Fraction', value })
  }
  return left(`expected a count (e.g. 1000), a count with a unit (64KiB, 1GiB) or a fraction of the working set in (0, 1) (0.1), got "${text}"`)
}

/** The size a spec names, for a trace whose working set is `workingSet` (objects or bytes). */
export const resolveSize = (s: SizeSpec, workingSet: number): number =>
  s._tag === 'Count' ? s.value : Math.max(1, Math.floor(workingSet * s.value))
