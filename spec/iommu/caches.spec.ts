// RISC-V IOMMU spec v1.0, caching and invalidation ("IOMMU Page-Table cache invalidation commands",
// "IOMMU directory cache invalidation commands"): a cached translation or context may be used until
// the covering command, and each command drops exactly the entries its table lists. The memory
// change after the first translation makes stale and fresh results distinguishable by address.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Command } from '../../src/iommu/commands.ts'
import { invalidate } from '../../src/iommu/caches.ts'
import type { Iommu, IommuOptions } from '../../src/iommu/iommu.ts'
import { type IoRequest, translate } from '../../src/iommu/translate.ts'
import { processCommands } from '../../src/iommu/command-queue.ts'
import { encodeCommand } from '../../src/iommu/commands.ts'
import type { PhysMemory } from '../../src/memory/memory.ts'
import { CQ, DDT, OFF, PTE_A, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, TC, atp, dc, iommuWith, makePte, program, put, putDc, ram } from './fixtures.ts'

const IOVA = 0x4000_1234n, ROOT = 0x8020_0000n, LEAF_AT = 0x8020_2008n
const URWAD = PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
const DC_AT = DDT + 5n * 32n
const tables = (m: PhysMemory, leaf: bigint): PhysMemory => put(m, [
  [ROOT + 8n, makePte(0x8020_1000n, PTE_V)], [0x8020_1000n, makePte(0x8020_2000n, PTE_V)], [LEAF_AT, leaf],
])
const req: IoRequest = { deviceId: 5, access: 'read', privileged: false, type: 'untranslated', iova: IOVA }

/** Device 5, Sv39 with PSCID 7, leaf → 0x8030_0000; translated once so every cache holds its entry. */
const warmed = (cache: IommuOptions['cache'], leafFlags = URWAD, words = dc(TC.V, atp(8, ROOT), 0n, 7n)) => {
  const mem = tables(putDc(ram, DC_AT, words), makePte(0x8030_0000n, leafFlags))
  const o = translate(iommuWith(2, undefined, { cache }), mem, req)
  assert.is(o.response.pa, 0x8030_0234n)
  // Software now moves the page: the leaf points at 0x8031_0000.
  return { iommu: o.iommu, mem: put(o.memory, [[LEAF_AT, makePte(0x8031_0000n, leafFlags)]]) }
}
const pa = (iommu: Iommu, mem: PhysMemory, r: IoRequest = req): bigint | undefined => translate(iommu, mem, r).response.pa
type Iotinval = Extract<Command, { kind: 'IOTINVAL.VMA' | 'IOTINVAL.GVMA' }>
const inv = (iommu: Iommu, c: Command): Iommu => ({ ...iommu, caches: invalidate(iommu.caches, c) })
const vma = (over: Partial<Iotinval> = {}): Command =>
  ({ kind: 'IOTINVAL.VMA', av: false, pscid: 0, pscv: false, gv: false, nl: false, gscid: 0, s: false, addr: 0n, ...over })
const gvma = (over: Partial<Iotinval> = {}): Command =>
  ({ kind: 'IOTINVAL.GVMA', av: false, pscid: 0, pscv: false, gv: false, nl: false, gscid: 0, s: false, addr: 0n, ...over })

test('Policy none: a changed PTE is seen at once', () => {
  const w = warmed('none')
  assert.is(pa(w.iommu, w.mem), 0x8031_0234n)
})
test('IOTLB: without an invalidation the old translation may be used (the spec allows either)', () => {
  const w = warmed('unbounded')
  assert.is(pa(w.iommu, w.mem), 0x8030_0234n)
})
test('IOTINVAL.VMA GV=0 AV=1 PSCV=1 with the entry\'s PSCID and IOVA drops it', () => {
  const w = warmed('unbounded')
  assert.is(pa(inv(w.iommu, vma({ av: true, addr: IOVA & ~0xfffn, pscv: true, pscid: 7 })), w.mem), 0x8031_0234n)
})
test('IOTINVAL.VMA with another PSCID, another IOVA, or GV=1 leaves the entry', () => {
  const w = warmed('unbounded')
  assert.is(pa(inv(w.iommu, vma({ pscv: true, pscid: 8 })), w.mem), 0x8030_0234n)
  assert.is(pa(inv(w.iommu, vma({ av: true, addr: 0x4000_2000n })), w.mem), 0x8030_0234n)
  assert.is(pa(inv(w.iommu, vma({ gv: true, gscid: 0 })), w.mem), 0x8030_0234n)
})
test('IOTINVAL.VMA PSCV=1 keeps global mappings; PSCV=0 drops them', () => {
  const w = warmed('unbounded', URWAD | PTE_G)
  assert.is(pa(inv(w.iommu, vma({ pscv: true, pscid: 7 })), w.mem), 0x8030_0234n)
  assert.is(pa(inv(w.iommu, vma()), w.mem), 0x8031_0234n)
})
test('IOTINVAL.GVMA does not act on host (G-stage Bare) translations', () => {
  const w = warmed('unbounded')
  assert.is(pa(inv(w.iommu, gvma()), w.mem), 0x8030_0234n)
})
test('IOTINVAL has no effect on the directory caches; IODIR.INVAL_DDT DV=1 DID=5 drops device 5\'s DC', () => {
  const w = warmed('unbounded')
  const gone = putDc(w.mem, DC_AT, dc(0n))                     // software invalidates the DC in memory
  const afterVma = inv(w.iommu, vma())
  assert.is(translate(afterVma, gone, req).response.pa, 0x8031_0234n) // cached DC still used
  const afterDdt = inv(afterVma, { kind: 'IODIR.INVAL_DDT', pid: 0, dv: true, did: 5 })
  assert.is(translate(afterDdt, gone, req).response.fault?.cause, 258)
})
test('IODIR.INVAL_DDT for another device keeps the DC', () => {
  const w = warmed('unbounded')
  const gone = putDc(w.mem, DC_AT, dc(0n))
  const other = inv(inv(w.iommu, vma()), { kind: 'IODIR.INVAL_DDT', pid: 0, dv: true, did: 6 })
  assert.is(translate(other, gone, req).response.pa, 0x8031_0234n)
})

// Process contexts: PD8 at 0x8050_0000, process 3's PC at 0x8050_0030.
const PDT = 0x8050_0000n
test('IODIR.INVAL_PDT drops the PC of (DID, PID); IODIR.INVAL_DDT DV=1 drops the device\'s PCs too', () => {
  const mem = tables(put(putDc(ram, DC_AT, dc(TC.V | TC.PDTV, atp(1, PDT))), [[PDT + 0x30n, 1n], [PDT + 0x38n, atp(8, ROOT)]]), makePte(0x8030_0000n, URWAD))
  const r3: IoRequest = { ...req, processId: 3 }
  const o = translate(iommuWith(2, undefined, { cache: 'unbounded' }), mem, r3)
  const gone = put(o.memory, [[PDT + 0x30n, 0n]])
  assert.is(translate(inv(o.iommu, vma()), gone, r3).response.pa, 0x8030_0234n)
  assert.is(translate(inv(inv(o.iommu, vma()), { kind: 'IODIR.INVAL_PDT', pid: 4, dv: true, did: 5 }), gone, r3).response.pa, 0x8030_0234n)
  assert.is(translate(inv(inv(o.iommu, vma()), { kind: 'IODIR.INVAL_PDT', pid: 3, dv: true, did: 5 }), gone, r3).response.fault?.cause, 266)
  assert.is(translate(inv(inv(o.iommu, vma()), { kind: 'IODIR.INVAL_DDT', pid: 0, dv: true, did: 5 }), gone, r3).response.fault?.cause, 266)
})

// Two stages: G-stage Sv39x4 at 0x8040_0000 (GSCID 1) maps GPA 0–2 MiB to 0x8060_0000; IOVA → GPA 0x5234.
const G_ROOT = 0x8040_0000n
const twoStage = (gvmaMode: IommuOptions['gvmaInvalidation']) => {
  const mem = put(putDc(ram, DC_AT, dc(TC.V, atp(8, 0x1000n), atp(8, G_ROOT, 1n), 7n)), [
    [G_ROOT, makePte(0x8040_4000n, PTE_V)], [0x8040_4000n, makePte(0x8060_0000n, URWAD | PTE_X)],
    [0x8060_1008n, makePte(0x2000n, PTE_V)], [0x8060_2000n, makePte(0x3000n, PTE_V)], [0x8060_3008n, makePte(0x5000n, URWAD)],
  ])
  const o = translate(iommuWith(2, undefined, { cache: 'unbounded', gvmaInvalidation: gvmaMode }), mem, req)
  assert.is(o.response.pa, 0x8060_5234n)
  // The hypervisor moves the 2 MiB guest page (with the guest's tables in it) to 0x8080_0000.
  return { iommu: o.iommu, mem: put(o.memory, [
    [0x8040_4000n, makePte(0x8080_0000n, URWAD | PTE_X)],
    [0x8080_1008n, makePte(0x2000n, PTE_V)], [0x8080_2000n, makePte(0x3000n, PTE_V)], [0x8080_3008n, makePte(0x5000n, URWAD)],
  ]) }
}
test('IOTINVAL.GVMA GV=1 AV=1 with a GPA inside the entry\'s G-stage leaf (2 MiB at GPA 0) drops it', () => {
  const w = twoStage('spec')
  assert.is(pa(w.iommu, w.mem), 0x8060_5234n)
  assert.is(pa(inv(w.iommu, gvma({ gv: true, gscid: 1, av: true, addr: 0x1f_f000n })), w.mem), 0x8080_5234n)
})
test('IOTINVAL.GVMA GV=1 AV=1 with a GPA outside the leaf, or another GSCID, keeps it (spec); the C model\'s rule drops it', () => {
  const w = twoStage('spec')
  assert.is(pa(inv(w.iommu, gvma({ gv: true, gscid: 1, av: true, addr: 0x20_0000n })), w.mem), 0x8060_5234n)
  assert.is(pa(inv(w.iommu, gvma({ gv: true, gscid: 2 })), w.mem), 0x8060_5234n)
  const r = twoStage('refmodel')
  assert.is(pa(inv(r.iommu, gvma({ gv: true, gscid: 1, av: true, addr: 0x20_0000n })), r.mem), 0x8080_5234n)
})
test('IOTINVAL.VMA GV=1 with the GSCID drops the VM\'s entries; GV=0 does not', () => {
  const w = twoStage('spec')
  assert.is(pa(inv(w.iommu, vma()), w.mem), 0x8060_5234n)
  assert.is(pa(inv(w.iommu, vma({ gv: true, gscid: 1 })), w.mem), 0x8080_5234n)
})

test('Policy refmodel: two entries per cache, least recently used replaced (the C model\'s sizes)', () => {
  // Three devices 5, 6, 7 with the same tables; after translating 5, 6, 7 the DC cache holds 7 and 6.
  let mem = tables(ram, makePte(0x8030_0000n, URWAD))
  for (const d of [5n, 6n, 7n]) mem = putDc(mem, DDT + d * 32n, dc(TC.V, atp(8, ROOT), 0n, d))
  let iommu = iommuWith(2, undefined, { cache: 'refmodel' })
  for (const d of [5, 6, 7]) iommu = translate(iommu, mem, { ...req, deviceId: d }).iommu
  assert.equal(iommu.caches.ddt.map((s) => s.key), [7, 6])
  assert.equal(iommu.caches.iotlb.map((e) => e.pscid), [7, 6])
})

test('Through the command queue: IOTINVAL.VMA then IOFENCE.C make the new translation visible', () => {
  const w = warmed('unbounded')
  const cmds = [encodeCommand(vma()), encodeCommand({ kind: 'IOFENCE.C', av: false, wsi: false, pr: false, pw: false, data: 0, addr: 0n })]
  const mem = put(w.mem, cmds.flatMap(([a, b], i) => [[CQ + BigInt(16 * i), a], [CQ + BigInt(16 * i) + 8n, b]] as const))
  const q = program(w.iommu, [[OFF.cqb, 2n | ((CQ >> 12n) << 10n)], [OFF.cqcsr, 1n], [OFF.cqt, 2n]])
  const done = processCommands(q, mem)
  assert.is(done.iommu.regs.cqh, 2n)
  assert.is(pa(done.iommu, done.memory), 0x8031_0234n)
})

test.run()
