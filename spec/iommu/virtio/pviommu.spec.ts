// The para-virtual composition: the guest's virtio-iommu mapping (IOVA → GPA) then the VM's G-stage
// (GPA → SPA; Priv. ISA, H chapter, "Guest Physical Address Translation", Sv39x4). Tables and
// expected addresses worked by hand below.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft, isRight } from '../../../src/bits/either.ts'
import { phys } from '../../../src/bits/address.ts'
import { emptyMemory, poke, type PhysMemory } from '../../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import type { GStage } from '../../../src/iommu/virtio/g-stage.ts'
import { translatePv } from '../../../src/iommu/virtio/pviommu.ts'
import { shadowTable } from '../../../src/iommu/virtio/shadow.ts'
import { READ, WRITE, attachReq, device, mapReq, run } from './fixtures.ts'

// Sv39x4 G-stage, root (16 KiB) at 0x8010_0000: hgatp = MODE 8 << 60 | PPN 0x80100.
//   root[0]   @0x8010_0000 = 0x2004_1001  pointer → L1 0x8010_4000  (0x80104 << 10 | V)
//   L1[0]     @0x8010_4000 = 0x2004_1401  pointer → L0 0x8010_5000  (0x80105 << 10 | V)
//   L0[0xa]   @0x8010_5050 = 0x2008_00d7  leaf GPA 0xa000 → SPA 0x8020_0000, V R W U A D
//   L0[0xb]   @0x8010_5058 = 0x200c_00d3  leaf GPA 0xb000 → SPA 0x8030_0000, V R U A D (no W)
//   L0[0xc]   @0x8010_5060 = 0            GPA 0xc000 unmapped
const words: readonly [bigint, bigint][] = [
  [0x8010_0000n, 0x2004_1001n], [0x8010_4000n, 0x2004_1401n], [0x8010_5050n, 0x2008_00d7n], [0x8010_5058n, 0x200c_00d3n],
]
const memory: PhysMemory = words.reduce((m, [a, v]) => poke(m, phys(a), 8, v), emptyMemory(defaultMemoryMap))
const g: GStage = { memory, hgatp: 0x8000_0000_0008_0100n }

// The guest: endpoint 8 in domain 1; IOVA 0x1000–0x2fff → GPA 0xa000–0xbfff (READ|WRITE); IOVA 0x4000–0x4fff → GPA 0xc000.
const guest = run(device({ bypass: false, endpoints: [{ id: 8, resvMem: [] }, { id: 9, resvMem: [] }] }), [
  attachReq(8, 1), mapReq(1, 0x1000n, 0x2fffn, 0xa000n, READ | WRITE), mapReq(1, 0x4000n, 0x4fffn, 0xc000n, READ),
  attachReq(9, 2, 1),
]).state

test('PVIOMMU: IOVA 0x1234 → GPA 0xa234 (virtio mapping) → SPA 0x8020_0234 (G-stage 4 KiB leaf)', () => {
  const r = translatePv(guest, g, 8, 0x1234n, 'write')
  assert.ok(isRight(r))
  if (isRight(r)) assert.equal([r.right.gpa, r.right.spa, r.right.gPageBits], [0xa234n, 0x8020_0234n, 12])
})

test('PVIOMMU: IOVA 0x2ff8 read → GPA 0xbff8 → SPA 0x8030_0ff8 (the second G leaf)', () => {
  const r = translatePv(guest, g, 8, 0x2ff8n, 'read')
  assert.ok(isRight(r) && r.right.spa === 0x8030_0ff8n)
})

test('PVIOMMU: a write the guest allows but the G-stage leaf forbids (W=0) → guest-page fault 23 at GPA 0xb010', () => {
  const r = translatePv(guest, g, 8, 0x2010n, 'write')
  assert.ok(isLeft(r) && r.left.by === 'g-stage' && r.left.fault.cause === 23n && r.left.gpa === 0xb010n)
})

test('PVIOMMU: a guest mapping to a GPA the G-stage does not map → guest-page fault 21 (read)', () => {
  const r = translatePv(guest, g, 8, 0x4008n, 'read')
  assert.ok(isLeft(r) && r.left.by === 'g-stage' && r.left.fault.cause === 21n && r.left.gpa === 0xc008n)
})

test('PVIOMMU: an IOVA the guest did not map faults in the virtio-iommu (reason MAPPING) before any G-stage walk', () => {
  const r = translatePv(guest, g, 8, 0x3000n, 'read')
  assert.ok(isLeft(r) && r.left.by === 'virtio-iommu' && r.left.event.reason === 'MAPPING')
})

test('PVIOMMU: bypass mode is identity into guest-physical space, still translated by the G-stage: IOVA 0xa010 → SPA 0x8020_0010', () => {
  const r = translatePv(guest, g, 9, 0xa010n, 'read')
  assert.ok(isRight(r) && r.right.dma.route === 'bypass' && r.right.gpa === 0xa010n && r.right.spa === 0x8020_0010n)
})

test('PVIOMMU: the table for the physical IOMMU cuts the guest mapping at the G-stage leaves and keeps what both stages allow', () => {
  // [0x1000, 0x1fff] → GPA 0xa000 → SPA 0x8020_0000, RW; [0x2000, 0x2fff] → GPA 0xb000 → SPA 0x8030_0000, read only
  // (the G leaf has no W); [0x4000, 0x4fff] → GPA 0xc000 has no G leaf: left out.
  assert.equal(shadowTable(guest, g, 8), [
    { iovaStart: 0x1000n, iovaEnd: 0x1fffn, spaStart: 0x8020_0000n, read: true, write: true, mmio: false },
    { iovaStart: 0x2000n, iovaEnd: 0x2fffn, spaStart: 0x8030_0000n, read: true, write: false, mmio: false },
  ])
})

test('PVIOMMU: an endpoint in bypass mode needs the G-stage alone in the physical IOMMU', () => {
  assert.is(shadowTable(guest, g, 9), 'g-stage only')
})

test.run()
