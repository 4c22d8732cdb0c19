// Virtio 1.3, "IOMMU device" / "Device operations" / "UNMAP request": the spec's seven example
// sequences, each from a blank address space (byte granularity, so map(0, 4) is legal), and the
// device requirements of UNMAP.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { QEMU } from '../../../src/iommu/virtio/options.ts'
import { attachReq, device, mapReq, ranges, run, unmapReq } from './fixtures.ts'

// A domain 1 with endpoint 8 attached; page_size_mask bit 0 set: one-byte granularity.
const blank = (fidelity = device().fidelity) => run(device({ pageSizeMask: 1n }, fidelity), [attachReq(8, 1)]).state
const map = (a: number, b: number) => mapReq(1, BigInt(a), BigInt(b), 0x10_0000n + BigInt(a))
const unmap = (a: number, b: number) => unmapReq(1, BigInt(a), BigInt(b))

test('UNMAP example (1): unmap(0, 4) on a blank space succeeds and unmaps nothing', () => {
  const r = run(blank(), [unmap(0, 4)])
  assert.equal(r.statuses, ['OK'])
  assert.equal(ranges(r.state, 1), [])
})

test('UNMAP example (2): a = map(0, 9); unmap(0, 9) succeeds and unmaps a', () => {
  const r = run(blank(), [map(0, 9), unmap(0, 9)])
  assert.equal(r.statuses, ['OK', 'OK'])
  assert.equal(ranges(r.state, 1), [])
})

test('UNMAP example (3): a = map(0, 4); b = map(5, 9); unmap(0, 9) succeeds and unmaps a and b', () => {
  const r = run(blank(), [map(0, 4), map(5, 9), unmap(0, 9)])
  assert.equal(r.statuses, ['OK', 'OK', 'OK'])
  assert.equal(ranges(r.state, 1), [])
})

test('UNMAP example (4): a = map(0, 9); unmap(0, 4) fails and unmaps nothing (RANGE: it would split a)', () => {
  const r = run(blank(), [map(0, 9), unmap(0, 4)])
  assert.equal(r.statuses, ['OK', 'RANGE'])
  assert.equal(ranges(r.state, 1), [[0, 9]])
})

test('UNMAP example (5): a = map(0, 4); b = map(5, 9); unmap(0, 4) succeeds and unmaps a', () => {
  const r = run(blank(), [map(0, 4), map(5, 9), unmap(0, 4)])
  assert.equal(r.statuses, ['OK', 'OK', 'OK'])
  assert.equal(ranges(r.state, 1), [[5, 9]])
})

test('UNMAP example (6): a = map(0, 4); unmap(0, 9) succeeds and unmaps a', () => {
  const r = run(blank(), [map(0, 4), unmap(0, 9)])
  assert.equal(r.statuses, ['OK', 'OK'])
  assert.equal(ranges(r.state, 1), [])
})

test('UNMAP example (7): a = map(0, 4); b = map(10, 14); unmap(0, 14) succeeds and unmaps a and b', () => {
  const r = run(blank(), [map(0, 4), map(10, 14), unmap(0, 14)])
  assert.equal(r.statuses, ['OK', 'OK', 'OK'])
  assert.equal(ranges(r.state, 1), [])
})

test('UNMAP device requirements: a split mapping anywhere in the range → RANGE, and no mapping removed, not even whole ones', () => {
  // a = [0, 4] is wholly inside [0, 7], b = [5, 9] would be split.
  const r = run(blank(), [map(0, 4), map(5, 9), unmap(0, 7)])
  assert.equal(r.statuses, ['OK', 'OK', 'RANGE'])
  assert.equal(ranges(r.state, 1), [[0, 4], [5, 9]])
  assert.is(r.outcomes[2]!.state, r.outcomes[1]!.state, 'the state after a rejected UNMAP is the state before it')
})

test('UNMAP device requirements: a range strictly inside one mapping → RANGE (it would split it in three)', () => {
  const r = run(blank(), [map(0, 9), unmap(3, 6)])
  assert.equal(r.statuses, ['OK', 'RANGE'])
  assert.equal(ranges(r.state, 1), [[0, 9]])
})

test('UNMAP device requirements: domain that does not exist → NOENT', () => {
  assert.equal(run(blank(), [unmapReq(2, 0n, 9n)]).statuses, ['NOENT'])
})

test('UNMAP device requirements: a bypass domain → INVAL', () => {
  const s = run(device({ bypass: false }), [attachReq(8, 3, 1)]).state
  assert.equal(run(s, [unmapReq(3, 0n, 0xfffn)]).statuses, ['INVAL'])
})

test('QEMU option (unmapSplit): the whole mappings before the split one are removed, then RANGE', () => {
  const r = run(blank(QEMU), [map(0, 4), map(5, 9), unmap(0, 7)])
  assert.equal(r.statuses, ['OK', 'OK', 'RANGE'])
  assert.equal(ranges(r.state, 1), [[5, 9]])
})

test('QEMU option (unmapSplit): example (4) still removes nothing (the first mapping met is the split one)', () => {
  const r = run(blank(QEMU), [map(0, 9), unmap(0, 4)])
  assert.equal(r.statuses, ['OK', 'RANGE'])
  assert.equal(ranges(r.state, 1), [[0, 9]])
})

test.run()
