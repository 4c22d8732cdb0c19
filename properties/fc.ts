// Shared fast-check configuration for every property file: a fixed seed by default so CI runs are
// reproducible, overridable with FC_SEED and FC_NUM_RUNS to explore further.
import fc from 'fast-check'

const envInt = (name: string): number | undefined => {
  const v = process.env[name]
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(v)}`)
  return n
}

/** The seed every property uses unless FC_SEED overrides it. */
export const seed = envInt('FC_SEED') ?? 0x6d656d76
/** Multiplies each property's own run count (1 unless FC_NUM_RUNS is given, then it is the count). */
const numRunsOverride = envInt('FC_NUM_RUNS')

fc.configureGlobal({ seed, ...(numRunsOverride !== undefined ? { numRuns: numRunsOverride } : {}) })

/** Run count for one property: its own default unless FC_NUM_RUNS is set. */
export const runs = (dflt: number): number => numRunsOverride ?? dflt

export { fc }
