// Spike's commit log written as bytes: the same lines as `commitLine` (commit-log.ts, which stays the
// definition), formatted straight into a reused buffer that is handed to a sink when full. No strings
// and no bigint → string conversions per line: each line starts with a cached prefix (core, privilege,
// pc, instruction), and 64-bit values are written as two 32-bit halves through a nibble table. A
// compiled block's lines are copied as one template per run of the block, then only their digits written.
import { type MemRead, type MemWrite, type StepEvent } from '../../cpu/event.ts'
import { csrName } from '../../cpu/decode/csr-names.ts'
import { type CommitSink, type LineShape } from '../../cpu/commit-sink.ts'

/**
 * Receives the filled part of the writer's buffer: `bytes[0 .. length)`. The buffer is reused as soon as
 * the sink returns, so a sink must consume (write, copy) the bytes before returning.
 */
export type ByteSink = (bytes: Uint8Array, length: number) => void

// ---- bytes of the fixed parts ---------------------------------------------------------------------------

/** The bytes of an ASCII text (a plain loop: Uint8Array.from(text, f) runs the iterator protocol, ≈20× slower). */
const ascii = (text: string): Uint8Array => {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  return out
}

/** The ASCII code of a hex digit 0–15 (lower case, as Spike prints). */
const hexDigit = (n: number): number => (n < 10 ? 0x30 + n : 0x57 + n)
/**
 * The four hex digits of each 16-bit value as ASCII, packed little-endian (written with setUint32(…, true)).
 * Made from the nibbles, without a string per entry: 65 536 strings cost every run of the CLI ≈ 10 ms of
 * start-up and a garbage collection.
 */
const HEX4 = new Uint32Array(1 << 16)
for (let v = 0; v < 1 << 16; v++) {
  HEX4[v] = (hexDigit(v >>> 12) | (hexDigit((v >>> 8) & 15) << 8) | (hexDigit((v >>> 4) & 15) << 16) | (hexDigit(v & 15) << 24)) >>> 0
}

const NEWLINE = 0x0a
const CORE = 'core   0: '
/** ` mem 0x` before each memory address. */
const MEM = ascii(' mem 0x')
/**
 * The start of a commit line, `core   0: <priv> 0x<pc:16> (0x<insn:4|8>)`, as bytes (Spike prints a
 * compressed instruction with 4 digits).
 */
export const linePrefix = (priv: number, pc: bigint, bits: number, length: number): Uint8Array =>
  ascii(`${CORE}${priv} 0x${pc.toString(16).padStart(16, '0')} (0x${(length === 2 ? bits & 0xffff : bits >>> 0).toString(16).padStart(2 * length, '0')})`)

/** ` 0x` before store data. */
const SPACE_0X = ascii(' 0x')
/** Sixteen digits a block line's value overwrites. */
const DIGITS16 = ascii('0'.repeat(16))
const NEWLINE_BYTES = ascii('\n')
/** The rd item's head for each register: ` x5  0x`, ` x10 0x` (Spike's `x%-2d `). */
const RD_HEAD = Array.from({ length: 32 }, (_, rd) => ascii(` x${String(rd).padEnd(2)} 0x`))

/** The CSR item's head, ` c768_mstatus 0x`, made once per CSR number. */
const csrHeads = new Map<number, Uint8Array>()
const csrHead = (n: number): Uint8Array => {
  let head = csrHeads.get(n)
  if (head === undefined) { head = ascii(` c${n}_${csrName(n)} 0x`); csrHeads.set(n, head) }
  return head
}

/** Longest fixed part plus digits of one item: a store item is ` mem 0x` + 16 + ` 0x` + 16. */
const MAX_ITEM = 64
/** Longest line a compiled block writes: a 43-byte prefix, an rd item (24) and a load item (23), a newline. */
const MAX_BLOCK_LINE = 128
/** The most bytes of a template (64 of the longest block lines): a block's longer tail is copied in parts. */
const MAX_TEMPLATE = 64 * MAX_BLOCK_LINE

// ---- the lines of compiled blocks -------------------------------------------------------------------------

/**
 * A compiled block's instruction line: its `bytes` (every fixed byte of the line, zeros where its values'
 * digits go, and the newline), where its first value's digits go (`value`), its `length`, and the line of
 * the block's next instruction.
 */
export class BlockLine {
  next: BlockLine | undefined = undefined
  /** This line and the rest of its block, made the first time the line starts a run of its block's lines. */
  template: Template | undefined = undefined
  readonly bytes: Uint8Array
  readonly value: number
  readonly length: number

  constructor(prefix: Uint8Array, shape: LineShape) {
    const items = shape.kind === 'none' ? [] : shape.kind === 'rd' || shape.kind === 'load' ? [RD_HEAD[shape.rd]!, DIGITS16] : [MEM, DIGITS16]
    if (shape.kind === 'load') items.push(MEM, DIGITS16)
    if (shape.kind === 'store') items.push(SPACE_0X, DIGITS16.subarray(0, 2 * shape.size))
    const head = items.length === 0 ? 0 : items[0]!.length
    this.bytes = concat([prefix, ...items, NEWLINE_BYTES])
    this.value = prefix.length + head
    this.length = this.bytes.length
  }
}

/** A block line and the lines after it in its block: their bytes one after another, and the lines. */
interface Template { readonly bytes: Uint8Array; readonly lines: readonly BlockLine[] }

const templateOf = (first: BlockLine): Template => {
  const lines: BlockLine[] = []
  let size = 0
  for (let l: BlockLine | undefined = first; l !== undefined && size + l.length <= MAX_TEMPLATE; l = l.next) {
    lines.push(l)
    size += l.length
  }
  return { bytes: concat(lines.map((l) => l.bytes)), lines }
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

// ---- 64-bit values as two 32-bit halves ------------------------------------------------------------------

// Storing a bigint into a BigUint64Array and reading the two 32-bit words over the same bytes splits it
// without allocating; which word is the high one depends on the platform's byte order.
const word64 = new BigUint64Array(1)
const halves = new Uint32Array(word64.buffer)
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const HI = LITTLE_ENDIAN ? 1 : 0
const LO = LITTLE_ENDIAN ? 0 : 1

// ---- the writer -----------------------------------------------------------------------------------------

/** A cached line start: `core   0: <priv> 0x<pc> (0x<insn>)` for one (priv, pc, instruction). */
interface Prefix { readonly pc: bigint; readonly bits: number; readonly length: number; readonly priv: number; readonly bytes: Uint8Array }

const PREFIX_CACHE_LIMIT = 1 << 16

/**
 * Formats the commit-log line of each Retired event into a buffer of `capacity` bytes (other events add
 * nothing, as in `commitLine`), and passes the buffer to `sink` whenever the next item might not fit, and on
 * `flush`. The bytes the sink receives, concatenated, equal the concatenation of `commitLine(ev)`.
 * @example
 *   const out: string[] = []
 *   const w = new CommitLogWriter((b, n) => out.push(Buffer.from(b.subarray(0, n)).toString('latin1')))
 *   w.push(ev); w.flush()           // out.join('') === commitLine(ev)
 */
export class CommitLogWriter implements CommitSink<BlockLine> {
  private readonly buf: Uint8Array
  private readonly view: DataView
  private pos = 0
  private readonly prefixes = new Map<number, Prefix>()
  /** The template whose bytes from line `next` on lie at `pos` (block lines), or none. */
  private template: Template | undefined = undefined
  private next = 0
  /** The block line made last (the next one made, unless it starts a block, follows it). */
  private lastMade: BlockLine | undefined = undefined

  /**
   * `capacity`: 256 KiB by default. With 1 MiB, writing a 365 MB log to a file cost 2–3× the system time
   * (pageloop_m, farm-bench medians of 6: sys 0.64 → 0.22 s, user unchanged); probably because the buffer
   * the kernel copies from no longer stays in the core's cache (a guess, not measured).
   */
  constructor(private readonly sink: ByteSink, capacity = 1 << 18) {
    this.buf = new Uint8Array(Math.max(capacity, 4 * MAX_ITEM, MAX_TEMPLATE))
    this.view = new DataView(this.buf.buffer)
  }

  /** Appends the line of `ev` (nothing unless it is Retired). */
  push(ev: StepEvent): void {
    if (ev._tag !== 'Retired') return
    this.template = undefined
    this.room(MAX_ITEM)
    this.bytes(this.cachedPrefix(ev.pc, ev.bits, ev.length, ev.priv))
    // Register and CSR items in Spike's order: by key (reg << 4) | kind, x = kind 0, CSR = kind 4.
    const csrs = ev.csrs
    if (csrs.length === 0) {
      if (ev.rd !== 0) this.rdItem(ev.rd, ev.rdValue)
    } else {
      this.registerItems(ev.rd, ev.rdValue, csrs)
    }
    for (const r of ev.loads) this.loadItem(r)
    for (const w of ev.stores) this.storeItem(w)
    this.buf[this.pos++] = NEWLINE
  }

  /** Hands everything buffered to the sink. */
  flush(): void {
    if (this.pos > 0) this.sink(this.buf, this.pos)
    this.pos = 0
    this.template = undefined
  }

  // ---- items ---------------------------------------------------------------------------------------------

  private registerItems(rd: number, rdValue: bigint, csrs: readonly (readonly [number, bigint])[]): void {
    // commitLine sorts the items by key with a stable sort; the same order is built here.
    const order = csrs.map((c, i) => i)
    order.sort((a, b) => (csrs[a]![0] << 4 | 4) - (csrs[b]![0] << 4 | 4))
    let rdDone = rd === 0
    for (const i of order) {
      const [n, v] = csrs[i]!
      if (!rdDone && rd << 4 < (n << 4 | 4)) { this.rdItem(rd, rdValue); rdDone = true }
      this.room(MAX_ITEM + 32)
      this.bytes(csrHead(n))
      this.hex64(v)
    }
    if (!rdDone) this.rdItem(rd, rdValue)
  }

  private rdItem(rd: number, value: bigint): void {
    this.room(MAX_ITEM)
    this.bytes(RD_HEAD[rd]!)
    this.hex64(value)
  }

  private loadItem(r: MemRead): void {
    this.room(MAX_ITEM)
    this.bytes(MEM)
    this.hex64(r.va)
  }

  private storeItem(w: MemWrite): void {
    this.room(MAX_ITEM)
    this.bytes(MEM)
    this.hex64(w.va)
    this.bytes(SPACE_0X)
    // The data at the access width: 2, 4, 8 or 16 hex digits.
    word64[0] = w.value
    if (w.size === 8) { this.hex32(halves[HI]!); this.hex32(halves[LO]!) } else this.hexBytes(halves[LO]!, w.size)
  }

  // ---- the line prefix, cached per (priv, pc, instruction) ------------------------------------------------

  private cachedPrefix(pc: bigint, bits: number, length: number, priv: number): Uint8Array {
    word64[0] = pc
    const key = halves[LO]!
    const known = this.prefixes.get(key)
    if (known !== undefined && known.pc === pc && known.bits === bits && known.priv === priv && known.length === length) return known.bytes
    const bytes = linePrefix(priv, pc, bits, length)
    if (this.prefixes.size >= PREFIX_CACHE_LIMIT) this.prefixes.clear()
    this.prefixes.set(key, { pc, bits, length, priv, bytes })
    return bytes
  }

  // ---- lines of instructions retired inside a compiled block (cpu/commit-sink.ts, CommitSink) ---------------
  // The block knows each line's shape when it is compiled; only values come from the run: register
  // values and store data read as 32-bit halves of the engine's register file (x32[2r] low, x32[2r + 1]
  // high; x0's halves are always zero), addresses as numbers below 2^53.
  // A block's lines usually follow one another, so the first line of a run of them copies the bytes of
  // the whole rest of the block (its template: every fixed byte, digits to be overwritten) past the
  // lines written, and each line then writes only its digits. Past `pos` the buffer holds `template`
  // from its line `next` on, while `template` is defined: a line that is not that one copies its own.

  /** The block line for an instruction; its block's earlier lines are the ones made just before it. */
  prefix(priv: number, pc: bigint, bits: number, length: number, shape: LineShape, index: number): BlockLine {
    const line = new BlockLine(linePrefix(priv, pc, bits, length), shape)
    if (index > 0 && this.lastMade !== undefined) this.lastMade.next = line
    this.lastMade = line
    return line
  }

  /** A line without items (a branch, a jump to x0, a fence). */
  line(line: BlockLine): void {
    this.pos = this.begin(line) + line.length
  }

  /** A line whose one item is rd, as the register file holds it now (shape 'rd'). */
  lineRd(line: BlockLine, x32: Uint32Array, rd: number): void {
    const p = this.begin(line) + line.value
    this.hex32At(p, x32[2 * rd + 1]!)
    this.hex32At(p + 8, x32[2 * rd]!)
    this.pos = p + 17
  }

  /** A load into rd ≠ 0 (shape 'load'): rd, then the address read. */
  lineLoad(line: BlockLine, x32: Uint32Array, rd: number, va: number): void {
    const p = this.begin(line) + line.value
    this.hex32At(p, x32[2 * rd + 1]!)
    this.hex32At(p + 8, x32[2 * rd]!)
    this.hex32At(p + 23, Math.floor(va / 4294967296))
    this.hex32At(p + 31, va >>> 0)
    this.pos = p + 40
  }

  /** A load into x0 (shape 'mem'): only the address read. */
  lineMem(line: BlockLine, va: number): void {
    const p = this.begin(line) + line.value
    this.hex32At(p, Math.floor(va / 4294967296))
    this.hex32At(p + 8, va >>> 0)
    this.pos = p + 17
  }

  /** A store (shape 'store'): the address and rs2's low `size` bytes. */
  lineStore(line: BlockLine, x32: Uint32Array, rs2: number, size: number, va: number): void {
    const p = this.begin(line) + line.value
    this.hex32At(p, Math.floor(va / 4294967296))
    this.hex32At(p + 8, va >>> 0)
    const d = p + 19
    const lo = x32[2 * rs2]!
    if (size === 8) { this.hex32At(d, x32[2 * rs2 + 1]!); this.hex32At(d + 8, lo) }
    else if (size === 4) this.hex32At(d, lo)
    else if (size === 2) this.view.setUint32(d, HEX4[lo & 0xffff]!, true)
    else this.view.setUint16(d, HEX4[lo & 0xff]! >>> 16, true)
    this.pos = d + 2 * size + 1
  }

  /** Where `line` starts in the buffer, its template bytes there (copied unless they are there already). */
  private begin(line: BlockLine): number {
    const t = this.template
    if (t !== undefined && t.lines[this.next] === line) { this.next++; return this.pos }
    const bytes = (line.template ??= templateOf(line)).bytes
    if (this.pos + bytes.length > this.buf.length) this.flush()
    this.buf.set(bytes, this.pos)
    this.template = line.template
    this.next = 1
    return this.pos
  }

  // ---- raw output ----------------------------------------------------------------------------------------

  /** Flushes first unless `n` more bytes fit. */
  private room(n: number): void {
    if (this.pos + n > this.buf.length) this.flush()
  }

  private bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos)
    this.pos += b.length
  }

  /** A 64-bit value as 16 hex digits. */
  private hex64(v: bigint): void {
    word64[0] = v
    this.hex32(halves[HI]!)
    this.hex32(halves[LO]!)
  }

  /** A 32-bit value as 8 hex digits at p. */
  private hex32At(p: number, v: number): void {
    this.view.setUint32(p, HEX4[v >>> 16]!, true)
    this.view.setUint32(p + 4, HEX4[v & 0xffff]!, true)
  }

  /** A 32-bit value as 8 hex digits. */
  private hex32(v: number): void {
    const p = this.pos
    this.view.setUint32(p, HEX4[v >>> 16]!, true)
    this.view.setUint32(p + 4, HEX4[v & 0xffff]!, true)
    this.pos = p + 8
  }

  /** The low `count` bytes (1, 2 or 4) of v as 2·count hex digits, most significant first. */
  private hexBytes(v: number, count: number): void {
    if (count === 4) return this.hex32(v)
    const digits = HEX4[count === 2 ? v & 0xffff : v & 0xff]!
    // One byte: the last two of the four digits of 00xy.
    if (count === 2) this.view.setUint32(this.pos, digits, true)
    else this.view.setUint16(this.pos, digits >>> 16, true)
    this.pos += 2 * count
  }
}

