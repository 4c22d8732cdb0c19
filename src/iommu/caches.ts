// The IOMMU's caches as pure state (RISC-V IOMMU spec v1.0, "Caching in-memory data structures" and
// the invalidation commands in "Command-Queue"): the device-context cache (DDT), the process-context
// cache (PDT) and the IOTLB. Caches are not architectural; they are modelled because software that
// forgets an IOTINVAL or IODIR behaves differently with them, and the spec says exactly which entries
// each command must drop. A named policy chooses them: `none` (every lookup misses), `unbounded`
// (nothing is ever evicted) or `refmodel` (the C reference model's sizes, 2 entries each, with its
// least-recently-used replacement).
import type { Command } from './commands.ts'
import type { DeviceContext } from './device-context.ts'
import type { ProcessContext } from './process-context.ts'

export type CachePolicy = 'none' | 'unbounded' | 'refmodel'
export const CACHE_POLICIES: readonly CachePolicy[] = ['none', 'unbounded', 'refmodel']

/**
 * How IOTINVAL.GVMA with AV = 1 chooses IOTLB entries. `spec`: entries whose final GPA lies in the
 * G-stage leaf range at ADDR (the spec's note on combined caches). `refmodel`: also every entry with a
 * first stage (PSCV = 1) of that GSCID, whatever its address (the C model's over-invalidation).
 */
export type GvmaInvalidation = 'spec' | 'refmodel'

/** One IOTLB entry: an IOVA range, its address-space tags and what both leaves granted. */
export interface IotlbEntry {
  readonly iovaBase: bigint
  /** log2 of the range (the smaller of both stages' page sizes). */
  readonly pageBits: number
  readonly paBase: bigint
  readonly gv: boolean
  readonly gscid: number
  readonly pscv: boolean
  readonly pscid: number
  /** The first-stage leaf's R, W, X, U, G, D and PBMT (a Bare first stage grants everything). */
  readonly first: LeafGrant
  /** The G-stage leaf's R, W, X, D (a Bare G-stage grants everything). */
  readonly g: LeafGrant
  /** The GPA range of the G-stage leaf that produced paBase (for IOTINVAL.GVMA with an address). */
  readonly gpaBase: bigint
  readonly gLeafBits: number
}

export interface LeafGrant {
  readonly r: boolean, readonly w: boolean, readonly x: boolean, readonly u: boolean, readonly global: boolean, readonly d: boolean
  readonly pbmt: number
}

type Iotinval = Extract<Command, { kind: 'IOTINVAL.VMA' | 'IOTINVAL.GVMA' }>

interface Slot<K, V> { readonly key: K, readonly value: V }

/** The three caches, most recently used first. */
export interface Caches {
  readonly policy: CachePolicy
  readonly gvma: GvmaInvalidation
  readonly ddt: readonly Slot<number, DeviceContext>[]
  readonly pdt: readonly Slot<readonly [number, number], ProcessContext>[]
  readonly iotlb: readonly IotlbEntry[]
}

/** Empty caches: the state after reset ("the caches must have no valid entries"). */
export const emptyCaches = (policy: CachePolicy, gvma: GvmaInvalidation = 'spec'): Caches => ({ policy, gvma, ddt: [], pdt: [], iotlb: [] })

/** The C model's capacity per cache (RVI_IOMMU_DDT_CACHE_SIZE, _PDT_, _TLB_: 2 each). */
const capacity = (p: CachePolicy): number => (p === 'none' ? 0 : p === 'refmodel' ? 2 : Infinity)

/** Puts `item` first and drops the least recently used beyond the capacity (LRU, as the C model). */
const insert = <T>(list: readonly T[], item: T, cap: number): readonly T[] => (cap === 0 ? [] : [item, ...list].slice(0, cap))
const touch = <T>(list: readonly T[], i: number): readonly T[] => (i === 0 ? list : [list[i]!, ...list.slice(0, i), ...list.slice(i + 1)])

// ---- device and process contexts ----------------------------------------------------------------------

export const lookupDc = (c: Caches, deviceId: number): { readonly caches: Caches, readonly dc: DeviceContext | undefined } => {
  const i = c.ddt.findIndex((s) => s.key === deviceId)
  return i < 0 ? { caches: c, dc: undefined } : { caches: { ...c, ddt: touch(c.ddt, i) }, dc: c.ddt[i]!.value }
}
export const fillDc = (c: Caches, deviceId: number, dc: DeviceContext): Caches =>
  ({ ...c, ddt: insert(c.ddt.filter((s) => s.key !== deviceId), { key: deviceId, value: dc }, capacity(c.policy)) })

export const lookupPc = (c: Caches, deviceId: number, processId: number): { readonly caches: Caches, readonly pc: ProcessContext | undefined } => {
  const i = c.pdt.findIndex((s) => s.key[0] === deviceId && s.key[1] === processId)
  return i < 0 ? { caches: c, pc: undefined } : { caches: { ...c, pdt: touch(c.pdt, i) }, pc: c.pdt[i]!.value }
}
export const fillPc = (c: Caches, deviceId: number, processId: number, pc: ProcessContext): Caches =>
  ({ ...c, pdt: insert(c.pdt.filter((s) => !(s.key[0] === deviceId && s.key[1] === processId)), { key: [deviceId, processId] as const, value: pc }, capacity(c.policy)) })

// ---- the IOTLB --------------------------------------------------------------------------------------------

export interface IotlbTags { readonly gv: boolean, readonly gscid: number, readonly pscv: boolean, readonly pscid: number }

const covers = (base: bigint, bitsWide: number, a: bigint): boolean => (a >> BigInt(bitsWide)) === (base >> BigInt(bitsWide))

/** The entry for `iova` in the address space `tags`, moved to most recently used; or undefined. */
export const lookupIotlb = (c: Caches, tags: IotlbTags, iova: bigint): { readonly caches: Caches, readonly entry: IotlbEntry | undefined } => {
  const i = c.iotlb.findIndex((e) => e.gv === tags.gv && e.gscid === tags.gscid && e.pscv === tags.pscv && e.pscid === tags.pscid && covers(e.iovaBase, e.pageBits, iova))
  return i < 0 ? { caches: c, entry: undefined } : { caches: { ...c, iotlb: touch(c.iotlb, i) }, entry: c.iotlb[i]! }
}
export const fillIotlb = (c: Caches, e: IotlbEntry): Caches => ({ ...c, iotlb: insert(c.iotlb, e, capacity(c.policy)) })
export const dropIotlbEntry = (c: Caches, e: IotlbEntry): Caches => ({ ...c, iotlb: c.iotlb.filter((x) => x !== e) })

// ---- invalidation -------------------------------------------------------------------------------------------

/** Whether IOTINVAL.VMA drops `e` ("IOTINVAL.VMA operands and operations" table, all eight rows). */
const vmaDrops = (cmd: Iotinval, e: IotlbEntry): boolean => {
  // GV = 0: host address spaces (G-stage Bare); GV = 1: the VM address spaces of GSCID.
  const space = cmd.gv ? e.gv && e.gscid === cmd.gscid : !e.gv
  // PSCV = 1: only the address space PSCID, and never global mappings.
  const process = !cmd.pscv || (e.pscv && e.pscid === cmd.pscid && !e.first.global)
  // AV = 1: only entries holding the first-stage leaf for the IOVA ADDR.
  const address = !cmd.av || covers(e.iovaBase, e.pageBits, cmd.addr)
  return space && process && address
}

/** Whether IOTINVAL.GVMA drops `e` ("IOTINVAL.GVMA operands and operations" table). */
const gvmaDrops = (cmd: Iotinval, e: IotlbEntry, mode: GvmaInvalidation): boolean => {
  if (!e.gv) return false                         // only VM address spaces hold G-stage information
  if (!cmd.gv) return true                        // GV = 0: every VM address space (AV ignored)
  if (e.gscid !== cmd.gscid) return false
  if (!cmd.av) return true
  return covers(e.gpaBase, e.gLeafBits, cmd.addr) || (mode === 'refmodel' && e.pscv)
}

/**
 * The caches after a command: IOTINVAL.VMA/.GVMA act on the IOTLB only; IODIR.INVAL_DDT drops the DC
 * (DV = 1: of DID, with all its PCs; DV = 0: every DC and PC); IODIR.INVAL_PDT drops the PC of (DID,
 * PID). "The IOTINVAL command has no effect on the IOMMU directory caches." Nothing else is dropped.
 */
export const invalidate = (c: Caches, cmd: Command): Caches => {
  switch (cmd.kind) {
    case 'IOTINVAL.VMA': return { ...c, iotlb: c.iotlb.filter((e) => !vmaDrops(cmd, e)) }
    case 'IOTINVAL.GVMA': return { ...c, iotlb: c.iotlb.filter((e) => !gvmaDrops(cmd, e, c.gvma)) }
    case 'IODIR.INVAL_DDT':
      return cmd.dv
        ? { ...c, ddt: c.ddt.filter((s) => s.key !== cmd.did), pdt: c.pdt.filter((s) => s.key[0] !== cmd.did) }
        : { ...c, ddt: [], pdt: [] }
    case 'IODIR.INVAL_PDT': return { ...c, pdt: c.pdt.filter((s) => !(s.key[0] === cmd.did && s.key[1] === cmd.pid)) }
    default: return c
  }
}
