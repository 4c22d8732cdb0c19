// The IOMMU as one value: its register file, its caches and the implementation choices, plus what a
// transition reports (every store it made to memory, every record it wrote to the fault queue).
// RISC-V IOMMU spec v1.0 throughout; the choices default to the C reference model's.
import type { PhysMemory } from '../memory/memory.ts'
import { type AtsState, idleAts } from './ats.ts'
import { type CachePolicy, type Caches, type GvmaInvalidation, emptyCaches } from './caches.ts'
import type { FaultRecord } from './fault-record.ts'
import { type RegisterFile, type RegisterOptions, DEFAULT_REGISTER_OPTIONS, resetRegisters } from './registers.ts'

export interface IommuOptions extends RegisterOptions {
  /**
   * log2 of the range a Bare stage reports for an ATS completion ("implementation-defined …
   * recommended … large, such as 2 MiB or 1 GiB"); default 30 (1 GiB). The page size of a result is
   * the smaller of both stages', so this matters only when a stage is Bare.
   */
  readonly barePageBits: number
  /** Which caches exist (caches.ts); default `none`. */
  readonly cache: CachePolicy
  /** How IOTINVAL.GVMA with an address picks IOTLB entries; default the spec's rule. */
  readonly gvmaInvalidation: GvmaInvalidation
  /**
   * `spec`: an implicit first-stage access through the G-stage is a read and sets only A.
   * `refmodel`: with DC.tc.SADE = 1 it also sets D in a writable G-stage leaf (a fault if GADE = 0).
   */
  readonly implicitGStageDirty: 'spec' | 'refmodel'
}

export const DEFAULT_OPTIONS: IommuOptions = { ...DEFAULT_REGISTER_OPTIONS, barePageBits: 30, cache: 'none', gvmaInvalidation: 'spec', implicitGStageDirty: 'spec' }

export interface Iommu {
  readonly regs: RegisterFile
  readonly options: IommuOptions
  readonly caches: Caches
  /**
   * The MSI vectors with a message held back by msi_vec_ctl.M = 1, a bit per vector (not a register:
   * "pending messages for that vector are later generated if the corresponding mask bit is cleared").
   */
  readonly msiPending: number
  /** Outstanding ATS invalidation requests and what waits on them (ats.ts). */
  readonly ats: AtsState
}

/** An IOMMU after reset with these capabilities (and fctl). */
export const resetIommu = (capabilities: bigint, fctl = 0n, options: IommuOptions = DEFAULT_OPTIONS): Iommu =>
  ({ regs: resetRegisters(capabilities, fctl), options, caches: emptyCaches(options.cache, options.gvmaInvalidation), msiPending: 0, ats: idleAts() })

/**
 * One store the IOMMU made to memory: an A/D update (8 bytes), IOFENCE.C's DATA (4), a doubleword of a
 * fault record (8) or of a page-request record (8), an MRIF's interrupt-pending doubleword (8), a notice MSI (4), the IOMMU's own MSI (4).
 */
export interface MemoryWrite {
  readonly addr: bigint
  readonly size: 4 | 8
  readonly value: bigint
  readonly why: 'A/D update' | 'IOFENCE.C data' | 'fault record' | 'page-request record' | 'MRIF pending bit' | 'notice MSI' | 'IOMMU MSI'
}

/** The IOMMU, memory and what happened, after one transition. */
export interface Transition {
  readonly iommu: Iommu
  readonly memory: PhysMemory
  readonly writes: readonly MemoryWrite[]
  readonly records: readonly FaultRecord[]
}
