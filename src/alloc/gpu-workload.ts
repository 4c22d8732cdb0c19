// GPU task lists for `memvirt gpu`: the CSV format `vm,arrival_s,mem_kib,work_s[,weight]` and a
// seeded generator whose memory demand exceeds the GPUs' memory part of the time.
import { isLeft, left, right, type Either } from '../bits/either.ts'
import { type DecodeError, type Range, fieldError, intRange, lineError, numberFromText, realRange } from '../codec/index.ts'
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

/** The ranges of the task list's columns (notes/codec-readme.md). */
export const GPU_TASK_RANGES = {
  arrivalS: realRange(0, 1e9),
  memKib: intRange(1, 2 ** 40),
  workS: realRange(0, 1e9, { minOpen: true }),
  weight: realRange(0, 1_000_000, { minOpen: true }),
} as const

/**
 * Decodes a GPU task CSV: header `vm,arrival_s,mem_kib,work_s` optionally followed by `weight`;
 * arrival in [0, 10^9] and work in (0, 10^9] seconds, memory an integer from 1 to 2^40 KiB, weight
 * (per VM, constant) a number in (0, 10^6], default 1. Errors name the line and field.
 */
export const parseGpuCsv = (text: string): Either<DecodeError, GpuWorkload> => {
  const lines = text.split(/\r?\n/)
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  if (lines.length === 0) return left(fieldError('', 'empty file, expected a header line'))
  const header = lines[0]!.split(',').map((h) => h.trim()).join(',')
  const withWeight = header === 'vm,arrival_s,mem_kib,work_s,weight'
  if (!withWeight && header !== 'vm,arrival_s,mem_kib,work_s') return left(lineError(1, undefined, `header must be 'vm,arrival_s,mem_kib,work_s[,weight]', got '${header}'`))
  const ids = new Map<string, number>()
  const weights: number[] = []
  const tasks: GpuTask[] = []
  for (let ln = 1; ln < lines.length; ln++) {
    const bad = (message: string): Either<DecodeError, never> => left(lineError(ln + 1, undefined, message))
    const field = (name: string, range: Range, text: string): Either<DecodeError, number> => {
      const n = numberFromText(range, text)
      return isLeft(n) ? bad(`${name}: ${n.left}`) : n
    }
    const f = lines[ln]!.split(',').map((x) => x.trim())
    if (f.length !== (withWeight ? 5 : 4)) return bad(`expected ${withWeight ? 5 : 4} fields, got ${f.length}`)
    const [id, a, m, w, wt] = f as [string, string, string, string, string | undefined]
    if (id === '') return bad('vm: empty name')
    const arrivalS = field('arrival_s', GPU_TASK_RANGES.arrivalS, a)
    if (isLeft(arrivalS)) return arrivalS
    const memKib = field('mem_kib', GPU_TASK_RANGES.memKib, m)
    if (isLeft(memKib)) return memKib
    const workS = field('work_s', GPU_TASK_RANGES.workS, w)
    if (isLeft(workS)) return workS
    let weight = 1
    if (wt !== undefined) {
      const x = field('weight', GPU_TASK_RANGES.weight, wt)
      if (isLeft(x)) return x
      weight = x.right
    }
    let vm = ids.get(id)
    if (vm === undefined) { vm = ids.size; ids.set(id, vm); weights.push(weight) }
    else if (wt !== undefined && weights[vm] !== weight) return bad(`weight: vm '${id}' had weight ${weights[vm]}, now ${weight}`)
    tasks.push({ vm, arrivalS: arrivalS.right, memKib: memKib.right, workS: workS.right })
  }
  if (tasks.length === 0) return left(fieldError('', 'no data rows'))
  return right({ vms: [...ids.keys()].map((id, i) => ({ id, weight: weights[i]! })), tasks })
}
