// Workloads for `memvirt alloc`: the bundled seeded generator (diurnal, bursty and idle-heavy
// VMs) and the CSV format `epoch,vm,demand_kib[,active_kib][,weight][,min_kib][,max_kib]`,
// decoded with line/field errors as values.
import { isLeft, left, right, type Either } from '../bits/either.ts'
import { type DecodeError, type Range, fieldError, intRange, lineError, numberFromText, realRange } from '../codec/index.ts'
import { Cursor, seeded } from './prng.ts'
import type { VmSpec, Workload } from './model.ts'

const MiB = 1024
const GiB = 1024 * 1024

/** What the generator makes: VM kinds cycle diurnal, bursty, idle-heavy. */
export type GeneratorParams = { readonly vms: number; readonly epochs: number; readonly seed: number; readonly periodEpochs: number }
export const generatorDefaults: GeneratorParams = { vms: 12, epochs: 96, seed: 1, periodEpochs: 48 }

export type VmKind = 'diurnal' | 'bursty' | 'idle'
export const kindOf = (vm: number): VmKind => (['diurnal', 'bursty', 'idle'] as const)[vm % 3]!

/**
 * A seeded synthetic workload. Each VM has a configured size (max) of 2, 4 or 8 GiB, a minimum of
 * 1/8 of it and weight 1 or 2. Diurnal VMs follow a sine of `periodEpochs` between 30 % and
 * 90 % of max with ±5 % noise, 70 % of it active; bursty VMs idle at 15–25 % and, with
 * probability 0.08 per epoch, burst to 80–100 % for 2–8 epochs, 80 % active; idle-heavy VMs sit
 * at 10–20 % with 20 % active. Demands are whole KiB.
 */
export const generateWorkload = (p: GeneratorParams = generatorDefaults): Workload => {
  const g = new Cursor(seeded(p.seed))
  const n = p.vms
  const vms: VmSpec[] = []
  for (let v = 0; v < n; v++) {
    const maxKib = [2, 4, 8][Math.floor(g.unit() * 3)]! * GiB
    vms.push({ id: `vm${String(v).padStart(2, '0')}`, weight: g.unit() < 0.5 ? 1 : 2, minKib: maxKib / 8, maxKib })
  }
  const demandKib = new Float64Array(n * p.epochs)
  const activeKib = new Float64Array(n * p.epochs)
  const phase = vms.map(() => g.unit() * 2 * Math.PI)
  const burstLeft = new Int32Array(n)
  for (let e = 0; e < p.epochs; e++) {
    for (let v = 0; v < n; v++) {
      const max = vms[v]!.maxKib
      let frac: number
      let active: number
      switch (kindOf(v)) {
        case 'diurnal':
          frac = 0.6 + 0.3 * Math.sin((2 * Math.PI * e) / p.periodEpochs + phase[v]!) + 0.1 * (g.unit() - 0.5)
          active = 0.7
          break
        case 'bursty':
          if (burstLeft[v] === 0 && g.unit() < 0.08) burstLeft[v] = 2 + Math.floor(g.unit() * 7)
          if (burstLeft[v]! > 0) { burstLeft[v] = burstLeft[v]! - 1; frac = 0.8 + 0.2 * g.unit() }
          else frac = 0.15 + 0.1 * g.unit()
          active = 0.8
          break
        case 'idle':
          frac = 0.1 + 0.1 * g.unit()
          active = 0.2
      }
      const d = Math.round(Math.min(1, Math.max(0, frac)) * max)
      demandKib[e * n + v] = d
      activeKib[e * n + v] = Math.round(d * active)
    }
  }
  return { vms, epochs: p.epochs, demandKib, activeKib }
}

/** The default host for the generated workload: 60 % of the VMs' configured memory, in MiB. */
export const defaultCapacityKib = (w: Workload): number =>
  Math.floor((0.6 * w.vms.reduce((s, v) => s + v.maxKib, 0)) / MiB) * MiB

/** The CSV form of a workload (every optional column written). */
export const formatWorkloadCsv = (w: Workload): string => {
  const n = w.vms.length
  const lines = ['epoch,vm,demand_kib,active_kib,weight,min_kib,max_kib']
  for (let e = 0; e < w.epochs; e++) {
    for (let v = 0; v < n; v++) {
      const vm = w.vms[v]!
      lines.push(`${e},${vm.id},${w.demandKib[e * n + v]},${w.activeKib[e * n + v]},${vm.weight},${vm.minKib},${vm.maxKib}`)
    }
  }
  return lines.join('\n') + '\n'
}

const required = ['epoch', 'vm', 'demand_kib'] as const
const optional = ['active_kib', 'weight', 'min_kib', 'max_kib'] as const

/** The ranges of the workload's columns (notes/codec-readme.md): at most a million epochs, 1 PiB per VM. */
export const WORKLOAD_RANGES = {
  epoch: intRange(0, 1_000_000),
  kib: intRange(0, 2 ** 40),
  weight: realRange(0, 1_000_000, { minOpen: true }),
} as const

/**
 * Decodes a workload CSV. The header must start `epoch,vm,demand_kib`, followed by any of
 * `active_kib`, `weight`, `min_kib`, `max_kib` in any order. Epochs are 0, 1, 2, … and every VM
 * (in order of first appearance) has exactly one row per epoch. KiB fields are integers from 0 to
 * 2^40, epochs at most 10^6, weight a number in (0, 10^6]; weight/min/max are per VM and must not
 * change between its rows. Defaults: active = demand, weight 1, min 0, max = the VM's peak demand.
 * Errors name the line and field (`formatError(file, e)` gives `FILE:3: demand_kib: expected …`).
 */
export const parseWorkloadCsv = (text: string): Either<DecodeError, Workload> => {
  const lines = text.split(/\r?\n/)
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  if (lines.length === 0) return left(fieldError('', 'empty file, expected a header line'))
  const header = lines[0]!.split(',').map((h) => h.trim())
  for (let k = 0; k < required.length; k++) {
    if (header[k] !== required[k]) return left(lineError(1, undefined, `column ${k + 1} must be '${required[k]}', got '${header[k] ?? ''}'`))
  }
  const col = new Map<string, number>()
  for (let k = 3; k < header.length; k++) {
    const h = header[k]!
    if (!(optional as readonly string[]).includes(h)) return left(lineError(1, undefined, `unknown column '${h}' (expected ${optional.join(', ')})`))
    if (col.has(h)) return left(lineError(1, undefined, `column '${h}' appears twice`))
    col.set(h, k)
  }
  type Acc = { id: string; weight: number | null; min: number | null; max: number | null; demand: Map<number, number>; active: Map<number, number> }
  const byId = new Map<string, Acc>()
  let epochs = 0
  for (let ln = 1; ln < lines.length; ln++) {
    const bad = (message: string): Either<DecodeError, never> => left(lineError(ln + 1, undefined, message))
    const f = lines[ln]!.split(',').map((x) => x.trim())
    if (f.length !== header.length) return bad(`expected ${header.length} fields, got ${f.length}`)
    const field = (name: string, range: Range, text: string): Either<DecodeError, number> => {
      const n = numberFromText(range, text)
      return isLeft(n) ? bad(`${name}: ${n.left}`) : n
    }
    const epoch = field('epoch', WORKLOAD_RANGES.epoch, f[0]!)
    if (isLeft(epoch)) return epoch
    const e = epoch.right
    const id = f[1]!
    if (id === '') return bad('vm: empty name')
    const demand = field('demand_kib', WORKLOAD_RANGES.kib, f[2]!)
    if (isLeft(demand)) return demand
    const acc = byId.get(id) ?? { id, weight: null, min: null, max: null, demand: new Map(), active: new Map() }
    byId.set(id, acc)
    if (acc.demand.has(e)) return bad(`vm '${id}' already has a row for epoch ${e}`)
    acc.demand.set(e, demand.right)
    const get = (name: string): string | undefined => { const k = col.get(name); return k === undefined ? undefined : f[k] }
    const a = get('active_kib')
    if (a !== undefined) {
      const x = field('active_kib', WORKLOAD_RANGES.kib, a)
      if (isLeft(x)) return x
      acc.active.set(e, x.right)
    }
    const w = get('weight')
    if (w !== undefined) {
      const x = field('weight', WORKLOAD_RANGES.weight, w)
      if (isLeft(x)) return x
      if (acc.weight !== null && acc.weight !== x.right) return bad(`weight: vm '${id}' had weight ${acc.weight}, now ${x.right}`)
      acc.weight = x.right
    }
    for (const name of ['min_kib', 'max_kib'] as const) {
      const s = get(name)
      if (s === undefined) continue
      const x = field(name, WORKLOAD_RANGES.kib, s)
      if (isLeft(x)) return x
      const key = name === 'min_kib' ? 'min' : 'max'
      if (acc[key] !== null && acc[key] !== x.right) return bad(`${name}: vm '${id}' had ${acc[key]}, now ${x.right}`)
      acc[key] = x.right
    }
    epochs = Math.max(epochs, e + 1)
  }
  const accs = [...byId.values()]
  if (accs.length === 0) return left(fieldError('', 'no data rows'))
  // Every VM has a row for every epoch: checked before the tables are allocated, so a stray large
  // epoch costs an error, not n × epochs of memory.
  for (const acc of accs) {
    if (acc.demand.size === epochs) continue
    let e = 0
    while (acc.demand.has(e)) e++
    return left(fieldError('', `vm '${acc.id}' has no row for epoch ${e}`))
  }
  const n = accs.length
  const demandKib = new Float64Array(n * epochs)
  const activeKib = new Float64Array(n * epochs)
  const vms: VmSpec[] = []
  for (let v = 0; v < n; v++) {
    const acc = accs[v]!
    let peak = 0
    for (let e = 0; e < epochs; e++) {
      const d = acc.demand.get(e)!
      demandKib[e * n + v] = d
      activeKib[e * n + v] = acc.active.get(e) ?? d
      peak = Math.max(peak, d)
    }
    const minKib = acc.min ?? 0
    const maxKib = acc.max ?? Math.max(peak, minKib)
    if (minKib > maxKib) return left(fieldError('', `vm '${acc.id}': min_kib ${minKib} exceeds max_kib ${maxKib}`))
    vms.push({ id: acc.id, weight: acc.weight ?? 1, minKib, maxKib })
  }
  return right({ vms, epochs, demandKib, activeKib })
}
