// The in-process half of the fuzzer: N mutants of a decoder's seeds, each decoded once and timed.
// A throw is a crash, an answer that is not an Either (or an error of more than one line) a wrong
// answer, a case over HANG_MS a hang.
import { fc } from '../fc.ts'
import { mutant, type Mutant } from './mutate.ts'
import type { Decoder } from './decoders.ts'

/** A case that takes longer than this is reported as a hang (decoders are linear in their input). */
export const HANG_MS = 1000

export interface InProcessTally {
  readonly decoder: string
  cases: number
  /** Decoded to a value or an error value. */
  ok: number
  crash: number
  wrong: number
  hang: number
  slowestMs: number
  /** The first failing case of each kind, for replay. */
  readonly examples: { kind: string; seed: number; edits: string; error: string }[]
}

const describe = (m: Mutant): string => JSON.stringify(m.edits)

/** Runs `cases` mutants through the decoder with fast-check's `seed`; never throws. `progress` hears each case's number. */
export const fuzzInProcess = (d: Decoder, cases: number, seed: number, progress?: (n: number) => void): InProcessTally => {
  const seeds = d.seeds()
  const t: InProcessTally = { decoder: d.name, cases: 0, ok: 0, crash: 0, wrong: 0, hang: 0, slowestMs: 0, examples: [] }
  const note = (kind: string, m: Mutant, error: string): void => { if (t.examples.filter((e) => e.kind === kind).length < 3) t.examples.push({ kind, seed: m.seed, edits: describe(m), error }) }
  fc.assert(fc.property(mutant(seeds), (m) => {
    t.cases++
    progress?.(t.cases)
    const t0 = performance.now()
    let answered = false
    try {
      answered = d.decode(m.bytes)
    } catch (e) {
      t.crash++
      note('crash', m, e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : String(e))
      return true
    }
    const ms = performance.now() - t0
    if (ms > t.slowestMs) t.slowestMs = ms
    if (ms > HANG_MS) { t.hang++; note('hang', m, `${ms.toFixed(0)} ms`) } else if (!answered) { t.wrong++; note('wrong', m, 'not an Either, or an error of more than one line') } else t.ok++
    return true
  }), { numRuns: cases, seed, endOnFailure: true })
  return t
}
