// What every ARMv7 stage 1 walk shares, whichever descriptor format it reads (ARM ARM DDI 0406C,
// B3.3 "Translation tables"): how a descriptor reaches memory, the trail of descriptor reads, the
// leaf a walk ends on.
import type { Either } from '../../bits/either.ts'
import type { ArmFault, DescriptorFormat } from './faults.ts'
import type { Permissions } from './vmsa.ts'

/**
 * Reads one translation table descriptor (4 bytes short, 8 long) at a table address. For a plain
 * stage 1 walk the address is physical; a VMM composing its guest's walk with its own map passes a
 * reader that maps the guest-physical address first and may refuse it (a Stage2 fault).
 */
export type DescriptorRead = (addr: bigint, size: 4 | 8, level: number) => Either<ArmFault, bigint>

/** One descriptor read, with what the walker decided from it. */
export interface WalkStep {
  readonly level: number
  readonly addr: bigint
  readonly descriptor: bigint
  readonly decision: string
}

export type LeafKind = 'supersection' | 'section' | 'large page' | 'small page' | 'block' | 'page' | 'flat'

/** Memory region attributes as the short-descriptor format holds them (B3.8.2, Table B3-10, TRE = 0). */
export interface ShortAttributes {
  readonly format: 'short'
  readonly tex: number
  readonly c: boolean
  readonly b: boolean
  readonly s: boolean
  readonly ns: boolean
}

/** Memory region attributes as the long-descriptor format holds them (B3.8.2, MAIR index). */
export interface LongAttributes {
  readonly format: 'long'
  readonly attrIndx: number
  readonly sh: number
  readonly ns: boolean
}

/** What a successful walk found: the region, what it grants, and the leaf descriptor itself. */
export interface ArmLeaf {
  readonly format: DescriptorFormat | 'flat'
  readonly kind: LeafKind
  readonly level: number
  /** First virtual address of the region the leaf maps. */
  readonly vaBase: bigint
  /** First output address of that region. */
  readonly paBase: bigint
  /** log2 of the region size: 24, 20, 16, 12 (short); 30, 21, 12 (long); 32 with the MMU off. */
  readonly pageBits: number
  /** What the leaf (with its domain and the table attributes above it) grants at PL1 and PL0. */
  readonly permissions: Permissions
  /** The domain (short-descriptor; 0 for supersections), undefined for long descriptors. */
  readonly domain: number | undefined
  /** nG = 0: the translation is global (not ASID-tagged). */
  readonly global: boolean
  readonly attributes: ShortAttributes | LongAttributes | undefined
  readonly descriptor: bigint
  readonly descriptorAddr: bigint
}

export interface ArmTranslation {
  readonly pa: bigint
  readonly leaf: ArmLeaf
}

export interface ArmWalk {
  readonly result: Either<ArmFault, ArmTranslation>
  readonly trail: readonly WalkStep[]
}

/** The output address of `va` in the region a leaf maps. */
export const outputOf = (leaf: ArmLeaf, va: bigint): bigint => leaf.paBase + (va - leaf.vaBase)
