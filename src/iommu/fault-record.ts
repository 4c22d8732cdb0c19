// Fault-queue records (RISC-V IOMMU spec v1.0, "Fault/Event-Queue (FQ)"): the 32-byte record laid out
// exactly (CAUSE, PID, PV, PRIV, TTYP, DID, custom, reserved, iotval, iotval2), the CAUSE table with
// which causes DC.tc.DTF suppresses, and the TTYP encodings.
import { bit, bits } from '../bits/bits.ts'

export interface FaultRecord {
  readonly cause: number
  readonly pid: number
  readonly pv: boolean
  readonly priv: boolean
  readonly ttyp: number
  readonly did: number
  /** Bits 31:0 of doubleword 1, designated for custom use (0 here). */
  readonly custom: number
  readonly iotval: bigint
  readonly iotval2: bigint
}

/** The record as four doublewords in memory order. */
export const encodeFaultRecord = (r: FaultRecord): readonly [bigint, bigint, bigint, bigint] => [
  BigInt(r.cause & 0xfff) | (BigInt(r.pid & 0xfffff) << 12n) | (r.pv ? 1n << 32n : 0n) | (r.priv ? 1n << 33n : 0n) |
    (BigInt(r.ttyp & 0x3f) << 34n) | (BigInt(r.did & 0xffffff) << 40n),
  BigInt(r.custom >>> 0),
  r.iotval,
  r.iotval2,
]

export const decodeFaultRecord = (dw: readonly [bigint, bigint, bigint, bigint]): FaultRecord => ({
  cause: Number(bits(dw[0], 11, 0)), pid: Number(bits(dw[0], 31, 12)), pv: bit(dw[0], 32), priv: bit(dw[0], 33),
  ttyp: Number(bits(dw[0], 39, 34)), did: Number(bits(dw[0], 63, 40)), custom: Number(bits(dw[1], 31, 0)),
  iotval: dw[2], iotval2: dw[3],
})

/** "Fault record CAUSE field encodings": the description of each defined cause. */
export const CAUSES: Readonly<Record<number, string>> = {
  1: 'Instruction access fault', 4: 'Read address misaligned', 5: 'Read access fault', 6: 'Write/AMO address misaligned',
  7: 'Write/AMO access fault', 12: 'Instruction page fault', 13: 'Read page fault', 15: 'Write/AMO page fault',
  20: 'Instruction guest page fault', 21: 'Read guest-page fault', 23: 'Write/AMO guest-page fault',
  256: 'All inbound transactions disallowed', 257: 'DDT entry load access fault', 258: 'DDT entry not valid',
  259: 'DDT entry misconfigured', 260: 'Transaction type disallowed', 261: 'MSI PTE load access fault',
  262: 'MSI PTE not valid', 263: 'MSI PTE misconfigured', 264: 'MRIF access fault', 265: 'PDT entry load access fault',
  266: 'PDT entry not valid', 267: 'PDT entry misconfigured', 268: 'DDT data corruption', 269: 'PDT data corruption',
  270: 'MSI PT data corruption', 271: 'MSI MRIF data corruption', 272: 'Internal data path error',
  273: 'IOMMU MSI write access fault', 274: 'First/second-stage PT data corruption',
}

/** The causes still reported when DC.tc.DTF = 1 (the table's "Reported if DTF is 1?" column). */
const REPORTED_WITH_DTF: ReadonlySet<number> = new Set([256, 257, 258, 259, 268, 272, 273])

/** Whether a fault with `cause` is written to the fault queue given the device's DTF (0 when no DC was located). */
export const reportedUnderDtf = (cause: number, dtf: boolean): boolean => !dtf || REPORTED_WITH_DTF.has(cause)

/** "Fault record TTYP field encodings". */
export const TTYP = {
  none: 0,
  untranslatedExecute: 1, untranslatedRead: 2, untranslatedWrite: 3,
  translatedExecute: 5, translatedRead: 6, translatedWrite: 7,
  atsTranslation: 8, pcieMessage: 9,
} as const

/** The TTYP of an inbound transaction. */
export const ttypOf = (type: 'untranslated' | 'translated' | 'ats', access: 'read' | 'write' | 'execute'): number => {
  if (type === 'ats') return TTYP.atsTranslation
  const base = type === 'untranslated' ? 1 : 5
  return base + (access === 'execute' ? 0 : access === 'read' ? 1 : 2)
}
