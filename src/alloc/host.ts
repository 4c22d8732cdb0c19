// The host description `memvirt alloc --host HOST.json` and `memvirt gpu --host GPU.json` read:
// `{ "capacityKib": N }` plus optional per-policy parameters, each defaulting to the policy's
// documented defaults. Decoded with the codec kit (src/codec/): unknown keys are errors (a typo must
// not silently fall back to a default) and every number has a documented range (notes/codec-readme.md).
import { type Either, isLeft, left, right } from '../bits/either.ts'
import {
  type DecodeError, type FieldError, bounded, decodeValue, exact, fieldError, intRange, list, nullable, parseJson, realRange,
} from '../codec/index.ts'
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

// ---- the ranges (each is documented in notes/codec-readme.md; a run stays finite and its numbers finite) ----

const TIB_IN_KIB = 2 ** 40                                  // 1 PiB of memory, in KiB
const kib = bounded(intRange(1, TIB_IN_KIB))
const kibOrZero = bounded(intRange(0, TIB_IN_KIB))
const fraction = bounded(realRange(0, 1))

/** The ranges of every host parameter, by field path: the README table is printed from these. */
export const HOST_RANGES = {
  capacityKib: kib,
  esx: {
    tau: bounded(realRange(0, 1, { maxOpen: true })), samplePages: bounded(intRange(0, 10_000)),
    fastGain: fraction, slowGain: fraction, sharesPerWeight: bounded(realRange(0, 1e6, { minOpen: true })),
  },
  balloon: { headroom: bounded(realRange(0, 10)), ackPagesPerEpoch: bounded(intRange(1, 2 ** 32)) },
  squeeze: {
    targetFreeKib: kibOrZero, balloonKibPerEpoch: kib, inaccuracyKib: kibOrZero,
    epochSeconds: bounded(realRange(0, 86_400, { minOpen: true })),
  },
  arAco: {
    order: bounded(intRange(1, 8)), window: bounded(intRange(3, 1024)),
    levels: list(bounded(realRange(0, 100, { minOpen: true })), { min: 1, max: 32 }),
    margin: bounded(realRange(0, 10)), ants: bounded(intRange(1, 64)), iterations: bounded(intRange(1, 500)),
    alpha: bounded(realRange(0, 10)), beta: bounded(realRange(0, 10)), rho: fraction,
    underPenalty: bounded(realRange(0, 1e6)), overPenalty: bounded(realRange(0, 1e6)),
  },
  blocks: { blockKib: kib },
  cloudsim: {
    vmMips: bounded(realRange(0, 1e9, { minOpen: true })), cloudletsPerVm: bounded(intRange(1, 1000)),
    cloudletMi: bounded(realRange(0, 1e12, { minOpen: true })),
  },
  cloudsimHost: { pes: bounded(intRange(1, 1024)), mipsPerPe: bounded(realRange(0, 1e9, { minOpen: true })), ramKib: kibOrZero },
  gpu: { gpuMemKib: kib, pcieKibPerSec: bounded(realRange(1, TIB_IN_KIB)) },
} as const

const R = HOST_RANGES
const CsHostCodec = exact('a CloudSim host', {}, R.cloudsimHost)

const AllocHostCodec = exact('a host (a JSON object with at least "capacityKib")', { capacityKib: R.capacityKib }, {
  esx: exact('an object of esx parameters', {}, R.esx),
  balloon: exact('an object of balloon parameters', {}, R.balloon),
  squeeze: exact('an object of squeeze parameters', {}, R.squeeze),
  arAco: exact('an object of arAco parameters', {}, R.arAco),
  blocks: exact('an object of blocks parameters', {}, R.blocks),
  cloudsim: exact('an object of cloudsim parameters', {}, { ...R.cloudsim, hosts: nullable(list(CsHostCodec, { min: 1, max: 1024 })) }),
})

// ---- decoding -----------------------------------------------------------------------------------

/** Decodes a parsed host JSON for `memvirt alloc`: the given parameters over the policies' defaults. */
export const decodeAllocHost = (u: unknown): Either<FieldError, AllocHost> => {
  const r = decodeValue(AllocHostCodec, u)
  if (isLeft(r)) return r
  const x = r.right
  const arAco: ArAcoParams = { ...arAcoDefaults, ...x.arAco }
  if (arAco.window < arAco.order + 2) return left(fieldError('arAco.window', `must be at least order + 2 = ${arAco.order + 2}`))
  const cs = x.cloudsim ?? {}
  const hosts = cs.hosts === undefined || cs.hosts === null ? null : cs.hosts.map((h) => ({ pes: 1, mipsPerPe: 1000, ramKib: 0, ...h }))
  return right({
    capacityKib: x.capacityKib,
    esx: { ...esxDefaults, ...x.esx },
    balloon: { ...balloonDefaults, ...x.balloon },
    squeeze: { ...squeezeDefaults, ...x.squeeze },
    arAco,
    blocks: { ...blocksDefaults, ...x.blocks },
    cloudsim: { ...cloudsimDefaults, ...cs, hosts },
  })
}

/** Parses and decodes the text of a host file for `memvirt alloc`. */
export const parseAllocHost = (text: string): Either<DecodeError, AllocHost> => {
  const json = parseJson(text)
  return isLeft(json) ? json : decodeAllocHost(json.right)
}

/** The defaults for a given capacity (what `--host` omitted means, with the generator's capacity). */
export const allocHostDefaults = (capacityKib: number): AllocHost => ({
  capacityKib, esx: esxDefaults, balloon: balloonDefaults, squeeze: squeezeDefaults, arAco: arAcoDefaults, blocks: blocksDefaults, cloudsim: cloudsimDefaults,
})

/** The default PCIe rate: PCIe 3 x16, about 12 GiB/s. */
const DEFAULT_PCIE_KIB_PER_SEC = 12 * 1024 * 1024

const GpuHostCodec = exact('a GPU host (a JSON object with "gpuMemKib")', { gpuMemKib: list(R.gpu.gpuMemKib, { min: 1, max: 64 }) }, { pcieKibPerSec: R.gpu.pcieKibPerSec })

/** Decodes a parsed GPU host JSON: `{ "gpuMemKib": [N, …], "pcieKibPerSec": N }`. */
export const decodeGpuHost = (u: unknown): Either<FieldError, GpuHost> => {
  const r = decodeValue(GpuHostCodec, u)
  return isLeft(r) ? r : right({ gpuMemKib: r.right.gpuMemKib, pcieKibPerSec: r.right.pcieKibPerSec ?? DEFAULT_PCIE_KIB_PER_SEC })
}

/** Parses and decodes the text of a GPU host file. */
export const parseGpuHost = (text: string): Either<DecodeError, GpuHost> => {
  const json = parseJson(text)
  return isLeft(json) ? json : decodeGpuHost(json.right)
}
