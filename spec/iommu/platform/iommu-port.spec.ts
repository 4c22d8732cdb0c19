// A DMA engine's port with the RISC-V IOMMU in front (src/iommu/platform/iommu-port.ts; RISC-V IOMMU spec
// v1.0, "Process to translate an IOVA", "Fault/Event-Queue (FQ)"): the same engine registers through the
// identity port and through the IOMMU, and a blocked write with its fault record, worked by hand.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ramWindow } from '../../../src/cpu/bus.ts'
import { ramPort, statePort } from '../../../src/machine/dma.ts'
import { DMA_DONE, DMA_ERROR, type DmaEngine, resetDmaEngine, transfer } from '../../../src/machine/devices/dma-engine.ts'
import { iommuPort } from '../../../src/iommu/platform/iommu-port.ts'
import { DDT, FQ, iommuWith, put, putDc, ram, word } from '../fixtures.ts'

const RAM = ramWindow(0x8000_0000n, 0x8000_0000n)

// Device 5's base-format DC in the 1LVL DDT at DDT + 5 · 32 = 0x8010_00a0: tc = V; iosatp = MODE Sv39 (8) << 60
// | root PPN 0x80200. Sv39 tables for IOVA 0x4000_x000 (VPN[2] = 1, VPN[1] = 0, VPN[0] = x):
//   root[1] at 0x8020_0008 → 0x8020_1000 (PTE 0x80201 << 10 | V = 0x2008_0401)
//   L1[0]  at 0x8020_1000 → 0x8020_2000 (0x2008_0801)
//   L0[1] → 0x8030_0000 V R W U A D (0x200c_00d7); L0[2] → 0x8031_0000 V R U A, read-only (0x200c_4053);
//   L0[3] → 0x8032_0000 V R W U A D (0x200c_80d7). The engine's requests are user-level: leaves need U = 1.
const memory = put(putDc(ram, DDT + 5n * 32n, [1n, 0n, 0n, 0x8000_0000_0008_0200n]), [
  [0x8020_0008n, 0x2008_0401n], [0x8020_1000n, 0x2008_0801n],
  [0x8020_2008n, 0x200c_00d7n], [0x8020_2010n, 0x200c_4053n], [0x8020_2018n, 0x200c_80d7n],
  [0x8030_0000n, 0x0123_4567_89ab_cdefn], [0x8030_0008n, 0xfedc_ba98_7654_3210n],
])
const iommu = iommuWith(2)          // the 1LVL DDT at DDT; an 8-entry fault queue at FQ, on

const engine = (src: bigint, dst: bigint, len: bigint): DmaEngine => ({ ...resetDmaEngine, deviceId: 5n, src, dst, len, status: 1n })

test('identity port: device addresses are physical — 16 bytes from 0x8030_0000 to 0x8032_0000', () => {
  const r = transfer(engine(0x8030_0000n, 0x8032_0000n, 16n), memory, statePort(ramPort(RAM)))
  assert.is(r.state.status, DMA_DONE)
  assert.is(r.state.copied, 16n)
  assert.equal([word(r.memory, 0x8032_0000n), word(r.memory, 0x8032_0008n)], [0x0123_4567_89ab_cdefn, 0xfedc_ba98_7654_3210n])
})

test('identity port: the IOVAs 0x4000_1000 → 0x4000_3000 are not RAM: refused at the first read', () => {
  const r = transfer(engine(0x4000_1000n, 0x4000_3000n, 16n), memory, statePort(ramPort(RAM)))
  assert.is(r.state.status, DMA_ERROR)
  assert.is(r.state.faultAddr, 0x4000_1000n)
  assert.is(r.memory, memory)
})

test('IOMMU port, untranslated requests of device 5: IOVA 0x4000_1000 → 0x8030_0000, 0x4000_3000 → 0x8032_0000', () => {
  const r = transfer(engine(0x4000_1000n, 0x4000_3000n, 16n), { iommu, memory }, iommuPort(RAM, { deviceId: 5, processId: undefined }))
  assert.is(r.state.status, DMA_DONE)
  assert.equal([word(r.memory.memory, 0x8032_0000n), word(r.memory.memory, 0x8032_0008n)], [0x0123_4567_89ab_cdefn, 0xfedc_ba98_7654_3210n])
  assert.is(r.memory.iommu.regs.fqt, 0n, 'no fault, no record')
})

test('Step 17 (permissions): a write to the read-only page 0x4000_2000 → write page fault (15); the engine stops with nothing written', () => {
  const r = transfer(engine(0x4000_1000n, 0x4000_2000n, 16n), { iommu, memory }, iommuPort(RAM, { deviceId: 5, processId: undefined }))
  assert.is(r.state.status, DMA_ERROR)
  assert.is(r.state.faultAddr, 0x4000_2000n)
  assert.is(r.state.copied, 0n)
  assert.is(word(r.memory.memory, 0x8031_0000n), 0n)
  // The record at fqb + 32 · 0: dw0 = CAUSE 15 | TTYP 3 (untranslated write) << 34 | DID 5 << 40
  // = 0xf | 0xc_0000_0000 | 0x500_0000_0000; PV = PRIV = PID = 0; iotval = the IOVA; iotval2 = 0 (no G-stage).
  assert.equal([0n, 8n, 16n, 24n].map((o) => word(r.memory.memory, FQ + o)), [0x0000_050c_0000_000fn, 0n, 0x4000_2000n, 0n])
  assert.is(r.memory.iommu.regs.fqt, 1n)
})

test('a device without a valid device context (device 6: DDT entry V = 0) → DDT entry not valid (258), at the first read', () => {
  const r = transfer({ ...engine(0x4000_1000n, 0x4000_3000n, 8n), deviceId: 6n }, { iommu, memory }, iommuPort(RAM, { deviceId: 6, processId: undefined }))
  assert.is(r.state.status, DMA_ERROR)
  assert.is(r.state.faultAddr, 0x4000_1000n)
  // dw0 = 258 (0x102) | TTYP 2 (untranslated read) << 34 | DID 6 << 40 = 0x0000_0608_0000_0102.
  assert.equal([0n, 8n, 16n, 24n].map((o) => word(r.memory.memory, FQ + o)), [0x0000_0608_0000_0102n, 0n, 0x4000_1000n, 0n])
})

test.run()
