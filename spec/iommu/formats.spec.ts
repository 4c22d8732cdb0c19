// RISC-V IOMMU spec v1.0, in-memory formats: device context ("Device-context fields"), process context,
// non-leaf DDT/PDT entries, the device_id/process_id splits, commands ("Command-Queue") and fault
// records ("Fault/Event-Queue"). Every expected word is assembled by hand from the field tables.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeCapabilities, EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { decodeCommand, encodeCommand } from '../../src/iommu/commands.ts'
import { decodeAtp, decodeDcTa, decodeDeviceContext, decodeTc, deviceContextProblem } from '../../src/iommu/device-context.ts'
import { decodeNonLeaf, deviceDirectoryIndexes, processDirectoryIndexes } from '../../src/iommu/directory.ts'
import { decodeFaultRecord, encodeFaultRecord, reportedUnderDtf, ttypOf } from '../../src/iommu/fault-record.ts'
import { decodePcTa, decodeProcessContext, processContextProblem } from '../../src/iommu/process-context.ts'
import { TC, atp, dc } from './fixtures.ts'

const caps = decodeCapabilities(EXAMPLE_CAPABILITIES)
const fctl0 = { be: false, wsi: false, gxl: false }
const ro = { gxlWritable: false }

test('capabilities: the example value decodes as version 1.0, Sv39/48/57, Sv39x4/48x4/57x4, PAS 56, PD8/17/20', () => {
  assert.is(caps.version, 0x10)
  assert.ok(caps.sv39 && caps.sv48 && caps.sv57 && caps.sv39x4 && caps.sv48x4 && caps.sv57x4 && caps.svpbmt)
  assert.ok(caps.amoHwad && caps.ats && caps.t2gpa && caps.pd8 && caps.pd17 && caps.pd20)
  assert.is(caps.pas, 56)
  assert.not.ok(caps.msiFlat || caps.sv32 || caps.end)
})

test('DC tc: V bit 0, EN_ATS 1, DTF 4, SADE 8, SXL 11 (tc = 0x913)', () => {
  const tc = decodeTc(0x913n)
  assert.ok(tc.v && tc.enAts && tc.dtf && tc.sade && tc.sxl)
  assert.not.ok(tc.enPri || tc.t2gpa || tc.pdtv || tc.prpr || tc.gade || tc.dpe || tc.sbe)
  assert.is(tc.reserved, 0n)
})

test('DC tc: bits 23:12 and 63:32 are reserved, bits 31:24 custom', () => {
  assert.is(decodeTc(1n << 12n).reserved, 1n << 12n)
  assert.is(decodeTc(1n << 40n).reserved, 1n << 40n)
  assert.is(decodeTc(0xabn << 24n).reserved, 0n)
  assert.is(decodeTc(0xabn << 24n).custom, 0xab)
})

test('DC iohgatp: PPN 43:0, GSCID 59:44, MODE 63:60 (Sv39x4, GSCID 5, root 0x8001_0000)', () => {
  const g = decodeAtp(0x8000_5000_0008_0010n)
  assert.is(g.mode, 8); assert.is(g.mid, 5); assert.is(g.ppn, 0x80010n)
})

test('DC ta: PSCID 31:12, RCID 51:40, MCID 63:52, bits 11:0 and 39:32 reserved', () => {
  const t = decodeDcTa(0x1234_5000n)
  assert.is(t.pscid, 0x12345); assert.is(t.reserved, 0n)
  assert.is(decodeDcTa(0xfffn).reserved, 0xfffn)
  assert.is(decodeDcTa(1n << 32n).reserved, 1n << 32n)
})

test('DC: base format is four doublewords tc, iohgatp, ta, fsc; extended adds msiptp, mask, pattern, reserved', () => {
  const base = decodeDeviceContext([1n, 0n, 7n << 12n, atp(8, 0x8020_0000n)])
  assert.is(base.format, 'base'); assert.is(base.ta.pscid, 7); assert.is(base.fsc.mode, 8); assert.is(base.fsc.ppn, 0x80200n)
  const ext = decodeDeviceContext([1n, 0n, 0n, 0n, atp(1, 0x8030_0000n), 0xfn, 0x123n, 0n])
  assert.is(ext.format, 'extended'); assert.is(ext.msiptp.mode, 1); assert.is(ext.msiAddrMask, 0xfn); assert.is(ext.msiAddrPattern, 0x123n)
})

const problem = (words: readonly bigint[]): string | undefined => deviceContextProblem(decodeDeviceContext(words), caps, fctl0, ro)

test('DC configuration check 1: a reserved tc bit makes the DC misconfigured', () => {
  assert.ok(problem(dc(TC.V | (1n << 12n))) !== undefined)
  assert.is(problem(dc(TC.V)), undefined)
})
test('DC configuration check 3: T2GPA with EN_ATS = 0', () => { assert.match(problem(dc(TC.V | TC.T2GPA)) ?? '', /T2GPA/) })
test('DC configuration check 4: EN_PRI with EN_ATS = 0', () => { assert.match(problem(dc(TC.V | TC.EN_PRI)) ?? '', /EN_PRI/) })
test('DC configuration check 5: PRPR with EN_PRI = 0', () => { assert.match(problem(dc(TC.V | TC.EN_ATS | TC.PRPR)) ?? '', /PRPR/) })
test('DC configuration check 7: T2GPA with iohgatp Bare', () => { assert.match(problem(dc(TC.V | TC.EN_ATS | TC.T2GPA)) ?? '', /Bare/) })
test('DC configuration check 8: pdtp.MODE PD20 without capabilities.PD20', () => {
  const noPd20 = decodeCapabilities(EXAMPLE_CAPABILITIES & ~(1n << 40n))
  assert.ok(deviceContextProblem(decodeDeviceContext(dc(TC.V | TC.PDTV, atp(3, 0x8050_0000n))), noPd20, fctl0, ro) !== undefined)
  assert.is(problem(dc(TC.V | TC.PDTV, atp(3, 0x8050_0000n))), undefined)
})
test('DC configuration check 9: iosatp.MODE 1 is a reserved encoding', () => { assert.ok(problem(dc(TC.V, atp(1, 0x8020_0000n))) !== undefined) })
test('DC configuration check 10: iosatp Sv57 without capabilities.Sv57', () => {
  const noSv57 = decodeCapabilities(EXAMPLE_CAPABILITIES & ~(1n << 11n))
  assert.ok(deviceContextProblem(decodeDeviceContext(dc(TC.V, atp(10, 0x8020_0000n))), noSv57, fctl0, ro) !== undefined)
})
test('DC configuration check 12: DPE with PDTV = 0', () => { assert.match(problem(dc(TC.V | TC.DPE)) ?? '', /DPE/) })
test('DC configuration check 13: iohgatp.MODE 11 is reserved', () => { assert.ok(problem(dc(TC.V, 0n, atp(11, 0x8040_0000n))) !== undefined) })
test('DC configuration check 17: the iohgatp root must be 16-KiB aligned (0x8040_1000 is not)', () => {
  assert.match(problem(dc(TC.V, 0n, atp(8, 0x8040_1000n))) ?? '', /16-KiB/)
  assert.is(problem(dc(TC.V, 0n, atp(8, 0x8040_4000n))), undefined)
})
test('DC configuration check 18: SADE or GADE without capabilities.AMO_HWAD', () => {
  const noHwad = decodeCapabilities(EXAMPLE_CAPABILITIES & ~(1n << 24n))
  assert.ok(deviceContextProblem(decodeDeviceContext(dc(TC.V | TC.GADE)), noHwad, fctl0, ro) !== undefined)
  assert.is(problem(dc(TC.V | TC.GADE | TC.SADE)), undefined)
})
test('DC configuration check 19: SBE ≠ fctl.BE with capabilities.END = 0', () => { assert.ok(problem(dc(TC.V | TC.SBE)) !== undefined) })
test('DC configuration check 20: SXL = 1 with fctl.GXL = 0 read-only', () => { assert.match(problem(dc(TC.V | TC.SXL)) ?? '', /SXL/) })
test('DC configuration check 2: EN_ATS without capabilities.ATS', () => {
  const noAts = decodeCapabilities(EXAMPLE_CAPABILITIES & ~(1n << 25n))
  assert.ok(deviceContextProblem(decodeDeviceContext(dc(TC.V | TC.EN_ATS)), noAts, fctl0, ro) !== undefined)
})

test('Non-leaf DDT/PDT entry: V bit 0, PPN 53:10, bits 9:1 and 63:54 reserved', () => {
  const e = decodeNonLeaf((0x80110n << 10n) | 1n)
  assert.ok(e.v); assert.is(e.ppn, 0x80110n); assert.is(e.reserved, 0n)
  assert.is(decodeNonLeaf(1n | (1n << 9n)).reserved, 1n << 9n)
  assert.is(decodeNonLeaf(1n | (1n << 63n)).reserved, 1n << 63n)
})

test('device_id partitioning: base format DDI = [6:0], [15:7], [23:16]; 0x123456 → 0x56, 0x68, 0x12', () => {
  assert.equal(deviceDirectoryIndexes(0x123456, false), [0x56, 0x68, 0x12])
})
test('device_id partitioning: extended format DDI = [5:0], [14:6], [23:15]; 0x123456 → 0x16, 0xd1, 0x24', () => {
  assert.equal(deviceDirectoryIndexes(0x123456, true), [0x16, 0xd1, 0x24])
})
test('process_id partitioning: PDI = [7:0], [16:8], [19:17]; 0xabcde → 0xde, 0xbc, 5', () => {
  assert.equal(processDirectoryIndexes(0xabcde), [0xde, 0xbc, 5])
})

test('PC ta: V 0, ENS 1, SUM 2, PSCID 31:12; bits 11:3 and 63:32 reserved', () => {
  const t = decodePcTa(0x7n | (0x42n << 12n))
  assert.ok(t.v && t.ens && t.sum); assert.is(t.pscid, 0x42); assert.is(t.reserved, 0n)
  assert.is(decodePcTa(1n | (1n << 3n)).reserved, 1n << 3n)
})
test('PC configuration checks: reserved bits, and a fsc.MODE that is not a valid encoding, make the PC misconfigured', () => {
  assert.ok(processContextProblem(decodeProcessContext(1n | (1n << 40n), 0n), caps, false) !== undefined)
  assert.ok(processContextProblem(decodeProcessContext(1n, atp(2, 0x8020_0000n)), caps, false) !== undefined)
  assert.is(processContextProblem(decodeProcessContext(1n, atp(9, 0x8020_0000n)), caps, false), undefined)
})

test('Fault record: CAUSE 11:0, PID 31:12, PV 32, PRIV 33, TTYP 39:34, DID 63:40 (cause 13, pid 0x10, ttyp 2, did 0x123456)', () => {
  const rec = { cause: 13, pid: 0x10, pv: true, priv: true, ttyp: 2, did: 0x123456, custom: 0, iotval: 0x4000_1234n, iotval2: 0x1009n }
  const dws = encodeFaultRecord(rec)
  assert.is(dws[0], 0x1234_560b_0001_000dn)
  assert.is(dws[1], 0n); assert.is(dws[2], 0x4000_1234n); assert.is(dws[3], 0x1009n)
  assert.equal(decodeFaultRecord(dws), rec)
})
test('Fault record CAUSE table: with DTF = 1 only 256–259, 268, 272, 273 are reported', () => {
  for (const c of [256, 257, 258, 259, 268, 272, 273]) assert.ok(reportedUnderDtf(c, true), String(c))
  for (const c of [1, 5, 7, 12, 13, 15, 20, 21, 23, 260, 265, 266, 267, 274]) assert.not.ok(reportedUnderDtf(c, true), String(c))
  assert.ok(reportedUnderDtf(13, false))
})
test('TTYP encodings: untranslated 1/2/3, translated 5/6/7, ATS translation request 8', () => {
  assert.equal(['execute', 'read', 'write'].map((a) => ttypOf('untranslated', a as 'read')), [1, 2, 3])
  assert.equal(['execute', 'read', 'write'].map((a) => ttypOf('translated', a as 'read')), [5, 6, 7])
  assert.is(ttypOf('ats', 'write'), 8)
})

const dec = (w0: bigint, w1 = 0n, wsi = false) => decodeCommand(w0, w1, caps, wsi)

test('IOTINVAL.VMA: opcode 1, func3 0, AV 10, PSCID 31:12, PSCV 32; ADDR[63:12] in dword 1 bits 61:10', () => {
  const c = { kind: 'IOTINVAL.VMA', av: true, pscid: 7, pscv: true, gv: false, nl: false, gscid: 0, s: false, addr: 0x4000_1000n } as const
  assert.equal(encodeCommand(c), [0x1_0000_7401n, 0x1000_0400n])
  assert.equal(dec(0x1_0000_7401n, 0x1000_0400n), { ok: true, command: c })
})
test('IOTINVAL.GVMA with PSCV = 1 is illegal', () => { assert.not.ok(dec(1n | (1n << 7n) | (1n << 32n)).ok) })
test('IOTINVAL: a reserved bit (bit 11) set is illegal', () => { assert.not.ok(dec(1n | (1n << 11n)).ok) })
test('IOTINVAL: func3 2 is reserved', () => { assert.not.ok(dec(1n | (2n << 7n)).ok) })
test('IOFENCE.C: opcode 2, AV 10, DATA 63:32, ADDR[63:2] in dword 1 bits 61:0', () => {
  const c = { kind: 'IOFENCE.C', av: true, wsi: false, pr: false, pw: false, data: 0xdeadbeef, addr: 0x8000_0f00n } as const
  assert.equal(encodeCommand(c), [0xdead_beef_0000_0402n, 0x2000_03c0n])
  assert.equal(dec(0xdead_beef_0000_0402n, 0x2000_03c0n), { ok: true, command: c })
})
test('IOFENCE.C: WSI = 1 is reserved while fctl.WSI = 0', () => {
  assert.not.ok(dec(2n | (1n << 11n)).ok)
  assert.ok(dec(2n | (1n << 11n), 0n, true).ok)
})
test('IODIR.INVAL_DDT: the PID operand is reserved', () => { assert.not.ok(dec(3n | (5n << 12n)).ok) })
test('IODIR.INVAL_PDT: DV must be 1', () => {
  assert.not.ok(dec(3n | (1n << 7n) | (5n << 12n)).ok)
  assert.equal(dec(3n | (1n << 7n) | (5n << 12n) | (1n << 33n) | (9n << 40n)), { ok: true, command: { kind: 'IODIR.INVAL_PDT', pid: 5, dv: true, did: 9 } })
})
test('IODIR: dword 1 is reserved', () => { assert.not.ok(dec(3n, 1n).ok) })
test('Opcodes 5–63 are reserved and 64–127 custom: illegal here', () => {
  assert.not.ok(dec(5n).ok); assert.not.ok(dec(64n).ok); assert.not.ok(dec(0n).ok)
})

test.run()
