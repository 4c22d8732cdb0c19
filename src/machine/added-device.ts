// Devices a higher layer adds to Spike's platform (the RISC-V IOMMU and its DMA engine, src/iommu/
// platform/): each a value carrying its own state, so the machine layer places and runs it without
// knowing its type. It answers loads and stores in one or more register windows on the bus, may drive
// mip bits, and works as a bus master at each chunk end (as HTIF does), reaching RAM there.
import { type Either, isLeft, right } from '../bits/either.ts'
import { type AccessSize, type PhysMemory } from '../memory/memory.ts'
import { type RamWindow } from '../cpu/bus.ts'
import { type Device, type DeviceFault, type DeviceLoad } from './device.ts'

/** A register window: where on the bus, how many bytes. */
export interface Window {
  readonly name: string
  readonly base: bigint
  readonly size: bigint
}

/** How a device of state S behaves; `addedDevice(spec, s)` makes the value the machine holds. */
export interface AddedSpec<S> {
  readonly name: string
  readonly windows: readonly Window[]
  /** The mip bits it may drive (the bus's wires follow them only for these bits). */
  readonly driven: bigint
  readonly load: (s: S, window: number, offset: bigint, size: AccessSize) => Either<DeviceFault, DeviceLoad<S>>
  readonly store: (s: S, window: number, offset: bigint, size: AccessSize, value: bigint) => Either<DeviceFault, S>
  readonly irq: (s: S) => bigint
  /** Its work at a chunk end, as a bus master over RAM (`ram` is where RAM is). */
  readonly master: (s: S, memory: PhysMemory, ram: RamWindow) => { readonly state: S; readonly memory: PhysMemory }
}

/** An added device with its state inside: every transition returns a new value; the old one stays valid. */
export interface AddedDevice {
  readonly name: string
  readonly windows: readonly Window[]
  readonly driven: bigint
  /** The device's own state, for the layer that added it (which knows its type). */
  readonly state: unknown
  readonly load: (window: number, offset: bigint, size: AccessSize) => Either<DeviceFault, DeviceLoad<AddedDevice>>
  readonly store: (window: number, offset: bigint, size: AccessSize, value: bigint) => Either<DeviceFault, AddedDevice>
  readonly irq: () => bigint
  readonly master: (memory: PhysMemory, ram: RamWindow) => { readonly device: AddedDevice; readonly memory: PhysMemory }
}

/** The device of behaviour `spec` in state `s`. */
export const addedDevice = <S>(spec: AddedSpec<S>, s: S): AddedDevice => {
  const device: AddedDevice = {
    name: spec.name,
    windows: spec.windows,
    driven: spec.driven,
    state: s,
    load: (w, offset, size) => {
      const r = spec.load(s, w, offset, size)
      // (a load that left the state alone gives back this very value: the bus then keeps its record)
      return isLeft(r) ? r : right({ state: r.right.state === s ? device : addedDevice(spec, r.right.state), value: r.right.value })
    },
    store: (w, offset, size, value) => {
      const r = spec.store(s, w, offset, size, value)
      return isLeft(r) ? r : right(r.right === s ? device : addedDevice(spec, r.right))
    },
    irq: () => spec.irq(s),
    master: (memory, ram) => {
      const r = spec.master(s, memory, ram)
      return { device: r.state === s ? device : addedDevice(spec, r.state), memory: r.memory }
    },
  }
  return device
}

/** Window `w` of added devices as a bus Device over the added device's value. */
export const windowDevice = (name: string, w: number, size: bigint): Device<AddedDevice> => ({
  name,
  size,
  load: (d, offset, sz) => d.load(w, offset, sz),
  store: (d, offset, sz, value) => d.store(w, offset, sz, value),
  tick: (d) => d,
  irq: (d) => d.irq(),
})
