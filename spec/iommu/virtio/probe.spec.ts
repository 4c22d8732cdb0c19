// Virtio 1.3, "IOMMU device" / "PROBE request" and "PROBE properties" / "Property RESV_MEM" (device
// requirements, and the byte layout of the properties field), unrecognized request types.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeProperties } from '../../../src/iommu/virtio/probe.ts'
import { handleRequest } from '../../../src/iommu/virtio/requests.ts'
import { QEMU } from '../../../src/iommu/virtio/options.ts'
import { device } from './fixtures.ts'

const resv = [{ subtype: 'msi' as const, start: 0x800_0000n, end: 0x80f_ffffn }, { subtype: 'reserved' as const, start: 0xfee0_0000n, end: 0xfeef_ffffn }]
const withResv = (over = {}) => device({ endpoints: [{ id: 8, resvMem: resv }], ...over })

test('PROBE: the device reports one RESV_MEM property (type 1, length 20) per reserved region of the endpoint', () => {
  const o = handleRequest(withResv(), { type: 'probe', endpoint: 8, propertiesSize: undefined })
  assert.equal(o.completion, { written: true, status: 'OK' })
  assert.equal(o.properties, [
    { type: 1, length: 20, subtype: 'msi', start: 0x800_0000n, end: 0x80f_ffffn },
    { type: 1, length: 20, subtype: 'reserved', start: 0xfee0_0000n, end: 0xfeef_ffffn },
  ])
})

test('PROBE: an endpoint that does not exist → NOENT', () => {
  assert.equal(handleRequest(withResv(), { type: 'probe', endpoint: 9, propertiesSize: undefined }).completion, { written: true, status: 'NOENT' })
})

test('PROBE: without VIRTIO_IOMMU_F_PROBE the device does not write the buffer (used length zero)', () => {
  assert.equal(handleRequest(withResv({ probeSize: undefined }), { type: 'probe', endpoint: 8, propertiesSize: undefined }).completion, { written: false })
})

test('PROBE: a properties buffer smaller than probe_size → INVAL, no property written', () => {
  const o = handleRequest(withResv(), { type: 'probe', endpoint: 8, propertiesSize: 256 })
  assert.equal(o.completion, { written: true, status: 'INVAL' })
  assert.is(o.properties, undefined)
})

test('PROBE: the second property starts length + 4 = 24 bytes after the first; the rest of probe_size is zero', () => {
  const o = handleRequest(withResv(), { type: 'probe', endpoint: 8, propertiesSize: undefined })
  const bytes = encodeProperties(o.properties ?? [], 64)
  const le64 = (x: bigint) => Array.from({ length: 8 }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn))
  assert.equal([...bytes.slice(0, 24)], [1, 0, 20, 0, 1, 0, 0, 0, ...le64(0x800_0000n), ...le64(0x80f_ffffn)])
  assert.equal([...bytes.slice(24, 48)], [1, 0, 20, 0, 0, 0, 0, 0, ...le64(0xfee0_0000n), ...le64(0xfeef_ffffn)])
  assert.equal([...bytes.slice(48)], new Array<number>(16).fill(0))
})

test('Device operations: an unrecognized request type: the device does not write the buffer (used length zero)', () => {
  assert.equal(handleRequest(device(), { type: 'unknown', code: 9 }).completion, { written: false })
})

test('QEMU option (unknownType): an unrecognized request type completes with UNSUPP', () => {
  assert.equal(handleRequest(device({}, QEMU), { type: 'unknown', code: 9 }).completion, { written: true, status: 'UNSUPP' })
})

test.run()
