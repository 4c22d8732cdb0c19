// The decoding functions the CLI calls, each with the project's own valid inputs as mutation seeds:
// every one takes the bytes of a file and must return a decode error value or a decoded value —
// never throw — in bounded time. Line-based formats are decoded line by line, as the CLI does.
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseElf } from '../../src/elf/elf.ts'
import { parseScenario } from '../../src/cli/scenario.ts'
import { parseIommuScenario } from '../../src/cli/iommu-scenario.ts'
import { parseVirtioScenario } from '../../src/cli/virtio-iommu.ts'
import { parseArmScenario } from '../../src/cli/translate-armv7.ts'
import { decodeVmBlockLine } from '../../src/cli/cache.ts'
import { parseAllocHost, parseGpuHost } from '../../src/alloc/host.ts'
import { parseWorkloadCsv } from '../../src/alloc/workload.ts'
import { parseGpuCsv } from '../../src/alloc/gpu-workload.ts'
import { decodeTraceLine } from '../../src/trace/jsonl.ts'
import { parseSpikeLine } from '../../src/trace/spike-log.ts'
import { decodeEvent } from '../../src/cosim/events.ts'
import { decodeSnapshotFile } from '../../src/cli/redundancy.ts'
import { recompressed, snapshots } from './snapshots.ts'
import { utf8Text } from '../../src/codec/text.ts'
import { CSV_DEFAULTS, decodeCsvLine, decodeMsrLine, decodeOracleRecord, decodeTxtLine, encodeOracle, ORACLE_RECORD_BYTES } from '../../src/cache/trace.ts'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const file = (p: string): Uint8Array => new Uint8Array(readFileSync(ROOT + p))
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const firstLines = (p: string, n: number): Uint8Array => text(readFileSync(ROOT + p, 'utf8').split('\n').slice(0, n).join('\n') + '\n')
const inDir = (dir: string, re: RegExp): string[] => readdirSync(ROOT + dir).filter((f) => re.test(f)).sort().map((f) => `${dir}/${f}`)

/** What a decoder returned: a tagged Either (anything else, or a throw, is a failure). */
type Result = { readonly _tag: string; readonly left?: unknown }
/** The text of an error value: the string, or the strings of its fields (path, message, …). */
const errorText = (e: unknown): string =>
  typeof e === 'string' ? e : typeof e === 'object' && e !== null ? Object.values(e).filter((x) => typeof x === 'string').join(' ') : ''
/**
 * An Either whose error, if any, prints as one line (the CLI prints it after `memvirt: FILE: `, so a
 * newline inside would make a multi-line reject).
 */
const isEither = (r: Result): boolean => r._tag === 'Right' || (r._tag === 'Left' && !errorText(r.left).includes('\n'))

/** The UTF-8 text the CLI's streamed readers decode (bad bytes as U+FFFD); line-based readers see latin1. */
const utf8 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8')
/** What the CLI's readText does with a file (src/cli/io.ts): bytes that are not UTF-8 are a clean reject, else `f` sees the text. */
const readText = (b: Uint8Array, f: (s: string) => boolean): boolean => { const t = utf8Text(b); return t._tag === 'Left' || f(t.right) }
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1')
/** Every line through `f`, stopping at the first error, as the CLI's readers do. */
const lines = (s: string, f: (line: string, lineNo: number) => Result): boolean => {
  for (const [i, raw] of s.split('\n').entries()) {
    const r = f(raw.endsWith('\r') ? raw.slice(0, -1) : raw, i + 1)
    if (!isEither(r)) return false
    if (r._tag === 'Left') return true
  }
  return true
}

export interface Decoder {
  readonly name: string
  /** The valid inputs mutations start from. */
  readonly seeds: () => readonly Uint8Array[]
  /** True when the decoder answered with a value (a one-line error value counts); false for any other answer. */
  readonly decode: (bytes: Uint8Array) => boolean
  /** The file the CLI reads for a (mutated) seed, when it is not the bytes themselves (`decode` applies it too). */
  readonly file?: (bytes: Uint8Array) => Uint8Array
}

const hostSeeds = [
  '{"capacityKib": 28940288, "esx": {"tau": 0.5, "samplePages": 10}, "arAco": {"order": 2, "window": 8, "levels": [1, 1.5]}, "cloudsim": {"hosts": [{"pes": 2}]}}\n',
  '{"capacityKib": 28940288, "balloon": {"headroom": 0.1}, "squeeze": {"targetFreeKib": 0, "epochSeconds": 60}}\n',
]
const oracleSeed = (): Uint8Array => encodeOracle(Array.from({ length: 40 }, (_, i) => ({ time: i, id: (i * 7) % 11, size: 4096 + i, next: i % 3 === 0 ? Infinity : i + 11 })))

export const DECODERS: readonly Decoder[] = [
  { name: 'elf', seeds: () => inDir('golden/programs', /\.elf$/).concat(['golden/isa/tiny.elf', 'golden/isa/tiny32.elf']).map(file), decode: (b) => isEither(parseElf(b)) },
  { name: 'translate', seeds: () => inDir('golden/translate', /\.json$/).map(file), decode: (b) => readText(b, (u) => isEither(parseScenario(u))) },
  { name: 'translate-armv7', seeds: () => inDir('golden/translate/armv7', /\.json$/).map(file), decode: (b) => readText(b, (u) => isEither(parseArmScenario(u, 'x.json'))) },
  { name: 'iommu', seeds: () => inDir('golden/iommu', /\.json$/).map(file), decode: (b) => readText(b, (u) => isEither(parseIommuScenario(u, 'x.json'))) },
  { name: 'virtio-iommu', seeds: () => inDir('golden/virtio-iommu', /\.json$/).map(file), decode: (b) => readText(b, (u) => isEither(parseVirtioScenario(u, 'x.json'))) },
  { name: 'alloc-host', seeds: () => [file('golden/alloc/bundled-host.json'), ...hostSeeds.map(text)], decode: (b) => readText(b, (u) => isEither(parseAllocHost(u))) },
  { name: 'gpu-host', seeds: () => [file('golden/alloc/gpu-host.json')], decode: (b) => readText(b, (u) => isEither(parseGpuHost(u))) },
  { name: 'alloc-workload-csv', seeds: () => [firstLines('golden/alloc/bundled-workload.csv', 1 + 12 * 4)], decode: (b) => readText(b, (u) => isEither(parseWorkloadCsv(u))) },
  { name: 'gpu-tasks-csv', seeds: () => [file('golden/alloc/gpu-tasks.csv')], decode: (b) => readText(b, (u) => isEither(parseGpuCsv(u))) },
  { name: 'trace-jsonl', seeds: () => [firstLines('golden/trace/hyp.jsonl', 30)], decode: (b) => lines(utf8(b), (l) => (l === '' ? { _tag: 'Right' } : decodeTraceLine(l))) },
  { name: 'cosim-events', seeds: () => [firstLines('golden/cosim/sv39.spike.jsonl', 60)], decode: (b) => readText(b, (u) => lines(u, (l) => (l === '' ? { _tag: 'Right' } : decodeEvent(l)))) },
  { name: 'spike-log', seeds: () => [firstLines('golden/trace/hyp.spike-l.txt', 60), firstLines('golden/programs/hyp.spike.commits', 60)], decode: (b) => lines(utf8(b), (l) => parseSpikeLine(l)) },
  { name: 'cache-txt', seeds: () => [firstLines('golden/cache/zipf-scan-10k.txt', 200)], decode: (b) => lines(latin1(b), (l) => decodeTxtLine(l)) },
  {
    name: 'cache-csv',
    seeds: () => [text(readFileSync(ROOT + 'golden/cache/zipf-scan-10k.txt', 'utf8').split('\n').slice(0, 100).map((id, i) => `${i},${id},4096`).join('\n'))],
    decode: (b) => lines(latin1(b), (l) => decodeCsvLine(l, CSV_DEFAULTS)) && lines(latin1(b), (l) => decodeCsvLine(l, { objIdCol: 2, hasHeader: false, delimiter: ',', objIdIsNum: true })),
  },
  {
    name: 'cache-oracleGeneral',
    seeds: () => [oracleSeed()],
    decode: (b) => {
      const dv = new DataView(b.buffer, b.byteOffset, b.length)
      for (let at = 0; at + ORACLE_RECORD_BYTES <= b.length; at += ORACLE_RECORD_BYTES) {
        const r = decodeOracleRecord(dv, at)
        if (!isEither(r)) return false
        if (r._tag === 'Left') return true
      }
      return true
    },
  },
  { name: 'cache-msr', seeds: () => [firstLines('golden/cache/three-vms.msr.csv', 60)], decode: (b) => lines(latin1(b), (l) => decodeMsrLine(l, 4096)) && lines(latin1(b), (l) => decodeMsrLine(l, 512)) },
  // snapshot files as `resume FILE` and `run --restore FILE` read them: inflate (version 3) and decode
  { name: 'snapshot', seeds: () => snapshots().flatMap((x) => [x.v3, x.v2, x.v1]), decode: (b) => isEither(decodeSnapshotFile(b)) },
  // version-2 files mutated, every section's CRC made right and compressed: the mutations reach the STAT record and the pages
  { name: 'snapshot-sections', seeds: () => snapshots().map((x) => x.v2), file: recompressed, decode: (b) => isEither(decodeSnapshotFile(recompressed(b))) },
  { name: 'blockcache-vmcsv', seeds: () => [text('vm,block,op\n0,1,R\n1,2,W\n0,1,W\n2,7,R\n1,2,R\n')], decode: (b) => lines(latin1(b), (l, n) => decodeVmBlockLine(l, n)) },
]
