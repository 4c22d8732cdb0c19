// Test fixtures for the IOMMU spec tests: Spike's RAM, an IOMMU with the example capabilities, and
// helpers that write device contexts, process contexts, PTEs and commands as plain 64-bit words.
import { phys } from '../../src/bits/address.ts'
import { emptyMemory, peek, poke, type PhysMemory } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { DEFAULT_OPTIONS, type Iommu, type IommuOptions, resetIommu } from '../../src/iommu/iommu.ts'
import { writeRegister } from '../../src/iommu/registers.ts'

export { makePte, PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D } from '../../src/mmu/pte.ts'

/** 2 GiB of RAM at 0x8000_0000, nothing written. */
export const ram: PhysMemory = emptyMemory(defaultMemoryMap)

/** Writes 64-bit words at physical addresses. */
export const put = (m: PhysMemory, words: readonly (readonly [bigint, bigint])[]): PhysMemory =>
  words.reduce((acc, [a, v]) => poke(acc, phys(a), 8, v), m)

export const word = (m: PhysMemory, a: bigint): bigint => peek(m, phys(a), 8)

/** Register offsets ("Register layout"). */
export const OFF = { capabilities: 0, fctl: 8, ddtp: 16, cqb: 24, cqh: 32, cqt: 36, fqb: 40, fqh: 48, fqt: 52, cqcsr: 72, fqcsr: 76, ipsr: 84, icvec: 760 } as const

/** The DDT root and the fault queue every translate test uses. */
export const DDT = 0x8010_0000n
export const FQ = 0x8070_0000n
export const CQ = 0x8071_0000n

/** Writes `(offset, value)` pairs as 8-byte (or 4-byte for 4-byte registers) register writes, in order. */
export const program = (iommu: Iommu, writes: readonly (readonly [number, bigint])[]): Iommu =>
  writes.reduce((acc, [o, v]) => {
    const size = o === OFF.ddtp || o === OFF.cqb || o === OFF.fqb || o === OFF.icvec || o === OFF.capabilities ? 8 : 4
    return { ...acc, regs: writeRegister(acc.regs, acc.options, o, size, v) }
  }, iommu)

/** ddtp value: iommu_mode (0 Off, 1 Bare, 2 1LVL, 3 2LVL, 4 3LVL) and the root PPN. */
export const ddtp = (mode: number, root = DDT): bigint => BigInt(mode) | ((root >> 12n) << 10n)

/**
 * An IOMMU with the example capabilities, the DDT at DDT in `mode`, and an 8-entry fault queue at FQ
 * turned on (fqb LOG2SZ-1 = 2).
 */
export const iommuWith = (mode = 2, caps = EXAMPLE_CAPABILITIES, options: Partial<IommuOptions> = {}): Iommu =>
  program(resetIommu(caps, 0n, { ...DEFAULT_OPTIONS, ...options }), [[OFF.fqb, 2n | ((FQ >> 12n) << 10n)], [OFF.fqcsr, 1n], [OFF.ddtp, ddtp(mode)]])

// ---- device-context words -----------------------------------------------------------------------

export const TC = { V: 1n, EN_ATS: 2n, EN_PRI: 4n, T2GPA: 8n, DTF: 16n, PDTV: 32n, PRPR: 64n, GADE: 128n, SADE: 256n, DPE: 512n, SBE: 1024n, SXL: 2048n } as const

/** An atp-shaped field: MODE in 63:60, bits 59:44 (GSCID for iohgatp), PPN of `root`. */
export const atp = (mode: number, root: bigint, mid = 0n): bigint => (BigInt(mode) << 60n) | (mid << 44n) | (root >> 12n)

/** The four doublewords of a base-format DC. */
export const dc = (tc: bigint, fsc = 0n, iohgatp = 0n, pscid = 0n): readonly bigint[] => [tc, iohgatp, pscid << 12n, fsc]

/** Writes a base-format DC at `at`. */
export const putDc = (m: PhysMemory, at: bigint, words: readonly bigint[]): PhysMemory =>
  put(m, words.map((w, i) => [at + BigInt(8 * i), w] as const))
