// `memvirt cache`: replay a key or block trace through cache policies and print miss counts, as a
// table or JSON, optionally as a miss-ratio curve plotted to SVG. The imperative shell: it reads
// the trace file in chunks (constant memory in trace length), decodes each record once, and turns
// bad input into one line naming the line number or byte offset.
import { guessTraceFormat } from '../cache/trace-format.ts'
import { parseSizeSpec, resolveSize } from '../cache/size-spec.ts'
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'
import { endianness } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { Command } from 'commander'
import { SingleBar, Presets } from 'cli-progress'
import { isLeft, right, left, type Either } from '../bits/either.ts'
import { type Range, intRange, numberFromText } from '../codec/numbers.ts'
import { showValue } from '../codec/errors.ts'
import type { AdmissionOptions } from '../cache/admission.ts'
import { blockAccess, blockReq, flush, initBlockCache, jainIndex, MAX_VMS, vmReport, type BlockCacheConfig, type BlockCacheState, type WritePolicy } from '../cache/blockcache.ts'
import { mrcSizes, mrcSpec, type MrcPoint } from '../cache/mrc.ts'
import { POLICIES } from '../cache/policies/index.ts'
import { describeRange, inRange, isPolicyName, POLICY_NAMES, SIZED_POLICIES, type Params, type PolicyName } from '../cache/policy.ts'
import { interner, nextAccesses, sourceOf, type Config, type IdOrigin, type Source, type Stats } from '../cache/simulate.ts'
import { simulateSource } from '../cache/engine/replay.ts'
import {
  CSV_DEFAULTS, decodeCsvLine, decodeMsrLine, isDecimal, forEachBlock, decodeOracleRecord, forEachTxtChunk, MSR_MAX_REQUEST_BLOCKS, MSR_MAX_REQUEST_BLOCKS_CEILING,
  ORACLE_RECORD_BYTES, oracleId, oracleNext, TRACE_FORMATS, type BlockIo, type CsvOptions, type TraceFormat,
} from '../cache/trace.ts'
import { cannotRead, failInput } from './io.ts'
import { openOutput, writeOutput } from './output.ts'
import { renderSvg } from './plot.ts'
import { openTrace, TraceReadError, type TraceReader } from './trace-reader.ts'

const CHUNK = 1 << 20

/** Calls `line(text, lineNo)` for every line of the file; stops at the first Left. */
export const forEachLine = (
  path: string,
  line: (text: string, lineNo: number) => Either<string, void>,
  onBytes?: (read: number) => void,
): Either<string, void> => {
  const rd = openTrace(path)
  try {
    const buf = Buffer.allocUnsafe(CHUNK)
    let carry = ''
    let lineNo = 0
    for (;;) {
      const n = rd.read(buf, 0, CHUNK)
      if (n === 0) break
      const text = carry + buf.toString('latin1', 0, n)
      let start = 0
      for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
        lineNo++
        const r = line(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl), lineNo)
        if (isLeft(r)) return left(`line ${lineNo}: ${r.left}`)
        start = nl + 1
      }
      carry = text.slice(start)
      onBytes?.(rd.position())
    }
    if (carry !== '') {
      lineNo++
      const r = line(carry, lineNo)
      if (isLeft(r)) return left(`line ${lineNo}: ${r.left}`)
    }
    return right(undefined)
  } catch (e) {
    if (e instanceof TraceReadError) return left(e.message)
    throw e
  } finally {
    rd.close()
  }
}

/**
 * Calls `sink(id)` for every id of a txt trace, decoding whole chunks of bytes (`decodeTxtChunk`,
 * the fast path of `forEachLine` with `decodeTxtLine`); a line longer than the buffer grows it.
 */
const forEachTxtId = (path: string, sink: (id: number) => void, onBytes?: (read: number) => void): Either<string, void> => {
  const rd = openTrace(path)
  try {
    return forEachTxtChunk((buf, offset, length) => rd.read(buf, offset, length), CHUNK, sink, () => onBytes?.(rd.position()))
  } catch (e) {
    if (e instanceof TraceReadError) return left(e.message)
    throw e
  } finally {
    rd.close()
  }
}

/**
 * Calls `sink(id, next, size)` for every 24-byte oracleGeneral record, decoded in place (the allocation-
 * free `oracleId`/`oracleNext`; `decodeOracleRecord` only to word an error); a short tail is an error.
 */
const forEachOracleRecord = (
  path: string,
  sink: (id: number, next: number, size: number) => void,
  onBytes?: (read: number) => void,
): Either<string, void> => {
  const rd = openTrace(path)
  try {
    const chunk = ORACLE_RECORD_BYTES * Math.floor(CHUNK / ORACLE_RECORD_BYTES)
    const buf = new Uint8Array(new ArrayBuffer(chunk))
    const dv = new DataView(buf.buffer)
    // On a little-endian host the records can be read as 32-bit words (6 per record), which is
    // several times faster than DataView calls; the words are the same little-endian fields.
    const words = endianness() === 'LE' ? new Uint32Array(buf.buffer) : undefined
    let fileOffset = 0
    for (;;) {
      let n = 0
      while (n < chunk) {
        const got = rd.read(buf, n, chunk - n)
        if (got === 0) break
        n += got
      }
      if (n === 0) break
      const whole = n - (n % ORACLE_RECORD_BYTES)
      for (let at = 0; at < whole; at += ORACLE_RECORD_BYTES) {
        let id: number
        let next: number
        let objSize: number
        if (words !== undefined) {
          const w = at >>> 2
          const idHi = words[w + 2] as number
          const nextLo = words[w + 4] as number
          const nextHi = words[w + 5] as number
          id = idHi < 0x200000 ? idHi * 4294967296 + (words[w + 1] as number) : NaN
          next = nextHi === 0xffffffff && nextLo === 0xffffffff ? Infinity // −1: never again
            : nextHi === 0x7fffffff && nextLo === 0xffffffff ? Infinity // INT64_MAX
              : nextHi < 0x200000 ? nextHi * 4294967296 + nextLo : NaN
          objSize = words[w + 3] as number
        } else {
          id = oracleId(dv, at)
          next = oracleNext(dv, at)
          objSize = dv.getUint32(at + 12, true)
        }
        if (id !== id || next !== next) {
          const r = decodeOracleRecord(dv, at)
          return left(`byte offset ${fileOffset + at}: ${isLeft(r) ? r.left : 'unreadable record'}`)
        }
        // libCacheSim's oracleGeneral reader skips size-0 requests (`ignore_size_zero_req`), also
        // when it then ignores sizes
        if (objSize !== 0) sink(id, next, objSize)
      }
      if (whole !== n) {
        return left(`byte offset ${fileOffset + whole}: truncated record (${n - whole} of ${ORACLE_RECORD_BYTES} bytes)`)
      }
      fileOffset += n
      onBytes?.(rd.position())
      if (n < chunk) break
    }
    return right(undefined)
  } catch (e) {
    if (e instanceof TraceReadError) return left(e.message)
    throw e
  } finally {
    rd.close()
  }
}

export type TraceOptions = {
  readonly format: TraceFormat
  readonly csv: CsvOptions
  readonly blockSize: number
  /** msr: the most blocks one request may span (`--max-request-blocks`). */
  readonly maxRequestBlocks: number
}

/**
 * How libCacheSim would number this trace's ids (it matters only to W-TinyLFU's hashed sketch):
 * txt and csv ids are strings to libCacheSim unless `obj-id-is-num=true`, and become 1, 2, 3, …
 * by first appearance.
 */
export const idOriginOf = (o: TraceOptions): IdOrigin =>
  (o.format === 'txt' || o.format === 'csv') && !o.csv.objIdIsNum ? 'first-appearance' : 'as-is'

/** The trace file as a request source (each MSR block counts as one request). */
export const fileSource = (path: string, o: TraceOptions, onBytes?: (read: number) => void): Source => (sink) => {
  switch (o.format) {
    case 'oracleGeneral':
      return forEachOracleRecord(path, sink, onBytes)
    case 'txt':
      return forEachTxtId(path, (id) => sink(id, NaN), onBytes)
    case 'csv':
      return forEachLine(path, (text, lineNo) => {
        if (lineNo === 1 && o.csv.hasHeader) return right(undefined)
        const r = decodeCsvLine(text, o.csv)
        if (isLeft(r)) return r
        if (r.right !== undefined) sink(r.right, NaN)
        return right(undefined)
      }, onBytes)
    case 'msr':
      return forEachMsr(path, o.blockSize, o.maxRequestBlocks, (io) => {
        forEachBlock(io, (b) => sink(b, NaN))
      }, onBytes)
  }
}

/**
 * The requests of a trace file for simulating `policies`: streamed from the file, except that Belady
 * needs every request's next access, which only oracleGeneral traces carry; other formats are then
 * read into memory once so it can be computed (the only case that holds the whole trace).
 */
export const traceSource = (path: string, o: TraceOptions, belady: boolean, onBytes?: (read: number) => void): Source => {
  if (!belady || o.format === 'oracleGeneral') return fileSource(path, o, onBytes)
  let inMemory: Source | undefined
  return (sink) => {
    if (inMemory === undefined) {
      const ids: number[] = []
      const r = fileSource(path, o, onBytes)((id) => ids.push(id))
      if (isLeft(r)) return r
      inMemory = sourceOf({ ids, next: nextAccesses(ids) })
    }
    return inMemory(sink)
  }
}

/** What one worker thread simulates: the whole trace, through its share of the configurations. */
export type ThreadJob = { readonly path: string; readonly trace: TraceOptions; readonly configs: readonly Config[]; readonly bytes: boolean }

/** A job as the single-thread run does it (what cache-worker.ts runs on its thread). */
export const replayJob = (job: ThreadJob): Either<string, Stats[]> =>
  simulateSource(job.configs, traceSource(job.path, job.trace, job.configs.some((c) => c.policy === 'belady')), { ids: idOriginOf(job.trace), bytes: job.bytes })

/**
 * libCacheSim's `--num-thread`: the configurations dealt round-robin to `threads` workers, each reading
 * the trace itself and replaying it through its share; the counts put back in configuration order. Each
 * configuration's count depends on the trace and itself only, so the output is the single-thread one.
 */
const replayOnThreads = async (job: ThreadJob, threads: number): Promise<Either<string, Stats[]>> => {
  const n = Math.min(threads, job.configs.length)
  const shares = Array.from({ length: n }, (_, k) => job.configs.filter((_c, i) => i % n === k))
  const results = await Promise.all(shares.map((configs) => onWorker({ ...job, configs })))
  const failed = results.find(isLeft)
  if (failed !== undefined) return failed
  return right(job.configs.map((_c, i) => (results[i % n] as { right: Stats[] }).right[Math.floor(i / n)] as Stats))
}

// The worker runs src/cli/cache-worker.ts through tsx (the bundle sits beside it in src/cli/, so the
// path resolves the same from the sources and from the bundle).
const WORKER = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('./cache-worker.ts', import.meta.url).href)}) })`

const onWorker = (job: ThreadJob): Promise<Either<string, Stats[]>> =>
  new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: job })
    w.once('message', (m: Either<string, Stats[]>) => resolve(m))
    w.once('error', reject)
    w.once('exit', (code) => { if (code !== 0) reject(new Error(`cache worker exited with status ${code}`)) })
  })

/** Every request of an MSR trace, decoded (a request spanning more than `maxBlocks` blocks is an error). */
export const forEachMsr = (path: string, blockSize: number, maxBlocks: number, io: (r: BlockIo) => void, onBytes?: (read: number) => void): Either<string, void> =>
  forEachLine(path, (text) => {
    const r = decodeMsrLine(text, blockSize, maxBlocks)
    if (isLeft(r)) return r
    if (r.right !== undefined) io(r.right)
    return right(undefined)
  }, onBytes)

/**
 * Compressed files a trace may arrive as that memvirt does not decompress (zstd it does, as libCacheSim):
 * the magic bytes at offset 0 and the tool that undoes them.
 */
const COMPRESSED: readonly { readonly name: string; readonly magic: readonly number[]; readonly undo: string }[] = [
  { name: 'gzip', magic: [0x1f, 0x8b], undo: 'gunzip' },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], undo: 'xz -d' },
]

/**
 * The trace can be read: a readable file, not a folder, and not compressed (a compressed trace would
 * otherwise be decoded as records and rejected for a field it does not have). One line otherwise.
 */
const checkTrace = (path: string): void => {
  let head: Buffer
  let n: number
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    if (fstatSync(fd).isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' })
    head = Buffer.alloc(8)
    n = readSync(fd, head, 0, head.length, 0)
  } catch (e) {
    return cannotRead(path, e)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
  const packed = COMPRESSED.find((c) => n >= c.magic.length && c.magic.every((b, i) => head[i] === b))
  if (packed !== undefined) {
    const magic = packed.magic.map((b) => b.toString(16).padStart(2, '0')).join(' ')
    failInput(`${path}: byte 0: ${packed.name}-compressed (magic ${magic}); memvirt reads uncompressed or zstd-compressed traces: decompress it first (${packed.undo})`)
  }
}

// ---- flag decoding ---------------------------------------------------------------------------

/** Cache sizes (objects or bytes) and block sizes: any positive safe integer (memory grows with the trace, not the size). */
const SIZE = intRange(1, Number.MAX_SAFE_INTEGER)

/** `--max-request-blocks`: 1 to 2^32 (no request spans more blocks than a disk has ids). */
export const MAX_REQUEST_BLOCKS = intRange(1, MSR_MAX_REQUEST_BLOCKS_CEILING)
const maxRequestBlocks = (s: string): number => positiveInts('--max-request-blocks', s, MAX_REQUEST_BLOCKS)[0] as number

const positiveInts = (flag: string, s: string, range: Range = SIZE): number[] =>
  s.split(',').map((x) => {
    const v = numberFromText(range, x)
    return isLeft(v) ? failInput(`${flag}: ${v.left}`) : v.right
  })

const policies = (s: string): PolicyName[] =>
  s.split(',').map((x) => {
    const p = x.trim()
    return isPolicyName(p) ? p : failInput(`--policy: unknown policy ${JSON.stringify(p)} (known: ${POLICY_NAMES.join(', ')})`)
  })

/** libCacheSim's `-e "key=value,key=value"`; each key must belong to one of the chosen policies. */
const evictionParams = (s: string | undefined, chosen: readonly PolicyName[]): Map<PolicyName, Params> => {
  const out = new Map<PolicyName, Record<string, number>>(chosen.map((p) => [p, {}]))
  if (s === undefined || s.trim() === '') return out
  for (const kv of s.split(',')) {
    const [k, v] = kv.split('=').map((x) => x.trim())
    const value = Number(v)
    if (k === undefined || k === '' || v === undefined || !Number.isFinite(value)) {
      failInput(`--eviction-params: ${JSON.stringify(kv)} is not key=number`)
    }
    const owners = chosen.filter((p) => k !== undefined && Object.hasOwn(POLICIES[p].defaults, k))
    if (owners.length === 0) failInput(`--eviction-params: no chosen policy has parameter ${k}`)
    for (const p of owners) {
      const range = POLICIES[p].ranges?.[k as string]
      if (range !== undefined && !inRange(range, value)) failInput(`--eviction-params: ${k} of ${p} must be ${describeRange(range)}, got ${v}`)
    }
    for (const p of owners) (out.get(p) as Record<string, number>)[k as string] = value
  }
  return out
}

/**
 * libCacheSim's `-t "obj-id-col=2,has-header=true,delimiter=,"` (its parser splits on commas; `;`
 * is accepted too). A key starts at a separator followed by a known key, so the delimiter value
 * itself may be `,` or `;`.
 */
const csvOptions = (s: string | undefined): CsvOptions => {
  if (s === undefined) return CSV_DEFAULTS
  let o = CSV_DEFAULTS
  const re = /(?:^|[,;])\s*([a-z-]+)=(.*?)(?=[,;]\s*(?:obj-id-col|has-header|delimiter|obj-id-is-num)=|$)/g
  let consumed = 0
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    consumed += m[0].length
    const k = m[1] as string
    const v = m[2] as string
    if (k === 'obj-id-col') o = { ...o, objIdCol: positiveInts('--trace-type-params obj-id-col', v, intRange(1, 1024))[0] as number }
    else if (k === 'has-header') o = { ...o, hasHeader: v.trim() === 'true' || v.trim() === '1' }
    else if (k === 'obj-id-is-num') o = { ...o, objIdIsNum: v.trim() === 'true' || v.trim() === '1' }
    else if (k === 'delimiter') o = { ...o, delimiter: v === '\\t' ? '\t' : v }
    else failInput(`--trace-type-params: unknown key ${JSON.stringify(k)} (obj-id-col, has-header, delimiter, obj-id-is-num)`)
  }
  if (consumed !== s.length || o.delimiter === '') failInput(`--trace-type-params: cannot parse ${JSON.stringify(s)} (obj-id-col=N,has-header=true,delimiter=X)`)
  return o
}

/** The admission window's range: its ring holds one entry per request, so it is bounded like a table. */
export const ADMISSION_WINDOW = intRange(1, 2 ** 24)

/**
 * `window=W,threshold=K`: both required, 1 ≤ K ≤ W ≤ 2^24 (a threshold above the window could never
 * be reached: the front would admit nothing). Unknown keys are errors.
 */
export const admissionOptions = (s: string | undefined): AdmissionOptions | undefined => {
  if (s === undefined) return undefined
  const kv = new Map<string, string>()
  for (const part of s.split(',')) {
    const eq = part.indexOf('=')
    const k = (eq < 0 ? part : part.slice(0, eq)).trim()
    if (k !== 'window' && k !== 'threshold') return failInput(`--admission: unknown key ${JSON.stringify(k)} (expected window=W,threshold=K)`)
    if (eq < 0 || kv.has(k)) return failInput(`--admission: ${JSON.stringify(part)}: expected ${k}=N once`)
    kv.set(k, part.slice(eq + 1))
  }
  const num = (k: 'window' | 'threshold'): number => {
    const v = kv.get(k)
    if (v === undefined) return failInput(`--admission: ${k}: missing (expected window=W,threshold=K)`)
    const n = numberFromText(ADMISSION_WINDOW, v)
    return isLeft(n) ? failInput(`--admission: ${k}: ${n.left}`) : n.right
  }
  const window = num('window')
  const threshold = num('threshold')
  if (threshold > window) return failInput(`--admission: threshold: expected at most the window (${window}), got ${threshold}: no object could ever be admitted`)
  return { window, threshold }
}

// ---- output ------------------------------------------------------------------------------------

/** Columns aligned to their widest cell: the first left-aligned, the others right-aligned. */
const textTable = (head: readonly string[], cells: readonly (readonly string[])[]): string => {
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)))
  const fmt = (c: readonly string[]): string =>
    c.map((x, i) => (i === 0 ? x.padEnd(widths[i] as number) : x.padStart(widths[i] as number))).join('  ').trimEnd()
  return [fmt(head), ...cells.map(fmt)].join('\n') + '\n'
}

const table = (rows: readonly MrcPoint[]): string =>
  textTable(['policy', 'size', 'requests', 'misses', 'miss ratio'],
    rows.map((r) => [r.policy, String(r.size), String(r.requests), String(r.misses), r.missRatio.toFixed(6)]))

const progressBar = (path: string): { onBytes: (n: number) => void; stop: () => void } => {
  if (!process.stderr.isTTY) return { onBytes: () => {}, stop: () => {} }
  const total = statSync(path).size
  const bar = new SingleBar({ stream: process.stderr, format: 'reading {bar} {percentage}% | {value}/{total} bytes' }, Presets.shades_classic)
  bar.start(total, 0)
  return { onBytes: (n) => bar.update(n), stop: () => bar.stop() }
}

type CacheFlags = {
  format?: string
  policy: string
  size?: string
  json?: boolean
  mrc?: boolean
  plot?: string
  evictionParams?: string
  traceTypeParams?: string
  blockSize: string
  maxRequestBlocks: string
  admission?: string
  objSize?: boolean
  numThread?: string
}

/** The first line of a trace (at most 4 KiB of it), for guessing its format. */
const firstLine = (path: string): string => {
  let rd: TraceReader | undefined
  try {
    rd = openTrace(path)
    const head = Buffer.alloc(4096)
    let n = 0
    for (let got = rd.read(head, 0, head.length); got > 0 && n < head.length; got = rd.read(head, n, head.length - n)) n += got
    return head.subarray(0, n).toString('latin1').split('\n')[0] ?? ''
  } catch (e) {
    if (e instanceof TraceReadError) return failInput(`${path}: ${e.message}`)
    return cannotRead(path, e)
  } finally {
    rd?.close()
  }
}

const run = async (path: string, given: CacheFlags): Promise<void> => {
  let f = given
  if (f.format === undefined) {
    checkTrace(path)
    // a compressed trace is named for what it holds (trace.txt.zst), as libCacheSim's are
    const guessed = guessTraceFormat(path.replace(/\.zst(\.22)?$/i, ''), firstLine(path))
    if (guessed === undefined) return failInput(`${path}: cannot tell its format from its name (.txt, .csv, oracleGeneral…): give --format ${TRACE_FORMATS.join('|')}`)
    f = { ...f, format: guessed }
  }
  const format = f.format ?? ''
  if (!(TRACE_FORMATS as readonly string[]).includes(format)) {
    failInput(`--format: ${JSON.stringify(format)} is not one of ${TRACE_FORMATS.join(', ')}`)
  }
  const chosen = policies(f.policy)
  const o: TraceOptions = {
    format: format as TraceFormat,
    csv: csvOptions(f.traceTypeParams),
    blockSize: positiveInts('--block-size', f.blockSize)[0] as number,
    maxRequestBlocks: maxRequestBlocks(f.maxRequestBlocks),
  }
  const params = evictionParams(f.evictionParams, chosen)
  const admission = admissionOptions(f.admission)
  const bytes = f.objSize === true
  if (bytes && o.format !== 'oracleGeneral') failInput('--obj-size: only oracleGeneral traces carry object sizes')
  const unsized = chosen.find((p) => !SIZED_POLICIES.includes(p))
  if (bytes && unsized !== undefined) failInput(`--obj-size: ${unsized} counts objects; sizes in bytes work with ${SIZED_POLICIES.join(', ')}`)
  checkTrace(path)
  const fail = (r: Either<string, unknown>): void => {
    if (isLeft(r)) failInput(`${path}: ${r.left}`)
  }
  const plot = f.plot === undefined ? undefined : openOutput('--plot', f.plot)

  // Belady needs every request's next access: oracleGeneral carries it; other formats are read
  // into memory once so it can be computed (the only case that holds the whole trace).
  const bar = progressBar(path)
  const source = traceSource(path, o, chosen.includes('belady'), bar.onBytes)

  // the working set: distinct objects, or with --obj-size the bytes of their first requests (one pass, when asked)
  // (the distinct ids are counted in the simulator's own typed-array table: no 2^24 bound as a JS Set has)
  const workingSet = (): number => {
    const seen = interner()
    let total = 0
    fail(source((id, _next, size) => {
      if (bytes && size === 0) return
      const before = seen.size()
      seen.dense(id)
      if (seen.size() !== before) total += bytes ? (size ?? 1) : 1
    }))
    return total
  }
  let sizes: number[]
  if (f.size !== undefined) {
    // libCacheSim's forms: 1000, 64KiB/1GB (bytes: with --obj-size), 0.1 (of the working set)
    const specs = f.size.split(',').map((x) => {
      const r = parseSizeSpec(x)
      if (isLeft(r)) return failInput(`--size: ${r.left}`)
      if (r.right._tag === 'Count' && r.right.unit && !bytes) return failInput(`--size: ${x.trim()} is in bytes: give --obj-size (sizes count objects without it)`)
      return r.right
    })
    const ws = specs.some((x) => x._tag === 'Fraction') ? workingSet() : 0
    sizes = specs.map((x) => resolveSize(x, ws))
  } else if (f.mrc === true) sizes = mrcSizes(workingSet())
  else return failInput('--size is required (or --mrc to choose sizes from the trace)')

  const configs: Config[] = chosen.flatMap((policy) =>
    sizes.map((capacity) => {
      const base = { policy, capacity, params: params.get(policy) ?? {} }
      return admission === undefined ? base : { ...base, admission }
    }))
  const threads = f.numThread === undefined ? 1 : (positiveInts('--num-thread', f.numThread, intRange(1, 256))[0] as number)
  const r = threads > 1 && configs.length > 1
    ? await replayOnThreads({ path, trace: o, configs, bytes }, threads)
    : simulateSource(configs, source, { ids: idOriginOf(o), bytes })
  bar.stop()
  if (isLeft(r)) return failInput(`${path}: ${r.left}`)
  const rows: MrcPoint[] = configs.map((c, i) => {
    const s = r.right[i] as { requests: number; misses: number }
    return { policy: c.policy, size: c.capacity, requests: s.requests, misses: s.misses, missRatio: s.requests === 0 ? 0 : s.misses / s.requests }
  })
  if (plot !== undefined) {
    writeOutput(plot, await renderSvg(mrcSpec(`miss-ratio curve: ${path.split('/').pop() ?? path}`, rows, bytes ? 'bytes' : 'objects')))
  }
  process.stdout.write(f.json === true ? JSON.stringify(rows, null, 2) + '\n' : table(rows))
}

// ---- memvirt blockcache -------------------------------------------------------------------------

type BlockFlags = {
  format: string
  policy: string
  size?: string
  write: string
  writeAllocate: boolean
  quota?: string
  admission?: string
  evictionParams?: string
  blockSize: string
  maxRequestBlocks: string
  json?: boolean
}

/**
 * `vm,block,R|W` lines: the simplest multi-VM block trace, for hand-made scenarios. Empty lines are
 * skipped; the first line may be a header of three names (`vm,block,op`); any other line is a record.
 */
export const decodeVmBlockLine = (text: string, lineNo: number): Either<string, { vm: number; block: number; write: boolean } | undefined> => {
  const t = text.trim()
  if (t === '') return right(undefined)
  if (lineNo === 1 && /^[a-zA-Z_][\w ]*,[a-zA-Z_][\w ]*,[a-zA-Z_][\w ]*$/.test(t)) return right(undefined)
  const fields = t.split(',').map((x) => x.trim())
  if (fields.length !== 3) return left(`has ${fields.length} fields, expected vm,block,R|W`)
  const [vm, block, op] = fields
  // decimal digits only: Number() would also take '' (as 0), '0x10', '1e3' and '1.0'
  const v = isDecimal(vm!) ? Number(vm) : NaN
  const b = isDecimal(block!) ? Number(block) : NaN
  if (!Number.isSafeInteger(v) || v < 0 || v >= MAX_VMS) return left(`vm ${showValue(vm)} is not an integer in 0..${MAX_VMS - 1}`)
  if (!Number.isSafeInteger(b) || b < 0) return left(`block ${showValue(block)} is not a non-negative integer`)
  if (op !== 'R' && op !== 'W') return left(`op ${showValue(op)} is neither R nor W`)
  return right({ vm: v, block: b, write: op === 'W' })
}

const runBlockCache = (path: string, f: BlockFlags): void => {
  if (f.format !== 'msr' && f.format !== 'vmcsv') failInput(`--format: ${JSON.stringify(f.format)} is not msr or vmcsv`)
  const [policy, ...more] = policies(f.policy)
  if (policy === undefined || more.length > 0) failInput('--policy: blockcache takes exactly one policy')
  if (policy === 'belady') failInput('--policy: belady is offline and cannot drive a block cache')
  if (f.write !== 'write-through' && f.write !== 'write-back') failInput(`--write: ${JSON.stringify(f.write)} is not write-through or write-back`)
  const quotas = f.quota === undefined ? undefined : f.quota.split(',').map((x) => {
    const v = numberFromText(intRange(0, Number.MAX_SAFE_INTEGER), x)
    return isLeft(v) ? failInput(`--quota: ${v.left}`) : v.right
  })
  if (f.size === undefined && quotas === undefined) failInput('--size (or --quota per VM) is required')
  const capacity = f.size === undefined ? 0 : (positiveInts('--size', f.size)[0] as number)
  const admission = admissionOptions(f.admission)
  const config: BlockCacheConfig = {
    policy: policy as PolicyName, capacity, write: f.write as WritePolicy, writeAllocate: f.writeAllocate,
    params: evictionParams(f.evictionParams, [policy as PolicyName]).get(policy as PolicyName) ?? {},
    ...(admission === undefined ? {} : { admission }),
    ...(quotas === undefined ? {} : { quotas }),
  }
  checkTrace(path)
  const blockSize = positiveInts('--block-size', f.blockSize)[0] as number
  const maxBlocks = maxRequestBlocks(f.maxRequestBlocks)
  const hosts = new Map<string, number>()
  let s: BlockCacheState = initBlockCache(config)
  const bar = progressBar(path)
  const r = f.format === 'msr'
    ? forEachMsr(path, blockSize, maxBlocks, (io) => {
      let vm = hosts.get(io.host)
      if (vm === undefined) {
        vm = hosts.size
        hosts.set(io.host, vm)
        if (vm >= MAX_VMS) return        // counted, so the check after the read rejects the trace
      }
      const op = io.write ? 'write' : 'read'
      forEachBlock(io, (b) => { s = blockAccess(s, blockReq(vm, b, op)).state })
    }, bar.onBytes)
    : forEachLine(path, (text, lineNo) => {
      const d = decodeVmBlockLine(text, lineNo)
      if (isLeft(d)) return d
      if (d.right !== undefined) s = blockAccess(s, blockReq(d.right.vm, d.right.block, d.right.write ? 'write' : 'read')).state
      return right(undefined)
    }, bar.onBytes)
  bar.stop()
  if (isLeft(r)) failInput(`${path}: ${r.left}`)
  if (hosts.size > MAX_VMS) failInput(`${path}: more than ${MAX_VMS} hosts`)
  const flushed = flush(s)
  const names = new Map([...hosts].map(([h, vm]) => [vm, h]))
  const rows = vmReport(flushed.state).map((v) => ({ ...v, name: names.get(v.vm) ?? String(v.vm) }))
  const fairness = jainIndex(rows.map((v) => v.hitRatio))
  const total = rows.reduce((a, v) => ({ requests: a.requests + v.requests, hits: a.hits + v.hits, deviceReads: a.deviceReads + v.deviceReads, deviceWrites: a.deviceWrites + v.deviceWrites }),
    { requests: 0, hits: 0, deviceReads: 0, deviceWrites: 0 })
  if (f.json === true) {
    process.stdout.write(JSON.stringify({ config, vms: rows, total, flushedAtEnd: flushed.writebacks.length, jainIndex: fairness }, null, 2) + '\n')
    return
  }
  const head = ['vm', 'requests', 'hits', 'hit ratio', 'device reads', 'device writes']
  const cells = [...rows.map((v) => [v.name, String(v.requests), String(v.hits), v.hitRatio.toFixed(4), String(v.deviceReads), String(v.deviceWrites)]),
    ['total', String(total.requests), String(total.hits), (total.requests === 0 ? 0 : total.hits / total.requests).toFixed(4), String(total.deviceReads), String(total.deviceWrites)]]
  process.stdout.write(textTable(head, cells))
  process.stdout.write(`device writes include ${flushed.writebacks.length} dirty blocks flushed at the end\n`)
  process.stdout.write(`Jain's fairness index over per-VM hit ratios: ${fairness.toFixed(4)}\n`)
}

export const register = (program: Command): void => {
  program
    .command('cache')
    .description('replay a trace through cache policies (libCacheSim semantics) and print miss counts')
    .argument('<trace>', 'trace file')
    .option('--format <format>', `trace format: ${TRACE_FORMATS.join('|')} (default: guessed from the name and first line, as libCacheSim does)`)
    .option('--policy <list>', `comma-separated policies: ${POLICY_NAMES.join(',')}`, 'lru')
    .option('--size <list>', 'comma-separated cache sizes: objects (1000), bytes with --obj-size (64KiB, 1GiB), or a fraction of the working set (0.1)')
    .option('--json', 'print [{ policy, size, requests, misses, missRatio }]')
    .option('--mrc', 'miss-ratio curve: without --size, sizes from 0.1% to 100% of the distinct objects')
    .option('--plot <file.svg>', 'write the miss-ratio curve as an SVG plot')
    .option('-e, --eviction-params <k=v,...>', 'policy parameters as libCacheSim -e (e.g. fifo-size-ratio=0.2)')
    .option('-t, --trace-type-params <k=v;...>', 'txt/csv reading as libCacheSim -t: obj-id-col=N,has-header=true,delimiter=,,obj-id-is-num=true')
    .option('--block-size <bytes>', 'msr: block size that splits each I/O into block ids', '4096')
    .option('--max-request-blocks <n>', 'msr: refuse a request spanning more blocks (1-2^32; replay time grows with them)', String(MSR_MAX_REQUEST_BLOCKS))
    .option('--admission <window=W,threshold=K>', 'QBic-style front: admit a missed object only if requested ≥ K times in the last W requests')
    .option('--obj-size', `oracleGeneral: use the objects' sizes, --size in bytes (${SIZED_POLICIES.join(', ')}; libCacheSim without --ignore-obj-size)`)
    .option('--num-thread <n>', 'simulate the (policy × size) pairs on n worker threads (1-256), as libCacheSim --num-thread; the same output')
    .action(async (trace: string, flags: CacheFlags) => run(trace, flags))
  program
    .command('blockcache')
    .description('the hypervisor block cache: several VMs share one cache in front of the disk; per-VM hit ratios, device I/O, fairness')
    .argument('<trace>', 'block trace: MSR Cambridge csv (Hostname = VM) or vm,block,R|W lines')
    .requiredOption('--format <format>', 'msr|vmcsv')
    .option('--policy <name>', `one of ${POLICY_NAMES.filter((p) => p !== 'belady').join(',')}`, 'lru')
    .option('--size <blocks>', 'shared cache capacity in blocks')
    .option('--quota <list>', 'per-VM partitions instead of sharing: blocks for VM 0,1,2,...')
    .option('--write <policy>', 'write-through|write-back', 'write-back')
    .option('--no-write-allocate', 'a write miss goes to the device without taking a cache block')
    .option('--admission <window=W,threshold=K>', 'QBic-style front: cache a block only if requested ≥ K times in the last W requests')
    .option('-e, --eviction-params <k=v,...>', 'policy parameters as libCacheSim -e')
    .option('--block-size <bytes>', 'msr: block size', '4096')
    .option('--max-request-blocks <n>', 'msr: refuse a request spanning more blocks (1-2^32; replay time grows with them)', String(MSR_MAX_REQUEST_BLOCKS))
    .option('--json', 'print the per-VM report as JSON')
    .action((trace: string, flags: BlockFlags) => runBlockCache(trace, flags))
}
