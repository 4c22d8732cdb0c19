// RISC-V IOMMU spec v1.0, "Page-Request-Queue (PQ)", "PCIe ATS Page Request handling", "Page-request-queue
// base/head/tail" and "Page-request-queue CSR (pqcsr)", "Interrupt pending status register (ipsr)": where a
// PCIe "Page Request" goes, the record's layout, overflow and memory faults, and the response the IOMMU
// sends for a request it cannot queue. Expected words are worked from the record and payload diagrams.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import type { Iommu } from '../../src/iommu/iommu.ts'
import {
  type PageRequest, decodePageRequestRecord, encodePageRequestRecord, encodePayload, pageRequest,
} from '../../src/iommu/page-request.ts'
import { readRegister } from '../../src/iommu/registers.ts'
import { DDT, FQ, TC, dc, iommuWith, program, putDc, ram, word } from './fixtures.ts'

const PQ = 0x8073_0000n
/** pqb, pqh, pqt, pqcsr, ipsr offsets ("Register layout"). */
const PQB = 56, PQH = 64, PQT = 68, PQCSR = 80, IPSR = 84
const bitOf = (x: bigint, b: number): boolean => ((x >> BigInt(b)) & 1n) === 1n

/** 1LVL DDT: device 5 with EN_ATS + EN_PRI (+ PRPR), device 6 with EN_ATS only, device 7 with EN_PRI and DTF; device 8 not valid. */
const memory = [
  [5n, TC.V | TC.EN_ATS | TC.EN_PRI], [6n, TC.V | TC.EN_ATS], [7n, TC.V | TC.EN_ATS | TC.DTF], [9n, TC.V | TC.EN_ATS | TC.EN_PRI | TC.PRPR],
].reduce((m, [d, tc]) => putDc(m, DDT + d! * 32n, dc(tc!)), ram)

/** An IOMMU in 1LVL with a page-request queue of `entries` (2^(LOG2SZ-1+1)) at `base`, pqcsr as given. */
const withPq = (pqcsr = 1n, log2szm1 = 1n, base = PQ): Iommu =>
  program(iommuWith(2), [[PQB, log2szm1 | ((base >> 12n) << 10n)], [PQCSR, pqcsr]])

const payload = (r: boolean, w: boolean, l: boolean, prgi: number, page = 0x4000_1000n): bigint => encodePayload({ r, w, l, prgi, page })
const req = (deviceId: number, p: bigint, processId?: number, privileged = false, execute = false): PageRequest =>
  ({ deviceId, payload: p, privileged, execute, ...(processId === undefined ? {} : { processId }) })

test('"Page-request-queue record": PID 31:12, PV 32, PRIV 33, EXEC 34, DID 63:40 in doubleword 0, PAYLOAD in doubleword 1, the rest 0', () => {
  const dws = encodePageRequestRecord({ pid: 7, pv: true, priv: true, exec: false, did: 5, payload: 0x4000_1013n })
  assert.equal(dws, [0x0503_0000_7000n, 0x4000_1013n])
  assert.equal(decodePageRequestRecord(dws), { pid: 7, pv: true, priv: true, exec: false, did: 5, payload: 0x4000_1013n })
})

test('"Page request" payload: R 0, W 1, L 2, page request group index 11:3, page address 63:12', () => {
  assert.is(payload(true, true, true, 2, 0x4000_1000n), 0x4000_1017n)
})

test('PQ: a page request from a device with EN_PRI = 1 is written at pqb + pqt·16 and pqt advances by 1', () => {
  const o = pageRequest(withPq(), memory, req(5, payload(true, false, false, 3), 7, true, true))
  assert.is(o.queued?.index, 0n)
  assert.is(word(o.memory, PQ), 0x0507_0000_7000n)           // PID 7, PV, PRIV, EXEC, DID 5
  assert.is(word(o.memory, PQ + 8n), 0x4000_1019n)
  assert.is(readRegister(o.iommu.regs, PQT, 4), 1n)
  assert.is(o.response, undefined)
})

test('PQ record: without a PASID, PID, PRIV and EXEC are 0 whatever the message says', () => {
  const o = pageRequest(withPq(), memory, req(5, payload(true, true, false, 0), undefined, true, true))
  assert.is(word(o.memory, PQ), 0x0500_0000_0000n)
})

test('ipsr.pip: set when a new message is produced in the PQ and pqcsr.pie = 1; not set with pie = 0', () => {
  assert.ok(bitOf(pageRequest(withPq(3n), memory, req(5, payload(true, true, false, 0))).iommu.regs.ipsr, 3))
  assert.not.ok(bitOf(pageRequest(withPq(1n), memory, req(5, payload(true, true, false, 0))).iommu.regs.ipsr, 3))
})

test('PQ full (pqt = pqh − 1): pqof is set, the message is discarded, and a last request of its group gets an IOMMU response with status Success', () => {
  // Two entries: one record fills the queue.
  const one = pageRequest(withPq(1n, 0n), memory, req(5, payload(true, true, false, 0)))
  const o = pageRequest(one.iommu, one.memory, req(5, payload(true, true, true, 9)))
  assert.is(o.queued, undefined)
  assert.ok(bitOf(o.iommu.regs.pqcsr, 9))
  assert.is(readRegister(o.iommu.regs, PQT, 4), 1n)
  assert.is(o.refused, 'success')
  // PRG response body: PRGI 9 in 40:32, response code 0 in 47:44, destination ID 5 in 63:48.
  assert.equal(o.response, { message: 'page-request-group-response', origin: 'iommu', rid: 5, dsv: false, dseg: 0, pv: false, pid: 0, tag: 0, payload: 0x0005_0009_0000_0000n })
})

test('pqof with pqcsr.pie = 1 sets ipsr.pip; clearing pip (RW1C) while pqof is still 1 sets it again', () => {
  const one = pageRequest(withPq(3n, 0n), memory, req(5, payload(true, true, false, 0)))
  const o = pageRequest({ ...one.iommu, regs: { ...one.iommu.regs, ipsr: 0n } }, one.memory, req(5, payload(true, true, false, 1)))
  assert.ok(bitOf(o.iommu.regs.ipsr, 3))
  assert.ok(bitOf(program(o.iommu, [[IPSR, 8n]]).regs.ipsr, 3))
})

test('While pqof is 1 every message is discarded (even with room again), until software clears pqof by writing 1', () => {
  const one = pageRequest(withPq(1n, 0n), memory, req(5, payload(true, true, false, 0)))
  const full = pageRequest(one.iommu, one.memory, req(5, payload(true, true, false, 1)))
  const consumed = program(full.iommu, [[PQH, 1n]])                    // software took the record
  const still = pageRequest(consumed, full.memory, req(5, payload(true, true, true, 2)))
  assert.is(still.queued, undefined); assert.is(still.refused, 'success')
  const cleared = program(still.iommu, [[PQCSR, 1n | (1n << 9n)]])
  assert.not.ok(bitOf(cleared.regs.pqcsr, 9))
  assert.is(pageRequest(cleared, still.memory, req(5, payload(true, true, false, 3))).queued?.index, 1n)
})

test('"PCIe ATS Page Request handling": the PQ off (pqen = 0) → Response Failure, no fault record', () => {
  const o = pageRequest(withPq(0n), memory, req(5, payload(true, false, true, 4)))
  assert.is(o.refused, 'response-failure'); assert.is(o.records.length, 0)
  assert.is(o.response?.payload, 0x0005_f004_0000_0000n)
})

test('A refused page request that is not the last of its group (L = 0) is discarded silently: no response', () => {
  const o = pageRequest(withPq(0n), memory, req(5, payload(true, false, false, 4)))
  assert.is(o.refused, 'response-failure'); assert.is(o.response, undefined)
})

test('A refused Stop Marker (L = 1, R = W = 0) is always discarded silently', () => {
  const o = pageRequest(withPq(0n), memory, req(5, payload(false, false, true, 4), 3))
  assert.is(o.response, undefined)
})

test('pqmf: a record store that faults sets pqmf (and pip with pie) and the response is Response Failure; later messages are discarded the same way', () => {
  const o = pageRequest(withPq(3n, 1n, 0x1000_0000n), memory, req(5, payload(true, true, true, 1)))
  assert.ok(bitOf(o.iommu.regs.pqcsr, 8)); assert.ok(bitOf(o.iommu.regs.ipsr, 3))
  assert.is(o.refused, 'response-failure'); assert.is(o.writes.length, 0)
  assert.is(pageRequest(o.iommu, o.memory, req(5, payload(true, true, true, 2))).refused, 'response-failure')
})

test('EN_PRI = 0: cause 260 recorded with TTYP 9 (PCIe message) and iotval = the message code 0x4; response Invalid Request', () => {
  const o = pageRequest(withPq(), memory, req(6, payload(true, true, true, 5), 11, true))
  assert.is(o.refused, 'invalid-request')
  assert.equal(o.records.map((r) => [r.cause, r.ttyp, r.did, r.pv, r.pid, r.priv, r.iotval, r.iotval2]), [[260, 9, 6, true, 11, true, 4n, 0n]])
  assert.is(word(o.memory, FQ), 260n | (11n << 12n) | (1n << 32n) | (1n << 33n) | (9n << 34n) | (6n << 40n))
  // PRPR = 0: an Invalid Request response carries no PASID, although the request had one.
  assert.equal([o.response?.pv, o.response?.pid, (o.response!.payload >> 44n) & 0xfn], [false, 0, 1n])
})

test('PRPR = 1: an IOMMU response with status Invalid Request or Success carries the request\'s PASID', () => {
  const one = pageRequest(withPq(1n, 0n), memory, req(9, payload(true, true, false, 0)))
  const o = pageRequest(one.iommu, one.memory, req(9, payload(true, true, true, 6), 12))
  assert.equal([o.refused, o.response?.pv, o.response?.pid], ['success', true, 12])
})

test('Response Failure carries the request\'s PASID even with PRPR = 0', () => {
  const o = pageRequest(withPq(0n), memory, req(5, payload(true, false, true, 4), 13))
  assert.equal([o.response?.pv, o.response?.pid], [true, 13])
})

test('DTF = 1 suppresses the cause-260 record of EN_PRI = 0, not the response', () => {
  const o = pageRequest(withPq(), memory, req(7, payload(true, true, true, 5)))
  assert.is(o.records.length, 0); assert.is(o.refused, 'invalid-request'); assert.ok(o.response !== undefined)
})

test('ddtp.iommu_mode Off → cause 256 and Response Failure; Bare → cause 260 and Invalid Request', () => {
  const off = pageRequest(program(withPq(), [[16, 0n]]), memory, req(5, payload(true, true, true, 1)))
  assert.equal([off.records[0]?.cause, off.refused], [256, 'response-failure'])
  const bare = pageRequest(program(program(withPq(), [[16, 0n]]), [[16, 1n]]), memory, req(5, payload(true, true, true, 1)))
  assert.equal([bare.records[0]?.cause, bare.refused], [260, 'invalid-request'])
})

test('DDT entry not valid (258) → Response Failure; device_id wider than 1LVL (260) → Invalid Request', () => {
  const o = pageRequest(withPq(), memory, req(8, payload(true, true, true, 1)))
  assert.equal([o.records[0]?.cause, o.refused], [258, 'response-failure'])
  const wide = pageRequest(withPq(), memory, req(0x80, payload(true, true, true, 1)))
  assert.equal([wide.records[0]?.cause, wide.refused], [260, 'invalid-request'])
})

test('pqcsr: pqen 0 → 1 sets pqt = 0 and clears pqmf and pqof; pqon follows pqen; busy reads 0', () => {
  const one = pageRequest(withPq(1n, 0n), memory, req(5, payload(true, true, false, 0)))
  const full = pageRequest(one.iommu, one.memory, req(5, payload(true, true, false, 1)))
  const off = program(full.iommu, [[PQCSR, 0n]])
  assert.is(readRegister(off.regs, PQCSR, 4), 1n << 9n)               // pqof stays; pqon = 0
  const on = program(off, [[PQCSR, 1n]])
  assert.is(readRegister(on.regs, PQCSR, 4), 1n | (1n << 16n))
  assert.is(readRegister(on.regs, PQT, 4), 0n)
})

test('pqh: only bits LOG2SZ-1:0 are writable; pqb, pqh, pqt and pqcsr read 0 without capabilities.ATS', () => {
  assert.is(readRegister(program(withPq(1n, 1n), [[PQH, 0xffn]]).regs, PQH, 4), 3n)
  const noAts = program(iommuWith(2, EXAMPLE_CAPABILITIES & ~(1n << 25n)), [[PQB, 1n | ((PQ >> 12n) << 10n)], [PQCSR, 3n], [PQH, 1n]])
  assert.equal([PQB, PQH, PQT, PQCSR].map((o) => readRegister(noAts.regs, o, 4)), [0n, 0n, 0n, 0n])
})

test('The queue wraps: after software consumes records (pqh), pqt goes round to 0', () => {
  let s = { iommu: withPq(1n, 1n), memory }
  for (let i = 0; i < 3; i++) s = pageRequest(s.iommu, s.memory, req(5, payload(true, true, false, i)))
  s = { ...s, iommu: program(s.iommu, [[PQH, 3n]]) }
  const o = pageRequest(s.iommu, s.memory, req(5, payload(true, true, false, 7)))
  assert.is(o.queued?.index, 3n); assert.is(readRegister(o.iommu.regs, PQT, 4), 0n)
})

test.run()
