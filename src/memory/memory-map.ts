// The physical memory map: which physical address ranges hold RAM, which hold devices (MMIO), and
// which hold nothing. Accesses to nothing are access faults (Priv. ISA, "Physical Memory Attributes").
import { type PhysAddr } from '../bits/address.ts'

export type RegionKind = 'ram' | 'mmio'

export interface MemoryRegion {
  readonly name: string
  readonly base: bigint
  readonly size: bigint
  readonly kind: RegionKind
}

/** Regions sorted by base, never overlapping (checked by `memoryMap`). */
export type MemoryMap = readonly MemoryRegion[]

/** Spike's default: 2 GiB of RAM at 0x8000_0000 (`spike -m2048`). */
export const SPIKE_RAM_BASE = 0x8000_0000n
export const SPIKE_RAM_SIZE = 0x8000_0000n

/**
 * Builds a map from regions, sorted by base. Overlapping regions are a contradiction in the input,
 * reported as a string naming the pair (the caller decodes outside input, so this is a value).
 */
export const memoryMap = (regions: readonly MemoryRegion[]): MemoryMap | string => {
  const sorted = [...regions].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0))
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!
    const cur = sorted[i]!
    if (prev.base + prev.size > cur.base) return `regions ${prev.name} and ${cur.name} overlap`
  }
  return sorted
}

/** The default map: Spike's RAM only. */
export const defaultMemoryMap: MemoryMap = [
  { name: 'ram', base: SPIKE_RAM_BASE, size: SPIKE_RAM_SIZE, kind: 'ram' },
]

/** The region wholly containing [pa, pa+size), or undefined (no region, or the access straddles one's end). */
export const regionAt = (map: MemoryMap, pa: PhysAddr, size: bigint): MemoryRegion | undefined => {
  for (const r of map) {
    if (pa >= r.base && pa + size <= r.base + r.size) return r
  }
  return undefined
}
