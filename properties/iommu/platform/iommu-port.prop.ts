// Laws of the IOMMU in a DMA engine's port (src/iommu/platform/iommu-port.ts; RISC-V IOMMU spec v1.0,
// "Process to translate an IOVA", step 1 and "Device-directory-table pointer"): with ddtp.iommu_mode =
// Bare every request passes untranslated, so the port is the identity port; with Off every request is
// refused (cause 256), so a transfer copies nothing and memory changes only by fault records.
import { test } from 'uvu'
import { fc, runs } from '../../fc.ts'
import { phys } from '../../../src/bits/address.ts'
import { emptyMemory, peek, poke } from '../../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import { ramWindow } from '../../../src/cpu/bus.ts'
import { ramPort, statePort } from '../../../src/machine/dma.ts'
import { DMA_BUSY, DMA_ERROR, type DmaEngine, resetDmaEngine, transfer } from '../../../src/machine/devices/dma-engine.ts'
import { type Iommu, resetIommu } from '../../../src/iommu/iommu.ts'
import { writeRegister } from '../../../src/iommu/registers.ts'
import { iommuPort } from '../../../src/iommu/platform/iommu-port.ts'
import { PLATFORM_CAPABILITIES } from '../../../src/iommu/platform/platform.ts'

const RAM = ramWindow(0x8000_0000n, 0x8000_0000n)
const FQ = 0x8070_0000n
const w = (i: Iommu, offset: number, size: 4 | 8, v: bigint): Iommu => ({ ...i, regs: writeRegister(i.regs, i.options, offset, size, v) })
/** The fault queue (16 entries at FQ) on, then ddtp.iommu_mode = `mode` (0 Off, 1 Bare). */
const iommuIn = (mode: bigint): Iommu => w(w(w(resetIommu(PLATFORM_CAPABILITIES), 40, 8, 3n | ((FQ >> 12n) << 10n)), 76, 4, 1n), 16, 8, mode)

// Addresses near RAM's start (some below it: not RAM) and near FQ, so copies overlap the queue sometimes.
const arbAddr = fc.oneof(
  fc.bigInt({ min: 0x7fff_ff00n, max: 0x8000_0100n }),
  fc.bigInt({ min: FQ - 0x40n, max: FQ + 0x40n }),
)
const arbEngine: fc.Arbitrary<DmaEngine> = fc.record({
  deviceId: fc.bigInt({ min: 0n, max: 0xff_ffffn }), src: arbAddr, dst: arbAddr, len: fc.bigInt({ min: 0n, max: 48n }),
}).map((r) => ({ ...resetDmaEngine, ...r, status: DMA_BUSY }))
const arbWords = fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 0x3fn }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })), { maxLength: 8 })
const memoryWith = (words: readonly (readonly [bigint, bigint])[]) =>
  words.reduce((m, [i, v]) => poke(poke(m, phys(0x8000_0000n + 8n * i), 8, v), phys(FQ - 0x40n + 8n * i), 8, v), emptyMemory(defaultMemoryMap))

test('ddtp Bare: a DMA through the IOMMU equals the DMA through the identity port (state, bytes), and no record is written', () => {
  fc.assert(fc.property(arbEngine, arbWords, (e, words) => {
    const m0 = memoryWith(words)
    const plain = transfer(e, m0, statePort(ramPort(RAM)))
    const viaIommu = transfer(e, { iommu: iommuIn(1n), memory: m0 }, iommuPort(RAM, { deviceId: Number(e.deviceId), processId: undefined }))
    if (viaIommu.memory.iommu.regs.fqt !== 0n) return false
    if (JSON.stringify(plain.state, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) !==
      JSON.stringify(viaIommu.state, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) return false
    for (let a = 0x7fff_ff00n; a < 0x8000_0200n; a += 8n) if (a >= 0x8000_0000n && peek(plain.memory, phys(a), 8) !== peek(viaIommu.memory.memory, phys(a), 8)) return false
    for (let a = FQ - 0x80n; a < FQ + 0x200n; a += 8n) if (peek(plain.memory, phys(a), 8) !== peek(viaIommu.memory.memory, phys(a), 8)) return false
    return true
  }), { numRuns: runs(200) })
})

test('ddtp Off: every transfer of one byte or more stops at its first read (cause 256); memory changes only in the record at FQ', () => {
  fc.assert(fc.property(arbEngine.filter((e) => e.len > 0n), arbWords, (e, words) => {
    const m0 = memoryWith(words)
    const r = transfer(e, { iommu: iommuIn(0n), memory: m0 }, iommuPort(RAM, { deviceId: Number(e.deviceId), processId: undefined }))
    if (r.state.status !== DMA_ERROR || r.state.faultAddr !== e.src || r.state.copied !== 0n) return false
    if ((peek(r.memory.memory, phys(FQ), 8) & 0xfffn) !== 256n || r.memory.iommu.regs.fqt !== 1n) return false
    for (let a = 0x8000_0000n; a < 0x8000_0200n; a += 8n) if (peek(r.memory.memory, phys(a), 8) !== peek(m0, phys(a), 8)) return false
    for (let a = FQ - 0x80n; a < FQ + 0x200n; a += 8n) {
      if (a >= FQ && a < FQ + 32n) continue
      if (peek(r.memory.memory, phys(a), 8) !== peek(m0, phys(a), 8)) return false
    }
    return true
  }), { numRuns: runs(200) })
})

test.run()
