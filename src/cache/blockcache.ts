// The hypervisor block cache: one in-memory cache inside the hypervisor (QEMU/KVM in the QBic
// design) shared by several VMs' virtual disks, in front of the backing device. Requests are
// (vm, block, read|write); any policy of the zoo decides residency, optionally behind the QBic
// frequency admission front, over the whole cache or per-VM partitions (quotas).
//  - write-through: every write also goes to the device; nothing in the cache is ever dirty.
//  - write-back: a write to a cached (or allocated) block only marks it dirty; a dirty block leaves
//    the cache only by a writeback that the step reports; `flush` writes back every dirty block.
//    A write the cache does not take (admission said no) goes straight to the device.
// Per-VM statistics: hits, requests, device reads and writes; fairness is Jain's index over the
// VMs' hit ratios.
import { withAdmission, type AdmissionOptions } from './admission.ts'
import * as M from './pmap.ts'
import { POLICIES } from './policies/index.ts'
import type { Params, Policy, PolicyName } from './policy.ts'
import { persistent } from './store.ts'

export type BlockOp = 'read' | 'write'
export type BlockReq = { readonly vm: number; readonly block: number; readonly op: BlockOp }
export const blockReq = (vm: number, block: number, op: BlockOp): BlockReq => ({ vm, block, op })

/** VMs are numbered 0 … MAX_VMS − 1; a block id must stay below 2^53 / MAX_VMS. */
export const MAX_VMS = 256
export const MAX_BLOCK = Math.floor(Number.MAX_SAFE_INTEGER / MAX_VMS)
// The policy sees one key per (vm, block): each VM's disk is its own address space.
const keyOf = (vm: number, block: number): number => block * MAX_VMS + vm
const vmOf = (key: number): number => key % MAX_VMS
const blockOf = (key: number): number => Math.floor(key / MAX_VMS)

export type WritePolicy = 'write-through' | 'write-back'

export type BlockCacheConfig = {
  readonly policy: PolicyName
  /** Total capacity in blocks (ignored when `quotas` partitions the cache). */
  readonly capacity: number
  readonly params?: Params
  readonly admission?: AdmissionOptions
  readonly write: WritePolicy
  /** Whether a write miss allocates the block in the cache (default true). */
  readonly writeAllocate?: boolean
  /** Per-VM partitions: VM v gets its own cache of quotas[v] blocks (a VM beyond the list gets 0). */
  readonly quotas?: readonly number[]
}

export type VmStats = {
  readonly requests: number
  readonly hits: number
  readonly deviceReads: number
  readonly deviceWrites: number
}
const vmStats = (requests: number, hits: number, deviceReads: number, deviceWrites: number): VmStats =>
  ({ requests, hits, deviceReads, deviceWrites })
const NO_STATS = vmStats(0, 0, 0, 0)

export type BlockCacheState = {
  readonly config: BlockCacheConfig
  readonly policy: Policy<unknown>
  /** One policy state for the shared cache (key −1), or one per VM partition (key = vm). */
  readonly caches: M.PMap<unknown>
  /** Keys of the dirty resident blocks. */
  readonly dirty: M.PMap<true>
  readonly stats: M.PMap<VmStats>
}
const blockCacheState = (
  config: BlockCacheConfig, policy: Policy<unknown>, caches: M.PMap<unknown>, dirty: M.PMap<true>, stats: M.PMap<VmStats>,
): BlockCacheState => ({ config, policy, caches, dirty, stats })

/** A block that went to the device: which VM's disk and which block. */
export type DeviceIo = { readonly vm: number; readonly block: number }
const deviceIo = (key: number): DeviceIo => ({ vm: vmOf(key), block: blockOf(key) })

export type BlockStep = {
  readonly state: BlockCacheState
  readonly hit: boolean
  /** Blocks read from the device (the missed block, on a read miss). */
  readonly deviceReads: readonly DeviceIo[]
  /** Blocks written to the device: the write itself (write-through or not cached) and writebacks. */
  readonly deviceWrites: readonly DeviceIo[]
  /** Of `deviceWrites`, the dirty blocks written back because they left the cache. */
  readonly writebacks: readonly DeviceIo[]
}

/** The empty block cache. */
export const initBlockCache = (config: BlockCacheConfig): BlockCacheState => {
  const inner = POLICIES[config.policy].make(persistent, config.params ?? {})
  const policy = config.admission === undefined ? inner : withAdmission(persistent, inner, config.admission)
  const caches = config.quotas === undefined
    ? M.set(undefined, -1, policy.init(config.capacity))
    : config.quotas.reduce<M.PMap<unknown>>((m, q, vm) => M.set(m, vm, policy.init(q)), undefined)
  return blockCacheState(config, policy, caches, undefined, undefined)
}

const partitionOf = (s: BlockCacheState, vm: number): number => (s.config.quotas === undefined ? -1 : vm)

/** One request. Never mutates `s0`. */
export const blockAccess = (s0: BlockCacheState, r: BlockReq): BlockStep => {
  const key = keyOf(r.vm, r.block)
  const part = partitionOf(s0, r.vm)
  const cache = M.get(s0.caches, part) ?? s0.policy.init(0)
  const writing = r.op === 'write'
  // Step 1: the policy sees the request (a write miss allocates only with write-allocate).
  const a = s0.policy.access(cache, { id: key, next: Infinity }, !writing || s0.config.writeAllocate !== false)
  // Step 2: every dirty block the policy evicted is written back; none leaves silently.
  let dirty = s0.dirty
  const writebacks: DeviceIo[] = []
  for (const k of a.evicted) {
    if (M.has(dirty, k)) {
      dirty = M.remove(dirty, k)
      writebacks.push(deviceIo(k))
    }
  }
  // Step 3: the data movement the request itself causes.
  const deviceReads: DeviceIo[] = !writing && !a.hit ? [deviceIo(key)] : []
  const deviceWrites: DeviceIo[] = [...writebacks]
  if (writing) {
    const cached = s0.policy.contains(a.state, key)
    if (s0.config.write === 'write-back' && cached) dirty = M.set(dirty, key, true)
    else deviceWrites.push(deviceIo(key))
  }
  // Step 4: per-VM accounting (writebacks are charged to the VM owning the block).
  let stats = s0.stats
  const bump = (vm: number, f: (v: VmStats) => VmStats): void => {
    stats = M.set(stats, vm, f(M.get(stats, vm) ?? NO_STATS))
  }
  bump(r.vm, (v) => vmStats(v.requests + 1, v.hits + (a.hit ? 1 : 0), v.deviceReads + deviceReads.length, v.deviceWrites))
  for (const w of deviceWrites) bump(w.vm, (v) => vmStats(v.requests, v.hits, v.deviceReads, v.deviceWrites + 1))
  const s1 = blockCacheState(s0.config, s0.policy, M.set(s0.caches, part, a.state), dirty, stats)
  return { state: s1, hit: a.hit, deviceReads, deviceWrites, writebacks }
}

/** Writes back every dirty block (in block-key order); the cache keeps them, now clean. */
export const flush = (s0: BlockCacheState): { readonly state: BlockCacheState; readonly writebacks: readonly DeviceIo[] } => {
  const writebacks = M.entries(s0.dirty).map(([k]) => deviceIo(k))
  let stats = s0.stats
  for (const w of writebacks) {
    const v = M.get(stats, w.vm) ?? NO_STATS
    stats = M.set(stats, w.vm, vmStats(v.requests, v.hits, v.deviceReads, v.deviceWrites + 1))
  }
  return { state: blockCacheState(s0.config, s0.policy, s0.caches, undefined, stats), writebacks }
}

/** The dirty blocks now in the cache. */
export const dirtyBlocks = (s: BlockCacheState): DeviceIo[] => M.entries(s.dirty).map(([k]) => deviceIo(k))

/** Per-VM statistics, by VM number. */
export const vmReport = (s: BlockCacheState): Array<{ vm: number } & VmStats & { hitRatio: number }> =>
  M.entries(s.stats).map(([vm, v]) => ({ vm, ...v, hitRatio: v.requests === 0 ? 0 : v.hits / v.requests }))

/**
 * Jain's fairness index (Jain, Chiu & Hawe 1984) of non-negative values x₁…xₙ:
 * (Σx)² / (n·Σx²); 1 when all are equal, 1/n when one VM gets everything. 1 for no VMs or all 0.
 */
export const jainIndex = (xs: readonly number[]): number => {
  const sum = xs.reduce((a, x) => a + x, 0)
  const sq = xs.reduce((a, x) => a + x * x, 0)
  return sq === 0 ? 1 : (sum * sum) / (xs.length * sq)
}
