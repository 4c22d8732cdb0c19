// RISC-V IOMMU spec v1.0, "Process to translate addresses of MSIs", step 14 (MSI PTE in MRIF mode), cause
// 264, and "PCIe ATS translation request handling" (U for an MRIF page); AIA spec, "IOMMU Support for
// MSIs to Virtual Machines": "Format of a memory-resident interrupt file" and "MSI PTE, MRIF mode".
// Device 5's extended DC as in msi.spec.ts (virtual interrupt files at GPA 0x2800_0000–0x2800_3fff, MSI
// PTEs at 0x8090_0000 + I·16); file 2's PTE is in MRIF mode, worked by hand:
//   MRIF at 0x8200_0200: first doubleword = (0x8200_0200 >> 9) << 7 | M = 1 << 1 | V = 0x2080_0083
//   notice MSI to 0x8300_0000 with NID 0x405 (N10 = 1, N[9:0] = 5):
//   second doubleword = 1 << 60 | 0x83000 << 10 | 5 = 0x1000_0000_20c0_0005
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { msiWrite } from '../../src/iommu/mrif.ts'
import { type IoRequest, translate } from '../../src/iommu/translate.ts'
import type { IommuOptions } from '../../src/iommu/iommu.ts'
import type { PhysMemory } from '../../src/memory/memory.ts'
import { DDT, FQ, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, TC, atp, iommuWith, makePte, put, putDc, ram, word } from './fixtures.ts'

const MSI_FLAT = 1n << 22n, MSI_MRIF = 1n << 23n
const CAPS = EXAMPLE_CAPABILITIES | MSI_FLAT | MSI_MRIF
const DC_AT = DDT + 5n * 64n
const G_ROOT = 0x8040_0000n, MSIPT = 0x8090_0000n
const URWAD = PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
const MRIF = 0x8200_0200n, NOTICE = 0x8300_0000n
const DW0 = 0x2080_0083n, DW1 = 0x1000_0000_20c0_0005n

const setup = (opts: { tc?: bigint, dw0?: bigint, dw1?: bigint, words?: readonly (readonly [bigint, bigint])[] } = {}): PhysMemory =>
  put(putDc(ram, DC_AT, [TC.V | (opts.tc ?? 0n), atp(8, G_ROOT, 1n), 0n, 0n, atp(1, MSIPT), 0x3n, 0x28000n, 0n]), [
    [G_ROOT, makePte(0x8040_4000n, PTE_V)], [0x8040_4000n, makePte(0x8060_0000n, URWAD)],
    [MSIPT + 0x20n, opts.dw0 ?? DW0], [MSIPT + 0x28n, opts.dw1 ?? DW1],
    ...(opts.words ?? []),
  ])
const req = (over: Partial<IoRequest> = {}): IoRequest => ({ deviceId: 5, access: 'write', privileged: false, type: 'untranslated', iova: 0x2800_2000n, ...over })
const iommu = (caps = CAPS, options: Partial<IommuOptions> = {}) => iommuWith(2, caps, options)
const send = (mem: PhysMemory, iova: bigint, data: bigint, caps = CAPS) => msiWrite(iommu(caps), mem, { deviceId: 5, privileged: false, iova }, data)

test('step 14 (d)–(f): an MRIF-mode PTE names the MRIF (MRIF_Address[55:9] × 512), the notice MSI address (NPPN << 12) and NID = N10 << 10 | N[9:0]', () => {
  const r = translate(iommu(), setup(), req()).response
  assert.is(r.status, 'success')
  assert.equal(r.mrif, { mrif: MRIF, notice: NOTICE, nid: 0x405 })
})

test('step 14 (a): MRIF mode with capabilities.MSI_MRIF = 0 → "MSI PTE misconfigured" (263)', () => {
  assert.is(translate(iommu(CAPS & ~MSI_MRIF), setup(), req()).response.fault?.cause, 263)
})

test('step 14 (b): a reserved bit in either doubleword of an MRIF-mode PTE → 263 (first 6:3 and 62:54; second 59:54 and 63:61)', () => {
  for (const [dw0, dw1] of [[DW0 | (1n << 3n), DW1], [DW0 | (1n << 54n), DW1], [DW0, DW1 | (1n << 54n)], [DW0, DW1 | (1n << 63n)]] as const) {
    assert.is(translate(iommu(), setup({ dw0, dw1 }), req()).response.fault?.cause, 263, `${dw0.toString(16)} ${dw1.toString(16)}`)
  }
  // NID[10] (bit 60) and address bits 7–8 of the first doubleword are fields, not reserved.
  assert.is(translate(iommu(), setup({ dw0: DW0 | (3n << 7n) }), req()).response.mrif?.mrif, MRIF | (3n << 9n))
})

test('step 15: the permissions of an MRIF page are R = W = U = 1, X = 0: a read-for-execute is an instruction access fault (1)', () => {
  assert.is(translate(iommu(), setup(), req({ access: 'execute' })).response.fault?.cause, 1)
})

test('ATS to an MRIF page: Success with U = 1 (untranslated access only), R = W = 1, X = 0', () => {
  const a = translate(iommu(), setup({ tc: TC.EN_ATS }), req({ type: 'ats', access: 'read' })).response.ats
  assert.equal([a?.r, a?.w, a?.x, a?.u], [true, true, false, true])
})

test('AIA "MSI PTE, MRIF mode": a 32-bit write of identity 5 sets pending bit 5 of the doubleword at MRIF + 0, then writes NID 0x405 at NPPN << 12', () => {
  const w = send(setup({ words: [[MRIF, 0x1n], [MRIF + 8n, 0xffn]] }), 0x2800_2000n, 5n)
  assert.equal(w.writes.map((x) => [x.addr, x.size, x.value, x.why]), [[MRIF, 8, 0x21n, 'MRIF pending bit'], [NOTICE, 4, 0x405n, 'notice MSI']])
  assert.is(word(w.memory, MRIF), 0x21n)
  assert.is(word(w.memory, MRIF + 8n), 0xffn, 'the enable bits are not touched')
  assert.is(word(w.memory, NOTICE), 0x405n)
})

test('AIA "Format of a memory-resident interrupt file": identity 130 is bit 130 mod 64 = 2 of the pending doubleword at offset (130 div 64) × 16 = 0x20', () => {
  const w = send(setup(), 0x2800_2000n, 130n)
  assert.equal([w.writes[0]?.addr, w.writes[0]?.value], [MRIF + 0x20n, 0x4n])
})

test('AIA: identity 0 sets the faux pending bit 0 and the notice MSI is still sent; the notice MSI is sent whatever the enable bit', () => {
  const w = send(setup(), 0x2800_2000n, 0n)
  assert.equal(w.writes.map((x) => [x.addr, x.value]), [[MRIF, 1n], [NOTICE, 0x405n]])
})

test('AIA: A[11:3] ≠ 0, D[31:11] ≠ 0, or bit 2 of A (a big-endian MSI, not supported) → the write is accepted and discarded', () => {
  const mem = setup()
  for (const [iova, data] of [[0x2800_2008n, 5n], [0x2800_2000n, 2048n], [0x2800_2004n, 5n]] as const) {
    const w = send(mem, iova, data)
    assert.is(w.store?.kind, 'discarded', `${iova.toString(16)} ${data}`)
    assert.equal(w.writes, [])
    assert.is(w.memory, mem)
  }
})

test('cause 264: an MRIF the IOMMU cannot access (outside RAM) → "MRIF access fault", recorded with TTYP 3 (untranslated write/AMO) and iotval the IOVA', () => {
  const w = send(setup({ dw0: ((0x1000_0000n >> 9n) << 7n) | 3n }), 0x2800_2000n, 5n)
  assert.is(w.store?.kind, 'access-fault')
  assert.equal(w.records.map((r) => [r.cause, r.ttyp, r.did, r.iotval]), [[264, 3, 5, 0x2800_2000n]])
  assert.is(w.writes.some((x) => x.why === 'notice MSI'), false)
  assert.is(w.writes.filter((x) => x.why === 'fault record')[0]?.addr, FQ)
})

test('cause 264 is not reported when DC.tc.DTF = 1 (the cause table\'s column)', () => {
  const w = send(setup({ tc: TC.DTF, dw0: ((0x1000_0000n >> 9n) << 7n) | 3n }), 0x2800_2000n, 5n)
  assert.equal(w.records, [])
})

test('MRIF-mode PTEs are not cached in the IOTLB (C model; the spec\'s note allows it): a PTE change is seen by the next MSI without an invalidation', () => {
  const i0 = iommuWith(2, CAPS, { cache: 'refmodel' })
  const w1 = msiWrite(i0, setup(), { deviceId: 5, privileged: false, iova: 0x2800_2000n }, 1n)
  const moved = put(w1.memory, [[MSIPT + 0x20n, DW0 + (1n << 7n)]])     // the MRIF moves to 0x8200_0400
  const w2 = msiWrite(w1.iommu, moved, { deviceId: 5, privileged: false, iova: 0x2800_2000n }, 1n)
  assert.is(w2.writes[0]?.addr, 0x8200_0400n)
})

test('a write that is not to an MRIF page is not stored by the IOMMU (it goes on to the translated address)', () => {
  const w = send(setup(), 0x1000n, 5n)
  assert.is(w.store, undefined)
  assert.is(w.outcome.response.pa, 0x8060_1000n)
  assert.equal(w.writes, [])
})

test.run()
