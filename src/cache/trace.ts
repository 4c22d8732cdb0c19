// Decoders for the trace formats libCacheSim reads, one record at a time, so the shell can stream
// a file of any length in constant memory. Every decoder returns Left(message) naming the field;
// the shell prefixes the line number or byte offset.
//   txt            one object id per line (libCacheSim `txt`)
//   csv            delimited columns; `obj-id-col` (1-based), `has-header`, `delimiter`
//                  (libCacheSim `-t "obj-id-col=2;has-header=true;delimiter=,"`)
//   oracleGeneral  24-byte little-endian records <uint32 time, uint64 id, uint32 size, int64 next>,
//                  next = −1 when the object is never requested again; the shell skips size-0
//                  records, as libCacheSim's reader does
//   msr            MSR Cambridge block I/O: Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime;
//                  one request per block the byte range [Offset, Offset+Size) touches; block ids
//                  are disk·2^32 + block, so the disks of one host stay apart
import { left, right, type Either } from '../bits/either.ts'
import { showValue } from '../codec/errors.ts'

export const TRACE_FORMATS = ['txt', 'csv', 'oracleGeneral', 'msr'] as const
export type TraceFormat = (typeof TRACE_FORMATS)[number]

/** Decimal digits only (no sign, point, exponent, hex or empty field): what every numeric trace field holds. */
export const isDecimal = (t: string): boolean => /^[0-9]+$/.test(t)

/** A numeric trace field that need not fit a double (MSR's Timestamp, a Windows file time): checked, not converted. */
const checkDecimal = (text: string, field: string): Either<string, string> => {
  const t = text.trim()
  return isDecimal(t) ? right(t) : left(`${field} ${showValue(t)} is not a non-negative integer`)
}

/** Object ids must be exact in a double: non-negative integers up to 2^53 − 1. */
const decodeId = (text: string, field: string): Either<string, number> => {
  const d = checkDecimal(text, field)
  if (d._tag === 'Left') return d
  const t = d.right
  const v = Number(t)
  return Number.isSafeInteger(v) ? right(v) : left(`${field} ${t} exceeds 2^53 − 1`)
}

/** A txt line: the object id (a blank line is `undefined`, skipped as libCacheSim does). */
export const decodeTxtLine = (line: string): Either<string, number | undefined> =>
  line.trim() === '' ? right(undefined) : decodeId(line, 'object id')

/**
 * The txt lines of `bytes[0, end)` at once: the fast path of `decodeTxtLine` for a chunk of a file.
 * Lines end at LF (a CR before it is dropped, as the shell's line reader does); each complete line
 * — and the unterminated rest when `last` — is decoded and its id handed to `sink`. A line of 1 to
 * 15 digits (below 2^53 whatever they are) is read from its bytes; any other line is decoded by
 * `decodeTxtLine` from its Latin-1 text, so messages and blank-line skipping are the same.
 * Returns the bytes consumed (through the last LF, or all when `last`) and the lines read, or
 * Left(`line N: …`) at the first bad line, N counted from `firstLine`.
 */
export const decodeTxtChunk = (
  bytes: Uint8Array,
  end: number,
  last: boolean,
  firstLine: number,
  sink: (id: number) => void,
): Either<string, { readonly consumed: number; readonly lines: number }> => {
  let start = 0
  let lines = 0
  while (start < end) {
    let nl = bytes.indexOf(10, start)
    if (nl === -1 || nl >= end) {
      if (!last) break
      nl = end
    }
    lines++
    const stop = nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl
    let id = 0
    let i = start
    for (; i < stop; i++) {
      const d = (bytes[i] as number) - 48
      if (d < 0 || d > 9) break
      id = id * 10 + d
    }
    if (i === stop && stop > start && stop - start <= 15) sink(id)
    else if (stop > start) {
      let text = ''
      for (let k = start; k < stop; k++) text += String.fromCharCode(bytes[k] as number)
      const r = decodeTxtLine(text)
      if (r._tag === 'Left') return left(`line ${firstLine + lines - 1}: ${r.left}`)
      if (r.right !== undefined) sink(r.right)
    }
    start = nl + 1
  }
  return right({ consumed: Math.min(start, end), lines })
}

/**
 * Every id of a txt trace read through `read(buf, offset, length)` (the number of bytes it put at
 * `buf[offset…]`, 0 at the end), decoded a chunk at a time by `decodeTxtChunk` in a buffer of `room`
 * bytes that keeps an unfinished line at its front and doubles when one line fills it. `onRead` is
 * called after each read. Left(`line N: …`) at the first bad line.
 */
export const forEachTxtChunk = (
  read: (buf: Uint8Array, offset: number, length: number) => number,
  room: number,
  sink: (id: number) => void,
  onRead?: () => void,
): Either<string, void> => {
  let buf = new Uint8Array(room)
  let held = 0 // bytes of an unfinished line kept at the front of buf
  let lineNo = 1
  for (;;) {
    if (held === buf.length) {
      const bigger = new Uint8Array(buf.length * 2)
      bigger.set(buf)
      buf = bigger
    }
    const n = read(buf, held, buf.length - held)
    const end = held + n
    const r = decodeTxtChunk(buf, end, n === 0, lineNo, sink)
    if (r._tag === 'Left') return r
    lineNo += r.right.lines
    held = end - r.right.consumed
    buf.copyWithin(0, r.right.consumed, end)
    onRead?.()
    if (n === 0) return right(undefined)
  }
}

export type CsvOptions = {
  /** 1-based column of the object id (libCacheSim `obj-id-col`). */
  readonly objIdCol: number
  readonly hasHeader: boolean
  readonly delimiter: string
  /**
   * libCacheSim `obj-id-is-num` (default false: ids are strings numbered by first appearance).
   * Ids parse as numbers here either way; the flag only changes what W-TinyLFU hashes.
   */
  readonly objIdIsNum: boolean
}
export const CSV_DEFAULTS: CsvOptions = { objIdCol: 1, hasHeader: false, delimiter: ',', objIdIsNum: false }

/** A csv data line (the shell skips the header line when `hasHeader`). */
export const decodeCsvLine = (line: string, o: CsvOptions): Either<string, number | undefined> => {
  if (line.trim() === '') return right(undefined)
  const cols = line.split(o.delimiter)
  const cell = cols[o.objIdCol - 1]
  if (cell === undefined) return left(`has ${cols.length} columns, obj-id-col is ${o.objIdCol}`)
  return decodeId(cell, `obj-id-col ${o.objIdCol}`)
}

/** One oracleGeneral record. */
export type OracleRecord = {
  readonly time: number
  readonly id: number
  readonly size: number
  /** Index of the next request for this id, Infinity if none. */
  readonly next: number
}
export const ORACLE_RECORD_BYTES = 24

/** Decodes the 24-byte record at `offset` of `bytes` (the caller guarantees 24 bytes are there). */
export const decodeOracleRecord = (bytes: DataView, offset: number): Either<string, OracleRecord> => {
  const time = bytes.getUint32(offset, true)
  const id = bytes.getBigUint64(offset + 4, true)
  const size = bytes.getUint32(offset + 12, true)
  const next = bytes.getBigInt64(offset + 16, true)
  if (id > BigInt(Number.MAX_SAFE_INTEGER)) return left(`object id ${id} exceeds 2^53 − 1`)
  if (next < -1n || next > BigInt(Number.MAX_SAFE_INTEGER)) {
    // libCacheSim also reads INT64_MAX as "never again"
    if (next !== 0x7fffffffffffffffn) return left(`next-access ${next} is neither −1 nor a request index`)
  }
  return right({ time, id: Number(id), size, next: next < 0n || next === 0x7fffffffffffffffn ? Infinity : Number(next) })
}

/**
 * The id and next-access index of the record at `offset`, without allocating: the fast path of
 * `decodeOracleRecord` for streaming (NaN id or next when the record is invalid; the caller then
 * asks `decodeOracleRecord` for the message).
 */
export const oracleId = (bytes: DataView, offset: number): number => {
  const lo = bytes.getUint32(offset + 4, true)
  const hi = bytes.getUint32(offset + 8, true)
  return hi < 0x200000 ? hi * 4294967296 + lo : NaN
}
export const oracleNext = (bytes: DataView, offset: number): number => {
  const lo = bytes.getUint32(offset + 16, true)
  const hi = bytes.getInt32(offset + 20, true)
  if (hi === -1 && lo === 0xffffffff) return Infinity // −1: never again
  if (hi === 0x7fffffff && lo === 0xffffffff) return Infinity // INT64_MAX, as libCacheSim reads it
  return hi >= 0 && hi < 0x200000 ? hi * 4294967296 + lo : NaN
}

/** Encodes records as an oracleGeneral file (used to hand our synthetic traces to libCacheSim). */
export const encodeOracle = (records: readonly OracleRecord[]): Uint8Array => {
  const buf = new Uint8Array(records.length * ORACLE_RECORD_BYTES)
  const dv = new DataView(buf.buffer)
  records.forEach((r, i) => {
    const o = i * ORACLE_RECORD_BYTES
    dv.setUint32(o, r.time, true)
    dv.setBigUint64(o + 4, BigInt(r.id), true)
    dv.setUint32(o + 12, r.size, true)
    dv.setBigInt64(o + 16, Number.isFinite(r.next) ? BigInt(r.next) : -1n, true)
  })
  return buf
}

/**
 * One block I/O request of an MSR Cambridge trace, split into blocks. The blocks are a range, not a list:
 * a request's Size is a size, and one line may ask for a terabyte (2^28 blocks of 4 KiB).
 */
export type BlockIo = {
  /** The Hostname field: which server (VM) issued the I/O. */
  readonly host: string
  readonly disk: number
  readonly write: boolean
  /** The first block id: disk·2^32 + ⌊Offset / blockSize⌋. */
  readonly firstBlock: number
  /** How many blocks [Offset, Offset + Size) touches (1 for Size 0); their ids follow `firstBlock`. */
  readonly blockCount: number
}

/** Calls `f` with every block id of an I/O, in order, without building a list of them. */
export const forEachBlock = (io: BlockIo, f: (block: number) => void): void => {
  for (let i = 0; i < io.blockCount; i++) f(io.firstBlock + i)
}
const DISK_SHIFT = 2 ** 32

/**
 * How many blocks one MSR request may span unless the user says otherwise (`--max-request-blocks`):
 * 2^18, 1 GiB at the default 4 KiB block size. A request is replayed block by block (W-TinyLFU's
 * sketch, for one, sees every block, so no policy has a closed form for a long run of blocks), so the
 * time of one line grows with its blocks: 2^18 blocks take under a second of CPU in every policy of
 * `cache` and of `blockcache` at small cache sizes (README, "Limits").
 */
export const MSR_MAX_REQUEST_BLOCKS = 2 ** 18
/**
 * The largest limit: a request's blocks lie on one disk, whose block ids are below 2^32, so no
 * request can span more (the limit then never refuses anything).
 */
export const MSR_MAX_REQUEST_BLOCKS_CEILING = DISK_SHIFT

/**
 * An MSR line `Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime` (a header line is skipped): exactly
 * seven fields, every one but Hostname and Type a non-negative integer (Timestamp and ResponseTime are checked, not used).
 * A request spanning more than `maxBlocks` blocks of `blockSize` bytes is refused (the Size field).
 */
export const decodeMsrLine = (line: string, blockSize: number, maxBlocks: number = MSR_MAX_REQUEST_BLOCKS): Either<string, BlockIo | undefined> => {
  if (line.trim() === '' || line.startsWith('Timestamp,')) return right(undefined)
  const f = line.split(',')
  if (f.length !== 7) return left(`has ${f.length} fields, the MSR layout has 7 (Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime)`)
  // Timestamp (Windows file time, past 2^53) and ResponseTime are not replayed, but a line whose fields are not numbers is not a request
  for (const [i, field] of [[0, 'Timestamp'], [6, 'ResponseTime']] as const) {
    const d = checkDecimal(f[i] as string, field)
    if (d._tag === 'Left') return d
  }
  const disk = decodeId(f[2] as string, 'DiskNumber')
  if (disk._tag === 'Left') return disk
  if (disk.right >= 8192) return left(`DiskNumber ${disk.right} is above 8191`)
  const type = (f[3] as string).trim()
  if (type !== 'Read' && type !== 'Write') return left(`Type ${showValue(type)} is neither Read nor Write`)
  const offset = decodeId(f[4] as string, 'Offset')
  if (offset._tag === 'Left') return offset
  const size = decodeId(f[5] as string, 'Size')
  if (size._tag === 'Left') return size
  const first = Math.floor(offset.right / blockSize)
  const last = size.right === 0 ? first : Math.floor((offset.right + size.right - 1) / blockSize)
  if (last - first + 1 > maxBlocks) {
    return left(`Size ${size.right} bytes from Offset ${offset.right} span ${last - first + 1} blocks of ${blockSize} bytes; a request may span at most ${maxBlocks} (--max-request-blocks)`)
  }
  if (last >= DISK_SHIFT) return left(`Offset ${offset.right} is beyond 2^32 blocks`)
  return right({ host: (f[1] as string).trim(), disk: disk.right, write: type === 'Write', firstBlock: disk.right * DISK_SHIFT + first, blockCount: last - first + 1 })
}
