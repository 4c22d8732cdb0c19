// The RISC-V IOMMU as a device on the platform's bus (RISC-V IOMMU spec v1.0, "Memory-mapped register
// interface"): its 4 KiB register file answering the hart's loads and stores, the command queue worked
// off when the IOMMU runs (each chunk end), and the wired interrupt it drives when fctl.WSI = 1.
import { type Either, left, right } from '../../bits/either.ts'
import { bit } from '../../bits/bits.ts'
import { type AccessSize, type PhysMemory } from '../../memory/memory.ts'
import { MIP_MEIP } from '../../cpu/csr/fields.ts'
import { type DeviceFault, type DeviceLoad, deviceFault } from '../../machine/device.ts'
import { processCommands } from '../command-queue.ts'
import type { Iommu } from '../iommu.ts'
import { IPSR, fctlOf, readRegister, writeRegister } from '../registers.ts'

/** The register file's size: "the IOMMU's memory-mapped register file is 4 KiB". */
export const IOMMU_WINDOW_SIZE = 0x1000n

/**
 * A register load. 4- and 8-byte accesses go to `readRegister` (a misaligned one, or one spanning two
 * registers, reads 0: UNSPECIFIED by the spec, the C model's choice, as registers.ts has it); the spec
 * defines no other size, and here a 1- or 2-byte access is refused: an access fault for the hart.
 */
export const loadIommu = (s: Iommu, offset: bigint, size: AccessSize): Either<DeviceFault, DeviceLoad<Iommu>> =>
  size === 4 || size === 8 ? right({ state: s, value: readRegister(s.regs, Number(offset), size) })
    : left(deviceFault('iommu', offset, `a ${size}-byte register access (only 4 and 8 bytes are defined)`))

/** A register store (`writeRegister`; the same sizes as loads). A new cqt is worked off at the next chunk end. */
export const storeIommu = (s: Iommu, offset: bigint, size: AccessSize, value: bigint): Either<DeviceFault, Iommu> => {
  if (size !== 4 && size !== 8) return left(deviceFault('iommu', offset, `a ${size}-byte register access (only 4 and 8 bytes are defined)`))
  const regs = writeRegister(s.regs, s.options, Number(offset), size, value)
  return right(regs === s.regs ? s : { ...s, regs })
}

/**
 * "Interrupts": with fctl.WSI = 1 the IOMMU signals each pending ipsr bit (cip, fip; pmip and pip are not
 * modelled) on a wire; this platform routes the wires, whatever icvec says, to the hart's machine external
 * interrupt (mip.MEIP). With WSI = 0 interrupts are MSIs, which this platform does not deliver.
 */
export const iommuIrq = (s: Iommu): bigint =>
  fctlOf(s.regs).wsi && (bit(s.regs.ipsr, IPSR.cip) || bit(s.regs.ipsr, IPSR.fip)) ? MIP_MEIP : 0n

/** The IOMMU's own work when it runs: the command queue from cqh up to cqt ("Command-Queue (CQ)"). */
export const runIommu = (s: Iommu, memory: PhysMemory): { readonly iommu: Iommu; readonly memory: PhysMemory } => {
  const q = processCommands(s, memory)
  return q.events.length === 0 ? { iommu: s, memory } : { iommu: q.iommu, memory: q.memory }
}
