// A seeded synthetic key trace: Zipf(α) popularity over a fixed object set, interrupted by
// sequential scans over objects outside it (the pattern that separates scan-resistant policies
// from LRU). Same options → the same trace, byte for byte.

/** Mulberry32: a 32-bit seeded PRNG; the state is the seed, threaded explicitly. */
export const mulberry32 = (seed: number): { readonly value: number; readonly seed: number } => {
  const s = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(s ^ (s >>> 15), 1 | s)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, seed: s }
}

export type SynthOptions = {
  readonly requests: number
  readonly objects: number
  readonly alpha: number
  /** Every `scanEvery` requests a scan starts (0: no scans). */
  readonly scanEvery: number
  readonly scanLength: number
  readonly seed: number
}

/**
 * The trace's object ids. Zipf ids are 1..objects (rank r drawn with probability ∝ 1/r^α);
 * scan k covers ids objects + 1 + k·scanLength onwards, each id once.
 */
export const zipfScanTrace = (o: SynthOptions): Float64Array => {
  const cdf = new Float64Array(o.objects)
  let total = 0
  for (let r = 1; r <= o.objects; r++) {
    total += 1 / Math.pow(r, o.alpha)
    cdf[r - 1] = total
  }
  const out = new Float64Array(o.requests)
  let seed = o.seed
  let scan = 0
  let i = 0
  while (i < o.requests) {
    if (o.scanEvery > 0 && i > 0 && i % o.scanEvery === 0) {
      const base = o.objects + 1 + scan * o.scanLength
      for (let j = 0; j < o.scanLength && i < o.requests; j++) out[i++] = base + j
      scan++
      if (i >= o.requests) break
    }
    const u = mulberry32(seed)
    seed = u.seed
    const x = u.value * total
    // the first rank whose cumulative weight exceeds x
    let lo = 0
    let hi = o.objects - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((cdf[mid] as number) > x) hi = mid
      else lo = mid + 1
    }
    out[i++] = lo + 1
  }
  return out
}
