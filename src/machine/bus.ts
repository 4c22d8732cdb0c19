// The physical bus: what a physical access reaches after translation and PMP. RAM is read and written;
// the boot ROM is read-only (a store is an access fault, as Spike's rom_device_t refuses it); the CLINT
// window accepts accesses (its registers are not modelled yet: loads read 0, stores are dropped); any
// other address is an access fault.
import { type PhysAddr, phys } from '../bits/address.ts'
import { type AccessSize, type PhysMemory, peek, peekWord, poke } from '../memory/memory.ts'
import { type MemoryMap, type MemoryRegion, regionAt } from '../memory/memory-map.ts'

/**
 * The RAM region of the last map asked about, as [base, end): a pure memo of one entry (a machine keeps
 * its map for life, so an identity test answers every access; a keyed lookup cost more than the check).
 */
let lastMap: MemoryMap | undefined
let lastRam: readonly [bigint, bigint] | null = null
const ramBounds = (map: MemoryMap): readonly [bigint, bigint] | null => {
  if (map !== lastMap) {
    const region: MemoryRegion | undefined = map.find((x) => x.kind === 'ram')
    lastRam = region === undefined ? null : [region.base, region.base + region.size]
    lastMap = map
  }
  return lastRam
}
/** Access sizes as bigints, made once (BigInt(size) per access is a runtime call). */
const SIZE: readonly bigint[] = [0n, 1n, 2n, 0n, 4n, 0n, 0n, 0n, 8n]
const inRam = (m: PhysMemory, pa: bigint, size: number): boolean => {
  const r = ramBounds(m.map)
  return r !== null && pa >= r[0] && pa + (SIZE[size] ?? BigInt(size)) <= r[1]
}

/** Reads `size` bytes at pa, or undefined when nothing answers there (an access fault). */
export const busRead = (m: PhysMemory, pa: bigint, size: AccessSize): bigint | undefined => {
  if (inRam(m, pa, size)) return peek(m, phys(pa), size)
  const r = regionAt(m.map, pa as PhysAddr, BigInt(size))
  if (r === undefined) return undefined
  if (r.kind === 'ram' || r.name === 'bootrom') return peek(m, phys(pa), size)
  return 0n
}

/** `busRead(m, pa, 4)` as a number (instruction fetch: no bigint made for the bits), or undefined. */
export const busReadWord = (m: PhysMemory, pa: bigint): number | undefined => {
  if (inRam(m, pa, 4)) return peekWord(m, phys(pa))
  const v = busRead(m, pa, 4)
  return v === undefined ? undefined : Number(v)
}

/** Writes the low `size` bytes of value at pa; undefined when the store is refused (an access fault). */
export const busWrite = (m: PhysMemory, pa: bigint, size: AccessSize, value: bigint): PhysMemory | undefined => {
  if (inRam(m, pa, size)) return poke(m, phys(pa), size, value)
  const r = regionAt(m.map, pa as PhysAddr, BigInt(size))
  if (r === undefined || r.name === 'bootrom') return undefined
  if (r.kind === 'ram') return poke(m, phys(pa), size, value)
  return m
}

/** Can pa hold an LR/SC reservation (Spike's sim_t::reservable: RAM only)? */
export const reservable = (m: PhysMemory, pa: bigint, size: AccessSize): boolean =>
  regionAt(m.map, pa as PhysAddr, BigInt(size))?.kind === 'ram'
