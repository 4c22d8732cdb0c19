// The process context (RISC-V IOMMU spec v1.0, "Leaf PDT entry" and "Process-context fields"): 16
// bytes, ta (V, ENS, SUM, PSCID) and fsc (the first-stage root and MODE), as pure encode/decode, and
// the "Process-context configuration checks" that make a valid PC misconfigured (cause 267).
import { bit, bits, mask } from '../bits/bits.ts'
import type { Capabilities } from './capabilities.ts'
import { type AtpField, decodeAtp, encodeAtp, firstStageModeProblem } from './device-context.ts'

/** Translation attributes (`PC.ta`). */
export interface PcTranslationAttributes {
  readonly v: boolean
  /** Enable supervisor access: without it, supervisor requests are "Transaction type disallowed". */
  readonly ens: boolean
  readonly sum: boolean
  readonly pscid: number
  /** Bits 11:3 and 63:32. */
  readonly reserved: bigint
}

export interface ProcessContext {
  readonly ta: PcTranslationAttributes
  readonly fsc: AtpField
}

export const decodePcTa = (x: bigint): PcTranslationAttributes => ({
  v: bit(x, 0), ens: bit(x, 1), sum: bit(x, 2), pscid: Number(bits(x, 31, 12)),
  reserved: (bits(x, 11, 3) << 3n) | (bits(x, 63, 32) << 32n),
})

export const encodePcTa = (t: PcTranslationAttributes): bigint =>
  (t.v ? 1n : 0n) | (t.ens ? 2n : 0n) | (t.sum ? 4n : 0n) | (BigInt(t.pscid & 0xfffff) << 12n) |
  (t.reserved & ((mask(9) << 3n) | (mask(32) << 32n)))

/** Decodes a PC from its two doublewords (ta, fsc). */
export const decodeProcessContext = (ta: bigint, fsc: bigint): ProcessContext => ({ ta: decodePcTa(ta), fsc: decodeAtp(fsc) })
export const encodeProcessContext = (pc: ProcessContext): readonly [bigint, bigint] => [encodePcTa(pc.ta), encodeAtp(pc.fsc)]

/**
 * "Process-context configuration checks": why a PC with ta.V = 1 is misconfigured (cause 267), or
 * undefined. `sxl` is DC.tc.SXL (always 0 in this model: Sv32 is not implemented).
 */
export const processContextProblem = (pc: ProcessContext, caps: Capabilities, sxl: boolean): string | undefined => {
  // 1. Reserved bits.
  if (pc.ta.reserved !== 0n) return 'PC.ta has reserved bits set'
  if (pc.fsc.mid !== 0) return 'PC.fsc bits 59:44 are reserved and set'
  // 2.–4. fsc.MODE a valid encoding and supported.
  if (sxl) return pc.fsc.mode === 0 ? undefined : `PC.fsc.MODE ${pc.fsc.mode} with SXL = 1: Sv32 is not supported`
  const why = firstStageModeProblem(caps, pc.fsc.mode)
  return why === undefined ? undefined : `PC.fsc: ${why}`
}
