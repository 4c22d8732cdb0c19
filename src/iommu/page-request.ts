// The page-request queue (RISC-V IOMMU spec v1.0, "Page-Request-Queue (PQ)", "PCIe ATS Page Request
// handling", pqb/pqh/pqt/pqcsr): a PCIe "Page Request" or "Stop Marker" message from a device whose
// device context has EN_PRI = 1 is written as a 16-byte record at pqt; otherwise, or when the queue is
// off, full (pqof), or its memory faults (pqmf), the message is discarded, and a request that is the
// last of its page request group is answered by the IOMMU itself with a "Page Request Group Response"
// whose code names the reason (Response Failure, Invalid Request or Success).
import { bit, bits, hex } from '../bits/bits.ts'
import { isLeft } from '../bits/either.ts'
import { phys } from '../bits/address.ts'
import { type PhysMemory, poke } from '../memory/memory.ts'
import { type AtsMessage, PRG_INVALID_REQUEST, PRG_RESPONSE_FAILURE, PRG_SUCCESS, prgResponsePayload } from './ats.ts'
import { fillDc, lookupDc } from './caches.ts'
import type { DeviceContext } from './device-context.ts'
import { type DirectoryStep, deviceDirectoryIndexes, deviceIdTooWide, locateDeviceContext } from './directory.ts'
import { accessible, reportFault } from './fault-queue.ts'
import { type FaultRecord, TTYP } from './fault-record.ts'
import type { Iommu, MemoryWrite } from './iommu.ts'
import { IPSR, PQCSR, capabilitiesOf, ddtpPpn, fctlOf, iommuModeOf, queueBase, queueEntries, raiseInterrupt, withInterruptsPending } from './registers.ts'

// ---- the message ----------------------------------------------------------------------------------------

/** A PCIe "Page Request" message as it reaches the IOMMU. */
export interface PageRequest {
  /** The requester ID, with the segment number in bits 23:16 (a segment ≠ 0 means DSV = 1). */
  readonly deviceId: number
  /** The PASID, when the message has one. */
  readonly processId?: number
  /** "Privilege Mode Requested" (meaningful only with a PASID). */
  readonly privileged: boolean
  /** "Execute Requested" (meaningful only with a PASID). */
  readonly execute: boolean
  /** Bytes 8–15 of the message: R 0, W 1, L 2, page request group index 11:3, page address 63:12. */
  readonly payload: bigint
}

/** The fields of a page request's payload. */
export interface PageRequestPayload { readonly r: boolean, readonly w: boolean, readonly l: boolean, readonly prgi: number, readonly page: bigint }

export const decodePayload = (p: bigint): PageRequestPayload =>
  ({ r: bit(p, 0), w: bit(p, 1), l: bit(p, 2), prgi: Number(bits(p, 11, 3)), page: bits(p, 63, 12) << 12n })
export const encodePayload = (f: PageRequestPayload): bigint =>
  (f.r ? 1n : 0n) | (f.w ? 2n : 0n) | (f.l ? 4n : 0n) | (BigInt(f.prgi & 0x1ff) << 3n) | ((f.page >> 12n) << 12n)

/** "If R and W are both 0 and L is 1, the message is Stop Marker." */
export const isStopMarker = (p: PageRequestPayload): boolean => p.l && !p.r && !p.w

// ---- the record ------------------------------------------------------------------------------------------

/** A page-request-queue record: two doublewords (PID 31:12, PV 32, PRIV 33, EXEC 34, DID 63:40; PAYLOAD). */
export interface PageRequestRecord {
  readonly pid: number
  readonly pv: boolean
  readonly priv: boolean
  readonly exec: boolean
  readonly did: number
  readonly payload: bigint
}

export const encodePageRequestRecord = (r: PageRequestRecord): readonly [bigint, bigint] => [
  (BigInt(r.pid & 0xfffff) << 12n) | (r.pv ? 1n << 32n : 0n) | (r.priv ? 1n << 33n : 0n) | (r.exec ? 1n << 34n : 0n) | (BigInt(r.did & 0xffffff) << 40n),
  r.payload,
]

export const decodePageRequestRecord = (dw: readonly [bigint, bigint]): PageRequestRecord => ({
  pid: Number(bits(dw[0], 31, 12)), pv: bit(dw[0], 32), priv: bit(dw[0], 33), exec: bit(dw[0], 34), did: Number(bits(dw[0], 63, 40)), payload: dw[1],
})

/** The record of a message: PRIV and EXEC are 0 without a PASID, PID too; every other field is 0. */
export const recordOf = (m: PageRequest): PageRequestRecord => {
  const pv = m.processId !== undefined
  return { pid: m.processId ?? 0, pv, priv: pv && m.privileged, exec: pv && m.execute, did: m.deviceId, payload: m.payload }
}

// ---- handling a message ------------------------------------------------------------------------------------

/** Why the message was not queued, with the response code an IOMMU response would carry. */
export type Refusal = 'response-failure' | 'invalid-request' | 'success'

export interface PageRequestOutcome {
  readonly iommu: Iommu
  readonly memory: PhysMemory
  readonly writes: readonly MemoryWrite[]
  /** Fault records written (the DC could not be located or disallows PRI). */
  readonly records: readonly FaultRecord[]
  /** The record written and its index, when the message was queued. */
  readonly queued: { readonly index: bigint, readonly record: PageRequestRecord } | undefined
  /** When not queued: the response code the reason calls for. */
  readonly refused: Refusal | undefined
  /** The IOMMU's own "Page Request Group Response" (only for a refused last request of a group that is not a Stop Marker). */
  readonly response: AtsMessage | undefined
  readonly reason: string
  readonly directory: readonly DirectoryStep[]
}

const CODE: Readonly<Record<Refusal, number>> = { 'response-failure': PRG_RESPONSE_FAILURE, 'invalid-request': PRG_INVALID_REQUEST, success: PRG_SUCCESS }
/** The message code of a "Page Request" (PCIe), reported in iotval of its fault records. */
export const PAGE_REQUEST_MESSAGE_CODE = 0x4

const setBit = (x: bigint, at: number): bigint => x | (1n << BigInt(at))

/**
 * Handles one "Page Request" or "Stop Marker" message ("PCIe ATS Page Request handling"). Pure:
 * returns the IOMMU (pqt, pqcsr, ipsr, fault queue, device-context cache), memory, the record written
 * or the refusal and the IOMMU's response, never changing its inputs.
 */
export const pageRequest = (iommu0: Iommu, memory0: PhysMemory, m: PageRequest): PageRequestOutcome => {
  const regs = iommu0.regs
  const caps = capabilitiesOf(regs)
  const directory: DirectoryStep[] = []
  const pv = m.processId !== undefined
  let iommu = iommu0
  let memory = memory0
  const writes: MemoryWrite[] = []
  const records: FaultRecord[] = []
  /** A fault record of a PCIe message (TTYP 9, iotval = the message code). */
  const fault = (cause: number, dtf: boolean): void => {
    const rec: FaultRecord = { cause, pid: m.processId ?? 0, pv, priv: pv && m.privileged, ttyp: TTYP.pcieMessage, did: m.deviceId, custom: 0, iotval: BigInt(PAGE_REQUEST_MESSAGE_CODE), iotval2: 0n }
    const t = reportFault(iommu, memory, rec, dtf)
    iommu = t.iommu; memory = t.memory; writes.push(...t.writes); records.push(...t.records)
  }
  /** Discards the message; a last request of its group (not a Stop Marker) gets the IOMMU's response. */
  const refuse = (refused: Refusal, reason: string, prpr: boolean): PageRequestOutcome => {
    const p = decodePayload(m.payload)
    // Response Failure carries the request's PASID; Invalid Request and Success only with DC.tc.PRPR = 1.
    const withPasid = pv && (refused === 'response-failure' || prpr)
    const rid = m.deviceId & 0xffff, dseg = m.deviceId >>> 16
    const response: AtsMessage | undefined = !p.l || isStopMarker(p) ? undefined : {
      message: 'page-request-group-response', origin: 'iommu', rid, dsv: dseg !== 0, dseg, pv: withPasid, pid: withPasid ? m.processId ?? 0 : 0, tag: 0,
      payload: prgResponsePayload(rid, p.prgi, CODE[refused]),
    }
    return { iommu, memory, writes, records, queued: undefined, refused, response, reason, directory }
  }
  const mode = iommuModeOf(regs)
  // The device context (steps 1–5 of "Process to translate an IOVA"); a fault means PRPR = 0.
  if (mode === 'Off') { fault(256, false); return refuse('response-failure', 'ddtp.iommu_mode is Off (cause 256)', false) }
  if (mode === 'Bare') { fault(260, false); return refuse('invalid-request', 'ddtp.iommu_mode is Bare: no device context (cause 260)', false) }
  if (deviceIdTooWide(mode, deviceDirectoryIndexes(m.deviceId, caps.msiFlat))) {
    fault(260, false)
    return refuse('invalid-request', `device_id ${hex(BigInt(m.deviceId), 6)} is wider than ${mode} supports (cause 260)`, false)
  }
  const cached = lookupDc(iommu.caches, m.deviceId)
  let dc: DeviceContext
  if (cached.dc !== undefined) {
    iommu = { ...iommu, caches: cached.caches }
    dc = cached.dc
  } else {
    const located = locateDeviceContext(memory, { mode, ppn: ddtpPpn(regs), caps, fctl: fctlOf(regs), writable: iommu.options }, m.deviceId, directory)
    if (isLeft(located)) { fault(located.left.cause, false); return refuse('response-failure', `${located.left.reason} (cause ${located.left.cause})`, false) }
    dc = located.right
    iommu = { ...iommu, caches: fillDc(cached.caches, m.deviceId, dc) }
  }
  // Step 7: a "Page Request" with DC.tc.EN_PRI = 0 is a disallowed transaction type (DTF applies).
  if (!dc.tc.enPri) { fault(260, dc.tc.dtf); return refuse('invalid-request', 'DC.tc.EN_PRI = 0 (cause 260)', dc.tc.prpr) }
  const prpr = dc.tc.prpr
  // The queue: off, a memory fault, an overflow already set, or full now. No fault record for these.
  const r = iommu.regs
  if (!bit(r.pqcsr, PQCSR.pqen) || !bit(r.pqcsr, PQCSR.pqon)) return refuse('response-failure', 'the page-request queue is off (pqen or pqon = 0)', prpr)
  if (bit(r.pqcsr, PQCSR.pqmf)) return refuse('response-failure', 'pqcsr.pqmf = 1: discarded until software clears it', prpr)
  if (bit(r.pqcsr, PQCSR.pqof)) return refuse('success', 'pqcsr.pqof = 1: discarded until software clears it', prpr)
  const entries = queueEntries(r.pqb)
  // pqof or pqmf raises pip only (with pqcsr.pie), like each queue its own source.
  const withError = (at: number): Iommu => ({ ...iommu, regs: withInterruptsPending({ ...r, pqcsr: setBit(r.pqcsr, at) }, 1n << BigInt(IPSR.pip)) })
  if ((r.pqt + 1n) % entries === r.pqh) {
    iommu = withError(PQCSR.pqof)
    return refuse('success', `the page-request queue is full (pqt = ${r.pqt}, pqh = ${r.pqh}): pqof set`, prpr)
  }
  const at = queueBase(r.pqb) + r.pqt * 16n
  if (!accessible(memory, at, 16, caps.pas)) {
    iommu = withError(PQCSR.pqmf)
    return refuse('response-failure', `the record at ${hex(at)} is not writable memory: pqmf set`, prpr)
  }
  const record = recordOf(m)
  const dws = encodePageRequestRecord(record)
  memory = poke(poke(memory, phys(at), 8, dws[0]), phys(at + 8n), 8, dws[1])
  writes.push(...dws.map((value, i) => ({ addr: at + BigInt(8 * i), size: 8 as const, value, why: 'page-request record' as const })))
  // The record is in the queue: pqt moves on, and pip is pending when pqcsr.pie asks for it.
  const moved = { ...r, pqt: (r.pqt + 1n) % entries }
  iommu = { ...iommu, regs: bit(r.pqcsr, PQCSR.pie) ? raiseInterrupt(moved, 'pip') : moved }
  return { iommu, memory, writes, records, queued: { index: r.pqt, record }, refused: undefined, response: undefined, reason: `queued at index ${r.pqt} (${hex(at)})`, directory }
}
