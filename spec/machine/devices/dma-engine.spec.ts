// The DMA engine's registers and transfer (src/machine/devices/dma-engine.ts; memvirt's own device, its
// behaviour as the file's header states it): WARL fields, GO and busy, refused accesses, the copy unit.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../../src/bits/address.ts'
import { emptyMemory, peek, poke } from '../../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import { ramWindow } from '../../../src/cpu/bus.ts'
import { ramPort, statePort } from '../../../src/machine/dma.ts'
import { addedDevice } from '../../../src/machine/added-device.ts'
import { DMA_BUSY, DMA_DONE, DMA_REG, type DmaEngine, loadDma, plainDmaEngine, requesterOf, resetDmaEngine, storeDma, transfer } from '../../../src/machine/devices/dma-engine.ts'

const store = (s: DmaEngine, offset: number, size: 1 | 2 | 4 | 8, value: bigint): DmaEngine => {
  const r = storeDma('dma')(s, BigInt(offset), size, value)
  if (r._tag === 'Left') throw new Error(r.left.reason)
  return r.right
}
const load = (s: DmaEngine, offset: number, size: 1 | 2 | 4 | 8): bigint | undefined => {
  const r = loadDma('dma')(s, BigInt(offset), size)
  return r._tag === 'Left' ? undefined : r.right.value
}
const port = statePort(ramPort(ramWindow(0x8000_0000n, 0x8000_0000n)))

test('WARL: DEVICE_ID keeps bits 23:0, PROCESS_ID bits 19:0 and PV (bit 31), LEN bits 15:0', () => {
  const s = store(store(store(resetDmaEngine, DMA_REG.deviceId, 8, 0xabcd_ef12_3456n), DMA_REG.processId, 8, 0xffff_ffffn), DMA_REG.len, 8, 0x1_2345n)
  assert.is(load(s, DMA_REG.deviceId, 8), 0x12_3456n)
  assert.is(load(s, DMA_REG.processId, 8), 0x800f_ffffn)
  assert.is(load(s, DMA_REG.len, 8), 0x2345n)
  assert.equal(requesterOf(s), { deviceId: 0x12_3456, processId: 0xf_ffff })
  assert.equal(requesterOf(resetDmaEngine), { deviceId: 0, processId: undefined })
})

test('4-byte accesses reach each half of a register; 1- and 2-byte or misaligned accesses are refused', () => {
  const s = store(store(resetDmaEngine, DMA_REG.src + 4, 4, 0x8765_4321n), DMA_REG.src, 4, 0x1234_5678n)
  assert.is(load(s, DMA_REG.src, 8), 0x8765_4321_1234_5678n)
  assert.is(load(s, DMA_REG.src + 4, 4), 0x8765_4321n)
  assert.is(load(s, DMA_REG.src, 1), undefined)
  assert.is(load(s, DMA_REG.src, 2), undefined)
  assert.is(load(s, DMA_REG.src + 4, 8), undefined)
  assert.ok(storeDma('dma')(s, 0x48n, 8, 0n)._tag === 'Left', 'past the last register')
})

test('GO: bit 0 starts a transfer (STATUS busy; GO reads 0); while busy, stores change nothing', () => {
  const busy = store(store(resetDmaEngine, DMA_REG.len, 8, 8n), DMA_REG.go, 8, 1n)
  assert.is(load(busy, DMA_REG.status, 8), DMA_BUSY)
  assert.is(load(busy, DMA_REG.go, 8), 0n)
  assert.is(store(busy, DMA_REG.len, 8, 16n), busy)
  assert.is(store(resetDmaEngine, DMA_REG.go, 8, 2n), resetDmaEngine, 'bit 0 clear: no start')
  assert.is(store(resetDmaEngine, DMA_REG.status, 8, 2n), resetDmaEngine, 'STATUS is read-only')
})

test('the transfer: byte by byte when an address or the length is not a multiple of 8; an idle engine does nothing', () => {
  const m0 = poke(emptyMemory(defaultMemoryMap), phys(0x8000_1000n), 8, 0x0807_0605_0403_0201n)
  const s: DmaEngine = { ...resetDmaEngine, src: 0x8000_1001n, dst: 0x8000_2000n, len: 3n, status: DMA_BUSY }
  const r = transfer(s, m0, port)
  assert.is(r.state.status, DMA_DONE)
  assert.is(r.state.copied, 3n)
  assert.is(peek(r.memory, phys(0x8000_2000n), 8), 0x04_0302n)
  assert.equal(transfer(resetDmaEngine, m0, port), { state: resetDmaEngine, memory: m0 })
})

test('plainDmaEngine: the engine alone on the bus, its port the identity onto RAM, copies at its chunk-end work', () => {
  const m0 = poke(emptyMemory(defaultMemoryMap), phys(0x8000_1000n), 8, 0x1122_3344_5566_7788n)
  const busy: DmaEngine = { ...resetDmaEngine, src: 0x8000_1000n, dst: 0x8000_3000n, len: 8n, status: DMA_BUSY }
  const d = addedDevice(plainDmaEngine(0x3002_0000n), busy)
  assert.equal(d.windows, [{ name: 'dma', base: 0x3002_0000n, size: 0x1000n }])
  const r = d.master(m0, ramWindow(0x8000_0000n, 0x8000_0000n))
  assert.is((r.device.state as DmaEngine).status, DMA_DONE)
  assert.is(peek(r.memory, phys(0x8000_3000n), 8), 0x1122_3344_5566_7788n)
  assert.is(d.state, busy, 'the device before is unchanged')
})

test.run()
