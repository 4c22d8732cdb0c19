// Memory configuration by memory blocks and user preference (the seed paper simulated in
// CloudSim): memory is handed out in fixed-size blocks; each VM's user states a minimum and a
// preferred size and a weight; blocks go first to minimums, then to the highest weighted
// satisfaction gain per block.
import { type AllocEvent, type Policy } from './model.ts'
import { makespan, type CsCloudlet, type CsHost, type CsVm, type MakespanResult } from './cloudsim.ts'

export type BlocksParams = { readonly blockKib: number }
export const blocksDefaults: BlocksParams = { blockKib: 131_072 /* 128 MiB */ }

export type BlocksState = { readonly blocks: readonly number[] }

/**
 * Block satisfaction: 0 below the minimum number of blocks, else the fraction of the preferred
 * blocks received, capped at 1.
 * @example blockSatisfaction(3, 2, 4) === 0.75
 */
export const blockSatisfaction = (blocks: number, minBlocks: number, preferredBlocks: number): number =>
  blocks < minBlocks ? 0 : preferredBlocks <= 0 ? 1 : Math.min(1, blocks / preferredBlocks)

/**
 * One epoch: preferred blocks = the observed demand rounded up to blocks, between the minimum
 * (min rounded up) and the maximum (max rounded up). Minimums are granted in VM order while
 * blocks remain (a VM whose minimum does not fit gets nothing). The rest go, whole preferences
 * at a time, in order of weight / preferred blocks (the weighted satisfaction one block buys),
 * ties to the lower index — which maximizes Σ weight × satisfaction. A VM holds its blocks,
 * capped at its max.
 */
export const blocksPolicy = (params: BlocksParams = blocksDefaults): Policy<BlocksState> => ({
  name: 'blocks',
  init: (host) => ({ blocks: host.vms.map(() => 0) }),
  step: (_s0, host, obs) => {
    const B = params.blockKib
    const n = host.vms.length
    let left = Math.floor(host.capacityKib / B)
    const minB = host.vms.map((v) => Math.ceil(v.minKib / B))
    const pref = host.vms.map((v, i) => Math.max(minB[i]!, Math.min(Math.ceil(v.maxKib / B), Math.ceil(obs.demandKib[i]! / B))))
    const blocks = new Array<number>(n).fill(0)
    const events: AllocEvent[] = []
    for (let i = 0; i < n; i++) {
      if (minB[i]! <= left) { blocks[i] = minB[i]!; left -= minB[i]! }
      else events.push({ _tag: 'Denied', vm: i, kib: minB[i]! * B })
    }
    const order = host.vms.map((_, i) => i)
      .filter((i) => blocks[i]! > 0 || minB[i]! === 0)
      .sort((a, b) => host.vms[b]!.weight / Math.max(1, pref[b]!) - host.vms[a]!.weight / Math.max(1, pref[a]!) || a - b)
    for (const i of order) {
      if (left <= 0) break
      const give = Math.min(left, pref[i]! - blocks[i]!)
      if (give > 0) { blocks[i] = blocks[i]! + give; left -= give }
    }
    const targets = host.vms.map((v, i) => Math.min(v.maxKib, blocks[i]! * B))
    return { state: { blocks }, targets, events }
  },
})

export type CloudsimParams = {
  /** Hosts the VMs are placed on; by default one host with one PE per VM and the capacity as RAM. */
  readonly hosts: readonly CsHost[] | null
  readonly vmMips: number
  readonly cloudletsPerVm: number
  readonly cloudletMi: number
}

export const cloudsimDefaults: CloudsimParams = { hosts: null, vmMips: 1000, cloudletsPerVm: 2, cloudletMi: 10_000 }

/**
 * The makespan of a run (the blocks paper's objective), for any policy: each VM is a 1-PE
 * CloudSim VM with RAM = its mean allocation, running `cloudletsPerVm` cloudlets time-shared.
 * Memory pressure slows a VM: its MIPS are scaled by its served fraction Σ min(alloc, demand) /
 * Σ demand (a VM short of memory pages and makes proportionally less progress — our model; the
 * paper does not publish its coupling).
 */
export const runMakespan = (
  capacityKib: number, served: readonly number[], meanAllocKib: readonly number[], params: CloudsimParams = cloudsimDefaults,
): MakespanResult => {
  const n = served.length
  const hosts = params.hosts ?? [{ pes: Math.max(1, n), mipsPerPe: params.vmMips, ramKib: capacityKib }]
  const vms: CsVm[] = served.map((s, i) => ({ pes: 1, mips: params.vmMips * Math.max(1e-6, s), ramKib: Math.floor(meanAllocKib[i]!) }))
  const cloudlets: CsCloudlet[] = []
  for (let v = 0; v < n; v++) for (let c = 0; c < params.cloudletsPerVm; c++) cloudlets.push({ vm: v, lengthMi: params.cloudletMi, pes: 1 })
  return makespan(hosts, vms, cloudlets)
}
