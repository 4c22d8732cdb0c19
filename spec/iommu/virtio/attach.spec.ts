// Virtio 1.3, "IOMMU device" / "Device operations" / "ATTACH request" and "DETACH request" (device
// requirements), domain_range from "Device operations", bypass from "Device operations".
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { QEMU } from '../../../src/iommu/virtio/options.ts'
import { attachReq, detachReq, device, mapReq, ranges, run } from './fixtures.ts'

const BYPASS = 1

test('ATTACH: a domain that does not exist is created and the endpoint attached', () => {
  const r = run(device(), [attachReq(8, 1)])
  assert.equal(r.statuses, ['OK'])
  assert.equal(r.state.domains.get(1)?.endpoints, [8])
  assert.is(r.state.attachment.get(8), 1)
})

test('ATTACH: a non-zero reserved field must be rejected with INVAL', () => {
  const r = run(device(), [attachReq(8, 1, 0, 1)])
  assert.equal(r.statuses, ['INVAL'])
  assert.is(r.state.domains.size, 0)
})

test('ATTACH: a flags bit the device does not recognize must be rejected with INVAL', () => {
  assert.equal(run(device({ bypass: false }), [attachReq(8, 1, 2)]).statuses, ['INVAL'])
})

test('ATTACH: VIRTIO_IOMMU_ATTACH_F_BYPASS is recognized only with VIRTIO_IOMMU_F_BYPASS_CONFIG', () => {
  assert.equal(run(device(), [attachReq(8, 1, BYPASS)]).statuses, ['INVAL'])
  assert.equal(run(device({ bypass: false }), [attachReq(8, 1, BYPASS)]).statuses, ['OK'])
})

test('ATTACH: an endpoint that does not exist must be rejected with NOENT', () => {
  assert.equal(run(device(), [attachReq(7, 1)]).statuses, ['NOENT'])
})

test('ATTACH: several endpoints can share a domain', () => {
  const r = run(device(), [attachReq(9, 1), attachReq(8, 1)])
  assert.equal(r.statuses, ['OK', 'OK'])
  assert.equal(r.state.domains.get(1)?.endpoints, [8, 9])
})

test('ATTACH: an existing domain whose bypass kind differs from the flag → INVAL, nothing changes', () => {
  const s = run(device({ bypass: false }), [attachReq(8, 1), attachReq(9, 2, BYPASS)]).state
  const r = run(s, [attachReq(9, 1, BYPASS)])
  assert.equal(r.statuses, ['INVAL'])
  assert.is(r.state, s)
})

test('ATTACH: an endpoint attached to another domain moves, as if DETACH came first; the emptied domain ceases to exist', () => {
  const r = run(device(), [attachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n), attachReq(8, 2)])
  assert.equal(r.statuses, ['OK', 'OK', 'OK'])
  assert.is(r.state.domains.has(1), false)
  assert.equal(r.state.domains.get(2)?.endpoints, [8])
  assert.equal(ranges(r.state, 2), [])
})

test('ATTACH: a moving endpoint leaves the other endpoints of its old domain attached, with their mappings', () => {
  const r = run(device(), [attachReq(8, 1), attachReq(9, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n), attachReq(8, 2)])
  assert.equal(r.state.domains.get(1)?.endpoints, [9])
  assert.equal(ranges(r.state, 1), [[0x1000, 0x1fff]])
})

test('ATTACH: to the domain the endpoint is already in: OK, mappings kept', () => {
  const r = run(device(), [attachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n), attachReq(8, 1)])
  assert.equal(r.statuses, ['OK', 'OK', 'OK'])
  assert.equal(ranges(r.state, 1), [[0x1000, 0x1fff]])
})

test('ATTACH: properties incompatible with the domain (a mapping over the endpoint\'s RESV_MEM region) → UNSUPP', () => {
  const s = device({ endpoints: [{ id: 8, resvMem: [] }, { id: 9, resvMem: [{ subtype: 'reserved', start: 0x1000n, end: 0x1fffn }] }] })
  const r = run(s, [attachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n), attachReq(9, 1)])
  assert.equal(r.statuses, ['OK', 'OK', 'UNSUPP'])
  assert.is(r.state.attachment.has(9), false)
})

test('Device operations: a domain outside domain_range → RANGE', () => {
  const over = { domainRange: { start: 1n, end: 32n } }
  assert.equal(run(device(over), [attachReq(8, 0), attachReq(8, 33), attachReq(8, 32)]).statuses, ['RANGE', 'RANGE', 'OK'])
})

test('DETACH: an endpoint that does not exist must be rejected with NOENT', () => {
  assert.equal(run(device(), [detachReq(7, 1)]).statuses, ['NOENT'])
})

test('DETACH: a domain that does not exist, or an endpoint not attached to it → INVAL', () => {
  const r = run(device(), [attachReq(8, 1), attachReq(9, 2), detachReq(8, 3), detachReq(8, 2)])
  assert.equal(r.statuses, ['OK', 'OK', 'INVAL', 'INVAL'])
  assert.is(r.state.attachment.get(8), 1)
})

test('DETACH: after its last endpoint is detached the domain ceases to exist and its ID can be reused afresh', () => {
  const r = run(device(), [attachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n), detachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n), attachReq(9, 1)])
  assert.equal(r.statuses, ['OK', 'OK', 'OK', 'NOENT', 'OK'])
  assert.equal(ranges(r.state, 1), [])
})

test('DETACH: a domain with endpoints left keeps existing, with its mappings', () => {
  const r = run(device(), [attachReq(8, 1), attachReq(9, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n), detachReq(8, 1)])
  assert.equal(r.statuses, ['OK', 'OK', 'OK', 'OK'])
  assert.equal(ranges(r.state, 1), [[0x1000, 0x1fff]])
})

test('QEMU option (attachOrder): re-attaching the only endpoint to its own domain frees the domain and its mappings', () => {
  const r = run(device({}, QEMU), [attachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n), attachReq(8, 1)])
  assert.equal(r.statuses, ['OK', 'OK', 'OK'])
  assert.equal(ranges(r.state, 1), [])
})

test('QEMU option (attachOrder): an inconsistent bypass flag is found after the endpoint left its old domain', () => {
  const r = run(device({ bypass: false }, QEMU), [attachReq(8, 1), attachReq(9, 2, BYPASS), attachReq(8, 2)])
  assert.equal(r.statuses, ['OK', 'OK', 'INVAL'])
  assert.is(r.state.attachment.has(8), false)
  assert.is(r.state.domains.has(1), false)
})

test('QEMU options (attachReserved, domainRange): a non-zero reserved field and an out-of-range domain are accepted', () => {
  assert.equal(run(device({ domainRange: { start: 1n, end: 32n } }, QEMU), [attachReq(8, 0, 0, 1)]).statuses, ['OK'])
})

test.run()
