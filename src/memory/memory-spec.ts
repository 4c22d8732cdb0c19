// Persistent physical memory, the readable form: what memory.ts computes, written to be read rather than
// run. A version is a map from page number to an immutable 4 KiB page; a store copies the page it writes
// and the map, so every older version stays as it was. Never-written RAM reads as zero; accesses outside
// RAM (memory-map.ts) fail. Little-endian, as RISC-V is. properties/memory/fast-equals-spec.prop.ts proves
// memory.ts equal to this over random histories, old versions and branches included.
import { type Either } from '../bits/either.ts'
import { type PhysAddr } from '../bits/address.ts'
import { type MemoryMap } from './memory-map.ts'
import { type AccessSize, type MemFault, PAGE_BYTES, checkedLoad, checkedStore, inKeyOrder } from './address-number.ts'

/** A version of physical memory: its map, and every page written at least once. */
export interface SpecMemory {
  readonly map: MemoryMap
  /** Page number → the page's bytes (never mutated once placed). */
  readonly contents: ReadonlyMap<number, Uint8Array>
  /** Number of pages written at least once. */
  readonly pages: number
}

const specMemory = (map: MemoryMap, contents: ReadonlyMap<number, Uint8Array>): SpecMemory =>
  ({ map, contents, pages: contents.size })

/** Memory with the given map and no page written yet. */
export const emptyMemory = (map: MemoryMap): SpecMemory => specMemory(map, new Map())

const pageOf = (pa: bigint): number => Number(pa >> 12n)
const offsetOf = (pa: bigint): number => Number(pa & 0xfffn)

/** The byte at pa (zero if its page was never written). */
const byteAt = (m: SpecMemory, pa: bigint): number => m.contents.get(pageOf(pa))?.[offsetOf(pa)] ?? 0

/** A new version with the byte at pa set: a copy of its page and of the map. */
const withByte = (m: SpecMemory, pa: bigint, byte: number): SpecMemory => {
  const page = new Uint8Array(PAGE_BYTES)
  const old = m.contents.get(pageOf(pa))
  if (old !== undefined) page.set(old)
  page[offsetOf(pa)] = byte
  return specMemory(m.map, new Map(m.contents).set(pageOf(pa), page))
}

/** Reads `size` bytes at pa, little-endian, without consulting the map. */
export const peek = (m: SpecMemory, pa: PhysAddr, size: AccessSize): bigint => {
  let v = 0n
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(byteAt(m, BigInt.asUintN(64, pa + BigInt(i))))
  return v
}

/** The 32-bit little-endian word at pa as a number (instruction fetch). */
export const peekWord = (m: SpecMemory, pa: PhysAddr): number => Number(peek(m, pa, 4))

/**
 * Writes the low `size` bytes of value at pa, little-endian, without consulting the map; the bytes go in
 * as one new version (the intermediate ones are not kept).
 */
export const poke = (m: SpecMemory, pa: PhysAddr, size: AccessSize, value: bigint): SpecMemory => {
  let out = m
  for (let i = 0; i < size; i++) out = withByte(out, BigInt.asUintN(64, pa + BigInt(i)), Number((value >> BigInt(8 * i)) & 0xffn))
  return out
}

/** Writes a byte string at pa. */
export const pokeBytes = (m: SpecMemory, pa: PhysAddr, data: Uint8Array): SpecMemory =>
  data.reduce((out, byte, i) => withByte(out, pa + BigInt(i), byte), m)

/** Loads `size` bytes (zero-extended) from RAM; an address outside RAM is a fault value. */
export const load: (m: SpecMemory, pa: PhysAddr, size: AccessSize) => Either<MemFault, bigint> = checkedLoad(peek)

/** Stores the low `size` bytes of value into RAM, returning the new memory. */
export const store: (m: SpecMemory, pa: PhysAddr, size: AccessSize, value: bigint) => Either<MemFault, SpecMemory> = checkedStore(poke)

/** The page at page number pn as a 4 KiB view (a copy), or undefined if never written. */
export const pageAt = (m: SpecMemory, pn: number): DataView | undefined => {
  const page = m.contents.get(pn)
  return page === undefined ? undefined : new DataView(page.slice().buffer)
}

/** A new version with each given page's bytes placed at its page number (the last wins). */
export const withPages = (m: SpecMemory, pages: readonly (readonly [number, DataView])[]): SpecMemory => {
  const contents = new Map(m.contents)
  for (const [pn, view] of pages) contents.set(pn, new Uint8Array(view.buffer, view.byteOffset, PAGE_BYTES).slice())
  return pages.length === 0 ? m : specMemory(m.map, contents)
}

/** Every page written at least once, in key order (address-number.ts keyOf). */
export const writtenPages = (m: SpecMemory): readonly number[] => inKeyOrder(m.contents.keys())

/**
 * The pages written between two versions (each write places a new page, so a page written in between
 * differs as an object even when its bytes do not), in key order. Versions that share no history differ
 * in every page either holds.
 */
export const changedPages = (older: SpecMemory, newer: SpecMemory): readonly number[] =>
  inKeyOrder([...older.contents.keys(), ...newer.contents.keys()].filter((pn) => older.contents.get(pn) !== newer.contents.get(pn)))

