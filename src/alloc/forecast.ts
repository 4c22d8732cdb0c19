// AR(p) forecasting of a VM's memory usage by the Yule–Walker equations (Box & Jenkins, "Time
// Series Analysis", §3.2.2; solved by the Levinson–Durbin recursion), as the Xen AR/ACO paper
// uses to predict each VM's next-period usage.

/**
 * Biased sample autocovariances r_0 … r_maxLag of the mean-removed series
 * (r_k = (1/N) Σ_{t=k}^{N−1} (x_t − x̄)(x_{t−k} − x̄)); the biased form keeps the Toeplitz
 * matrix positive semi-definite, which Levinson–Durbin needs.
 */
export const autocovariance = (xs: ArrayLike<number>, maxLag: number): Float64Array => {
  const n = xs.length
  let mean = 0
  for (let i = 0; i < n; i++) mean += xs[i]!
  mean /= n
  const r = new Float64Array(maxLag + 1)
  for (let k = 0; k <= maxLag; k++) {
    let s = 0
    for (let t = k; t < n; t++) s += (xs[t]! - mean) * (xs[t - k]! - mean)
    r[k] = s / n
  }
  return r
}

/**
 * Levinson–Durbin: the AR coefficients φ_1 … φ_p solving the Yule–Walker system
 * Σ_j φ_j r_|i−j| = r_i (i = 1 … p), and the innovation variance. A zero-variance series (or a
 * singular system) yields all-zero coefficients: the forecast falls back to the mean.
 * @example levinsonDurbin([1, 0.5, 0.2], 2).phi ≈ [8/15, −1/15]
 */
export const levinsonDurbin = (r: ArrayLike<number>, p: number): { readonly phi: Float64Array; readonly sigma2: number } => {
  let phi = new Float64Array(p)
  let err = r[0]!
  if (!(err > 0)) return { phi, sigma2: 0 }
  for (let m = 1; m <= p; m++) {
    let acc = r[m]!
    for (let j = 1; j < m; j++) acc -= phi[j - 1]! * r[m - j]!
    const k = acc / err
    const next = new Float64Array(p)
    next[m - 1] = k
    for (let j = 1; j < m; j++) next[j - 1] = phi[j - 1]! - k * phi[m - j - 1]!
    phi = next
    err *= 1 - k * k
    if (!(err > 0)) break
  }
  return { phi, sigma2: Math.max(0, err) }
}

/** Yule–Walker AR(p) fit of a series: `levinsonDurbin(autocovariance(xs, p), p)`. */
export const yuleWalker = (xs: ArrayLike<number>, p: number): { readonly phi: Float64Array; readonly sigma2: number; readonly mean: number } => {
  let mean = 0
  for (let i = 0; i < xs.length; i++) mean += xs[i]!
  mean /= xs.length
  return { ...levinsonDurbin(autocovariance(xs, p), p), mean }
}

/**
 * One-step-ahead forecast x̂_{N} = x̄ + Σ_k φ_k (x_{N−k} − x̄) of a chronological series. With
 * fewer than p + 2 points there is nothing to fit: the forecast is the last value.
 */
export const forecastNext = (xs: ArrayLike<number>, p: number): number => {
  const n = xs.length
  if (n === 0) return 0
  if (n < p + 2) return xs[n - 1]!
  const { phi, mean } = yuleWalker(xs, p)
  let f = mean
  for (let k = 1; k <= p; k++) f += phi[k - 1]! * (xs[n - k]! - mean)
  return f
}
