// What both forms of physical memory share (memory.ts, the fast one everything uses, and memory-spec.ts,
// the readable one it is proven equal to): the page size, access sizes and faults, the check against
// the memory map, and 64-bit physical addresses split into numbers without bigint arithmetic.
import { type Either, left, right } from '../bits/either.ts'
import { type PhysAddr } from '../bits/address.ts'
import { type MemoryMap, regionAt } from './memory-map.ts'

export const PAGE_SHIFT = 12
export const PAGE_BYTES = 1 << PAGE_SHIFT

/** Why a physical access failed; the caller maps it to an access-fault cause (1/5/7). */
export type MemFault =
  | { readonly _tag: 'NoMemory'; readonly pa: PhysAddr }   // no region, or the access leaves its region
  | { readonly _tag: 'Device'; readonly pa: PhysAddr }     // an MMIO region: served by the platform, not by RAM

export type AccessSize = 1 | 2 | 4 | 8

/** Whether [pa, pa + size) is RAM of `map`: undefined if so, else the fault. */
export const checkRam = (map: MemoryMap, pa: PhysAddr, size: AccessSize): MemFault | undefined => {
  const r = regionAt(map, pa, BigInt(size))
  if (r === undefined) return { _tag: 'NoMemory', pa }
  if (r.kind !== 'ram') return { _tag: 'Device', pa }
  return undefined
}

/** `load` for a form of memory, from its `peek`: the map check first, a fault value outside RAM. */
export const checkedLoad = <M extends { readonly map: MemoryMap }>(peek: (m: M, pa: PhysAddr, size: AccessSize) => bigint) =>
  (m: M, pa: PhysAddr, size: AccessSize): Either<MemFault, bigint> => {
    const f = checkRam(m.map, pa, size)
    return f === undefined ? right(peek(m, pa, size)) : left(f)
  }

/** `store` for a form of memory, from its `poke`: the map check first, a fault value outside RAM. */
export const checkedStore = <M extends { readonly map: MemoryMap }>(poke: (m: M, pa: PhysAddr, size: AccessSize, value: bigint) => M) =>
  (m: M, pa: PhysAddr, size: AccessSize, value: bigint): Either<MemFault, M> => {
    const f = checkRam(m.map, pa, size)
    return f === undefined ? right(poke(m, pa, size, value)) : left(f)
  }

// ---- addresses as numbers ----------------------------------------------------------------------
//
// On Node 20 (V8 11.3) `Number(bigint)` and bigint shifts are calls into the runtime (tens of ns each),
// while storing a bigint into a BigUint64Array and reading its two 32-bit halves are inlined. So an
// address is split into halves through one scratch word, written and read within one call (nothing is
// kept in it between calls).
export const scratch = new BigUint64Array(1)
export const halves = new Uint32Array(scratch.buffer)
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
/** The low half's index in `halves` (host endianness). */
export const LO = LITTLE_ENDIAN_HOST ? 0 : 1
export const HI = 1 - LO

/**
 * `Number(a)` for an unsigned 64-bit a, without the runtime call: exact below 2^53, and above it rounded
 * once to the nearest double as `Number` rounds (hi · 2^32 is exact, the one addition rounds).
 * @example u64ToNumber(0x8000_1000n) === 0x8000_1000
 */
export const u64ToNumber = (a: bigint): number => {
  scratch[0] = a
  return halves[HI]! * 0x1_0000_0000 + halves[LO]!
}

/**
 * The low 32 bits of a (a mod 2^32) as a number: for tests of low address bits (alignment, page offset)
 * without a bigint operation. @example low32(0xffff_ffff_8000_0ffen) === 0x8000_0ffe
 */
export const low32 = (a: bigint): number => {
  scratch[0] = a
  return halves[LO]!
}

/**
 * The 4 KiB page number of a 64-bit address (a >> 12) as a number, exact (it is below 2^52), without a
 * bigint shift or `Number` call. @example pageNumber(0x8000_1234n) === 0x80001
 */
export const pageNumber = (pa: bigint): number => {
  scratch[0] = pa
  return halves[HI]! * 0x10_0000 + (halves[LO]! >>> PAGE_SHIFT)
}

/** The offset of pa within its page (pa & 0xfff). */
export const pageOffset = (pa: bigint): number => {
  scratch[0] = pa
  return halves[LO]! & (PAGE_BYTES - 1)
}

/**
 * Where page number pn sits in page order: pn with bits 9 and 19 swapped (page numbers from 2^31 up are
 * their own keys). `writtenPages` and `changedPages` list pages ascending by this key, the order of the
 * radix trie that held pages before (RAM at 0x8000_0000 starts at page 0x80000, bit 19; the swap put the
 * first 2 MiB of RAM beside the boot ROM). A swap of two bits is its own inverse.
 */
export const keyOf = (pn: number): number =>
  pn >= 0x8000_0000 || ((pn >>> 19) & 1) === ((pn >>> 9) & 1) ? pn : pn ^ ((1 << 19) | (1 << 9))

/** Page numbers sorted by `keyOf` (the order of `writtenPages`), without repeats. */
export const inKeyOrder = (pns: Iterable<number>): number[] =>
  [...new Set(pns)].sort((a, b) => keyOf(a) - keyOf(b))
