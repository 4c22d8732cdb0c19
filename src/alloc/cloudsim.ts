// The makespan model of the memory-blocks paper, with CloudSim's semantics (CloudSim 3/4:
// VmAllocationPolicySimple, RamProvisionerSimple, VmSchedulerTimeShared,
// CloudletSchedulerTimeShared): VMs go to the host with the most free PEs, RAM is granted
// best-effort (a VM whose RAM does not fit is not created there), cloudlets on a VM time-share
// its PEs.

export type CsHost = { readonly pes: number; readonly mipsPerPe: number; readonly ramKib: number }
export type CsVm = { readonly pes: number; readonly mips: number; readonly ramKib: number }
export type CsCloudlet = { readonly vm: number; readonly lengthMi: number; readonly pes: number }

/**
 * VmAllocationPolicySimple: for each VM in order, try hosts from most to fewest free PEs (ties
 * to the lower index) until one accepts it; a host accepts if it has the free PEs, each PE is
 * fast enough, and RamProvisionerSimple has the RAM. Returns each VM's host, or null.
 */
export const placeVms = (hosts: readonly CsHost[], vms: readonly CsVm[]): (number | null)[] => {
  const freePes = hosts.map((h) => h.pes)
  const freeRam = hosts.map((h) => h.ramKib)
  return vms.map((vm) => {
    const order = hosts.map((_, i) => i).sort((a, b) => freePes[b]! - freePes[a]! || a - b)
    for (const h of order) {
      if (freePes[h]! >= vm.pes && hosts[h]!.mipsPerPe >= vm.mips && freeRam[h]! >= vm.ramKib) {
        freePes[h] = freePes[h]! - vm.pes
        freeRam[h] = freeRam[h]! - vm.ramKib
        return h
      }
    }
    return null
  })
}

/**
 * CloudletSchedulerTimeShared on one VM, all cloudlets submitted at time 0: each running
 * cloudlet progresses at capacity × its PEs MIPS, where capacity = (Σ PE mips) / max(PEs in use
 * by cloudlets, VM PEs). Returns each cloudlet's finish time in seconds.
 */
export const timeSharedFinishTimes = (vm: CsVm, lengthsMi: readonly number[], pes: readonly number[]): number[] => {
  const remaining = lengthsMi.slice()
  const finish = new Array<number>(lengthsMi.length).fill(0)
  let running = lengthsMi.map((_, i) => i).filter((i) => remaining[i]! > 0)
  let now = 0
  while (running.length > 0) {
    let pesInUse = 0
    for (const i of running) pesInUse += pes[i]!
    const capacity = (vm.mips * vm.pes) / Math.max(pesInUse, vm.pes)
    let dt = Infinity
    for (const i of running) dt = Math.min(dt, remaining[i]! / (capacity * pes[i]!))
    now += dt
    for (const i of running) remaining[i] = remaining[i]! - dt * capacity * pes[i]!
    const done = running.filter((i) => remaining[i]! <= 1e-9 * lengthsMi[i]!)
    for (const i of done) finish[i] = now
    running = running.filter((i) => remaining[i]! > 1e-9 * lengthsMi[i]!)
  }
  return finish
}

export type MakespanResult = { readonly makespan: number; readonly unplacedVms: readonly number[] }

/** Place the VMs, run each VM's cloudlets time-shared, and return the latest finish time. */
export const makespan = (hosts: readonly CsHost[], vms: readonly CsVm[], cloudlets: readonly CsCloudlet[]): MakespanResult => {
  const placement = placeVms(hosts, vms)
  let last = 0
  vms.forEach((vm, v) => {
    if (placement[v] === null) return
    const mine = cloudlets.filter((c) => c.vm === v)
    const t = timeSharedFinishTimes(vm, mine.map((c) => c.lengthMi), mine.map((c) => c.pes))
    for (const x of t) last = Math.max(last, x)
  })
  return { makespan: last, unplacedVms: placement.flatMap((h, v) => (h === null ? [v] : [])) }
}
