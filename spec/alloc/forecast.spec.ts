// Yule–Walker AR(p) estimation on series whose answer is worked out by hand.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { autocovariance, forecastNext, levinsonDurbin, yuleWalker } from '../../src/alloc/forecast.ts'

const close = (a: number, b: number, eps = 1e-12): void => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`)

test('autocovariance of 1, −1, 1, −1: r0 = 4/4 = 1, r1 = −3/4, r2 = 2/4', () => {
  const r = autocovariance([1, -1, 1, -1], 2)
  close(r[0]!, 1)
  close(r[1]!, -0.75)
  close(r[2]!, 0.5)
})

test('AR(1) Yule–Walker: φ1 = r1/r0 = −0.75 for the alternating series', () => {
  close(yuleWalker([1, -1, 1, -1], 1).phi[0]!, -0.75)
})

test('AR(2) Levinson–Durbin on r = (1, 0.5, 0.2) solves [[1, .5], [.5, 1]] φ = (.5, .2): φ = (8/15, −1/15)', () => {
  // by Cramer's rule: det = 0.75; φ1 = (0.5 − 0.1)/0.75 = 8/15; φ2 = (0.2 − 0.25)/0.75 = −1/15
  const { phi, sigma2 } = levinsonDurbin([1, 0.5, 0.2], 2)
  close(phi[0]!, 8 / 15)
  close(phi[1]!, -1 / 15)
  // innovation variance r0 − φ·r = 1 − (8/15·0.5 − 1/15·0.2) = 1 − 3.8/15
  close(sigma2, 1 - 3.8 / 15)
})

test('AR(1) forecast of the alternating series continues the alternation: x̂ = 0 + (−0.75)(−1) = 0.75', () => {
  close(forecastNext([1, -1, 1, -1], 1), 0.75)
})

test('a constant series has zero variance: the forecast is the mean', () => {
  close(forecastNext([5, 5, 5, 5, 5], 2), 5)
})

test('too short a series to fit: the forecast is the last value', () => {
  assert.is(forecastNext([3, 9], 2), 9)
})

test.run()
