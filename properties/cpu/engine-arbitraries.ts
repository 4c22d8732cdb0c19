// Machines built to reach the fast engine's hard cases (src/machine/engine/run.ts, src/cpu/engine/): stores into the
// code being run, HTIF tohost commands, Spike chunk ends with mtime ticks and timer interrupts, traps in
// the middle of a block, PMP refusals, mcountinhibit, compressed instructions with C and M switched off
// and on in misa. Shared by properties/cpu/fast-engine.prop.ts and properties/trace/.
import { fc } from '../fc.ts'
import { phys } from '../../src/bits/address.ts'
import { peek, pokeBytes } from '../../src/memory/memory.ts'
import { type Priv, hart } from '../../src/cpu/hart.ts'
import { type Machine, withDevice, withHart, withHtif, withMemory, withOptions } from '../../src/machine/machine.ts'
import { clint } from '../../src/machine/clint.ts'
import { htif } from '../../src/machine/htif.ts'
import { MSTATUS_MIE } from '../../src/cpu/csr/fields.ts'
import { bType, csrType, decodeInstruction, encode, iType, jType, rType, sType, shiftType, uType } from '../../src/cpu/decode/index.ts'
import { CODE, machineWith } from '../../spec/cpu/fixture.ts'

const DATA = CODE + 0x1000n
const TOHOST = CODE + 0x1800n
const FROMHOST = CODE + 0x1840n
export const FAR = CODE + 0x10_0000n                          // a page written before the run and never after

// ---- programs ---------------------------------------------------------------------------------------
// A program is a list of 16-bit parcels. Registers with a role: x2 = DATA, x3 = CODE (stores through it
// rewrite the program), x4 = TOHOST, x5–x7 = instruction words to store into the code, x8–x9 = HTIF
// commands; the others are free.

const free = fc.constantFrom(1, 10, 11, 12, 13, 14, 15, 16, 17, 18)
const any = fc.integer({ min: 0, max: 31 })
const imm12 = fc.integer({ min: -2048, max: 2047 }).map(BigInt)
const parcels = (w: number): number[] => [w & 0xffff, w >>> 16]

const R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'mulw', 'div', 'divu', 'rem', 'remu', 'divw', 'divuw', 'remw', 'remuw'] as const
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'] as const
const SHIFTS = [['slli', 63], ['srli', 63], ['srai', 63], ['slliw', 31], ['srliw', 31], ['sraiw', 31]] as const
const LOADS = [['lb', 1], ['lbu', 1], ['lh', 2], ['lhu', 2], ['lw', 4], ['lwu', 4], ['ld', 8]] as const
const STORES = [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]] as const

/** A legal compressed parcel (quadrants 0–2), decoded by the same decoder as everything else. */
const compressed = fc.integer({ min: 0, max: 0xffff })
  .filter((b) => (b & 3) !== 3 && decodeInstruction(b)._tag !== 'Illegal')
  .map((b) => [b])

/** One instruction (as parcels); `k` = instructions left to the end, to keep branches inside. */
const arbInsn = (k: number): fc.Arbitrary<number[]> => fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...R_OPS), free, any, any).map(([op, rd, a, b]) => parcels(encode(rType(op, rd, a, b)))) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...I_OPS), free, any, imm12).map(([op, rd, a, i]) => parcels(encode(iType(op, rd, a, i)))) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...SHIFTS), free, any, fc.nat(63)).map(([[op, max], rd, a, s]) => parcels(encode(shiftType(op, rd, a, s & max)))) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('lui', 'auipc') , free, fc.integer({ min: -0x80000, max: 0x7ffff })).map(([op, rd, i]) => parcels(encode(uType(op, rd, BigInt(i) << 12n)))) },
  // loads and stores in the data page, sometimes misaligned (a trap in the middle of a block)
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...LOADS), free, fc.nat(255), fc.nat(7), fc.nat(9))
    .map(([[op, size], rd, slot, skew, odd]) => parcels(encode(iType(op, rd, 2, BigInt(slot * size + (odd === 0 ? skew : 0)))))) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...STORES), any, fc.nat(255), fc.nat(7), fc.nat(9))
    .map(([[op, size], rs2, slot, skew, odd]) => parcels(encode(sType(op, 2, rs2, BigInt(slot * size + (odd === 0 ? skew : 0)))))) },
  // loads and stores through a free register (random: mostly outside RAM, an access fault)
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...LOADS), free, free, imm12).map(([[op], rd, a, i]) => parcels(encode(iType(op, rd, a, i)))) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...STORES), free, free, imm12).map(([[op], a, b, i]) => parcels(encode(sType(op, a, b, i)))) },
  // self-modifying code: store an instruction word (or anything) into the program itself
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...STORES), fc.constantFrom(5, 6, 7, 5, 6, 7, 1, 10), fc.nat(4 * 48))
    .map(([[op, size], rs2, at]) => parcels(encode(sType(op, 3, rs2, BigInt(at - (at % size)))))) },
  // HTIF: a command to tohost (the neighbouring fromhost through x4 + 0x40)
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(8, 9, 0), fc.constantFrom(0n, 0x40n)).map(([rs2, at]) => parcels(encode(sType('sd', 4, rs2, at)))) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'), any, any, fc.integer({ min: 1, max: 3 }))
    .map(([op, a, b, d]) => parcels(encode(bType(op, a, b, BigInt(4 * Math.min(d, k)))))) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: 1, max: 3 })).map(([rd, d]) => parcels(encode(jType(rd, BigInt(4 * Math.min(d, k)))))) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0, 1), fc.constantFrom(3, 1, 10), fc.integer({ min: 0, max: 40 }).map((i) => BigInt(i * 2)))
    .map(([rd, rs1, i]) => parcels(encode(iType('jalr', rd, rs1, i)))) },
  // a counter read and an mcountinhibit write: handovers to step that change what the engine counts
  { weight: 1, arbitrary: fc.tuple(free, fc.constantFrom(0xb00, 0xb02)).map(([rd, csr]) => parcels(encode(csrType('csrrs', rd, 0, csr)))) },
  { weight: 1, arbitrary: free.map((rs) => parcels(encode(csrType('csrrw', 0, rs, 0x320)))) },
  { weight: 3, arbitrary: compressed },
)

/** Instruction words the program may store into itself: simple ALU ones, a jump, zero (illegal). */
const arbCodeWord = fc.oneof(
  fc.tuple(fc.constantFrom(...I_OPS), free, free, imm12).map(([op, rd, a, i]) => BigInt(encode(iType(op, rd, a, i)))),
  fc.tuple(fc.constantFrom('add', 'sub', 'xor'), free, free, free).map(([op, rd, a, b]) => BigInt(encode(rType(op, rd, a, b)))),
  fc.constant(BigInt(encode(jType(0, 8n)))),
  fc.constant(0n),
)

/** Commands for tohost: exit, a console byte, a system call whose request block lies in DATA, or zero. */
const arbHostCommand = fc.oneof(
  fc.nat(5).map((code) => (BigInt(code) << 1n) | 1n),
  fc.nat(255).map((ch) => (1n << 56n) | (1n << 48n) | BigInt(ch)),
  fc.constant(DATA + 0x100n),
  fc.constant(0n),
)

/** A random PMP entry near the program: cfg (A, RWX, maybe L) and pmpaddr. */
const arbPmpEntry = fc.tuple(
  fc.constantFrom(0x08, 0x10, 0x18, 0x18, 0x00).chain((a) => fc.tuple(fc.constant(a), fc.nat(7), fc.boolean())).map(([a, rwx, l]) => a | rwx | (l ? 0x80 : 0)),
  fc.oneof(fc.bigInt({ min: (CODE - 0x2000n) >> 2n, max: (CODE + 0x4000n) >> 2n }), fc.constant(((CODE + 0x1000n) >> 2n) | 0x1ffn), fc.constant((1n << 54n) - 1n)),
)

export const arbEngineMachine = fc.record({
  body: fc.integer({ min: 1, max: 40 }).chain((len) => fc.tuple(...Array.from({ length: len }, (_, i) => arbInsn(len - i)))),
  regs: fc.array(fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: CODE - 0x100n, max: CODE + 0x2100n })), { minLength: 31, maxLength: 31 }),
  codeWords: fc.tuple(arbCodeWord, arbCodeWord, arbCodeWord),
  // what the data page holds before the run (loads see signed and unsigned values of every width):
  // 2 KiB from a seed, so that a failing case shrinks quickly
  dataSeed: fc.integer({ min: 1, max: 0x7fff_ffff }),
  host: fc.tuple(arbHostCommand, arbHostCommand),
  priv: fc.constantFrom<Priv>(3, 3, 1, 0),
  interleave: fc.constantFrom(3, 7, 13, 100, 250, 5000),
  mcountinhibit: fc.nat(7).map(BigInt),
  timer: fc.record({ mtimecmp: fc.bigInt({ min: 0n, max: 40n }), mtie: fc.boolean(), mie: fc.boolean() }),
  misa: fc.record({ c: fc.boolean(), m: fc.boolean() }),
  pmp: fc.option(fc.array(arbPmpEntry, { minLength: 1, maxLength: 3 }), { freq: 3 }),
  htif: fc.record({ on: fc.boolean(), pending: fc.array(fc.constant(0x1n), { maxLength: 2 }), tohost: fc.constantFrom(0n, 0n, 0n, 1n, 3n), fromhost: fc.constantFrom(0n, 7n) }),
}).map((a): Machine => {
  // the program, then a jump back to its start (the parcel count made even with a c.nop)
  const code = a.body.flat()
  if (code.length % 2 === 1) code.push(0x0001)
  code.push(...parcels(encode(jType(0, BigInt(-2 * code.length)))))
  const words = Array.from({ length: code.length / 2 }, (_, i) => (code[2 * i]! | (code[2 * i + 1]! << 16)) >>> 0)
  const x: Record<number, bigint> = {}
  a.regs.forEach((v, i) => { x[i + 1] = v })
  Object.assign(x, { 2: DATA, 3: CODE, 4: TOHOST, 5: a.codeWords[0], 6: a.codeWords[1], 7: a.codeWords[2], 8: a.host[0], 9: a.host[1] })
  const base = machineWith(words, { priv: a.priv, x, csr: { mtvec: CODE, stvec: CODE } })
  const h0 = base.hart
  let pmpcfg = h0.csr.pmpcfg, pmpaddr = h0.csr.pmpaddr
  if (a.pmp !== null) a.pmp.forEach(([cfg, addr], i) => { pmpcfg = pmpcfg.with(i, cfg); pmpaddr = pmpaddr.with(i, addr) })
  const misa = h0.csr.misa & ~(a.misa.c ? 0n : 1n << 2n) & ~(a.misa.m ? 0n : 1n << 12n)
  const csr = {
    ...h0.csr, pmpcfg, pmpaddr, misa, mcountinhibit: a.mcountinhibit,
    mie: a.timer.mtie ? 1n << 7n : 0n, mstatus: a.timer.mie ? h0.csr.mstatus | MSTATUS_MIE : h0.csr.mstatus,
  }
  let memory = pokeBytes(base.memory, phys(FAR), Uint8Array.of(0x5a))
  memory = pokeBytes(memory, phys(DATA), seededBytes(a.dataSeed, 2048))
  const words8 = new DataView(new ArrayBuffer(8))
  words8.setBigUint64(0, a.htif.tohost, true)
  memory = pokeBytes(memory, phys(TOHOST), new Uint8Array(words8.buffer.slice(0)))
  words8.setBigUint64(0, a.htif.fromhost, true)
  memory = pokeBytes(memory, phys(FROMHOST), new Uint8Array(words8.buffer.slice(0)))
  const host = a.htif.on ? htif(TOHOST, FROMHOST, undefined, a.htif.pending, []) : base.htif
  const c0 = base.devices.clint
  const m1 = withOptions(withHtif(withMemory(withHart(base, hart(h0.pc, h0.x, h0.priv, h0.virt, csr, undefined, h0.instret, h0.cycle)), memory), host),
    { ...base.options, interleave: a.interleave })
  return withDevice(m1, 'clint', clint(c0.msip, c0.mtime, a.timer.mtimecmp))
})

/** `n` bytes from a 32-bit xorshift generator started at `seed` (≠ 0). */
const seededBytes = (seed: number, n: number): Uint8Array => {
  const out = new Uint8Array(n)
  let x = seed | 0
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

// ---- comparing machines -------------------------------------------------------------------------------

const hex = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v instanceof Uint8Array ? [...v] : v)

/** Everything architectural about a machine, as text: hart, platform, HTIF, pages, the memory near the code. */
export const render = (m: Machine): string => {
  const words: string[] = []
  for (let a = CODE - 0x1000n; a < CODE + 0x3000n; a += 8n) words.push(peek(m.memory, phys(a), 8).toString(16))
  return JSON.stringify([m.hart, m.platform, m.devices.clint, m.htif, m.memory.pages, peek(m.memory, phys(FAR), 1)], hex) + words.join(',')
}

