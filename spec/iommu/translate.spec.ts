// RISC-V IOMMU spec v1.0, "Process to translate an IOVA" (steps 1–20), "Process to locate the
// Device-context", "Process to locate the Process-context", "PCIe ATS translation request handling"
// and the fault record each fault produces. Every table below is built by hand; the expected
// addresses, causes and iotval2 values are worked out from it in the comments.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeFaultRecord } from '../../src/iommu/fault-record.ts'
import type { Iommu } from '../../src/iommu/iommu.ts'
import { type IoRequest, type TranslateOutcome, translate } from '../../src/iommu/translate.ts'
import type { PhysMemory } from '../../src/memory/memory.ts'
import {
  DDT, FQ, OFF, PTE_A, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, TC, atp, dc, ddtp, iommuWith, makePte, program, put, putDc, ram, word,
} from './fixtures.ts'

// ---- single-stage Sv39 tables: root 0x8020_0000, L1 0x8020_1000, L0 0x8020_2000 -----------------
// IOVA 0x4000_1234: vpn[2] = 1, vpn[1] = 0, vpn[0] = 1, offset 0x234.
const IOVA = 0x4000_1234n
const ROOT = 0x8020_0000n
const LEAF_AT = 0x8020_2008n
const URWAD = PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
const sv39Tables = (m: PhysMemory, leaf: bigint): PhysMemory => put(m, [
  [ROOT + 8n, makePte(0x8020_1000n, PTE_V)],
  [0x8020_1000n, makePte(0x8020_2000n, PTE_V)],
  [LEAF_AT, leaf],
])
const DEV = 5
const DC_AT = DDT + 5n * 32n // 1LVL, base format: DDI[0] = 5 → 0x8010_00a0

const req = (over: Partial<IoRequest> = {}): IoRequest =>
  ({ deviceId: DEV, access: 'read', privileged: false, type: 'untranslated', iova: IOVA, ...over })

/** A 1LVL IOMMU, device 5 with the given DC words, Sv39 tables with `leaf`. */
const setup = (words: readonly bigint[], leaf = makePte(0x8030_0000n, URWAD)): { iommu: Iommu, mem: PhysMemory } =>
  ({ iommu: iommuWith(2), mem: sv39Tables(putDc(ram, DC_AT, words), leaf) })
const sv39Dc = (tc = 0n): readonly bigint[] => dc(TC.V | tc, atp(8, ROOT))
const run = (s: { iommu: Iommu, mem: PhysMemory }, r: IoRequest = req()): TranslateOutcome => translate(s.iommu, s.mem, r)
const causeOf = (o: TranslateOutcome): number | undefined => o.response.fault?.cause

// ---- steps 1 and 2: Off and Bare ---------------------------------------------------------------

test('Step 1: iommu_mode Off → "All inbound transactions disallowed" (256), unsupported request, record written', () => {
  const o = translate(iommuWith(0), ram, req())
  assert.is(o.response.status, 'unsupported-request')
  assert.is(causeOf(o), 256)
  // CAUSE 256 | TTYP 2 (untranslated read) << 34 | DID 5 << 40
  assert.is(word(o.memory, FQ), 0x0000_0508_0000_0100n)
  assert.is(word(o.memory, FQ + 16n), IOVA)
  assert.is(o.iommu.regs.fqt, 1n)
  // The record is stored as four doublewords.
  assert.equal(o.writes.map((w) => [w.addr, w.size]), [[FQ, 8], [FQ + 8n, 8], [FQ + 16n, 8], [FQ + 24n, 8]])
})
test('Step 2: iommu_mode Bare passes an untranslated request through (PA = IOVA)', () => {
  const o = translate(iommuWith(1), ram, req())
  assert.is(o.response.status, 'success'); assert.is(o.response.pa, IOVA); assert.is(o.response.ppn, 0x40001n)
})
test('Step 2: iommu_mode Bare: a translated request is "Transaction type disallowed" (260)', () => {
  assert.is(causeOf(translate(iommuWith(1), ram, req({ type: 'translated' }))), 260)
})

// ---- steps 3–6 and "Process to locate the Device-context" --------------------------------------

test('Step 5: 1LVL and DDI[1] ≠ 0 (device_id 0x80) → 260', () => {
  assert.is(causeOf(run(setup(sv39Dc()), req({ deviceId: 0x80 }))), 260)
})
test('Step 5: 2LVL and DDI[2] ≠ 0 (device_id 0x10005) → 260', () => {
  assert.is(causeOf(translate(iommuWith(3), ram, req({ deviceId: 0x10005 }))), 260)
})
test('Locate DC step 3: a DDT entry outside memory → "DDT entry load access fault" (257)', () => {
  const iommu = program(iommuWith(0), [[OFF.ddtp, ddtp(2, 0x1000_0000n)]])
  assert.is(causeOf(translate(iommu, ram, req())), 257)
})
test('Locate DC step 9: DC.tc.V = 0 → "DDT entry not valid" (258)', () => {
  assert.is(causeOf(run(setup(dc(0n, atp(8, ROOT))))), 258)
})
test('Locate DC step 10: a misconfigured DC (DPE with PDTV = 0) → 259, recorded even with DTF = 1', () => {
  const o = run(setup(sv39Dc(TC.DPE | TC.DTF)))
  assert.is(causeOf(o), 259)
  assert.is(o.records.length, 1)
})
test('Locate DC, 2LVL: device_id 0x85 → DDI[1] = 1 (entry at DDT + 8), DDI[0] = 5 (DC at next + 0xa0)', () => {
  const mem = sv39Tables(putDc(put(ram, [[DDT + 8n, makePte(0x8011_0000n, PTE_V)]]), 0x8011_00a0n, sv39Dc()), makePte(0x8030_0000n, URWAD))
  const o = translate(iommuWith(3), mem, req({ deviceId: 0x85 }))
  assert.is(o.response.pa, 0x8030_0234n)
  assert.equal(o.explanation.directory.map((d) => d.addr), [DDT + 8n, 0x8011_00a0n])
})
test('Locate DC, 3LVL: device_id 0x10085 → DDI = 5, 1, 1', () => {
  const mem = sv39Tables(putDc(put(ram, [[DDT + 8n, makePte(0x8012_0000n, PTE_V)], [0x8012_0008n, makePte(0x8013_0000n, PTE_V)]]), 0x8013_00a0n, sv39Dc()), makePte(0x8030_0000n, URWAD))
  assert.is(translate(iommuWith(4), mem, req({ deviceId: 0x10085 })).response.pa, 0x8030_0234n)
})
test('Locate DC step 5: a non-leaf DDT entry with V = 0 → 258', () => {
  assert.is(causeOf(translate(iommuWith(3), ram, req({ deviceId: 0x85 }))), 258)
})
test('Locate DC step 6: a non-leaf DDT entry with a reserved bit (bit 63) → 259', () => {
  const mem = put(ram, [[DDT + 8n, makePte(0x8011_0000n, PTE_V) | (1n << 63n)]])
  assert.is(causeOf(translate(iommuWith(3), mem, req({ deviceId: 0x85 }))), 259)
})

// ---- step 7: transaction types -------------------------------------------------------------------

test('Step 7: a translated request with DC.tc.EN_ATS = 0 → 260', () => {
  assert.is(causeOf(run(setup(sv39Dc()), req({ type: 'translated' }))), 260)
})
test('Step 7: a request with a process_id and DC.tc.PDTV = 0 → 260, the record has PV = 1 and the PID', () => {
  const o = run(setup(sv39Dc()), req({ processId: 7 }))
  assert.is(causeOf(o), 260)
  const r = o.records[0]!
  assert.ok(r.pv); assert.is(r.pid, 7)
})
test('A translated request asking execute without a process_id is a read (PCIe: Execute Requested rides in the PASID prefix): TTYP 6', () => {
  assert.is(run(setup(sv39Dc()), req({ type: 'translated', access: 'execute' })).records[0]!.ttyp, 6)
  assert.is(run(withPdt(1n), req({ type: 'translated', access: 'execute', processId: 3 })).records[0]!.ttyp, 5)
})
test('Step 8: a translated request with EN_ATS = 1 and T2GPA = 0 is complete: PA = IOVA', () => {
  const o = run(setup(sv39Dc(TC.EN_ATS)), req({ type: 'translated', iova: 0x8055_5000n }))
  assert.is(o.response.status, 'success'); assert.is(o.response.pa, 0x8055_5000n)
})

// ---- steps 10 and 17: single-stage translation ----------------------------------------------------

test('Step 10/17: iosatp Sv39: IOVA 0x4000_1234 → 0x8030_0234 through root+8, L1+0, L0+8', () => {
  const o = run(setup(sv39Dc()))
  assert.is(o.response.status, 'success'); assert.is(o.response.pa, 0x8030_0234n); assert.is(o.response.ppn, 0x80300n)
  assert.equal(o.explanation.trail.map((t) => t.pteAddr), [ROOT + 8n, 0x8020_1000n, LEAF_AT])
  assert.is(o.records.length, 0)
})
test('First stage: a request without supervisor privilege to a U = 0 page → read page fault (13), TTYP 2', () => {
  const o = run(setup(sv39Dc(), makePte(0x8030_0000n, URWAD & ~PTE_U)))
  assert.is(causeOf(o), 13)
  const rec = decodeFaultRecord([word(o.memory, FQ), word(o.memory, FQ + 8n), word(o.memory, FQ + 16n), word(o.memory, FQ + 24n)])
  assert.equal(rec, { cause: 13, pid: 0, pv: false, priv: false, ttyp: 2, did: 5, custom: 0, iotval: IOVA, iotval2: 0n })
})
test('First stage: a write to a page with W = 0 → write page fault (15), TTYP 3', () => {
  const o = run(setup(sv39Dc(), makePte(0x8030_0000n, URWAD & ~PTE_W)), req({ access: 'write' }))
  assert.is(causeOf(o), 15); assert.is(o.records[0]!.ttyp, 3)
})
test('First stage: an execute request to a page with X = 0 → instruction page fault (12), TTYP 1', () => {
  const o = run(setup(sv39Dc()), req({ access: 'execute' }))
  assert.is(causeOf(o), 12); assert.is(o.records[0]!.ttyp, 1)
})
test('First stage: an IOVA not sign-extended from bit 38 (Sv39) → page fault', () => {
  assert.is(causeOf(run(setup(sv39Dc()), req({ iova: 0x0000_8000_0000_0000n }))), 13)
})
test('SADE = 0: a leaf with A = 0 → page fault (no hardware update)', () => {
  assert.is(causeOf(run(setup(sv39Dc(), makePte(0x8030_0000n, URWAD & ~PTE_A)))), 13)
})
test('SADE = 1: a write to a leaf with A = D = 0 sets both, reported as an 8-byte memory write', () => {
  const leaf = makePte(0x8030_0000n, PTE_V | PTE_R | PTE_W | PTE_U)
  const o = run(setup(sv39Dc(TC.SADE), leaf), req({ access: 'write' }))
  assert.is(o.response.pa, 0x8030_0234n)
  assert.equal(o.writes, [{ addr: LEAF_AT, size: 8, value: leaf | PTE_A | PTE_D, why: 'A/D update' }])
  assert.is(word(o.memory, LEAF_AT), leaf | PTE_A | PTE_D)
})
test('DTF = 1: a page fault is not recorded, and the request is still aborted', () => {
  const o = run(setup(sv39Dc(TC.DTF), makePte(0x8030_0000n, URWAD & ~PTE_U)))
  assert.is(o.response.status, 'unsupported-request'); assert.is(causeOf(o), 13)
  assert.is(o.records.length, 0); assert.is(o.iommu.regs.fqt, 0n)
})

// ---- two-stage translation ------------------------------------------------------------------------
// G-stage Sv39x4, root 0x8040_0000 (16 KiB), GSCID 1: root[0] → L1 0x8040_4000; L1[0] a 2 MiB leaf
// at 0x8060_0000, so GPA g < 2 MiB ↦ SPA 0x8060_0000 + g. First stage Sv39 at GPA 0x1000:
// GPA 0x1008 → 0x2000, 0x2000 → 0x3000, 0x3008 → leaf for GPA 0x5000.
const G_ROOT = 0x8040_0000n
const gTables = (m: PhysMemory, gLeafFlags: bigint): PhysMemory => put(m, [
  [G_ROOT, makePte(0x8040_4000n, PTE_V)],
  [0x8040_4000n, makePte(0x8060_0000n, gLeafFlags)],
  [0x8060_1008n, makePte(0x2000n, PTE_V)],
  [0x8060_2000n, makePte(0x3000n, PTE_V)],
  [0x8060_3008n, makePte(0x5000n, URWAD)],
])
const twoStage = (gLeafFlags = URWAD | PTE_X, tc = 0n) => ({
  iommu: iommuWith(2),
  mem: gTables(putDc(ram, DC_AT, dc(TC.V | tc, atp(8, 0x1000n), atp(8, G_ROOT, 1n))), gLeafFlags),
})

test('Steps 17–19: two-stage: IOVA 0x4000_1234 → GPA 0x5234 → SPA 0x8060_5234; size = min(4 KiB, 2 MiB)', () => {
  const o = run(twoStage())
  assert.is(o.response.pa, 0x8060_5234n); assert.is(o.response.pageBits, 12)
  // Every first-stage PTE address is G-stage translated first (2 G-stage reads each), then the final GPA.
  assert.equal(o.explanation.trail.map((t) => t.pteAddr), [G_ROOT, 0x8040_4000n, 0x8060_1008n, G_ROOT, 0x8040_4000n, 0x8060_2000n, G_ROOT, 0x8040_4000n, 0x8060_3008n, G_ROOT, 0x8040_4000n])
})
test('Implicit access: a G-stage fault translating a first-stage PTE address → guest-page fault of the original type (21), iotval2 = GPA | 1', () => {
  const o = run(twoStage(URWAD & ~PTE_U))
  assert.is(causeOf(o), 21)
  assert.is(o.records[0]!.iotval2, 0x1009n) // GPA 0x1008 (root + vpn[2]·8), bit 0: implicit
})
test('Step 19: a write whose final GPA maps to a G-stage leaf with W = 0 → write guest-page fault (23), iotval2 = GPA', () => {
  const o = run(twoStage(PTE_V | PTE_R | PTE_U | PTE_A | PTE_D), req({ access: 'write' }))
  assert.is(causeOf(o), 23)
  assert.is(o.records[0]!.iotval2, 0x5234n)
})
test('GADE = 0: a G-stage leaf with A = 0 → guest-page fault on the first implicit read (21, iotval2 0x1009)', () => {
  const o = run(twoStage(PTE_V | PTE_R | PTE_W | PTE_U))
  assert.is(causeOf(o), 21); assert.is(o.records[0]!.iotval2, 0x1009n)
})
test('GADE = 1: implicit reads set only A in the G-stage leaf (D is set only by a store)', () => {
  const o = run(twoStage(PTE_V | PTE_R | PTE_W | PTE_U, TC.GADE))
  assert.is(o.response.pa, 0x8060_5234n)
  assert.is(word(o.memory, 0x8040_4000n), makePte(0x8060_0000n, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A))
})
test('SADE = 1, GADE = 0: an implicit read through a G-stage leaf with D = 0 needs only A (spec)', () => {
  const o = run(twoStage(PTE_V | PTE_R | PTE_W | PTE_U | PTE_A, TC.SADE))
  assert.is(o.response.pa, 0x8060_5234n)
})
test('Option implicitGStageDirty = refmodel (the C model): with SADE = 1 that read wants D: GADE = 0 → 21, iotval2 0x1009; GADE = 1 → D set', () => {
  const s = twoStage(PTE_V | PTE_R | PTE_W | PTE_U | PTE_A, TC.SADE)
  const c = { ...s.iommu, options: { ...s.iommu.options, implicitGStageDirty: 'refmodel' as const } }
  const o = translate(c, s.mem, req())
  assert.is(causeOf(o), 21); assert.is(o.records[0]!.iotval2, 0x1009n)
  const g = twoStage(PTE_V | PTE_R | PTE_W | PTE_U | PTE_A, TC.SADE | TC.GADE)
  const o2 = translate({ ...g.iommu, options: c.options }, g.mem, req())
  assert.is(o2.response.pa, 0x8060_5234n)
  assert.is(word(o2.memory, 0x8040_4000n), makePte(0x8060_0000n, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D))
})
test('A GPA wider than Sv39x4 (bit 41 set) → guest-page fault', () => {
  const mem = putDc(ram, DC_AT, dc(TC.V, 0n, atp(8, G_ROOT, 1n)))
  assert.is(causeOf(translate(iommuWith(2), mem, req({ iova: 1n << 41n }))), 21)
})

// ---- process contexts -----------------------------------------------------------------------------
// PD8 root at 0x8050_0000: process_id 3 → PC at 0x8050_0030 (16-byte entries).
const PDT = 0x8050_0000n
const pcWords = (ta: bigint, fsc = atp(8, ROOT)): readonly (readonly [bigint, bigint])[] => [[PDT + 0x30n, ta], [PDT + 0x38n, fsc]]
const withPdt = (ta: bigint, mode = 1, tc = 0n, leaf = makePte(0x8030_0000n, URWAD)) => ({
  iommu: iommuWith(2),
  mem: sv39Tables(put(putDc(ram, DC_AT, dc(TC.V | TC.PDTV | tc, atp(mode, PDT))), pcWords(ta)), leaf),
})
const ENS = 2n, SUM = 4n

test('Locate PC, PD8: process_id 3 → PC at pdtp + 3·16; its fsc gives the first stage', () => {
  const o = run(withPdt(1n | (9n << 12n)), req({ processId: 3 }))
  assert.is(o.response.pa, 0x8030_0234n)
  assert.is(o.explanation.directory.at(-1)!.addr, PDT + 0x30n)
})
test('Step 7: a process_id wider than PD8 (0x100) → 260', () => {
  assert.is(causeOf(run(withPdt(1n), req({ processId: 0x100 }))), 260)
})
test('Locate PC step 11: PC.ta.V = 0 → "PDT entry not valid" (266)', () => {
  assert.is(causeOf(run(withPdt(0n), req({ processId: 3 }))), 266)
})
test('Locate PC step 12: PC with a reserved ta bit → "PDT entry misconfigured" (267)', () => {
  assert.is(causeOf(run(withPdt(1n | (1n << 40n)), req({ processId: 3 }))), 267)
})
test('Step 15: a supervisor request with PC.ta.ENS = 0 → 260; the record has PV = 1, PRIV = 1', () => {
  const o = run(withPdt(1n), req({ processId: 3, privileged: true }))
  assert.is(causeOf(o), 260)
  assert.ok(o.records[0]!.priv)
})
test('ENS = 1, SUM = 0: a supervisor request to a U = 1 page → page fault', () => {
  assert.is(causeOf(run(withPdt(1n | ENS), req({ processId: 3, privileged: true }))), 13)
})
test('ENS = 1, SUM = 1: a supervisor read of a U = 1 page succeeds', () => {
  assert.is(run(withPdt(1n | ENS | SUM), req({ processId: 3, privileged: true })).response.pa, 0x8030_0234n)
})
test('ENS = 1, SUM = 1: a supervisor execute of a U = 1 page → instruction page fault regardless of SUM', () => {
  const leaf = makePte(0x8030_0000n, URWAD | PTE_X)
  assert.is(causeOf(run(withPdt(1n | ENS | SUM, 1, 0n, leaf), req({ processId: 3, privileged: true, access: 'execute' }))), 12)
})
test('Step 11: no process_id with DPE = 1 uses process_id 0 (PC at pdtp + 0)', () => {
  const s = withPdt(1n, 1, TC.DPE)
  const mem = put(s.mem, [[PDT, 1n], [PDT + 8n, atp(8, ROOT)]])
  const o = translate(s.iommu, mem, req())
  assert.is(o.response.pa, 0x8030_0234n)
  assert.is(o.explanation.directory.at(-1)!.addr, PDT)
})
test('Step 12: no process_id with DPE = 0: the first stage is Bare (PA = IOVA)', () => {
  assert.is(run(withPdt(1n)).response.pa, IOVA)
})
test('Locate PC, PD17: process_id 0x105 → PDI[1] = 1 (entry at pdtp + 8), PDI[0] = 5 (PC at next + 0x50)', () => {
  const mem = sv39Tables(put(putDc(ram, DC_AT, dc(TC.V | TC.PDTV, atp(2, PDT))), [
    [PDT + 8n, makePte(0x8051_0000n, PTE_V)], [0x8051_0050n, 1n], [0x8051_0058n, atp(8, ROOT)],
  ]), makePte(0x8030_0000n, URWAD))
  assert.is(translate(iommuWith(2), mem, req({ processId: 0x105 })).response.pa, 0x8030_0234n)
})
test('Locate PC step 7: a non-leaf PDT entry with V = 0 → 266', () => {
  const mem = putDc(ram, DC_AT, dc(TC.V | TC.PDTV, atp(2, PDT)))
  assert.is(causeOf(translate(iommuWith(2), mem, req({ processId: 0x105 }))), 266)
})
test('Locate PC step 3: a G-stage fault on a PDT address → guest-page fault of the original type, iotval2 = GPA | 1', () => {
  // pdtp.PPN is a GPA (0x6000); PC for process 3 at GPA 0x6030; the G-stage leaf has U = 0.
  const mem = gTables(putDc(ram, DC_AT, dc(TC.V | TC.PDTV, atp(1, 0x6000n), atp(8, G_ROOT, 1n))), URWAD & ~PTE_U)
  const o = translate(iommuWith(2), mem, req({ processId: 3, access: 'write' }))
  assert.is(causeOf(o), 23); assert.is(o.records[0]!.iotval2, 0x6031n)
})

// ---- PCIe ATS translation requests ------------------------------------------------------------------

test('ATS: a Success completion carries R, W (W only with D), the range size and the NAPOT-encoded PPN', () => {
  const o = run(setup(sv39Dc(TC.EN_ATS), makePte(0x8030_0000n, URWAD)), req({ type: 'ats' }))
  assert.is(o.response.status, 'success')
  assert.equal(o.response.ats, { r: true, w: true, x: false, u: false, priv: false, g: false, size: 4096n, pbmt: 0 })
  assert.is(o.response.ppn, 0x80300n)
})
test('ATS: permissions missing from the page are reported 0 instead of faulting (W = 0 page, write requested)', () => {
  const o = run(setup(sv39Dc(TC.EN_ATS), makePte(0x8030_0000n, URWAD & ~PTE_W)), req({ type: 'ats', access: 'write' }))
  assert.is(o.response.status, 'success')
  assert.is(o.response.ats!.r, true); assert.is(o.response.ats!.w, false)
  assert.is(o.records.length, 0)
})
test('ATS write intent under SADE, leaf W = 1 with A = D = 0: one PTE update sets A and D together (Priv. ISA step 8: A, and D for a store, in one update), and the completion grants W', () => {
  const o = run(setup(sv39Dc(TC.EN_ATS | TC.SADE), makePte(0x8030_0000n, PTE_V | PTE_R | PTE_W | PTE_U)), req({ type: 'ats', access: 'write' }))
  assert.equal(o.writes.map((w) => [w.addr, w.value]), [[LEAF_AT, makePte(0x8030_0000n, URWAD)]])
  assert.is(o.response.ats!.w, true)
})

test('ATS write intent under SADE, leaf W = 0 with A = 0: one update sets A only; the completion has W = 0', () => {
  const o = run(setup(sv39Dc(TC.EN_ATS | TC.SADE), makePte(0x8030_0000n, PTE_V | PTE_R | PTE_U)), req({ type: 'ats', access: 'write' }))
  assert.equal(o.writes.map((w) => [w.addr, w.value]), [[LEAF_AT, makePte(0x8030_0000n, PTE_V | PTE_R | PTE_U | PTE_A)]])
  assert.is(o.response.ats!.w, false)
})

test('ATS: a page fault (U = 0 page, no privilege) → Success with R = W = 0 and no fault record', () => {
  const o = run(setup(sv39Dc(TC.EN_ATS), makePte(0x8030_0000n, URWAD & ~PTE_U)), req({ type: 'ats' }))
  assert.is(o.response.status, 'success'); assert.is(o.response.ats!.r, false); assert.is(o.response.ats!.w, false)
  assert.is(o.records.length, 0)
})
test('ATS: DDT entry not valid (258) → Unsupported Request, recorded with TTYP 8', () => {
  const o = run(setup(dc(0n)), req({ type: 'ats' }))
  assert.is(o.response.status, 'unsupported-request'); assert.is(o.records[0]!.ttyp, 8)
})
test('ATS: PDT entry load access fault (265) → Completer Abort, recorded', () => {
  const mem = putDc(ram, DC_AT, dc(TC.V | TC.EN_ATS | TC.PDTV, atp(1, 0x1000_0000n)))
  const o = translate(iommuWith(2), mem, req({ type: 'ats', processId: 3 }))
  assert.is(causeOf(o), 265); assert.is(o.response.status, 'completer-abort'); assert.is(o.records.length, 1)
})
test('ATS with T2GPA = 1: the completion holds the GPA (0x5000), not the SPA', () => {
  const s = twoStage(URWAD | PTE_X, TC.EN_ATS | TC.T2GPA)
  const o = run(s, req({ type: 'ats' }))
  assert.is(o.response.pa, 0x5234n); assert.is(o.response.ppn, 0x5n)
})
test('Step 9: a translated request with T2GPA = 1 is a GPA translated by the G-stage only (0x5234 → 0x8060_5234)', () => {
  const o = run(twoStage(URWAD | PTE_X, TC.EN_ATS | TC.T2GPA), req({ type: 'translated', iova: 0x5234n }))
  assert.is(o.response.pa, 0x8060_5234n)
})

// ---- more schemes: Svnapot, Sv48, PD20 ---------------------------------------------------------------

test('Svnapot: a level-0 leaf with N = 1 and PPN[3:0] = 1000 maps 64 KiB: IOVA 0x4001_1234 → 0x8030_1234, ATS range 0x10000', () => {
  // vpn[0] = 0x11 (in the NAPOT group 0x10–0x1f); leaf at L0 + 0x11·8 = 0x8020_2088, PPN 0x80308 (low nibble 8).
  const mem = put(putDc(ram, DC_AT, sv39Dc(TC.EN_ATS)), [
    [ROOT + 8n, makePte(0x8020_1000n, PTE_V)], [0x8020_1000n, makePte(0x8020_2000n, PTE_V)],
    [0x8020_2088n, makePte(0x8030_8000n, URWAD) | (1n << 63n)],
  ])
  const u = translate(iommuWith(2), mem, req({ iova: 0x4001_1234n }))
  assert.is(u.response.pa, 0x8030_1234n)
  const a = translate(iommuWith(2), mem, req({ iova: 0x4001_1234n, type: 'ats' }))
  assert.is(a.response.ats?.size, 0x1_0000n)
  assert.is(a.response.ppn, 0x80307n) // (0x8030_0000 | 0x7fff) >> 12: the NAPOT-encoded 64 KiB range
})
test('Svnapot: N = 1 with PPN[3:0] ≠ 1000 is reserved → page fault', () => {
  const mem = put(putDc(ram, DC_AT, sv39Dc()), [
    [ROOT + 8n, makePte(0x8020_1000n, PTE_V)], [0x8020_1000n, makePte(0x8020_2000n, PTE_V)],
    [0x8020_2088n, makePte(0x8030_4000n, URWAD) | (1n << 63n)],
  ])
  assert.is(causeOf(translate(iommuWith(2), mem, req({ iova: 0x4001_1234n }))), 13)
})
test('iosatp Sv48: IOVA 0x4000_1234 has vpn[3] = 0, vpn[2] = 1, vpn[1] = 0, vpn[0] = 1', () => {
  const mem = put(putDc(ram, DC_AT, dc(TC.V, atp(9, ROOT))), [
    [ROOT, makePte(0x8020_3000n, PTE_V)], [0x8020_3008n, makePte(0x8020_1000n, PTE_V)],
    [0x8020_1000n, makePte(0x8020_2000n, PTE_V)], [LEAF_AT, makePte(0x8030_0000n, URWAD)],
  ])
  assert.is(translate(iommuWith(2), mem, req()).response.pa, 0x8030_0234n)
})
test('Locate PC, PD20: process_id 0x2_0105 → PDI[2] = 1, PDI[1] = 1, PDI[0] = 5', () => {
  const mem = sv39Tables(put(putDc(ram, DC_AT, dc(TC.V | TC.PDTV, atp(3, PDT))), [
    [PDT + 8n, makePte(0x8051_0000n, PTE_V)], [0x8051_0008n, makePte(0x8052_0000n, PTE_V)],
    [0x8052_0050n, 1n], [0x8052_0058n, atp(8, ROOT)],
  ]), makePte(0x8030_0000n, URWAD))
  const o = translate(iommuWith(2), mem, req({ processId: 0x2_0105 }))
  assert.is(o.response.pa, 0x8030_0234n)
  assert.equal(o.explanation.directory.slice(1).map((d) => d.addr), [PDT + 8n, 0x8051_0008n, 0x8052_0050n])
})
test('ATS with a process_id: Priv = the request\'s privilege, G = the first-stage leaf\'s G', () => {
  const s = withPdt(1n | ENS | SUM, 1, TC.EN_ATS, makePte(0x8030_0000n, URWAD | PTE_G))
  const o = run(s, req({ type: 'ats', processId: 3, privileged: true }))
  assert.is(o.response.ats?.priv, true); assert.is(o.response.ats?.g, true)
  const noPid = run(setup(sv39Dc(TC.EN_ATS), makePte(0x8030_0000n, URWAD | PTE_G)), req({ type: 'ats' }))
  assert.is(noPid.response.ats?.g, false) // "Global … if … the request had a PASID"
})
test('DTF = 1: "Transaction type disallowed" (260) is not reported either', () => {
  const o = run(setup(sv39Dc(TC.DTF)), req({ processId: 7 }))
  assert.is(causeOf(o), 260); assert.is(o.records.length, 0)
})

// ---- the fault queue -------------------------------------------------------------------------------

const badLeaf = setup(sv39Dc(), makePte(0x8030_0000n, URWAD & ~PTE_U))
test('Fault queue: with 2 entries the capacity is 1; the second fault sets fqof and is dropped, and so is every later one', () => {
  const small = { ...badLeaf, iommu: program(badLeaf.iommu, [[OFF.fqcsr, 0n], [OFF.fqb, 0n | ((FQ >> 12n) << 10n)], [OFF.fqcsr, 1n]]) }
  const o1 = run(small)
  assert.is(o1.records.length, 1); assert.is(o1.iommu.regs.fqt, 1n)
  const o2 = translate(o1.iommu, o1.memory, req())
  assert.is(o2.records.length, 0); assert.is((o2.iommu.regs.fqcsr >> 9n) & 1n, 1n)
  // Software consumes the record (fqh = 1) but fqof stays set: still dropped.
  const consumed = program(o2.iommu, [[OFF.fqh, 1n]])
  assert.is(translate(consumed, o2.memory, req()).records.length, 0)
  // Clearing fqof (RW1C) resumes recording, at index 1.
  const cleared = program(consumed, [[OFF.fqcsr, 1n | (1n << 9n)]])
  const o3 = translate(cleared, o2.memory, req())
  assert.is(o3.records.length, 1); assert.is(o3.writes[0]!.addr, FQ + 32n)
})
test('Fault queue: a record store outside memory sets fqmf and the record is dropped', () => {
  const bad = { ...badLeaf, iommu: program(badLeaf.iommu, [[OFF.fqcsr, 0n], [OFF.fqb, 2n | ((0x1000_0000n >> 12n) << 10n)], [OFF.fqcsr, 1n]]) }
  const o = run(bad)
  assert.is(o.records.length, 0); assert.is((o.iommu.regs.fqcsr >> 8n) & 1n, 1n)
})
test('Fault queue: while the queue is off no record is written', () => {
  const off = { ...badLeaf, iommu: program(badLeaf.iommu, [[OFF.fqcsr, 0n]]) }
  assert.is(run(off).records.length, 0)
})

test.run()
