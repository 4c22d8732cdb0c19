// GPU memory shared by VMs through an RPC-style GPU server (rCUDA/GVirtuS-like: every VM's
// kernels and allocations are forwarded to one server process per GPU) when the VMs' demand
// exceeds GPU memory. Compute is processor-shared among the tasks resident on a GPU; memory is
// what the policies below disagree about. Continuous time, event-driven, pure.
import { fillByWeight, jainIndex } from './model.ts'

/** A unit of GPU work submitted by a VM: its memory footprint and its run time alone. */
export type GpuTask = { readonly vm: number; readonly arrivalS: number; readonly memKib: number; readonly workS: number }

export type GpuHost = {
  readonly gpuMemKib: readonly number[]
  /** Host↔GPU transfer rate for swapped memory and migrations (KiB/s; PCIe 3 x16 ≈ 12 GiB/s). */
  readonly pcieKibPerSec: number
}

export type GpuVm = { readonly id: string; readonly weight: number }

export type GpuPolicyName = 'fcfs' | 'static' | 'share-swap' | 'migrate'
export const gpuPolicies: readonly GpuPolicyName[] = ['fcfs', 'static', 'share-swap', 'migrate']

/** What happened to one task. */
export type TaskOutcome =
  | { readonly _tag: 'Done'; readonly gpu: number; readonly startS: number; readonly finishS: number; readonly migrated: boolean }
  /** static: the task needs more than its VM's slice (out of memory). */
  | { readonly _tag: 'OutOfMemory' }

export type GpuMetrics = {
  /** Per VM: mean over its finished tasks of (finish − arrival) / work alone; null if none finished. */
  readonly slowdown: readonly (number | null)[]
  /** Jain's index over 1/slowdown (normalized throughput) of the VMs that finished any task. */
  readonly fairness: number
  /** Time-averaged Σ resident memory / Σ GPU memory over [0, completion]. */
  readonly memUtilization: number
  /** When the last task finished. */
  readonly completionS: number
  readonly outOfMemory: number
  readonly migrations: number
}

export type GpuRun = { readonly policy: GpuPolicyName; readonly outcomes: readonly TaskOutcome[]; readonly metrics: GpuMetrics }

/** A VM's home GPU: VMs are spread round-robin over the GPUs. */
export const homeGpu = (vm: number, gpus: number): number => vm % gpus

type Running = { task: number; gpu: number; remainingS: number; residentKib: number; speed: number; startS: number; migrated: boolean }

const eps = 1e-9

/**
 * Runs tasks (sorted by arrival, ties by index) under one policy:
 * - `fcfs`: one FIFO queue per GPU, no isolation: the head task starts when its memory fits in
 *   what is free; nothing behind it may overtake it.
 * - `static`: MIG-like slices, each VM's weighted share of its home GPU; a task larger than its
 *   slice is out of memory; a VM's tasks wait, in order, for room in its own slice.
 * - `share-swap`: every task is admitted at once; the GPU memory is shared in proportion to VM
 *   weight (never above a task's need); the rest of each task's memory lives in host memory and
 *   every second of its compute streams it over PCIe: speed = 1 / (1 + overflow / pcie).
 * - `migrate`: like fcfs, but a task that does not fit its home GPU moves to the GPU with the
 *   most free memory that can hold it, paying memKib / pcie seconds to move its data; a waiting
 *   task starts on whichever GPU first has room (arrival order among waiting tasks).
 * Resident tasks share their GPU's compute equally (processor sharing).
 */
export const runGpu = (policy: GpuPolicyName, host: GpuHost, vms: readonly GpuVm[], tasks: readonly GpuTask[]): GpuRun => {
  const G = host.gpuMemKib.length
  const order = tasks.map((_, i) => i).sort((a, b) => tasks[a]!.arrivalS - tasks[b]!.arrivalS || a - b)
  const outcomes: (TaskOutcome | null)[] = tasks.map(() => null)
  const slice = vms.map((v, i) => {
    const g = homeGpu(i, G)
    let w = 0
    vms.forEach((u, j) => { if (homeGpu(j, G) === g) w += u.weight })
    return Math.floor((host.gpuMemKib[g]! * v.weight) / w)
  })
  let running: Running[] = []
  const waiting: number[] = []
  let next = 0
  let now = 0
  let memTime = 0
  let migrations = 0
  const totalMem = host.gpuMemKib.reduce((a, b) => a + b, 0)

  const usedOn = (g: number): number => running.reduce((s, r) => (r.gpu === g ? s + r.residentKib : s), 0)
  const usedByVm = (vm: number): number => running.reduce((s, r) => (tasks[r.task]!.vm === vm ? s + r.residentKib : s), 0)
  const start = (t: number, g: number, migrated: boolean): void => {
    const extra = migrated ? tasks[t]!.memKib / host.pcieKibPerSec : 0
    running.push({ task: t, gpu: g, remainingS: tasks[t]!.workS + extra, residentKib: tasks[t]!.memKib, speed: 1, startS: now, migrated })
    if (migrated) migrations++
  }
  // share-swap: recompute every GPU's proportional shares after any change
  const reshare = (): void => {
    for (let g = 0; g < G; g++) {
      const mine = running.filter((r) => r.gpu === g)
      const share = fillByWeight(host.gpuMemKib[g]!, mine.map((r) => vms[tasks[r.task]!.vm]!.weight), mine.map(() => 0), mine.map((r) => tasks[r.task]!.memKib))
      mine.forEach((r, k) => {
        r.residentKib = share[k]!
        r.speed = 1 / (1 + (tasks[r.task]!.memKib - share[k]!) / host.pcieKibPerSec)
      })
    }
  }
  const admit = (): void => {
    if (policy === 'share-swap') {
      while (waiting.length > 0) { const t = waiting.shift()!; start(t, homeGpu(tasks[t]!.vm, G), false) }
      reshare()
      return
    }
    if (policy === 'static') {
      for (let k = 0; k < waiting.length;) {
        const t = waiting[k]!
        const vm = tasks[t]!.vm
        // a VM's own queue is FIFO: only its earliest waiting task may start
        const earliest = waiting.find((u) => tasks[u]!.vm === vm)
        if (earliest === t && usedByVm(vm) + tasks[t]!.memKib <= slice[vm]!) { waiting.splice(k, 1); start(t, homeGpu(vm, G), false) }
        else k++
      }
      return
    }
    if (policy === 'fcfs') {
      for (let g = 0; g < G; g++) {
        for (;;) {
          const head = waiting.find((u) => homeGpu(tasks[u]!.vm, G) === g)
          if (head === undefined || usedOn(g) + tasks[head]!.memKib > host.gpuMemKib[g]!) break
          waiting.splice(waiting.indexOf(head), 1)
          start(head, g, false)
        }
      }
      return
    }
    // migrate
    for (let k = 0; k < waiting.length;) {
      const t = waiting[k]!
      const home = homeGpu(tasks[t]!.vm, G)
      const need = tasks[t]!.memKib
      if (usedOn(home) + need <= host.gpuMemKib[home]!) { waiting.splice(k, 1); start(t, home, false); continue }
      let best = -1
      for (let g = 0; g < G; g++) {
        const free = host.gpuMemKib[g]! - usedOn(g)
        if (g !== home && free >= need && (best < 0 || free > host.gpuMemKib[best]! - usedOn(best))) best = g
      }
      if (best >= 0) { waiting.splice(k, 1); start(t, best, true) } else k++
    }
  }

  while (next < order.length || waiting.length > 0 || running.length > 0) {
    // the next event: an arrival or the earliest completion under processor sharing
    const share = new Array<number>(G).fill(0)
    for (const r of running) share[r.gpu] = share[r.gpu]! + 1
    let dt = Infinity
    for (const r of running) dt = Math.min(dt, (r.remainingS * share[r.gpu]!) / r.speed)
    const arrival = next < order.length ? tasks[order[next]!]!.arrivalS : Infinity
    if (arrival - now < dt) dt = Math.max(0, arrival - now)
    if (dt === Infinity) break // only tasks that can never run are left waiting
    for (const r of running) r.remainingS -= (dt * r.speed) / share[r.gpu]!
    let resident = 0
    for (const r of running) resident += r.residentKib
    memTime += resident * dt
    now += dt
    const finished = running.filter((r) => r.remainingS <= eps * Math.max(1, tasks[r.task]!.workS))
    for (const r of finished) outcomes[r.task] = { _tag: 'Done', gpu: r.gpu, startS: r.startS, finishS: now, migrated: r.migrated }
    running = running.filter((r) => !finished.includes(r))
    while (next < order.length && tasks[order[next]!]!.arrivalS <= now + eps) {
      const t = order[next++]!
      if (policy === 'static' && tasks[t]!.memKib > slice[tasks[t]!.vm]!) outcomes[t] = { _tag: 'OutOfMemory' }
      else waiting.push(t)
    }
    admit()
  }
  for (const t of waiting) outcomes[t] = { _tag: 'OutOfMemory' } // larger than any GPU: can never start
  const done = outcomes.map((o) => o ?? ({ _tag: 'OutOfMemory' } as const))
  const slowdown = vms.map((_, v) => {
    let s = 0
    let c = 0
    done.forEach((o, t) => {
      if (o._tag === 'Done' && tasks[t]!.vm === v) { s += (o.finishS - tasks[t]!.arrivalS) / tasks[t]!.workS; c++ }
    })
    return c === 0 ? null : s / c
  })
  return {
    policy,
    outcomes: done,
    metrics: {
      slowdown,
      fairness: jainIndex(slowdown.flatMap((s) => (s === null ? [] : [1 / s]))),
      memUtilization: now === 0 || totalMem === 0 ? 0 : memTime / (now * totalMem),
      completionS: now,
      outOfMemory: done.filter((o) => o._tag === 'OutOfMemory').length,
      migrations,
    },
  }
}
