// The PCIe ATS messages the IOMMU sends to devices (RISC-V IOMMU spec v1.0, "Command-Queue (CQ)", the
// ATS.INVAL and ATS.PRGR commands, and "PCIe ATS Page Request handling"), and the bookkeeping of
// outstanding "Invalidation Request"s: an ATS.INVAL completes when the device's "Invalidation
// Completion" arrives or a timeout expires, an IOFENCE.C waits for every earlier one, and a timeout
// is reported by that fence as cqcsr.cmd_to. The ITAG pool and its size are the C model's (two ITAGs;
// an ATS.INVAL finding none free stalls the queue after cqh moves past it).
import type { Command } from './commands.ts'

/** One message from the IOMMU to a device function (its requester ID, segment and PASID) with its body. */
export interface AtsMessage {
  readonly message: 'invalidation-request' | 'page-request-group-response'
  /** `command`: ATS.INVAL/ATS.PRGR from the command queue; `iommu`: the IOMMU's own response to a page request it could not queue. */
  readonly origin: 'command' | 'iommu'
  readonly rid: number
  readonly dsv: boolean
  readonly dseg: number
  readonly pv: boolean
  readonly pid: number
  /** The ITAG of an "Invalidation Request" (0 for a "Page Request Group Response"). */
  readonly tag: number
  /** The message body (bytes 8–15): an ATS.INVAL's or ATS.PRGR's PAYLOAD as given, or the IOMMU's PRG response. */
  readonly payload: bigint
}

/** "Page Request Group Response" response codes (PCIe; the spec's Success, Invalid Request, Response Failure). */
export const PRG_SUCCESS = 0, PRG_INVALID_REQUEST = 1, PRG_RESPONSE_FAILURE = 0xf

/** The fields of a "Page Request Group Response" body: page request group index and response code. */
export const prgResponsePayload = (destinationId: number, prgi: number, responseCode: number): bigint =>
  // Bytes 8–15 as the C model forms them: PRGI 40:32, response code 47:44, destination device ID 63:48.
  (BigInt(destinationId & 0xffff) << 48n) | (BigInt(responseCode & 0xf) << 44n) | (BigInt(prgi & 0x1ff) << 32n)

/** An outstanding "Invalidation Request": where it went and how many completions have come back. */
export interface Itag { readonly rid: number, readonly dsv: boolean, readonly dseg: number, readonly received: number }

/** An ATS command (ATS.INVAL or ATS.PRGR: one shape). */
type AtsInval = Extract<Command, { kind: 'ATS.INVAL' | 'ATS.PRGR' }>
type Fence = Extract<Command, { kind: 'IOFENCE.C' }>

export interface AtsState {
  /** The ITAG pool: an entry is busy while its request awaits completion. */
  readonly itags: readonly (Itag | undefined)[]
  /** An ATS.INVAL that found no free ITAG: the queue stalls until one frees. */
  readonly blocked: AtsInval | undefined
  /** An IOFENCE.C waiting for every earlier invalidation to complete (cqh stays on it). */
  readonly fence: Fence | undefined
  /** An invalidation timed out since the last fence: the next fence sets cmd_to instead of completing. */
  readonly timedOut: boolean
}

/** The C model's pool size (RVI_IOMMU_MAX_ITAGS). */
export const DEFAULT_ITAGS = 2

export const idleAts = (itags: number = DEFAULT_ITAGS): AtsState =>
  ({ itags: Array.from({ length: itags }, () => undefined), blocked: undefined, fence: undefined, timedOut: false })

export const anyOutstanding = (s: AtsState): boolean => s.itags.some((t) => t !== undefined)

/** Sends an ATS.INVAL's "Invalidation Request" under the first free ITAG; undefined when none is free. */
export const sendInvalidation = (s: AtsState, c: AtsInval): { readonly ats: AtsState, readonly message: AtsMessage } | undefined => {
  const tag = s.itags.findIndex((t) => t === undefined)
  if (tag < 0) return undefined
  const itags = s.itags.map((t, i) => (i === tag ? { rid: c.rid, dsv: c.dsv, dseg: c.dseg, received: 0 } : t))
  return { ats: { ...s, itags }, message: commandMessage(c, tag) }
}

/** The message an ATS command sends (ATS.PRGR with tag 0). */
export const commandMessage = (c: Extract<Command, { kind: 'ATS.INVAL' | 'ATS.PRGR' }>, tag = 0): AtsMessage => ({
  message: c.kind === 'ATS.INVAL' ? 'invalidation-request' : 'page-request-group-response', origin: 'command',
  rid: c.rid, dsv: c.dsv, dseg: c.dseg, pv: c.pv, pid: c.pid, tag, payload: c.payload,
})

/** A device's "Invalidation Completion": its requester ID (and segment, if DSV), the ITAG vector and completion count. */
export interface InvalidationCompletion { readonly rid: number, readonly dseg?: number, readonly itags: number, readonly cc: number }

/**
 * Applies a completion: each ITAG in the vector counts one more response and frees when the count
 * reaches CC (modulo 8). A completion naming a free ITAG or another requester is unexpected and
 * ignored from that ITAG on (the C model's reading). Returns whether it was expected.
 */
export const completeInvalidation = (s: AtsState, m: InvalidationCompletion): { readonly ats: AtsState, readonly expected: boolean } => {
  const itags = [...s.itags]
  for (let i = 0; i < itags.length; i++) {
    if (((m.itags >>> i) & 1) === 0) continue
    const t = itags[i]
    if (t === undefined || (t.dsv && m.dseg !== t.dseg) || t.rid !== m.rid) return { ats: { ...s, itags }, expected: false }
    const received = (t.received + 1) & 7
    itags[i] = received === (m.cc & 7) ? undefined : { ...t, received }
  }
  return { ats: { ...s, itags }, expected: true }
}

/** A protocol timeout of the requests in the vector: they are dropped, and the next fence reports cmd_to. */
export const timeOutInvalidations = (s: AtsState, vector: number): AtsState =>
  ({ ...s, itags: s.itags.map((t, i) => (((vector >>> i) & 1) === 1 ? undefined : t)), timedOut: true })
