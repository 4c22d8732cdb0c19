// The physical bus as the hart's accesses reach it, after translation and PMP (Priv. ISA, "Physical
// Memory Attributes"): RAM, read and written directly in the persistent memory, and everything else,
// which the platform answers (its devices, src/machine/bus.ts). The hart knows the bus only through this
// view, so cpu/ does not depend on the platform that implements it.
import { type AccessSize } from '../memory/memory.ts'
import { type Csrs } from './hart.ts'

/**
 * Where RAM is: its (first) window's base and, for each access size n, the last address an n-byte access
 * may start at; `more` holds the windows of further RAM regions (Spike's `-m<base>:<size>,…`), empty on the
 * default platform, so the common access costs two comparisons.
 */
export interface RamWindow {
  readonly base: bigint
  readonly lastStart: readonly bigint[]
  readonly more: readonly RamWindow[]
}

/** The window of RAM at [base, base + size). */
export const ramWindow = (base: bigint, size: bigint): RamWindow =>
  ({ base, lastStart: [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => base + size - BigInt(n)), more: [] })

/**
 * The windows of several RAM regions (non-empty, not overlapping): the largest is the first window, the
 * others follow in `more` in the order given. An access must lie wholly inside one region.
 */
export const ramWindows = (regions: readonly { readonly base: bigint; readonly size: bigint }[]): RamWindow => {
  const largest = regions.reduce((a, b) => (b.size > a.size ? b : a))
  const first = ramWindow(largest.base, largest.size)
  return { base: first.base, lastStart: first.lastStart, more: regions.filter((r) => r !== largest).map((r) => ramWindow(r.base, r.size)) }
}

const inMore = (more: readonly RamWindow[], pa: bigint, size: AccessSize): boolean => {
  for (const w of more) if (pa >= w.base && pa <= w.lastStart[size]!) return true
  return false
}

/** Does [pa, pa + size) lie wholly in one RAM region? (A comparison per bound: no bigint addition per access.) */
export const inRam = (w: RamWindow, pa: bigint, size: AccessSize): boolean =>
  (pa >= w.base && pa <= w.lastStart[size]!) || (w.more.length !== 0 && inMore(w.more, pa, size))

/** A device load: the value read and the devices after the read. */
export interface DeviceRead<D> {
  readonly devices: D
  readonly value: bigint
}

/**
 * The platform as the hart sees it, over device state D: RAM's window, and loads and stores anywhere
 * else. Undefined from a load or store means nothing answers there, or the device refuses: an access fault.
 */
export interface HartBus<D> {
  readonly ram: RamWindow
  load(devices: D, pa: bigint, size: AccessSize): DeviceRead<D> | undefined
  store(devices: D, pa: bigint, size: AccessSize, value: bigint): D | undefined
  /**
   * The hart's CSRs as the platform's wires leave them for these devices: the interrupt lines devices
   * drive into mip, and the time CSR (the CLINT's mtime). `csr` itself when nothing differs.
   */
  wires(devices: D, csr: Csrs): Csrs
}
