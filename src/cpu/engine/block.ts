// The block compiler of the fast engine: a straight run of instructions (at most MAX_BLOCK, never
// crossing a page, ending with the first branch or jump) becomes one JavaScript function, made with
// `new Function` and cached by pc. Each instruction is written out as the few operations its
// definition in execute/base.ts comes to (RV64I, M, the compressed forms, FENCE as a no-op), on
// registers held in a BigUint64Array (storing into it wraps mod 2^64, as `u64` does).
//
// Under address translation (`Translated`) pc values are virtual addresses: a block is compiled from the
// physical page its first instruction was fetched from (the page a TLB entry points to), its loads and
// stores look their virtual pages up through the engine's TLB fast paths (pages.ts: vlt/vst, each hit
// stamping its TLB way as an LRU hit does, else vload/vstore, which go through the mirrored TLB), and
// after each load or store the next instruction's fetch is made again (vft, else vfetch): the code's
// entry is used after the data's, and the data access may have replaced it. Addresses at or above 2^52
// are left to `step`.
//
// Everything a block does not do itself is left to `step`, which then raises the trap or does the
// access: a block stops *before* an instruction that would trap or touch anything but RAM (misaligned
// accesses, addresses outside RAM, PMP refusals, stores near tohost, jumps out of RAM or to a target
// that is misaligned without C), and never contains CSR, system, atomic, fence.vma or hypervisor
// instructions. So a block's effect is always that of its first k instructions, each retired as
// `step` retires it.
import { type Insn } from '../decode/index.ts'
import { type Isa } from '../isa.ts'
import { implemented } from '../decode/described.ts'
import { decodeMemo } from '../decode/engine/memo.ts'
import { type CommitSink, type LineShape, type LinePrefix } from '../commit-sink.ts'
import { alu } from '../execute/alu.ts'
import { s64, u64 } from '../../bits/bits.ts'
import { PAGE_BYTES } from '../../memory/memory.ts'
import { type RunMemory } from './pages.ts'

export type { CommitSink, LineShape, LinePrefix } from '../commit-sink.ts'

/** Longest block, in instructions. */
export const MAX_BLOCK = 64

/** The engine state blocks work on: one object, reused by every call of the engine. */
export interface Core {
  /** x0–x31 (x0 is never written), with signed and 32-bit views of the same bytes. */
  readonly x: BigUint64Array
  readonly xs: BigInt64Array
  readonly x32: Uint32Array
  readonly mem: RunMemory
  /** The pc after the block ran (a RAM address, or the address of an instruction left to `step`). */
  pc: number
  readonly alu: typeof alu
}

/** Where RAM is: blocks are compiled for one layout (its bounds are constants in their code). */
export interface Layout {
  /** RAM base and size, as numbers (the engine needs base page-aligned and base + size < 2^53). */
  readonly base: number
  readonly size: number
}

/** Which accesses translate: fetches (pc is a virtual address) and loads and stores (MPRV may differ). */
export interface Translated {
  readonly fetch: boolean
  readonly data: boolean
}

export const UNTRANSLATED: Translated = { fetch: false, data: false }

/**
 * Translated pcs are held as the signed value of their 64 bits (the high half of the address space is
 * negative), exact while its magnitude stays below VA_LIMIT: all of Sv39 and Sv48, and Sv57 but for the
 * outermost 2^56 − 2^53 of each half, whose code is left to `step`. Loads and stores reach every address.
 */
export const VA_LIMIT = 2 ** 53 - 2 ** 13

/** The virtual page number (as the TLB keeps it: the unsigned address >> 12) of a signed page address. */
export const vpnOf = (pageVa: number): number => (pageVa < 0 ? pageVa / PAGE_BYTES + 2 ** 52 : pageVa / PAGE_BYTES)

/** A translated pc as the engine holds it (see VA_LIMIT), or undefined when it cannot. */
export const pcNumber = (pc: bigint): number | undefined => {
  const v = Number(BigInt.asIntN(64, pc))
  return v > -VA_LIMIT && v < VA_LIMIT ? v : undefined
}

export interface Block {
  readonly pc: number
  /** Instructions in the block; 0 when the first one is left to `step`. */
  readonly n: number
  /** The bytes the block was compiled from: [off, off + len) of its page. */
  readonly off: number
  readonly len: number
  /** Those bytes plus the instruction that ended the block (if on the page): a copy to re-check against. */
  readonly source: Uint8Array
  /** The page object the block was last checked against. */
  page: DataView
  /** RunMemory.epoch in which its bytes were last marked as code, and the RAM page marked. */
  epoch: number
  marked: number
  /** Runs at most `max` (≥ 1) instructions; returns how many ran and leaves the next pc in core.pc. */
  readonly run: (max: number) => number
}

const EMPTY = (): number => 0

/** The logging code after instruction k (P[k] is its line's fixed start) and the shape of that line. */
interface LogCode { readonly code: string; readonly shape: LineShape }

const logNone = (k: number): LogCode => ({ code: `L.line(P[${k}]);`, shape: { kind: 'none' } })
const logRd = (k: number, rd: number): LogCode => (rd === 0 ? logNone(k) : { code: `L.lineRd(P[${k}], x32, ${rd});`, shape: { kind: 'rd', rd } })
const logLoad = (k: number, rd: number): LogCode =>
  (rd === 0 ? { code: `L.lineMem(P[${k}], a);`, shape: { kind: 'mem' } } : { code: `L.lineLoad(P[${k}], x32, ${rd}, a);`, shape: { kind: 'load', rd } })
const logStore = (k: number, rs2: number, size: number): LogCode => ({ code: `L.lineStore(P[${k}], x32, ${rs2}, ${size}, a);`, shape: { kind: 'store', size } })

// ---- code generation ------------------------------------------------------------------------------

/** A bigint literal (parenthesised, so a negative one can follow any operator). */
const big = (v: bigint): string => `(${v}n)`
/** A 64-bit constant as the signed literal of the same bits (see `sreg`). */
const sbig = (v: bigint): string => big(s64(v))
const reg = (r: number): string => (r === 0 ? '0n' : `x[${r}]`)
// Operands are read through the signed view xs wherever the result's low 64 bits do not depend on the
// reading (add, sub, mul, logic, left shifts, equality; the store into the BigUint64Array wraps): values in
// int64 range are what V8's optimizing compiler speculates BigInts to be, and an unsigned read ≥ 2^63
// deoptimizes a block that had seen only small values ("lost precision"). Unsigned comparisons compare the
// two 32-bit halves as numbers, and logical right shifts mask the arithmetic shift.
const sreg = (r: number): string => (r === 0 ? '0n' : `xs[${r}]`)
const low = (r: number): string => (r === 0 ? '0' : `x32[${2 * r}]`)
const high = (r: number): string => (r === 0 ? '0' : `x32[${2 * r + 1}]`)
/** rs1 + imm as a number: exact below 2^53, and far outside RAM above it. */
const addr = (r: number, imm: bigint): string => (r === 0 ? `${imm}` : `x32[${2 * r + 1}] * 4294967296 + x32[${2 * r}] + ${imm}`)
const w32 = (e: string): string => `BigInt.asIntN(32, ${e})`
/** Unsigned a < b on the 32-bit halves (numbers): no bigint is read. */
const ltu = (a: number, b: number): string => `(${high(a)} < ${high(b)} || (${high(a)} === ${high(b)} && ${low(a)} < ${low(b)}))`
/** Unsigned a < constant c. */
const ltuConst = (a: number, c: bigint): string => {
  const hi = Number(c >> 32n), lo = Number(c & 0xffff_ffffn)
  return `(${high(a)} < ${hi} || (${high(a)} === ${hi} && ${low(a)} < ${lo}))`
}
/** The logical right shift of register a by the constant s (0–63), from the arithmetic one. */
const srlConst = (a: number, s: number): string => (s === 0 ? sreg(a) : `(${sreg(a)} >> ${s}n) & ${big((1n << BigInt(64 - s)) - 1n)}`)

const rValue = (op: string, a: number, b: number): string => {
  const ra = reg(a), rb = reg(b), sa = sreg(a), sb = sreg(b)
  switch (op) {
    case 'add': return `${sa} + ${sb}`
    case 'sub': return `${sa} - ${sb}`
    case 'sll': return `${sa} << (${sb} & 63n)`
    case 'slt': return `${sa} < ${sb} ? 1n : 0n`
    case 'sltu': return `${ltu(a, b)} ? 1n : 0n`
    case 'xor': return `${sa} ^ ${sb}`
    case 'srl': return `${ra} >> (${sb} & 63n)`
    case 'sra': return `${sa} >> (${sb} & 63n)`
    case 'or': return `${sa} | ${sb}`
    case 'and': return `${sa} & ${sb}`
    case 'addw': return w32(`${sa} + ${sb}`)
    case 'subw': return w32(`${sa} - ${sb}`)
    case 'sllw': return w32(`${sa} << (${sb} & 31n)`)
    case 'srlw': return w32(`(${sa} & 0xffffffffn) >> (${sb} & 31n)`)
    case 'sraw': return `${w32(sa)} >> (${sb} & 31n)`
    case 'mul': return `${sa} * ${sb}`
    case 'mulh': return `(${sa} * ${sb}) >> 64n`
    case 'mulhsu': return `(${sa} * ${rb}) >> 64n`
    case 'mulhu': return `(${ra} * ${rb}) >> 64n`
    case 'mulw': return w32(`${sa} * ${sb}`)
    default: return `alu('${op}', ${ra}, ${rb})`      // division and remainder: the readable definition
  }
}

const iValue = (op: string, a: number, imm: bigint): string => {
  const sa = sreg(a)
  switch (op) {
    case 'addi': return `${sa} + ${big(imm)}`
    case 'slti': return `${sa} < ${big(imm)} ? 1n : 0n`
    case 'sltiu': return `${ltuConst(a, u64(imm))} ? 1n : 0n`
    case 'xori': return `${sa} ^ ${sbig(imm)}`
    case 'ori': return `${sa} | ${sbig(imm)}`
    case 'andi': return `${sa} & ${sbig(imm)}`
    default: return w32(`${sa} + ${big(imm)}`)         // addiw
  }
}

const shiftValue = (op: string, a: number, s: number): string => {
  const sa = sreg(a)
  switch (op) {
    case 'slli': return `${sa} << ${s}n`
    case 'srli': return srlConst(a, s)
    case 'srai': return `${sa} >> ${s}n`
    case 'slliw': return w32(`${sa} << ${s}n`)
    case 'srliw': return w32(`(${sa} & 0xffffffffn) >> ${s}n`)
    default: return `${w32(sa)} >> ${s}n`               // sraiw
  }
}

/**
 * Loads write rd's two 32-bit halves (x32[2rd] low, x32[2rd + 1] high) from the page: no bigint is made.
 * A signed value's high half is its sign (v >> 31); a Uint32Array store wraps a negative low half mod 2^32.
 */
const LOAD: Record<string, readonly [number, (rd: number) => string]> = {
  lb: [1, (rd) => `v = dv.getInt8(o & 4095); x32[${2 * rd}] = v; x32[${2 * rd + 1}] = v >> 31;`],
  lbu: [1, (rd) => `x32[${2 * rd}] = dv.getUint8(o & 4095); x32[${2 * rd + 1}] = 0;`],
  lh: [2, (rd) => `v = dv.getInt16(o & 4095, true); x32[${2 * rd}] = v; x32[${2 * rd + 1}] = v >> 31;`],
  lhu: [2, (rd) => `x32[${2 * rd}] = dv.getUint16(o & 4095, true); x32[${2 * rd + 1}] = 0;`],
  lw: [4, (rd) => `v = dv.getInt32(o & 4095, true); x32[${2 * rd}] = v; x32[${2 * rd + 1}] = v >> 31;`],
  lwu: [4, (rd) => `x32[${2 * rd}] = dv.getUint32(o & 4095, true); x32[${2 * rd + 1}] = 0;`],
  ld: [8, (rd) => `x32[${2 * rd}] = dv.getUint32(o & 4095, true); x32[${2 * rd + 1}] = dv.getUint32((o & 4095) + 4, true);`],
}
const STORE: Record<string, number> = { sb: 1, sh: 2, sw: 4, sd: 8 }
/** A store of rs2's low `size` bytes into page view `view` at byte `off`, from the register's 32-bit halves. */
const storeCode = (view: string, off: string, size: number, rs2: number): string => {
  const lo = low(rs2), hi = rs2 === 0 ? '0' : `x32[${2 * rs2 + 1}]`
  switch (size) {
    case 1: return `${view}.setUint8(${off}, ${lo});`
    case 2: return `${view}.setUint16(${off}, ${lo}, true);`
    case 4: return `${view}.setUint32(${off}, ${lo}, true);`
    default: return `${view}.setUint32(${off}, ${lo}, true); ${view}.setUint32(${off} + 4, ${hi}, true);`
  }
}

const inRam = (layout: Layout, a: bigint): boolean => a >= BigInt(layout.base) && a < BigInt(layout.base + layout.size)

/**
 * The code of instruction number k of a block, at `pc`, or undefined when the block must stop before it
 * (it is left to `step`). `last` is set for control transfers, which end the block.
 */
const emit = (insn: Insn, k: number, pc: bigint, start: bigint, isa: Isa, layout: Layout, tr: Translated, logged: boolean): { code: string; last: boolean; log: LogCode; access: boolean } | undefined => {
  const next = s64(pc + BigInt(insn.length))
  // Counts returned are `d +` the instructions of this pass (d: those of earlier passes of a self-loop).
  const stop = `{ c.pc = ${pc}; return d + ${k} }`             // leave this instruction to step
  const done = (target: string): string => `c.pc = ${target}; return d + ${k + 1};`
  // A branch or jump back to the block's own start runs the block again while the budget lasts, as the
  // engine would (nothing between two blocks can change what the next pass does: chunk ends lie beyond
  // max, and a store over the block's code ends it).
  const taken = (target: bigint): string => (target === start
    ? `d += ${k + 1}; max -= ${k + 1}; if (max > 0) continue; c.pc = ${target}; return d;`
    : done(`${target}`))
  const setRd = (rd: number, v: string): string => (rd === 0 ? '' : `x[${rd}] = ${v};`)
  const jumpable = (t: bigint): boolean => (tr.fetch ? t > -VA_LIMIT && t < VA_LIMIT : inRam(layout, t)) && (isa.c || (t & 2n) === 0n)
  const check = (size: number): string => `o = a - ${layout.base}; if (o < 0 || o > ${layout.size - size} || (o & ${size - 1}) !== 0) ${stop}`
  // Translated: a below 2^52 and aligned; o = the page offset, p = the virtual page, i = its fast-path slot.
  const vcheck = (size: number): string => `if (a < 0 || a >= ${VA_LIMIT} || (a & ${size - 1}) !== 0) ${stop} o = a & 4095; p = (a - o) / 4096; i = p & 255;`
  // Unlogged blocks (whose lines need no address as a number) reach every 64-bit address: rs1 + imm on the
  // 32-bit halves (h:l, the carry or borrow into h), then p = the page number (exact: below 2^52).
  const vaddr = (r: number, imm: bigint, size: number): string => {
    if (logged) return `a = ${addr(r, imm)}; ${vcheck(size)}`
    const carry = imm >= 0n ? `if (l > 4294967295) { l -= 4294967296; h = (h + 1) >>> 0 }` : `if (l < 0) { l += 4294967296; h = (h + 4294967295) >>> 0 }`
    return `l = ${low(r)} + ${imm}; h = ${high(r)}; ${carry} if ((l & ${size - 1}) !== 0) ${stop} o = l & 4095; p = h * 1048576 + (l >>> 12); i = p & 255;`
  }
  const out = (code: (log: string) => string, log: LogCode, last = false, access = false): { code: string; last: boolean; log: LogCode; access: boolean } =>
    ({ code: code(logged ? log.code : ''), last, log, access })
  switch (insn._tag) {
    case 'R': return out((log) => setRd(insn.rd, rValue(insn.op, insn.rs1, insn.rs2)) + log, logRd(k, insn.rd))
    case 'Shift': return out((log) => setRd(insn.rd, shiftValue(insn.op, insn.rs1, insn.shamt)) + log, logRd(k, insn.rd))
    case 'U': return out((log) => setRd(insn.rd, sbig(insn.op === 'lui' ? insn.imm : pc + insn.imm)) + log, logRd(k, insn.rd))
    case 'Fence': return out((log) => log, logNone(k))
    case 'I': {
      if (insn.op === 'jalr') {
        // The target is rs1 + imm with bit 0 cleared; only RAM targets are taken here.
        const align = isa.c ? '' : `if ((a & 2) !== 0) ${stop}`
        // (translated: the signed value, exact while small enough to be a pc; bit 0 of a negative one is a & 1 too)
        const target = tr.fetch ? `a = ${insn.rs1 === 0 ? '0' : `(${high(insn.rs1)} | 0) * 4294967296 + ${low(insn.rs1)}`} + ${insn.imm}; if (a <= ${-VA_LIMIT} || a >= ${VA_LIMIT}) ${stop}`
          : `a = ${addr(insn.rs1, insn.imm)}; o = a - ${layout.base}; if (o < 0 || o >= ${layout.size}) ${stop}`
        return out((log) => `${target} a -= a & 1; ${align} ${setRd(insn.rd, sbig(next))} ${log} ${done('a')}`,
          logRd(k, insn.rd), true)
      }
      const load = LOAD[insn.op]
      if (load === undefined) return out((log) => setRd(insn.rd, iValue(insn.op, insn.rs1, insn.imm)) + log, logRd(k, insn.rd))
      const [size, value] = load
      if (tr.data) {
        return out((log) => `${vaddr(insn.rs1, insn.imm, size)} if (vlt[i] === p) { ts[vlw[i]] = ++ck[0]; dv = vlv[i] } else dv = mem.vload(p); if (dv === null) ${stop} ${insn.rd === 0 ? '' : value(insn.rd)} ${log}`,
          logLoad(k, insn.rd), false, true)
      }
      return out((log) => `a = ${addr(insn.rs1, insn.imm)}; ${check(size)} p = o >>> 12; i = p & 255; dv = rt[i] === p ? rv[i] : mem.load(p); if (dv === null) ${stop} ${insn.rd === 0 ? '' : value(insn.rd)} ${log}`,
        logLoad(k, insn.rd))
    }
    case 'S': {
      const size = STORE[insn.op]!
      // A store the store TLB cannot take goes through mem.store: refused (left to step), or done over
      // code the block runs (the block ends after it).
      if (tr.data) {
        return out((log) => `${vaddr(insn.rs1, insn.imm, size)} s = 0; ` +
            `if (vst[i] === p) { ts[vsw[i]] = ++ck[0]; dv = vsv[i]; ${storeCode('dv', 'o', size, insn.rs2)} } ` +
            `else { s = mem.vstore(p, o, ${size}, ${reg(insn.rs2)}); if (s === 1) ${stop} } ${log} if (s !== 0) { ${done(`${next}`)} }`,
          logStore(k, insn.rs2, size), false, true)
      }
      return out((log) => `a = ${addr(insn.rs1, insn.imm)}; ${check(size)} p = o >>> 12; i = p & 255; s = 0; ` +
          `if (wt[i] === p) { dv = wv[i]; ${storeCode('dv', '(o & 4095)', size, insn.rs2)} } ` +
          `else { s = mem.store(o, ${size}, ${reg(insn.rs2)}); if (s === 1) ${stop} } ${log} if (s !== 0) { ${done(`${next}`)} }`,
        logStore(k, insn.rs2, size))
    }
    case 'B': {
      const target = s64(pc + insn.imm)
      if (!jumpable(target)) return undefined
      const sa = sreg(insn.rs1), sb = sreg(insn.rs2)
      const cond = insn.op === 'beq' ? `${sa} === ${sb}` : insn.op === 'bne' ? `${sa} !== ${sb}` : insn.op === 'blt' ? `${sa} < ${sb}`
        : insn.op === 'bge' ? `${sa} >= ${sb}` : insn.op === 'bltu' ? ltu(insn.rs1, insn.rs2) : `!${ltu(insn.rs1, insn.rs2)}`
      return out((log) => `${log} if (${cond}) { ${taken(target)} } ${done(`${next}`)}`, logNone(k), true)
    }
    case 'J': {
      const target = s64(pc + insn.imm)
      if (!jumpable(target)) return undefined
      return out((log) => `${setRd(insn.rd, sbig(next))} ${log} ${taken(target)}`, logRd(k, insn.rd), true)
    }
    default: return undefined                                    // CSR, system, AMO, fences of translation, HLV/HSV, illegal
  }
}

/** A logging block's sink and the privilege its lines show (the engine never changes privilege inside a call). */
export interface BlockLog {
  readonly sink: CommitSink
  readonly priv: number
}

/**
 * Compiles the block at `pc` (a RAM address, or a virtual one when fetches translate) from `page` (the
 * page holding it, whose first byte is at RAM offset `pageOffset`) for this ISA, layout and translation;
 * with `log`, the block also writes the commit-log line of every instruction it retires. Decoding uses
 * the same memo and the same `implemented` test as `step`.
 */
export const compile = (core: Core, page: DataView, pageOffset: number, pc: number, isa: Isa, layout: Layout, tr: Translated, log?: BlockLog): Block => {
  const start = tr.fetch ? pc & (PAGE_BYTES - 1) : pc - layout.base - pageOffset
  const pageEnd = tr.fetch ? PAGE_BYTES : Math.min(PAGE_BYTES, layout.size - pageOffset)     // the page may end where RAM ends
  const pageVa = pc - start                                          // the address of the page's first byte (as fetched)
  const codeVpn = vpnOf(pageVa)
  const lines: string[] = []
  const prefixes: LinePrefix[] = []
  let off = start
  let end = start                                                    // end of the bytes compared on re-check
  let n = 0
  let transfer = false                                               // ended by a branch or jump
  let afterAccess = false                                            // the last instruction was a translated load or store
  while (n < MAX_BLOCK && off + 2 <= pageEnd) {
    let bits = page.getUint16(off, true)
    let length: 2 | 4 = 2
    if ((bits & 3) === 3) {
      if (off + 4 > pageEnd) { end = off + 2; break }
      bits = (bits | (page.getUint16(off + 2, true) << 16)) >>> 0
      length = 4
    }
    end = off + length
    const insn = decodeMemo(bits)
    const at = BigInt(pageVa + off)
    const out = implemented(insn, isa) ? emit(insn, n, at, BigInt(pc), isa, layout, tr, log !== undefined) : undefined
    if (out === undefined) break
    if (n > 0) lines.push(`if (max === ${n}) { c.pc = ${at}; return d + ${n} }`)
    // The fetch of an instruction after a translated load or store: a hit on the code's TLB entry, stamped
    // after the data access's (else the fetch is looked up, and the block ends if it is not that entry).
    if (tr.fetch && afterAccess) {
      lines.push(`if (vft[${codeVpn & 255}] === ${codeVpn}) ts[vfw[${codeVpn & 255}]] = ++ck[0]; else if (!mem.vfetch(${codeVpn})) { c.pc = ${at}; return d + ${n} }`)
    }
    afterAccess = out.access
    lines.push(out.code)
    if (log !== undefined) prefixes.push(log.sink.prefix(log.priv, u64(at), bits, length, out.log.shape, n))
    off += length
    n++
    transfer = out.last
    if (transfer) break
  }
  if (n > 0 && !transfer) lines.push(`c.pc = ${pageVa + off}; return d + ${n};`)
  const source = new Uint8Array(page.buffer, page.byteOffset + start, end - start).slice()
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the block compiler makes functions from the code it generates: that is the engine
  const run = n === 0 ? EMPTY : (new Function('c', 'L', 'P',
    'const x = c.x, xs = c.xs, x32 = c.x32, mem = c.mem, rt = mem.rt, rv = mem.rv, wt = mem.wt, wv = mem.wv, alu = c.alu;\n' +
    'const vlt = mem.vlt, vlv = mem.vlv, vlw = mem.vlw, vst = mem.vst, vsv = mem.vsv, vsw = mem.vsw, vft = mem.vft, vfw = mem.vfw, ts = mem.ts, ck = mem.clock;\n' +
    `return function block_${pc < 0 ? 'm' : ''}${Math.abs(pc).toString(16)}(max) {\nlet a = 0, o = 0, p = 0, i = 0, s = 0, d = 0, v = 0, l = 0, h = 0, dv = null;\nfor (;;) {\n${lines.join('\n')}\n}\n}`) as
    (c: Core, L: CommitSink | undefined, P: readonly LinePrefix[]) => (max: number) => number)(core, log?.sink, prefixes)
  return { pc, n, off: start, len: off - start, source, page, epoch: -1, marked: -1, run }
}

/** Does `page` still hold the bytes `b` was compiled from? */
export const sameSource = (b: Block, page: DataView): boolean => {
  const s = b.source
  for (let k = 0; k < s.length; k++) if (page.getUint8(b.off + k) !== s[k]) return false
  return true
}
