// Virtio 1.3, "IOMMU device" / "Device operations" / "MAP request" (device requirements), with
// input_range from "Device operations" and RESV_MEM from "Property RESV_MEM". 4 KiB granule unless said.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { QEMU } from '../../../src/iommu/virtio/options.ts'
import { MMIO, READ, WRITE, attachReq, device, mapReq, ranges, run } from './fixtures.ts'

const withDomain1 = (over = {}, fidelity = device().fidelity) => run(device(over, fidelity), [attachReq(8, 1)]).state

test('MAP: the example of the device description, map(domain 1, 0x1000–0x1fff → 0xa000, READ), succeeds', () => {
  const r = run(withDomain1(), [mapReq(1, 0x1000n, 0x1fffn, 0xa000n, READ)])
  assert.equal(r.statuses, ['OK'])
  assert.equal(ranges(r.state, 1), [[0x1000, 0x1fff]])
})

test('MAP: virt_start not aligned on the granule (lowest bit of page_size_mask, 0x1000) → RANGE', () => {
  assert.equal(run(withDomain1(), [mapReq(1, 0x1800n, 0x27ffn, 0xa000n)]).statuses, ['RANGE'])
})

test('MAP: phys_start not aligned on the granule → RANGE', () => {
  assert.equal(run(withDomain1(), [mapReq(1, 0x1000n, 0x1fffn, 0xa010n)]).statuses, ['RANGE'])
})

test('MAP: virt_end + 1 not aligned on the granule → RANGE', () => {
  assert.equal(run(withDomain1(), [mapReq(1, 0x1000n, 0x2000n, 0xa000n)]).statuses, ['RANGE'])
})

test('MAP: the granule is the least significant bit of page_size_mask (mask 0x20_1000 → 4 KiB, not 2 MiB)', () => {
  assert.equal(run(withDomain1({ pageSizeMask: 0x20_1000n }), [mapReq(1, 0x3000n, 0x3fffn, 0x5000n)]).statuses, ['OK'])
  assert.equal(run(withDomain1({ pageSizeMask: 0x20_0000n }), [mapReq(1, 0x3000n, 0x3fffn, 0x5000n)]).statuses, ['RANGE'])
})

test('MAP: a mapping already exists in the requested range → INVAL, the old mapping stays', () => {
  const r = run(withDomain1(), [mapReq(1, 0x1000n, 0x2fffn, 0xa000n), mapReq(1, 0x2000n, 0x3fffn, 0xb000n)])
  assert.equal(r.statuses, ['OK', 'INVAL'])
  assert.equal(ranges(r.state, 1), [[0x1000, 0x2fff]])
})

test('MAP: adjacent mappings do not overlap (end + 1 = start is fine)', () => {
  const r = run(withDomain1(), [mapReq(1, 0x1000n, 0x1fffn, 0xa000n), mapReq(1, 0x2000n, 0x2fffn, 0xa000n)])
  assert.equal(r.statuses, ['OK', 'OK'])
})

test('MAP: a flags bit the device does not recognize → INVAL (bit 3 is undefined)', () => {
  assert.equal(run(withDomain1(), [mapReq(1, 0x1000n, 0x1fffn, 0xa000n, READ | 8)]).statuses, ['INVAL'])
})

test('MAP: VIRTIO_IOMMU_MAP_F_MMIO without VIRTIO_IOMMU_F_MMIO is an unrecognized flag → INVAL; with it, OK', () => {
  assert.equal(run(withDomain1(), [mapReq(1, 0x1000n, 0x1fffn, 0xa000n, WRITE | MMIO)]).statuses, ['INVAL'])
  assert.equal(run(withDomain1({ mmio: true }), [mapReq(1, 0x1000n, 0x1fffn, 0xa000n, WRITE | MMIO)]).statuses, ['OK'])
})

test('MAP: domain does not exist → NOENT', () => {
  assert.equal(run(withDomain1(), [mapReq(2, 0x1000n, 0x1fffn, 0xa000n)]).statuses, ['NOENT'])
})

test('MAP: a bypass domain → INVAL', () => {
  const s = run(device({ bypass: false }), [attachReq(8, 3, 1)]).state
  assert.equal(run(s, [mapReq(3, 0x1000n, 0x1fffn, 0xa000n)]).statuses, ['INVAL'])
})

test('MAP: a range outside input_range fails (RANGE); at its very edge it succeeds', () => {
  const over = { inputRange: { start: 0x1000n, end: 0xffff_ffffn } }
  assert.equal(run(withDomain1(over), [mapReq(1, 0x0n, 0xfffn, 0xa000n)]).statuses, ['RANGE'])
  assert.equal(run(withDomain1(over), [mapReq(1, 0xffff_f000n, 0x1_0000_0fffn, 0xa000n)]).statuses, ['RANGE'])
  assert.equal(run(withDomain1(over), [mapReq(1, 0x1000n, 0x1fffn, 0xa000n), mapReq(1, 0xffff_f000n, 0xffff_ffffn, 0xb000n)]).statuses, ['OK', 'OK'])
})

test('MAP: without INPUT_RANGE the whole 64-bit space can be mapped (up to virt_end = 0xffff_ffff_ffff_ffff)', () => {
  assert.equal(run(withDomain1(), [mapReq(1, 0xffff_ffff_ffff_f000n, 0xffff_ffff_ffff_ffffn, 0xa000n)]).statuses, ['OK'])
})

test('Property RESV_MEM: a MAP overlapping a reserved region of an attached endpoint is rejected (INVAL)', () => {
  const s = run(device({ endpoints: [{ id: 8, resvMem: [{ subtype: 'msi', start: 0x800_0000n, end: 0x80f_ffffn }] }] }), [attachReq(8, 1)]).state
  assert.equal(run(s, [mapReq(1, 0x80f_f000n, 0x810_0fffn, 0xa000n)]).statuses, ['INVAL'])
  assert.equal(run(s, [mapReq(1, 0x810_0000n, 0x810_0fffn, 0xa000n)]).statuses, ['OK'])
})

test('QEMU option (mapChecks): an unaligned MAP and one outside input_range succeed', () => {
  const s = withDomain1({ inputRange: { start: 0x1000n, end: 0xffff_ffffn } }, QEMU)
  assert.equal(run(s, [mapReq(1, 0x1800n, 0x1900n, 0xa010n), mapReq(1, 0x0n, 0xfffn, 0xa000n)]).statuses, ['OK', 'OK'])
})

test('QEMU option (mapChecks): an overlapping MAP is still INVAL', () => {
  const s = withDomain1({}, QEMU)
  assert.equal(run(s, [mapReq(1, 0x1000n, 0x2fffn, 0xa000n), mapReq(1, 0x2000n, 0x2fffn, 0xa000n)]).statuses, ['OK', 'INVAL'])
})

test.run()
