// Shared fast-check configuration for every property file: a fixed seed by default so CI runs are
// reproducible, overridable with FC_SEED and FC_NUM_RUNS to explore further.
import fc from 'fast-check'

const envInt = (name: string, min: number): number | undefined => {
  const v = process.env[name]
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`)
  return n
}

/** The seed every property uses unless FC_SEED overrides it. */
export const seed = envInt('FC_SEED', Number.MIN_SAFE_INTEGER) ?? 0x6d656d76
/**
 * FC_NUM_RUNS multiplies every property's own run count (default 1): FC_NUM_RUNS=10 runs each law ten
 * times as often as CI does, keeping the ratios between laws (and the coverage checks that need a run
 * count, such as the two-stage law's) intact.
 */
export const runMultiplier = envInt('FC_NUM_RUNS', 1) ?? 1

/** fast-check's own default (100 runs) for the laws that name no count, multiplied like the others. */
fc.configureGlobal({ seed, numRuns: 100 * runMultiplier })

/** Run count for one property: its own count times FC_NUM_RUNS. */
export const runs = (dflt: number): number => dflt * runMultiplier

export { fc }
