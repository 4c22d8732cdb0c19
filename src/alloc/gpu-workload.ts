// GPU task lists for `memvirt gpu`: the CSV format `vm,arrival_s,mem_kib,work_s[,weight]` and a
// seeded generator whose memory demand exceeds the GPUs' memory part of the time.
import { left, right, type Either } from '../bits/either.ts'
import { Cursor, seeded } from './prng.ts'
import type { GpuHost, GpuTask, GpuVm } from './gpu.ts'

const GiB = 1024 * 1024

export type GpuWorkload = { readonly vms: readonly GpuVm[]; readonly tasks: readonly GpuTask[] }

/** The default GPU host: two 16 GiB GPUs on PCIe 3.0 x16 (≈ 12 GiB/s). */
export const defaultGpuHost: GpuHost = { gpuMemKib: [16 * GiB, 16 * GiB], pcieKibPerSec: 12 * GiB }

/**
 * `tasks` tasks from `vms` VMs (weights 1 or 2): exponential inter-arrival times with mean
 * `meanGapS`, memory 2–12 GiB in whole MiB, work alone 10–60 s in whole seconds.
 */
export const generateGpuWorkload = (seed: number, vms = 6, tasks = 40, meanGapS = 20): GpuWorkload => {
  const g = new Cursor(seeded(seed))
  const vmList: GpuVm[] = []
  for (let v = 0; v < vms; v++) vmList.push({ id: `vm${String(v).padStart(2, '0')}`, weight: g.unit() < 0.5 ? 1 : 2 })
  const list: GpuTask[] = []
  let t = 0
  for (let i = 0; i < tasks; i++) {
    t += Math.round(-Math.log(1 - g.unit()) * meanGapS * 1000) / 1000
    list.push({ vm: Math.floor(g.unit() * vms), arrivalS: t, memKib: (2048 + Math.floor(g.unit() * 10 * 1024)) * 1024, workS: 10 + Math.floor(g.unit() * 51) })
  }
  // number the VMs in order of first task, as the CSV decoder does, so that a written and
  // re-read task list is the same workload (VM numbering decides each VM's home GPU)
  const renumber = new Map<number, number>()
  for (const task of list) if (!renumber.has(task.vm)) renumber.set(task.vm, renumber.size)
  return {
    vms: [...renumber.keys()].map((v) => vmList[v]!),
    tasks: list.map((task) => ({ vm: renumber.get(task.vm)!, arrivalS: task.arrivalS, memKib: task.memKib, workS: task.workS })),
  }
}

export const formatGpuCsv = (w: GpuWorkload): string =>
  ['vm,arrival_s,mem_kib,work_s,weight', ...w.tasks.map((t) => `${w.vms[t.vm]!.id},${t.arrivalS},${t.memKib},${t.workS},${w.vms[t.vm]!.weight}`)].join('\n') + '\n'

/**
 * Decodes a GPU task CSV: header `vm,arrival_s,mem_kib,work_s` optionally followed by `weight`;
 * arrival ≥ 0 and work > 0 in seconds, memory a positive integer KiB, weight (per VM, constant)
 * a positive number, default 1.
 */
export const parseGpuCsv = (text: string, source = 'tasks'): Either<string, GpuWorkload> => {
  const lines = text.split(/\r?\n/)
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  if (lines.length === 0) return left(`${source}: empty file, expected a header line`)
  const header = lines[0]!.split(',').map((h) => h.trim()).join(',')
  const withWeight = header === 'vm,arrival_s,mem_kib,work_s,weight'
  if (!withWeight && header !== 'vm,arrival_s,mem_kib,work_s') return left(`${source}: line 1: header must be 'vm,arrival_s,mem_kib,work_s[,weight]', got '${header}'`)
  const ids = new Map<string, number>()
  const weights: number[] = []
  const tasks: GpuTask[] = []
  for (let ln = 1; ln < lines.length; ln++) {
    const at = `${source}: line ${ln + 1}`
    const f = lines[ln]!.split(',').map((x) => x.trim())
    if (f.length !== (withWeight ? 5 : 4)) return left(`${at}: expected ${withWeight ? 5 : 4} fields, got ${f.length}`)
    const [id, a, m, w, wt] = f as [string, string, string, string, string | undefined]
    if (id === '') return left(`${at}: vm: empty name`)
    const arrivalS = Number(a)
    if (a === '' || !Number.isFinite(arrivalS) || arrivalS < 0) return left(`${at}: arrival_s: expected a non-negative number, got '${a}'`)
    const memKib = Number(m)
    if (!/^\d+$/.test(m) || !Number.isSafeInteger(memKib) || memKib <= 0) return left(`${at}: mem_kib: expected a positive integer, got '${m}'`)
    const workS = Number(w)
    if (w === '' || !Number.isFinite(workS) || workS <= 0) return left(`${at}: work_s: expected a positive number, got '${w}'`)
    let weight = 1
    if (wt !== undefined) {
      weight = Number(wt)
      if (wt === '' || !Number.isFinite(weight) || weight <= 0) return left(`${at}: weight: expected a positive number, got '${wt}'`)
    }
    let vm = ids.get(id)
    if (vm === undefined) { vm = ids.size; ids.set(id, vm); weights.push(weight) }
    else if (wt !== undefined && weights[vm] !== weight) return left(`${at}: weight: vm '${id}' had weight ${weights[vm]}, now ${weight}`)
    tasks.push({ vm, arrivalS, memKib, workS })
  }
  if (tasks.length === 0) return left(`${source}: no data rows`)
  return right({ vms: [...ids.keys()].map((id, i) => ({ id, weight: weights[i]! })), tasks })
}
