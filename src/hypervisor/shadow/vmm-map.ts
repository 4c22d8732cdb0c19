// The VMM's guest-physical → host-physical map for a machine without a hardware second stage (an
// ARMv7 VMM on a core without the Virtualization Extensions): naturally aligned blocks, each with the
// rights the VMM gives the guest over it. What is not in a block is not the guest's memory.
import type { Rights } from '../../arch/armv7/vmsa.ts'

export interface VmmBlock {
  readonly gpa: bigint
  readonly hpa: bigint
  /** log2 of the block size; gpa and hpa are aligned to it. */
  readonly bits: number
  readonly rights: Rights
}

export type VmmMap = readonly VmmBlock[]

/** The block holding `gpa`, if any. */
export const vmmBlockAt = (map: VmmMap, gpa: bigint): VmmBlock | undefined =>
  map.find((b) => gpa >= b.gpa && gpa < b.gpa + (1n << BigInt(b.bits)))

/** Why a map is malformed (a misaligned or overlapping block), or undefined. */
export const vmmMapProblem = (map: VmmMap): string | undefined => {
  for (const [i, b] of map.entries()) {
    const size = 1n << BigInt(b.bits)
    if (b.gpa % size !== 0n || b.hpa % size !== 0n) return `block ${i} (2^${b.bits} bytes) is not aligned to its size`
    for (const c of map.slice(0, i)) {
      if (b.gpa < c.gpa + (1n << BigInt(c.bits)) && c.gpa < b.gpa + size) return `block ${i} overlaps an earlier block in guest-physical space`
    }
  }
  return undefined
}
