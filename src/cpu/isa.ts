// The ISA configuration of a hart, parsed from a Spike-style ISA string (Spike's riscv/isa_parser.cc
// conventions: `rv64` + single-letter extensions in canonical order, then `_`-separated multi-letter
// extensions). S- and U-mode come from Spike's default `--priv=MSU`, not from the string.
import { type Either, left, right } from '../bits/either.ts'

/** Which extensions a hart implements. Everything the step function consults is here. */
export interface Isa {
  /** The string as given (for headers and messages). */
  readonly name: string
  readonly m: boolean
  readonly a: boolean
  readonly c: boolean
  readonly h: boolean
  /** S- and U-mode (Spike's `--priv=MSU`, always on here). */
  readonly s: boolean
  readonly u: boolean
  readonly zicsr: boolean
  /** Named in the string; Spike executes FENCE.I either way (it is in its base instruction list). */
  readonly zifencei: boolean
  /** cycle/time/instret user counters. Without it those CSR numbers do not exist (illegal). */
  readonly zicntr: boolean
  /** Hardware A/D updating: menvcfg.ADUE / henvcfg.ADUE writable. */
  readonly svadu: boolean
  readonly svnapot: boolean
  readonly svpbmt: boolean
  /**
   * Misaligned loads/stores are performed by the hart (Spike: only when the ISA string names
   * `zicclsm`); otherwise they trap with cause 4/6, which is Spike's default for the reference strings.
   */
  readonly misalignedInHardware: boolean
  /** misa as reset: the extensions software may turn off and on again by writing misa (M, A, C). */
  readonly maxMisa: bigint
}

const KNOWN_MULTI = new Set(['zicsr', 'zifencei', 'zicntr', 'svadu', 'svade', 'svnapot', 'svpbmt', 'zicclsm', 'h'])

/**
 * Parses an ISA string such as `rv64imac_zicsr_zifencei_zicntr_h_svadu`. Only RV64 and the extensions
 * this model implements are accepted; anything else is an error naming the offending part.
 * @example parseIsa('rv64imah_zicsr') // right({ m: true, a: true, h: true, c: false, ... })
 */
export const parseIsa = (text: string): Either<string, Isa> => {
  const s = text.toLowerCase()
  if (!s.startsWith('rv64')) return left(`ISA string "${text}": only rv64 is supported`)
  const [letters = '', ...rest] = s.slice(4).split('_')
  const seen = new Set<string>()
  for (const ch of letters) {
    if (ch === 'g') { for (const x of 'imafd') seen.add(x); seen.add('zicsr'); seen.add('zifencei'); continue }
    if (!'imach'.includes(ch)) return left(`ISA string "${text}": extension "${ch}" is not implemented`)
    seen.add(ch)
  }
  if (!seen.has('i')) return left(`ISA string "${text}": the base ISA must be "i"`)
  if (seen.has('f') || seen.has('d')) return left(`ISA string "${text}": F/D are not implemented`)
  for (const ext of rest) {
    if (ext === '') continue
    if (!KNOWN_MULTI.has(ext)) return left(`ISA string "${text}": extension "${ext}" is not implemented`)
    seen.add(ext)
  }
  const isa = {
    name: text,
    m: seen.has('m'), a: seen.has('a'), c: seen.has('c'), h: seen.has('h'),
    s: true, u: true,
    zicsr: seen.has('zicsr'), zifencei: seen.has('zifencei'), zicntr: seen.has('zicntr'),
    svadu: seen.has('svadu'), svnapot: seen.has('svnapot'), svpbmt: seen.has('svpbmt'),
    misalignedInHardware: seen.has('zicclsm'),
    maxMisa: 0n,
  }
  return right({ ...isa, maxMisa: misaOf(isa) })
}

/** Spike's default ISA (`--isa` omitted): RV64IMAFDC; without F/D here it is `rv64imac_zicsr_zifencei`. */
export const DEFAULT_ISA = 'rv64imac_zicsr_zifencei_zicntr'

/** misa as Spike resets it: MXL = 2 (RV64) and one bit per letter, S and U included. */
export const misaOf = (isa: Isa): bigint => {
  let v = 2n << 62n
  const set = (ch: string, on: boolean): void => { if (on) v |= 1n << BigInt(ch.charCodeAt(0) - 97) }
  set('i', true); set('m', isa.m); set('a', isa.a); set('c', isa.c); set('h', isa.h); set('s', isa.s); set('u', isa.u)
  return v
}

const MISA_M = 1n << 12n, MISA_A = 1n, MISA_C = 1n << 2n

/**
 * The extensions in force under a given misa: M, A and C follow their misa bits (Spike lets software
 * clear and set them); everything else is fixed. (The engines memoise it: src/cpu/engine/accel.ts.)
 */
export const effectiveIsa = (isa: Isa, misa: bigint): Isa =>
  misa === isa.maxMisa ? isa
    : { ...isa, m: isa.m && (misa & MISA_M) !== 0n, a: isa.a && (misa & MISA_A) !== 0n, c: isa.c && (misa & MISA_C) !== 0n }

/** The misa bits software may write: M, A and C when the hart has them (Spike's misa_csr_t write mask, minus H). */
export const misaWritable = (isa: Isa): bigint => isa.maxMisa & (MISA_M | MISA_A | MISA_C)
