// Test fixtures: build page tables in memory with plain numbers, and a context with every bit off.
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import { emptyMemory, poke, type PhysMemory } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'
import type { TranslationFault } from '../../src/mmu/faults.ts'
import type { Translation, TranslationContext } from '../../src/mmu/translate.ts'

export { makePte } from '../../src/mmu/pte.ts'
export { PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D, PTE_N } from '../../src/mmu/pte.ts'

/** Spike's RAM (2 GiB at 0x8000_0000), nothing written. */
export const ram: PhysMemory = emptyMemory(defaultMemoryMap)

/** Writes 64-bit words (PTEs) at physical addresses. */
export const put = (m: PhysMemory, words: readonly (readonly [bigint, bigint])[]): PhysMemory =>
  words.reduce((acc, [a, v]) => poke(acc, phys(a), 8, v), m)

const off = { sum: false, mxr: false }
const noEnv = { adue: false, pbmte: false }

/** S-mode, V=0, every translation CSR zero (Bare), every option off; override what a test needs. */
export const ctx = (over: Partial<TranslationContext> = {}): TranslationContext => ({
  priv: 'S', virt: false, satp: 0n, vsatp: 0n, hgatp: 0n,
  mstatus: off, vsstatus: off, menvcfg: noEnv, henvcfg: noEnv, svnapot: false,
  ...over,
})

export const sv39 = (rootPa: bigint, asid = 0n): bigint => (8n << 60n) | (asid << 44n) | (rootPa >> 12n)
export const sv48 = (rootPa: bigint): bigint => (9n << 60n) | (rootPa >> 12n)
export const sv57 = (rootPa: bigint): bigint => (10n << 60n) | (rootPa >> 12n)
export const sv39x4 = (rootPa: bigint, vmid = 0n): bigint => (8n << 60n) | (vmid << 44n) | (rootPa >> 12n)
export const sv48x4 = (rootPa: bigint): bigint => (9n << 60n) | (rootPa >> 12n)

export const okPa = (r: Either<TranslationFault, Translation>): bigint => {
  if (isLeft(r)) assert.unreachable(`expected a translation, got ${r.left._tag} ${r.left.cause}: ${r.left.reason}`)
  return (r as { right: Translation }).right.pa
}

export const faultOf = (r: Either<TranslationFault, Translation>): TranslationFault => {
  if (isRight(r)) assert.unreachable(`expected a fault, got PA 0x${r.right.pa.toString(16)}`)
  return (r as { left: TranslationFault }).left
}
