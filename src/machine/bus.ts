// The platform's bus: RAM, and devices each at a region of the physical address space (Priv. ISA,
// "Physical Memory Attributes": an access where nothing answers is an access fault). A load or store
// goes to the device whose region wholly contains it, at the offset into that region; an access
// straddling a region's end, or outside every region, is refused. The bus is the hart's view of the
// platform (cpu/bus.ts, HartBus) over D, the record of the devices' states.
import { isLeft } from '../bits/either.ts'
import { type AccessSize } from '../memory/memory.ts'
import { type DeviceRead, type HartBus, type RamWindow } from '../cpu/bus.ts'
import { type Csrs, withMipAndTime } from '../cpu/hart.ts'
import { type Device } from './device.ts'

/** A device placed at [base, base + device.size), its state read from and written into D. */
export interface Attached<D> {
  readonly name: string
  readonly base: bigint
  readonly size: bigint
  readonly load: (d: D, offset: bigint, size: AccessSize) => DeviceRead<D> | undefined
  readonly store: (d: D, offset: bigint, size: AccessSize, value: bigint) => D | undefined
  readonly tick: (d: D, ticks: bigint) => D
  readonly irq: (d: D) => bigint
}

/** Places `device` at `base`, its state being `get(d)` of the devices' record (and `set` writing it back). */
export const attach = <D, S>(base: bigint, device: Device<S>, get: (d: D) => S, set: (d: D, s: S) => D): Attached<D> => ({
  name: device.name,
  base,
  size: device.size,
  load: (d, off, size) => {
    const r = device.load(get(d), off, size)
    if (isLeft(r)) return undefined
    return { devices: r.right.state === get(d) ? d : set(d, r.right.state), value: r.right.value }
  },
  store: (d, off, size, value) => {
    const r = device.store(get(d), off, size, value)
    return isLeft(r) ? undefined : r.right === get(d) ? d : set(d, r.right)
  },
  tick: (d, ticks) => {
    const s = device.tick(get(d), ticks)
    return s === get(d) ? d : set(d, s)
  },
  irq: (d) => device.irq(get(d)),
})

export interface Bus<D> extends HartBus<D> {
  /** The devices by region, sorted by base. */
  readonly regions: readonly Attached<D>[]
  /** The mip bits devices drive (the hart's mip follows them there: `wires`). */
  readonly driven: bigint
  /** Every device after `ticks` ticks of the real-time clock. */
  tick(d: D, ticks: bigint): D
}

/** The region wholly containing [pa, pa + size), or undefined. */
const regionOf = <D>(regions: readonly Attached<D>[], pa: bigint, size: AccessSize): Attached<D> | undefined => {
  for (const r of regions) if (pa >= r.base && pa + BigInt(size) <= r.base + r.size) return r
  return undefined
}

/**
 * The bus of RAM at `ram` and the devices `regions` (they may not overlap each other or RAM), driving
 * the mip bits `driven`; `time` is what the hart's time CSR shows (the CLINT's mtime on Spike's platform).
 */
export const bus = <D>(ram: RamWindow, regions: readonly Attached<D>[], driven: bigint, time: (d: D) => bigint): Bus<D> => {
  const sorted = [...regions].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0))
  return {
    ram,
    regions: sorted,
    driven,
    load: (d, pa, size) => {
      const r = regionOf(sorted, pa, size)
      return r === undefined ? undefined : r.load(d, pa - r.base, size)
    },
    store: (d, pa, size, value) => {
      const r = regionOf(sorted, pa, size)
      return r === undefined ? undefined : r.store(d, pa - r.base, size, value)
    },
    tick: (d, ticks) => sorted.reduce((acc, r) => r.tick(acc, ticks), d),
    wires: (d: D, csr: Csrs): Csrs => {
      let lines = 0n
      for (const r of sorted) lines |= r.irq(d)
      const mip = (csr.mip & ~driven) | (lines & driven)
      const t = time(d)
      return mip === csr.mip && t === csr.time ? csr : withMipAndTime(csr, mip, t)
    },
  }
}
