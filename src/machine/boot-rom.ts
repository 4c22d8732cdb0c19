// The boot ROM (Spike's rom_device_t, riscv/devices.cc) as a device: its bytes are its state, loads read
// them (bytes past the image read as zero), and a store is refused, which the hart takes as an access fault.
import { left, right } from '../bits/either.ts'
import { type AccessSize } from '../memory/memory.ts'
import { type Device, deviceFault } from './device.ts'

/** Spike's DEFAULT_RSTVEC: the boot ROM's base and the hart's reset pc. */
export const BOOT_ROM_BASE = 0x1000n
export const BOOT_ROM_SIZE = 0x1000n

export interface BootRom {
  readonly bytes: Uint8Array
}

/** The little-endian value of bytes [off, off + size) of the image (zero past its end). */
const read = (rom: BootRom, off: bigint, size: AccessSize): bigint => {
  let v = 0n
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(rom.bytes[Number(off) + i] ?? 0)
  return v
}

export const bootRomDevice: Device<BootRom> = {
  name: 'bootrom',
  size: BOOT_ROM_SIZE,
  load: (s, off, size) => right({ state: s, value: read(s, off, size) }),
  store: (_s, off) => left(deviceFault('bootrom', off, 'read-only')),
  tick: (s) => s,
  irq: () => 0n,
}

/**
 * Spike's reset vector (riscv/sim.cc, set_rom): auipc t0,0; addi a1,t0,32 (the device tree, which this
 * model does not provide: those bytes read as zero); csrr a0,mhartid; ld t0,24(t0); jr t0; then the
 * 64-bit entry point at offset 24.
 */
export const resetVector = (entry: bigint): Uint8Array => {
  const words = [0x297, 0x28593 + ((8 * 4) << 20), 0xf1402573, 0x0182b283, 0x28067, 0, Number(entry & 0xffff_ffffn), Number(entry >> 32n)]
  const bytes = new Uint8Array(words.length * 4)
  const view = new DataView(bytes.buffer)
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true))
  return bytes
}

/** The boot ROM holding Spike's reset vector for `entry`. */
export const bootRom = (entry: bigint): BootRom => ({ bytes: resetVector(entry) })
