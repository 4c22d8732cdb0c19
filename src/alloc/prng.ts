// The seeded pseudo-random generator every allocation policy draws from: xoshiro128** 1.0
// (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021), seeded by
// SplitMix64 as its authors recommend. The state is a value: a draw returns the next state.

/** xoshiro128** state: four 32-bit words, never all zero. */
export type Prng = { readonly s0: number; readonly s1: number; readonly s2: number; readonly s3: number }

const prng = (s0: number, s1: number, s2: number, s3: number): Prng => ({ s0, s1, s2, s3 })

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0

// ---------------------------------------------------------------------------------------------
// constructors

/**
 * One SplitMix64 step (Steele, Lea & Flood 2014; Vigna's splitmix64.c): returns the output and
 * the next 64-bit state. Used only for seeding, so bigint cost does not matter.
 * @example splitmix64(1234567n)[0] === 6457827717110365317n
 */
export const splitmix64 = (state: bigint): readonly [bigint, bigint] => {
  const next = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n)
  let z = next
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n)
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn)
  return [z ^ (z >> 31n), next]
}

/** The generator with an explicit state (the reference test vectors start from one). */
export const fromState = (s0: number, s1: number, s2: number, s3: number): Prng =>
  prng(s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0)

/**
 * The generator for a user seed: two SplitMix64 outputs fill the four words (low word first).
 * SplitMix64 never yields the all-zero state from two consecutive outputs in practice; a zero
 * state is still guarded against by falling back to a fixed non-zero word.
 */
export const seeded = (seed: number | bigint): Prng => {
  const [a, st1] = splitmix64(BigInt.asUintN(64, BigInt(seed)))
  const [b] = splitmix64(st1)
  const w = [a & 0xffffffffn, a >> 32n, b & 0xffffffffn, b >> 32n].map(Number) as [number, number, number, number]
  if ((w[0] | w[1] | w[2] | w[3]) === 0) w[0] = 1
  return prng(w[0], w[1], w[2], w[3])
}

// ---------------------------------------------------------------------------------------------
// draws

/**
 * The next 32-bit output and the next state (xoshiro128**: result = rotl(s1·5, 7)·9).
 * @example nextU32(fromState(0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0))[0] === 0xf1391922
 */
export const nextU32 = (p: Prng): readonly [number, Prng] => {
  const result = Math.imul(rotl(Math.imul(p.s1, 5) >>> 0, 7), 9) >>> 0
  const t = (p.s1 << 9) >>> 0
  const s2 = (p.s2 ^ p.s0) >>> 0
  const s3 = (p.s3 ^ p.s1) >>> 0
  const s1 = (p.s1 ^ s2) >>> 0
  const s0 = (p.s0 ^ s3) >>> 0
  return [result, prng(s0, s1, (s2 ^ t) >>> 0, rotl(s3, 11))]
}

/** A uniform double in [0, 1) from the top 32 bits of one draw. */
export const nextUnit = (p: Prng): readonly [number, Prng] => {
  const [u, q] = nextU32(p)
  return [u / 4294967296, q]
}

/**
 * A cursor for drawing many numbers inside one transition without allocating a state per draw.
 * It is local mutable scratch: open it from a state, draw, and close it to get the next state
 * (a property test proves a cursor's draws equal the pure `nextU32` chain).
 */
export class Cursor {
  private s0: number
  private s1: number
  private s2: number
  private s3: number
  constructor(p: Prng) {
    this.s0 = p.s0; this.s1 = p.s1; this.s2 = p.s2; this.s3 = p.s3
  }
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0
    const t = (this.s1 << 9) >>> 0
    this.s2 = (this.s2 ^ this.s0) >>> 0
    this.s3 = (this.s3 ^ this.s1) >>> 0
    this.s1 = (this.s1 ^ this.s2) >>> 0
    this.s0 = (this.s0 ^ this.s3) >>> 0
    this.s2 = (this.s2 ^ t) >>> 0
    this.s3 = rotl(this.s3, 11)
    return result
  }
  /** A uniform double in [0, 1). */
  unit(): number {
    return this.u32() / 4294967296
  }
  /** The state after every draw made so far. */
  close(): Prng {
    return prng(this.s0, this.s1, this.s2, this.s3)
  }
}
