// Virtio 1.3, "IOMMU device": DMA translation (PA = VA − virt_start + phys_start and the protection
// flags, "MAP request"), bypass mode ("Device operations"), RESV_MEM regions ("Property RESV_MEM")
// and the fault report written for a refused access ("Fault reporting").
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft, isRight } from '../../../src/bits/either.ts'
import { QEMU } from '../../../src/iommu/virtio/options.ts'
import { type DmaAccess, translateDma } from '../../../src/iommu/virtio/translate.ts'
import type { DeviceState } from '../../../src/iommu/virtio/device.ts'
import { encodeFault } from '../../../src/iommu/virtio/fault.ts'
import { READ, WRITE, attachReq, detachReq, device, mapReq, run, unmapReq } from './fixtures.ts'

// Fault report constants, literal from the spec: reasons 0/1/2, flags READ 1, WRITE 2, ADDRESS 0x100.
const F_READ = 1, F_WRITE = 2, F_ADDRESS = 0x100

const address = (s: DeviceState, ep: number, iova: bigint, access: DmaAccess = 'read'): bigint | undefined => {
  const r = translateDma(s, ep, iova, access)
  return isRight(r) ? r.right.address : undefined
}
const faultOf = (s: DeviceState, ep: number, iova: bigint, access: DmaAccess = 'read') => {
  const r = translateDma(s, ep, iova, access)
  return isLeft(r) ? r.left : undefined
}

// The device description's walk-through: attach(endpoint 0x8, domain 1); map(1, 0x1000–0x1fff → 0xa000, READ).
const example = run(device(), [attachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n, READ)]).state

test('IOMMU device, the example: endpoint 0x8 can now read 0x1000–0x1fff, translated to 0xa000–0xafff', () => {
  assert.is(address(example, 8, 0x1000n), 0xa000n)
  assert.is(address(example, 8, 0x1abcn), 0xaabcn)
  assert.is(address(example, 8, 0x1fffn), 0xafffn)
})

test('IOMMU device, the example: after unmap(1, 0x1000–0x1fff) any access to 0x1000–0x1fff is rejected', () => {
  const s = run(example, [unmapReq(1, 0x1000n, 0x1fffn)]).state
  assert.equal(faultOf(s, 8, 0x1000n), { reason: 'MAPPING', flags: F_READ | F_ADDRESS, endpoint: 8, address: 0x1000n })
})

test('MAP request: the device must not allow writes to a range mapped without WRITE (fault MAPPING, flag WRITE)', () => {
  assert.equal(faultOf(example, 8, 0x1800n, 'write'), { reason: 'MAPPING', flags: F_WRITE | F_ADDRESS, endpoint: 8, address: 0x1800n })
})

test('MAP request: a read of a range mapped WRITE only is refused (reads need READ)', () => {
  const s = run(device(), [attachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n, WRITE)]).state
  assert.is(faultOf(s, 8, 0x1000n)?.reason, 'MAPPING')
  assert.is(address(s, 8, 0x1000n, 'write'), 0xa000n)
})

test('Fault reporting: an address outside every mapping → reason MAPPING with the address', () => {
  assert.equal(faultOf(example, 8, 0x2000n), { reason: 'MAPPING', flags: F_READ | F_ADDRESS, endpoint: 8, address: 0x2000n })
  assert.equal(faultOf(example, 8, 0xfffn), { reason: 'MAPPING', flags: F_READ | F_ADDRESS, endpoint: 8, address: 0xfffn })
})

test('Fault reporting: an endpoint not attached to a domain (and not in bypass mode) → reason DOMAIN', () => {
  assert.equal(faultOf(example, 9, 0x1000n, 'write'), { reason: 'DOMAIN', flags: F_WRITE | F_ADDRESS, endpoint: 9, address: 0x1000n })
})

test('Fault reporting: the 24-byte record is reason, 3 reserved, le32 flags, le32 endpoint, le32 reserved1, le64 address', () => {
  const bytes = encodeFault({ reason: 'MAPPING', flags: F_WRITE | F_ADDRESS, endpoint: 8, address: 0x1800n })
  assert.equal([...bytes], [2, 0, 0, 0, 0x02, 0x01, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x18, 0, 0, 0, 0, 0, 0])
})

test('DETACH request: after being detached the endpoint cannot access any mapping of the domain', () => {
  const s = run(example, [attachReq(9, 1), detachReq(8, 1)]).state
  assert.is(faultOf(s, 8, 0x1000n)?.reason, 'DOMAIN')
  assert.is(address(s, 9, 0x1000n), 0xa000n)
})

test('Device operations: BYPASS_CONFIG with bypass = 1: an unattached endpoint is in bypass mode (identity)', () => {
  const s = device({ bypass: true })
  assert.is(address(s, 8, 0x1234_5678n, 'write'), 0x1234_5678n)
  assert.equal((translateDma(s, 8, 0x10n, 'read') as { right: { route: string } }).right.route, 'bypass')
})

test('Device operations: BYPASS_CONFIG with bypass = 0: an unattached endpoint is not in bypass mode', () => {
  assert.is(faultOf(device({ bypass: false }), 8, 0x1000n)?.reason, 'DOMAIN')
})

test('Device operations: the legacy BYPASS feature negotiated: an unattached endpoint is in bypass mode', () => {
  assert.is(address(device({ legacyBypass: true }), 8, 0x4000n), 0x4000n)
})

test('Device operations: an endpoint attached to a bypass domain is in bypass mode, even with bypass = 0', () => {
  const s = run(device({ bypass: false }), [attachReq(8, 2, 1)]).state
  assert.is(address(s, 8, 0x9000n, 'write'), 0x9000n)
})

test('Device operations: with bypass = 1 an attached endpoint is translated, not bypassed', () => {
  const s = run(device({ bypass: true }), [attachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n, READ)]).state
  assert.is(address(s, 8, 0x1010n), 0xa010n)
  assert.is(faultOf(s, 8, 0x3000n)?.reason, 'MAPPING')
})

test('Fault reporting: an endpoint the device does not manage → reason UNKNOWN', () => {
  assert.is(faultOf(example, 0x77, 0x1000n)?.reason, 'UNKNOWN')
})

test('Property RESV_MEM: an access to an MSI region reaches the doorbell untranslated; to a reserved region it faults', () => {
  const s = run(device({
    endpoints: [{ id: 8, resvMem: [{ subtype: 'msi', start: 0x800_0000n, end: 0x80f_ffffn }, { subtype: 'reserved', start: 0x1_0000n, end: 0x1_ffffn }] }],
  }), [attachReq(8, 1)]).state
  assert.equal((translateDma(s, 8, 0x800_0040n, 'write') as { right: unknown }).right, { address: 0x800_0040n, route: 'msi', mapping: undefined, mmio: false })
  assert.is(faultOf(s, 8, 0x1_8000n)?.reason, 'MAPPING')
})

test('MAP request: a mapping with the MMIO flag translates as any other and says the target is device memory', () => {
  const s = run(device({ mmio: true }), [attachReq(8, 1), mapReq(1, 0x2000n, 0x2fffn, 0x1000_0000n, WRITE | 4)]).state
  const r = translateDma(s, 8, 0x2004n, 'write')
  assert.ok(isRight(r) && r.right.mmio && r.right.address === 0x1000_0004n)
})

test('QEMU option (faultFlags): READ/WRITE only on a permission fault; an unmapped address has ADDRESS alone', () => {
  const s = run(device({}, QEMU), [attachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n, READ)]).state
  assert.is(faultOf(s, 8, 0x2000n)?.flags, F_ADDRESS)
  assert.is(faultOf(s, 8, 0x1000n, 'write')?.flags, F_WRITE | F_ADDRESS)
})

test('QEMU option (lookup): the byte just below a mapping hits it and translates to phys_start − 1', () => {
  const s = run(device({}, QEMU), [attachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n, READ)]).state
  assert.is(address(s, 8, 0xfffn), 0x9fffn)
  assert.is(faultOf(run(device(), [attachReq(8, 1), mapReq(1, 0x1000n, 0x1fffn, 0xa000n, READ)]).state, 8, 0xfffn)?.reason, 'MAPPING')
})

test.run()
