// The RISC-V IOMMU on the bus (src/iommu/platform/iommu-device.ts, platform.ts; RISC-V IOMMU spec v1.0,
// "Memory-mapped register interface"): the hart's loads and stores reach the register file at
// IOMMU_BASE + the spec's offsets; the command queue is worked off when the IOMMU runs; fctl.WSI wires
// ipsr into mip.MEIP.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../../src/bits/address.ts'
import { emptyMemory, peek, poke } from '../../../src/memory/memory.ts'
import { MIP_MEIP } from '../../../src/cpu/csr/fields.ts'
import { bootRom } from '../../../src/machine/boot-rom.ts'
import { resetClint } from '../../../src/machine/clint.ts'
import { addedDevice } from '../../../src/machine/added-device.ts'
import { type Devices, defaultMachineOptions, devices, platformMap, spikeBus } from '../../../src/machine/machine.ts'
import { IOMMU_BASE, type IoPlatform, ioPlatformSpec, resetIoPlatform } from '../../../src/iommu/platform/platform.ts'
import { iommuIrq } from '../../../src/iommu/platform/iommu-device.ts'

const io0 = addedDevice(ioPlatformSpec, resetIoPlatform())
const b = spikeBus(defaultMachineOptions, [io0])
const d0: Devices = devices(bootRom(0x8000_0000n), resetClint, [io0])
const ram0 = emptyMemory(platformMap(defaultMachineOptions))
const stateOf = (d: Devices): IoPlatform => d.added[0]!.state as IoPlatform

const store = (d: Devices, offset: number, size: 1 | 2 | 4 | 8, value: bigint): Devices => {
  const r = b.store(d, IOMMU_BASE + BigInt(offset), size, value)
  if (r === undefined) throw new Error(`store at ${offset} refused`)
  return r
}
const load = (d: Devices, offset: number, size: 1 | 2 | 4 | 8): bigint | undefined => b.load(d, IOMMU_BASE + BigInt(offset), size)?.value

test('Register layout: capabilities (offset 0) in one 8-byte load, and as two 4-byte halves, low half first', () => {
  // EXAMPLE_CAPABILITIES 0x1f8_070e_8e10 with IGS = 2 (BOTH) in bits 29:28: 0x1f8_270e_8e10.
  assert.is(load(d0, 0, 8), 0x1f8_270e_8e10n)
  assert.is(load(d0, 0, 4), 0x270e_8e10n)
  assert.is(load(d0, 4, 4), 0x1f8n)
})

test('register access sizes: the spec defines 4 and 8 bytes; a 1- or 2-byte load or store is an access fault', () => {
  assert.is(load(d0, 0, 1), undefined)
  assert.is(load(d0, 0, 2), undefined)
  assert.is(b.store(d0, IOMMU_BASE + 8n, 1, 2n), undefined)
  assert.is(b.store(d0, IOMMU_BASE + 36n, 2, 1n), undefined)
})

test('an 8-byte access straddling the 4 KiB window\'s end is refused by the bus (nothing answers past it)', () => {
  assert.is(load(d0, 0xffc, 8), undefined)
})

test('ddtp (offset 16) by an 8-byte store, fctl (offset 8) by a 4-byte store: read back as written', () => {
  // ddtp = PPN 0x80100 << 10 | iommu_mode 1LVL (2) = 0x2004_0002; fctl.WSI (bit 1) is writable with IGS = BOTH.
  const d1 = store(store(d0, 8, 4, 2n), 16, 8, 0x2004_0002n)
  assert.is(load(d1, 16, 8), 0x2004_0002n)
  assert.is(load(d1, 8, 4), 2n)
  assert.is(load(d0, 16, 8), 0n, 'the old devices record is unchanged')
})

test('Command-Queue: a cqt write is taken up when the IOMMU runs (a chunk end), not at the store', () => {
  // cqb = PPN 0x80600 << 10 | LOG2SZ-1 = 1 (4 entries); cqcsr.cqen. IOFENCE.C, AV: opcode 2 | AV (bit 10) |
  // DATA 0xc0ffee << 32; dw1 = ADDR >> 2 for ADDR 0x8061_0000.
  let d = store(store(d0, 24, 8, 0x2018_0001n), 72, 4, 1n)
  const memory = poke(poke(ram0, phys(0x8060_0000n), 8, 0x00c0_ffee_0000_0402n), phys(0x8060_0008n), 8, 0x8061_0000n >> 2n)
  d = store(d, 36, 4, 1n)
  assert.is(load(d, 32, 4), 0n, 'cqh still 0 after the store')
  const ran = d.added[0]!.master(memory, b.ram)
  assert.is(stateOf(devices(d.bootrom, d.clint, [ran.device])).iommu.regs.cqh, 1n, 'cqh = 1: the fence completed')
  assert.is(peek(ran.memory, phys(0x8061_0000n), 4), 0xc0ffeen)
  assert.is(peek(memory, phys(0x8061_0000n), 4), 0n, 'the memory before is unchanged')
})

test('Interrupts: with fctl.WSI = 1 a pending ipsr.fip drives the wire (mip.MEIP); with WSI = 0 nothing is driven', () => {
  const iommu = resetIoPlatform().iommu
  const pending = { ...iommu, regs: { ...iommu.regs, ipsr: 2n } }
  assert.is(iommuIrq({ ...pending, regs: { ...pending.regs, fctl: 2n } }), MIP_MEIP)
  assert.is(iommuIrq(pending), 0n)
  assert.is(iommuIrq({ ...iommu, regs: { ...iommu.regs, fctl: 2n } }), 0n)
  assert.is(b.driven & MIP_MEIP, MIP_MEIP, 'the bus lets the IOMMU drive MEIP')
  assert.is(stateOf(d0).iommu.regs.fctl, 0n)
})

test.run()
