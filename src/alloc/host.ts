// The host description `memvirt alloc --host HOST.json` and `memvirt gpu --host GPU.json` read:
// `{ "capacityKib": N }` plus optional per-policy parameters, each defaulting to the policy's
// documented defaults. Decoded explicitly so every error names its field; unknown keys are
// errors (a typo must not silently fall back to a default).
import { left, right, type Either } from 'fp-ts/lib/Either.js'
import { esxDefaults, type EsxParams } from './esx.ts'
import { balloonDefaults, type BalloonParams } from './balloon.ts'
import { squeezeDefaults, type SqueezeParams } from './squeeze.ts'
import { arAcoDefaults, type ArAcoParams } from './ar-aco.ts'
import { blocksDefaults, cloudsimDefaults, type BlocksParams, type CloudsimParams } from './blocks.ts'
import type { GpuHost } from './gpu.ts'

export type AllocHost = {
  readonly capacityKib: number
  readonly esx: EsxParams
  readonly balloon: BalloonParams
  readonly squeeze: SqueezeParams
  readonly arAco: ArAcoParams
  readonly blocks: BlocksParams
  readonly cloudsim: CloudsimParams
}

type Json = unknown
type Check<T> = (x: Json, path: string) => Either<string, T>

const isObject = (x: Json): x is Record<string, Json> => typeof x === 'object' && x !== null && !Array.isArray(x)
const show = (x: Json): string => JSON.stringify(x) ?? String(x)

const num = (ok: (n: number) => boolean, what: string): Check<number> => (x, path) =>
  typeof x === 'number' && Number.isFinite(x) && ok(x) ? right(x) : left(`${path}: expected ${what}, got ${show(x)}`)
const kib = num((n) => Number.isSafeInteger(n) && n > 0, 'a positive integer (KiB)')
const count = num((n) => Number.isSafeInteger(n) && n >= 0, 'a non-negative integer')
const positiveInt = num((n) => Number.isSafeInteger(n) && n > 0, 'a positive integer')
const nonNeg = num((n) => n >= 0, 'a non-negative number')
const positive = num((n) => n > 0, 'a positive number')
const fraction = num((n) => n >= 0 && n <= 1, 'a number in [0, 1]')
const taxRate = num((n) => n >= 0 && n < 1, 'a number in [0, 1)')

/** Decodes an optional object of numeric parameters over its defaults. */
const params = <T extends object>(dflt: T, fields: { readonly [K in keyof T]?: Check<T[K]> }): Check<T> => (x, path) => {
  if (x === undefined) return right(dflt)
  if (!isObject(x)) return left(`${path}: expected an object, got ${show(x)}`)
  const out: Record<string, unknown> = { ...(dflt as Record<string, unknown>) }
  for (const [k, v] of Object.entries(x)) {
    const check = (fields as Record<string, Check<unknown> | undefined>)[k]
    if (check === undefined) return left(`${path}.${k}: unknown parameter (known: ${Object.keys(fields).join(', ')})`)
    const r = check(v, `${path}.${k}`)
    if (r._tag === 'Left') return r
    out[k] = r.right
  }
  return right(out as T)
}

const levels: Check<readonly number[]> = (x, path) =>
  Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)
    ? right(x as number[]) : left(`${path}: expected a non-empty array of positive numbers, got ${show(x)}`)

const csHosts: Check<CloudsimParams['hosts']> = (x, path) => {
  if (x === null) return right(null)
  if (!Array.isArray(x) || x.length === 0) return left(`${path}: expected a non-empty array of hosts or null, got ${show(x)}`)
  const out = []
  for (let i = 0; i < x.length; i++) {
    const h = params({ pes: 1, mipsPerPe: 1000, ramKib: 0 }, { pes: positiveInt, mipsPerPe: positive, ramKib: count })(x[i], `${path}[${i}]`)
    if (h._tag === 'Left') return h
    out.push(h.right)
  }
  return right(out)
}

/** Decodes a parsed host JSON for `memvirt alloc`. */
export const decodeAllocHost = (x: Json, source = 'host'): Either<string, AllocHost> => {
  if (!isObject(x)) return left(`${source}: expected a JSON object, got ${show(x)}`)
  const known = ['capacityKib', 'esx', 'balloon', 'squeeze', 'arAco', 'blocks', 'cloudsim']
  for (const k of Object.keys(x)) if (!known.includes(k)) return left(`${source}: ${k}: unknown field (known: ${known.join(', ')})`)
  if (!('capacityKib' in x)) return left(`${source}: capacityKib: missing (the host's memory in KiB)`)
  const capacityKib = kib(x['capacityKib'], `${source}: capacityKib`)
  if (capacityKib._tag === 'Left') return capacityKib
  const esx = params<EsxParams>(esxDefaults, { tau: taxRate, samplePages: count, fastGain: fraction, slowGain: fraction, sharesPerWeight: positive })(x['esx'], `${source}: esx`)
  if (esx._tag === 'Left') return esx
  const balloon = params<BalloonParams>(balloonDefaults, { headroom: nonNeg, ackPagesPerEpoch: positiveInt })(x['balloon'], `${source}: balloon`)
  if (balloon._tag === 'Left') return balloon
  const squeeze = params<SqueezeParams>(squeezeDefaults, { targetFreeKib: count, balloonKibPerEpoch: positiveInt, inaccuracyKib: count, epochSeconds: positive })(x['squeeze'], `${source}: squeeze`)
  if (squeeze._tag === 'Left') return squeeze
  const arAco = params<ArAcoParams>(arAcoDefaults, {
    order: positiveInt, window: positiveInt, levels, margin: nonNeg, ants: positiveInt, iterations: positiveInt,
    alpha: nonNeg, beta: nonNeg, rho: fraction, underPenalty: nonNeg, overPenalty: nonNeg,
  })(x['arAco'], `${source}: arAco`)
  if (arAco._tag === 'Left') return arAco
  if (arAco.right.window < arAco.right.order + 2) return left(`${source}: arAco.window: must be at least order + 2 = ${arAco.right.order + 2}`)
  const blocks = params<BlocksParams>(blocksDefaults, { blockKib: positiveInt })(x['blocks'], `${source}: blocks`)
  if (blocks._tag === 'Left') return blocks
  const cloudsim = params<CloudsimParams>(cloudsimDefaults, { hosts: csHosts, vmMips: positive, cloudletsPerVm: positiveInt, cloudletMi: positive })(x['cloudsim'], `${source}: cloudsim`)
  if (cloudsim._tag === 'Left') return cloudsim
  return right({ capacityKib: capacityKib.right, esx: esx.right, balloon: balloon.right, squeeze: squeeze.right, arAco: arAco.right, blocks: blocks.right, cloudsim: cloudsim.right })
}

/** The defaults for a given capacity (what `--host` omitted means, with the generator's capacity). */
export const allocHostDefaults = (capacityKib: number): AllocHost => ({
  capacityKib, esx: esxDefaults, balloon: balloonDefaults, squeeze: squeezeDefaults, arAco: arAcoDefaults, blocks: blocksDefaults, cloudsim: cloudsimDefaults,
})

/** Decodes a parsed GPU host JSON: `{ "gpuMemKib": [N, …], "pcieKibPerSec": N }`. */
export const decodeGpuHost = (x: Json, source = 'host'): Either<string, GpuHost> => {
  if (!isObject(x)) return left(`${source}: expected a JSON object, got ${show(x)}`)
  for (const k of Object.keys(x)) if (k !== 'gpuMemKib' && k !== 'pcieKibPerSec') return left(`${source}: ${k}: unknown field (known: gpuMemKib, pcieKibPerSec)`)
  const g = x['gpuMemKib']
  if (!Array.isArray(g) || g.length === 0) return left(`${source}: gpuMemKib: expected a non-empty array of GPU memory sizes in KiB, got ${show(g)}`)
  for (let i = 0; i < g.length; i++) {
    const r = kib(g[i], `${source}: gpuMemKib[${i}]`)
    if (r._tag === 'Left') return r
  }
  const p = positive(x['pcieKibPerSec'] ?? 12 * 1024 * 1024, `${source}: pcieKibPerSec`)
  if (p._tag === 'Left') return p
  return right({ gpuMemKib: g as number[], pcieKibPerSec: p.right })
}
