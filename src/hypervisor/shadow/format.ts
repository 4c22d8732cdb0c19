// What the shadow algorithm needs to know about a page-table format, and nothing more: the shape of
// its tables (levels, index bits, leaf sizes, descriptor size), how to encode a leaf and a table
// pointer, the composed two-stage translation it shadows (guest walk over the VMM's guest-physical
// map) and the hardware walk of a shadow table. One instance per format: ARMv7 short and long
// descriptors (armv7.ts), RISC-V Sv39/Sv48 over Sv39x4/Sv48x4 (riscv.ts).
import type { Either } from '../../bits/either.ts'
import type { PhysMemory } from '../../memory/memory.ts'

/** One level of a table, from the root down. */
export interface TableLevel {
  /** The lowest VA bit this level's index resolves. */
  readonly shift: number
  readonly indexBits: number
  /** Size (and alignment) of one table at this level. */
  readonly tableBytes: number
  /** log2 of the region sizes a leaf at this level may map; a size above `shift` occupies 2^(size − shift) consecutive entries. */
  readonly leafBits: readonly number[]
}

export interface Geometry {
  readonly entryBytes: 4 | 8
  readonly levels: readonly TableLevel[]
}

/**
 * A successful composed translation (guest stage, then the VMM's map): where the access goes, the
 * region around it that translates contiguously, what the composition grants, and which guest
 * descriptors it was read from.
 */
export interface Composed<G> {
  readonly hpa: bigint
  readonly vaBase: bigint
  readonly hpaBase: bigint
  /** log2 of the largest region around the access that both stages map contiguously with the same rights. */
  readonly pageBits: number
  /** The rights the composition grants, in the format's own terms (encoded into the shadow leaf). */
  readonly grant: G
  /** The guest's own Access flag (ARM AF, RISC-V A) after the walk: a shadow entry needs it set. */
  readonly accessed: boolean
  /** The guest's own dirty state (RISC-V D; true for formats without one): a writable shadow entry needs it set. */
  readonly dirty: boolean
  /** The guest translation is global (ARM nG = 0, RISC-V G = 1): not ASID-tagged. */
  readonly global: boolean
  /** Host-physical addresses of the guest descriptors the walk read (what must be write-protected). */
  readonly deps: readonly bigint[]  /** The format's own record of the translation (the hart's: the guest-visible result of the two-stage walk), kept with the shadow entry. */
  readonly detail?: unknown
}

export interface NestedOutcome<F, G> {
  readonly result: Either<F, Composed<G>>
  /** Host memory after the walk: the guest's A/D bits set where hardware would set them. */
  readonly host: PhysMemory
  /** Memory references the composed walk made. */
  readonly refs: number
}

/** A translation the hardware found in a shadow table. */
export interface ShadowHit {
  readonly hpa: bigint
  readonly pageBits: number
}

export interface ShadowWalk {
  readonly hit: ShadowHit | undefined
  readonly refs: number
}

/** What a shadow leaf holds: the composed region, its rights, and whether write may be granted. */
export interface ShadowLeaf<G> {
  readonly hpaBase: bigint
  readonly pageBits: number
  readonly grant: G
  /** False while the guest's D is clear or a guest table lies in the region (write-protect). */
  readonly writable: boolean
}

/**
 * A page-table format the shadow algorithm can run over. `Regs` are the guest's translation
 * registers, `Access` one access (its kind and privilege), `F` the fault the guest sees, `G` the
 * composed rights.
 */
export interface ShadowFormat<Regs, Access, F, G> {
  readonly name: string
  readonly geometry: Geometry
  /** The address space a translation belongs to (VMID and ASID): the tag of its shadow root. */
  readonly tag: (regs: Regs) => string
  /** The tag of another ASID of the same guest (for ASID-scoped fences). */
  readonly tagOfAsid: (regs: Regs, asid: number) => string
  /** Everything besides the tag that shadow entries depend on; a change makes every entry stale. */
  readonly regimeKey: (regs: Regs) => string
  readonly isStore: (access: Access) => boolean
  /** The reference: the guest's walk composed with the VMM's map, as two-stage hardware would do it. */
  readonly nested: (host: PhysMemory, regs: Regs, va: bigint, access: Access) => NestedOutcome<F, G>
  /** The hardware walk of a shadow table rooted at `root`, for the guest's access. */
  readonly shadowWalk: (host: PhysMemory, root: bigint, regs: Regs, va: bigint, access: Access) => ShadowWalk
  /** The leaf descriptor for `leaf` at `level` (the geometry index: 0 is the root), or undefined when the format cannot express it. */
  readonly encodeLeaf: (level: number, leaf: ShadowLeaf<G>, access: Access) => bigint | undefined
  readonly encodeTable: (level: number, table: bigint) => bigint
  /** The next-level table a descriptor points to, when it is a table descriptor. */
  readonly nextTable: (level: number, descriptor: bigint) => bigint | undefined
}
