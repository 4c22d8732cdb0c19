// A device on the platform's bus: pure data (its state S) plus functions. A load or store at an offset
// inside its register window returns the new state (and the value read) or a fault; `tick` is time
// passing; `irq` the interrupt lines (mip bits) it drives. A device that is also a bus master reaches
// memory only through a DMA port (dma.ts), where a translating unit (an IOMMU) can be put in front.
import { type Either } from '../bits/either.ts'
import { type AccessSize } from '../memory/memory.ts'

/** Why a device refused an access: the bus turns it into an access fault for the hart. */
export interface DeviceFault {
  readonly _tag: 'DeviceFault'
  readonly device: string
  readonly offset: bigint
  readonly reason: string
}

export const deviceFault = (device: string, offset: bigint, reason: string): DeviceFault =>
  ({ _tag: 'DeviceFault', device, offset, reason })

/** A load's result: the device's state after it (a read may change it) and the value, zero-extended. */
export interface DeviceLoad<S> {
  readonly state: S
  readonly value: bigint
}

export interface Device<S> {
  readonly name: string
  /** Bytes in its register window. */
  readonly size: bigint
  /** A load of `size` bytes at `offset` into the window. */
  readonly load: (s: S, offset: bigint, size: AccessSize) => Either<DeviceFault, DeviceLoad<S>>
  /** A store of the low `size` bytes of value at `offset`. */
  readonly store: (s: S, offset: bigint, size: AccessSize, value: bigint) => Either<DeviceFault, S>
  /** `ticks` ticks of the platform's real-time clock (Spike: one per INSNS_PER_RTC_TICK instructions). */
  readonly tick: (s: S, ticks: bigint) => S
  /** The mip bits it drives now (0n for none). */
  readonly irq: (s: S) => bigint
}

/** For each access size n, the bytes [off, off + n) of a little-endian register of `width` bytes at `base`. */
export const registerBytes = (value: bigint, base: bigint, width: bigint, off: bigint, size: number): bigint =>
  off >= base && off + BigInt(size) <= base + width ? BigInt.asUintN(8 * size, value >> (8n * (off - base))) : 0n

/** A little-endian register of `width` bytes at `base`, after a store of `size` bytes of value at off. */
export const withRegisterBytes = (reg: bigint, base: bigint, off: bigint, size: number, value: bigint): bigint => {
  const shift = 8n * (off - base)
  const mask = ((1n << BigInt(8 * size)) - 1n) << shift
  return BigInt.asUintN(64, (reg & ~mask) | ((value << shift) & mask))
}
