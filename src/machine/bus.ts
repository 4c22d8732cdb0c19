// The physical bus: what a physical access reaches after translation and PMP. RAM is read and written;
// the boot ROM is read-only (a store is an access fault, as Spike's rom_device_t refuses it); the CLINT
// window accepts accesses (its registers are not modelled yet: loads read 0, stores are dropped); any
// other address is an access fault.
import { type PhysAddr, phys } from '../bits/address.ts'
import { type AccessSize, type PhysMemory, peek, peekWord, poke } from '../memory/memory.ts'
import { type MemoryMap, type MemoryRegion, regionAt } from '../memory/memory-map.ts'

/**
 * The RAM region of the last map asked about: its base, and for each access size n the last address an
 * n-byte access may start at (end − n), so the test needs no bigint addition. A pure memo of one entry
 * (a machine keeps its map for life, so an identity test answers every access; a keyed lookup cost more
 * than the check).
 */
interface RamBounds { readonly base: bigint; readonly lastStart: readonly bigint[] }
let lastMap: MemoryMap | undefined
let lastRam: RamBounds | null = null
const ramBounds = (map: MemoryMap): RamBounds | null => {
  if (map !== lastMap) {
    const region: MemoryRegion | undefined = map.find((x) => x.kind === 'ram')
    const end = region === undefined ? 0n : region.base + region.size
    lastRam = region === undefined ? null : { base: region.base, lastStart: [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => end - BigInt(n)) }
    lastMap = map
  }
  return lastRam
}
const inRam = (m: PhysMemory, pa: bigint, size: AccessSize): boolean => {
  const r = ramBounds(m.map)
  return r !== null && pa >= r.base && pa <= r.lastStart[size]!
}

// Below, `pa as PhysAddr`: callers pass physical addresses they made (translation output, already
// 64-bit), so re-wrapping them with `phys` would only make another bigint.

/** Reads `size` bytes at pa, or undefined when nothing answers there (an access fault). */
export const busRead = (m: PhysMemory, pa: bigint, size: AccessSize): bigint | undefined => {
  if (inRam(m, pa, size)) return peek(m, pa as PhysAddr, size)
  const r = regionAt(m.map, pa as PhysAddr, BigInt(size))
  if (r === undefined) return undefined
  if (r.kind === 'ram' || r.name === 'bootrom') return peek(m, phys(pa), size)
  return 0n
}

/** `busRead(m, pa, 4)` as a number (instruction fetch: no bigint made for the bits), or undefined. */
export const busReadWord = (m: PhysMemory, pa: bigint): number | undefined => {
  if (inRam(m, pa, 4)) return peekWord(m, pa as PhysAddr)
  const v = busRead(m, pa, 4)
  return v === undefined ? undefined : Number(v)
}

/** Writes the low `size` bytes of value at pa; undefined when the store is refused (an access fault). */
export const busWrite = (m: PhysMemory, pa: bigint, size: AccessSize, value: bigint): PhysMemory | undefined => {
  if (inRam(m, pa, size)) return poke(m, pa as PhysAddr, size, value)
  const r = regionAt(m.map, pa as PhysAddr, BigInt(size))
  if (r === undefined || r.name === 'bootrom') return undefined
  if (r.kind === 'ram') return poke(m, phys(pa), size, value)
  return m
}

/** Can pa hold an LR/SC reservation (Spike's sim_t::reservable: RAM only)? */
export const reservable = (m: PhysMemory, pa: bigint, size: AccessSize): boolean =>
  regionAt(m.map, pa as PhysAddr, BigInt(size))?.kind === 'ram'
