// Machines that run the fast engine under address translation (src/machine/engine/run.ts with the
// mirrored TLB of src/mmu/engine/tlb-mirror.ts): random Sv39/48/57 page tables for S- and U-mode, VS- and
// VU-mode under vsatp over an Sv39x4/Sv48x4 G-stage (hgatp), and M-mode with MPRV (MPP = S or U, MPV = 0
// or 1); random leaves (permissions, U, A/D clear, invalid, aliases of one physical page, a megapage);
// programs that load and store through every mapping, rewrite page-table entries without a fence (stale
// translations), fence (SFENCE.VMA), write their own code through an alias and remap their own code
// page; TLBs of several shapes (Spike's, and small ones that replace on nearly every fill, LRU and FIFO,
// fences exact). Faults trap to an M-mode handler that skips the instruction and returns.
import { fc } from '../fc.ts'
import { phys } from '../../src/bits/address.ts'
import { type PhysMemory, pokeBytes } from '../../src/memory/memory.ts'
import { pageAtMemo } from '../../src/memory/engine/page-views.ts'
import { type Priv, hart } from '../../src/cpu/hart.ts'
import { type Machine, withHart, withMemory, withOptions, withTlb } from '../../src/machine/machine.ts'
import { type TlbConfig, defaultTlbConfig, emptyTlb, entries, spikeTlbConfig } from '../../src/mmu/tlb.ts'
import { bType, csrType, encode, fenceVmaType, iType, jType, rType, sType, shiftType, uType } from '../../src/cpu/decode/index.ts'
import { CODE, machineWith } from '../../spec/cpu/fixture.ts'
import { foldSteps } from '../../src/machine/run.ts'

// ---- physical and virtual layout ------------------------------------------------------------------------

const HANDLER = CODE + 0x3000n                      // M-mode: mepc += 4, mret
const PT_POOL = 0x8004_0000n                        // page tables (the Sv39x4 root first: 16 KiB aligned)
const DATA_POOL = 0x8010_0000n                      // data pages leaves point to
const POOL_PAGES = 6
const MEGA_PA = 0x8020_0000n                        // a 2 MiB leaf's target
const CODE_VA = 0x4000_0000n                        // the program, as fetched
const ALIAS_VA = 0x4000_1000n                       // the program's page again, writable
const PT_VA = 0x4000_2000n                          // the level-0 table of the data pages, writable
const DATA_VA = 0x4001_0000n                        // 8 data pages
const DATA_PAGES = 8
const MEGA_VA = 0x4020_0000n
/** Level-0 index of DATA_VA's first page (the table PT_VA shows). */
const DATA_INDEX = Number((DATA_VA >> 12n) & 511n)

const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, A = 64n, D = 128n

/** The physical pages a law compares (besides registers and CSRs). */
export const WATCHED: readonly bigint[] = [
  CODE, CODE + 0x1000n, CODE + 0x2000n, HANDLER,
  ...Array.from({ length: 16 }, (_, i) => PT_POOL + BigInt(i) * 0x1000n),
  ...Array.from({ length: POOL_PAGES }, (_, i) => DATA_POOL + BigInt(i) * 0x1000n),
  MEGA_PA,
]

// ---- page tables -------------------------------------------------------------------------------------------

/** Writes page tables into memory: tables come from the pool, addresses are as the walker reads them (PA or GPA = PA). */
class Tables {
  private next: bigint
  memory: PhysMemory
  constructor(memory: PhysMemory, start: bigint) { this.memory = memory; this.next = start }
  table(bytes = 0x1000n): bigint {
    const t = (this.next + bytes - 1n) / bytes * bytes
    this.next = t + bytes
    return t
  }
  private read(a: bigint): bigint {
    const dv = pageAtMemo(this.memory, Number(a >> 12n))
    return dv === undefined ? 0n : dv.getBigUint64(Number(a & 0xfffn), true)
  }
  private write(a: bigint, v: bigint): void {
    const b = new DataView(new ArrayBuffer(8))
    b.setBigUint64(0, v, true)
    this.memory = pokeBytes(this.memory, phys(a), new Uint8Array(b.buffer))
  }
  /** Maps `va` by a leaf at `level` (0: 4 KiB) in the tree at `root` with `levels` levels (root widened by `widen` bits). */
  map(root: bigint, levels: number, widen: number, va: bigint, level: number, pte: bigint): bigint {
    let t = root
    for (let i = levels - 1; i > level; i--) {
      const mask = (1n << BigInt(9 + (i === levels - 1 ? widen : 0))) - 1n
      const a = t + ((va >> BigInt(12 + 9 * i)) & mask) * 8n
      let e = this.read(a)
      if ((e & V) === 0n || (e & (R | W | X)) !== 0n) { e = ((this.table() >> 12n) << 10n) | V; this.write(a, e) }
      t = (e >> 10n) << 12n
    }
    const mask = (1n << BigInt(9 + (level === levels - 1 ? widen : 0))) - 1n
    const at = t + ((va >> BigInt(12 + 9 * level)) & mask) * 8n
    this.write(at, pte)
    return at
  }
}

const leaf = (pa: bigint, flags: bigint): bigint => ((pa >> 12n) << 10n) | flags

// ---- programs ------------------------------------------------------------------------------------------
// Registers with a role: x2 and x12–x18 = the 8 data pages, x19 = the megapage, x30 = the code page, x4 = the level-0 table of
// the data pages (x4 + 8·(DATA_INDEX + k) is data page k's PTE; x4 + 0 is the code page's), x3 = the
// program's page through its writable alias, x5–x7 = instruction words, x8–x9 = PTEs to store; x31 is the
// handler's. Results go to the free registers.

const BASES = [2, 12, 13, 14, 15, 16, 17, 18, 19, 30] as const
const free = fc.constantFrom(1, 10, 11, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29)
const anyReg = fc.integer({ min: 0, max: 30 })
const parcels = (w: number): number[] => [w]
const LOADS = [['lb', 1], ['lbu', 1], ['lh', 2], ['lhu', 2], ['lw', 4], ['lwu', 4], ['ld', 8]] as const
const STORES = [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]] as const
const R_OPS = ['add', 'sub', 'xor', 'or', 'and', 'sll', 'srl', 'sltu', 'mul', 'addw'] as const

/** An offset from a page's base: aligned slots mostly; misaligned (odd 0), or below the page (odd 1: the page before). */
const offset = (slot: number, size: number, odd: number): bigint =>
  BigInt(Math.min(2047, slot * size + (odd === 0 ? 1 : 0)) - (odd === 1 ? 2048 : 0))

/** How often each kind of instruction comes (the remap mix: mostly loads, stores and unfenced PTE rewrites). */
interface Mix { readonly alu: number; readonly remap: number; readonly other: number }
const MIXED: Mix = { alu: 1, remap: 1, other: 1 }
const REMAPS: Mix = { alu: 0, remap: 4, other: 0 }

const arbInsn = (k: number, mix: Mix = MIXED): fc.Arbitrary<number[]> => fc.oneof(
  { weight: 4 * mix.alu, arbitrary: fc.tuple(fc.constantFrom(...R_OPS), free, anyReg, anyReg).map(([op, rd, a, b]) => parcels(encode(rType(op, rd, a, b)))) },
  { weight: 2 * mix.alu, arbitrary: fc.tuple(free, anyReg, fc.integer({ min: -2048, max: 2047 })).map(([rd, a, i]) => parcels(encode(iType('addi', rd, a, BigInt(i))))) },
  { weight: 1 * mix.alu, arbitrary: fc.tuple(free, anyReg, fc.nat(63)).map(([rd, a, s]) => parcels(encode(shiftType('srli', rd, a, s)))) },
  { weight: 1 * mix.alu, arbitrary: fc.tuple(free, fc.integer({ min: -0x80000, max: 0x7ffff })).map(([rd, i]) => parcels(encode(uType('auipc', rd, BigInt(i) << 12n)))) },
  // loads and stores through the data pages and the megapage (sometimes misaligned, sometimes off the page's end)
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...LOADS), free, fc.constantFrom(...BASES), fc.nat(511), fc.nat(63))
    .map(([[op, size], rd, b, slot, odd]) => parcels(encode(iType(op, rd, b, offset(slot, size, odd))))) },
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...STORES), anyReg, fc.constantFrom(...BASES), fc.nat(511), fc.nat(63))
    .map(([[op, size], rs2, b, slot, odd]) => parcels(encode(sType(op, b, rs2, offset(slot, size, odd))))) },
  // a store, then a load of what it wrote (the page's fresh copy must be read)
  { weight: 3, arbitrary: fc.tuple(anyReg, free, fc.constantFrom(...BASES), fc.nat(255))
    .map(([rs2, rd, b, slot]) => [encode(sType('sd', b, rs2, BigInt(8 * slot))), encode(iType('ld', rd, b, BigInt(8 * slot)))]) },
  // a store through one mapping, then a load and a store through another (often an alias of the same pool
  // page, read-only or with D clear): whether the load's TLB entry also serves the store (pages.ts, vload)
  { weight: 3, arbitrary: fc.tuple(anyReg, free, fc.constantFrom(...BASES), fc.constantFrom(...BASES), fc.nat(255))
    .map(([rs2, rd, b1, b2, slot]) => [encode(sType('sd', b1, rs2, BigInt(8 * slot))), encode(iType('ld', rd, b2, BigInt(8 * slot))), encode(sType('sd', b2, rd, BigInt(8 * slot)))]) },
  // a PTE rewritten without a fence: a data page's, or (rarely) the code page's own
  { weight: 2 * mix.remap, arbitrary: fc.tuple(fc.constantFrom(8, 9, 8, 9, 0), fc.oneof({ weight: 15, arbitrary: fc.nat(DATA_PAGES - 1).map((p) => DATA_INDEX + p) }, { weight: 1, arbitrary: fc.constant(0) }))
    .map(([rs2, index]) => parcels(encode(sType('sd', 4, rs2, BigInt(8 * index))))) },
  // data page k read, its PTE rewritten without a fence (x8: a valid leaf, usually to another pool page),
  // two other pages read (on the small TLBs the entry of page k leaves), page k read again: a walk made
  // again in the same engine call, whose translation differs from the one it replaced (tlb-mirror.ts re-uses
  // the entry of a walk only when the walk answered with the same translation)
  { weight: 1 * mix.remap, arbitrary: fc.tuple(free, fc.nat(DATA_PAGES - 1), fc.nat(DATA_PAGES - 1), fc.nat(DATA_PAGES - 1), fc.nat(511))
    .map(([rd, k, j, l, slot]) => {
      const data = BASES.slice(0, DATA_PAGES)
      return [encode(iType('ld', rd, data[k]!, BigInt(8 * slot))), encode(sType('sd', 4, 8, BigInt(8 * (DATA_INDEX + k)))),
        encode(iType('ld', rd, data[j]!, 0n)), encode(iType('ld', rd, data[l]!, 0n)), encode(iType('ld', rd, data[k]!, BigInt(8 * slot)))]
    }) },
  // the fences: all, one page of a data register, one ASID
  { weight: 1 * mix.other, arbitrary: fc.tuple(fc.constantFrom(0, 0, 2, 13), fc.constantFrom(0, 0, 1)).map(([a, b]) => parcels(encode(fenceVmaType('sfence.vma', a, b)))) },
  // self-modifying code through the alias
  { weight: 2 * mix.other, arbitrary: fc.tuple(fc.constantFrom(5, 6, 7), fc.nat(40)).map(([rs2, at]) => parcels(encode(sType('sw', 3, rs2, BigInt(4 * at))))) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('beq', 'bne', 'bltu', 'bge'), anyReg, anyReg, fc.integer({ min: 1, max: 3 }))
    .map(([op, a, b, d]) => parcels(encode(bType(op, a, b, BigInt(4 * Math.min(d, k)))))) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((d) => parcels(encode(jType(0, BigInt(4 * Math.min(d, k)))))) },
  // a CSR read (a handover to step in the middle of a stretch)
  { weight: 1 * mix.other, arbitrary: free.map((rd) => parcels(encode(csrType('csrrs', rd, 0, 0x100)))) },
)

const arbCodeWord = fc.oneof(
  fc.tuple(free, anyReg, fc.integer({ min: -2048, max: 2047 })).map(([rd, a, i]) => BigInt(encode(iType('addi', rd, a, BigInt(i))))),
  fc.tuple(fc.constantFrom(...LOADS), free, fc.constantFrom(...BASES)).map(([[op], rd, b]) => BigInt(encode(iType(op, rd, b, 0n)))),
  fc.constant(0n),
)

// ---- scenarios -------------------------------------------------------------------------------------------

/** Where the program runs: the mode, and which stage tables translate it. */
type Scenario = 'S' | 'U' | 'VS' | 'VU' | 'MPRV'

const arbTlbConfig: fc.Arbitrary<TlbConfig> = fc.constantFrom<TlbConfig>(
  spikeTlbConfig,                                                   // Spike's (the machine's default), PTE cache and all
  spikeTlbConfig,
  { ...defaultTlbConfig, flushAll: true },                          // the same without the PTE cache
  { sets: 1, ways: 1, replacement: 'lru', flushAll: false },
  { sets: 2, ways: 2, replacement: 'fifo', flushAll: true, pteCache: true },
  { sets: 4, ways: 2, replacement: 'lru', flushAll: false },
  { sets: 2, ways: 4, replacement: 'lru', flushAll: false },
  { sets: 1, ways: 6, replacement: 'lru', flushAll: true },
  { sets: 2, ways: 3, replacement: 'fifo', flushAll: false },
)

/**
 * Machines of a mix of instructions and TLB shapes. `high` moves every virtual address into the top of the
 * address space, so that VAs and page numbers are at or above 2^52 as unsigned numbers: 0 not at all; 1 to
 * the bottom of the scheme's negative half (2^64 − 2^38 up for Sv39, − 2^47 for Sv48) or, for Sv57, to
 * 2^64 − 2^52 (a pc the engine holds); 2 to the bottom of the negative half for Sv57 too (2^64 − 2^56: the
 * pc, as a signed number, beyond 2^53: code left to step, data accesses under MPRV in the engine).
 */
const arbXlate = (mix: Mix, tlbs: fc.Arbitrary<TlbConfig>, highVas: fc.Arbitrary<number>) => fc.record({
  scenario: fc.constantFrom<Scenario>('S', 'S', 'U', 'VS', 'VU', 'MPRV'),
  scheme: fc.constantFrom(8n, 8n, 9n, 10n),                          // Sv39, Sv48, Sv57 (the G-stage: Sv39x4, Sv48x4)
  gScheme: fc.constantFrom(8n, 9n),
  body: fc.integer({ min: 1, max: 40 }).chain((len) => fc.tuple(...Array.from({ length: len }, (_, i) => arbInsn(len - i, mix)))),
  regs: fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 31, maxLength: 31 }),
  codeWords: fc.tuple(arbCodeWord, arbCodeWord, arbCodeWord),
  // per data page: which pool page (or none: an invalid PTE), flags for the first stage and for the G-stage
  data: fc.array(fc.tuple(fc.nat(POOL_PAGES), fc.nat(15)), { minLength: DATA_PAGES, maxLength: DATA_PAGES }),
  flags: fc.array(fc.nat(0xffff), { minLength: DATA_PAGES, maxLength: DATA_PAGES }),
  codeFlags: fc.constantFrom(R | X | A, R | X | A | D | W, X | A, R | X | A | D),
  newPtes: fc.tuple(fc.nat(POOL_PAGES - 1), fc.nat(0xffff), fc.nat(POOL_PAGES - 1), fc.nat(0xffff)),
  asid: fc.nat(3).map(BigInt),
  vmid: fc.nat(3).map(BigInt),
  sum: fc.boolean(),
  mxr: fc.boolean(),
  mprv: fc.record({ mpp: fc.constantFrom<Priv>(1, 0), mpv: fc.boolean() }),
  interleave: fc.constantFrom(3, 17, 100, 5000),
  tlb: tlbs,
  high: highVas,
  dataSeed: fc.integer({ min: 1, max: 0x7fff_ffff }),
}).map((a): Machine => {
  const user = a.scenario === 'U' || a.scenario === 'VU' || (a.scenario === 'MPRV' && a.mprv.mpp === 0)
  const virt = a.scenario === 'VS' || a.scenario === 'VU' || (a.scenario === 'MPRV' && a.mprv.mpv)
  const flagsOf = (n: number): bigint => {
    // Mostly a leaf that allows everything the mode needs; else random flags: invalid, W without R never
    // (reserved), U for the other mode, A or D clear. One number, so that a failing case shrinks.
    if ((n & 31) >= 8) return V | R | W | X | A | D | (user ? U : 0n)
    if ((n & 31) >= 5) return V | R | A | D | (user ? U : 0n)                     // read-only
    if ((n & 15) === 0) return 0n
    const r = (n & 16) !== 0, w = (n & 32) !== 0, x = (n & 64) !== 0
    let f = V | (r || !w ? R : 0n) | (w ? W : 0n) | (x ? X : 0n)
    if (((n >> 7) & 7) !== 0 ? user : !user) f |= U
    if (((n >> 10) & 7) !== 0) f |= A
    if (((n >> 13) & 7) > 1) f |= D
    return f
  }
  // the program, then a jump back to its start
  const words = a.body.flat()
  words.push(encode(jType(0, BigInt(-4 * words.length))))
  const handler = [encode(csrType('csrrs', 31, 0, 0x341)), encode(iType('addi', 31, 31, 4n)), encode(csrType('csrrw', 0, 31, 0x341)), 0x30200073]
  const levels = Number(a.scheme) - 5                               // 8 → 3, 9 → 4, 10 → 5
  const half = 38 + 9 * (levels - 3)
  const bias = a.high === 0 ? 0n : (1n << 64n) - (1n << BigInt(a.high === 1 ? Math.min(half, 52) : half))
  const high = (va: bigint): bigint => va + bias
  const gLevels = Number(a.gScheme) - 5
  const base = machineWith(words, { codeAt: CODE })
  let memory = pokeBytes(base.memory, phys(HANDLER), new Uint8Array(new Uint32Array(handler).buffer))
  for (let i = 0; i < POOL_PAGES; i++) memory = pokeBytes(memory, phys(DATA_POOL + BigInt(i) * 0x1000n), seededBytes(a.dataSeed + i, 4096))
  memory = pokeBytes(memory, phys(MEGA_PA), seededBytes(a.dataSeed + 99, 4096))
  const t = new Tables(memory, PT_POOL)
  // G-stage (V=1): GPA = PA for the code, the tables and the megapage; the data pool with random G-stage flags.
  const gRoot = t.table(0x4000n)
  const firstRoot = t.table()
  const G_ALL = V | R | W | X | U | A | D
  const poolPa = (i: number): bigint => DATA_POOL + BigInt(i) * 0x1000n
  // First stage: code, alias, the data table's view, data pages, megapage.
  const dataPte = (k: number): bigint => {
    const [pool] = a.data[k]!
    return pool >= POOL_PAGES ? 0n : leaf(poolPa(pool), flagsOf(a.flags[k]!))
  }
  const userBit = user ? U : 0n
  const codePteAt = t.map(firstRoot, levels, 0, high(CODE_VA), 0, leaf(CODE, V | a.codeFlags | userBit))
  t.map(firstRoot, levels, 0, high(ALIAS_VA), 0, leaf(CODE, V | R | W | A | D | userBit))
  for (let k = 0; k < DATA_PAGES; k++) t.map(firstRoot, levels, 0, high(DATA_VA + BigInt(k) * 0x1000n), 0, dataPte(k))
  t.map(firstRoot, levels, 0, high(MEGA_VA), 1, leaf(MEGA_PA, V | R | W | A | D | userBit))
  const l0 = codePteAt - (codePteAt & 0xfffn)
  t.map(firstRoot, levels, 0, high(PT_VA), 0, leaf(l0, V | R | W | A | D | userBit))
  // the G-stage maps every page the first stage names (and its tables), identity
  for (let p = 0x8000_0000n; p < 0x8000_4000n; p += 0x1000n) t.map(gRoot, gLevels, 2, p, 0, leaf(p, G_ALL))
  for (let p = PT_POOL; p < PT_POOL + 0x10000n; p += 0x1000n) t.map(gRoot, gLevels, 2, p, 0, leaf(p, G_ALL))
  for (let i = 0; i < POOL_PAGES; i++) {
    const g = a.data[i]![1]
    t.map(gRoot, gLevels, 2, poolPa(i), 0, g === 0 ? 0n : leaf(poolPa(i), g === 1 ? V | R | U | A : g === 2 ? V | R | W | U | A : G_ALL))
  }
  t.map(gRoot, gLevels, 2, MEGA_PA, 1, leaf(MEGA_PA, G_ALL))
  memory = t.memory

  const x: bigint[] = [0n, ...a.regs]
  const dataVa = (k: number): bigint => high(DATA_VA + BigInt(k) * 0x1000n)
  BASES.forEach((r, k) => { x[r] = k < DATA_PAGES ? dataVa(k) : k === DATA_PAGES ? high(MEGA_VA) : high(CODE_VA) })
  x[3] = high(ALIAS_VA)
  x[4] = high(PT_VA)
  x[5] = a.codeWords[0]; x[6] = a.codeWords[1]; x[7] = a.codeWords[2]
  const [p1, f1, p2, f2] = a.newPtes
  x[8] = leaf(poolPa(p1), flagsOf(f1 | 8))                                // a valid leaf
  x[9] = leaf(poolPa(p2), flagsOf(f2))
  x[31] = 0n
  const atp = (mode: bigint, id: bigint, root: bigint): bigint => (mode << 60n) | (id << 44n) | (root >> 12n)
  const h0 = base.hart
  const sum = a.sum ? 1n << 18n : 0n, mxr = a.mxr ? 1n << 19n : 0n
  let priv: Priv = 1
  let mstatus = h0.csr.mstatus | sum | mxr
  let pc = high(CODE_VA)
  if (a.scenario === 'U' || a.scenario === 'VU') priv = 0
  if (a.scenario === 'MPRV') {
    priv = 3
    pc = CODE
    mstatus = (mstatus & ~(3n << 11n)) | (BigInt(a.mprv.mpp) << 11n) | (1n << 17n) | (a.mprv.mpv ? 1n << 39n : 0n)
  }
  const csr = {
    ...h0.csr, mtvec: HANDLER, mstatus,
    vsstatus: h0.csr.vsstatus | sum | mxr,
    satp: virt ? atp(a.scheme, a.asid, firstRoot) : atp(a.scheme, a.asid, firstRoot),
    vsatp: atp(a.scheme, a.asid, firstRoot),
    hgatp: atp(a.gScheme, a.vmid, gRoot),
  }
  const hv = a.scenario === 'VS' || a.scenario === 'VU'
  const m1 = withHart(withMemory(base, memory), hart(pc, x, priv, hv, csr, undefined, 0n, 0n))
  return withTlb(withOptions(m1, { ...base.options, interleave: a.interleave }), emptyTlb(a.tlb, base.tlb.engine))
})

/** The machines of the general laws: every kind of instruction, the TLB shapes above, VAs low. */
export const arbXlateMachine = arbXlate(MIXED, arbTlbConfig, fc.constant(0))

/**
 * Machines whose programs mostly load, store and rewrite data pages' PTEs without a fence, on small TLBs
 * where the code page's entry stays (LRU, one set, more pages than ways): entries are replaced and their
 * pages walked again inside one engine call, after their PTEs changed (the walk memo, mmu/engine/walk-memo.ts).
 */
export const arbRemapMachine = arbXlate(REMAPS, fc.constantFrom<TlbConfig>(
  { sets: 1, ways: 2, replacement: 'lru', flushAll: true },
  { sets: 1, ways: 3, replacement: 'lru', flushAll: true },
  { sets: 1, ways: 4, replacement: 'lru', flushAll: true },
  { sets: 1, ways: 6, replacement: 'lru', flushAll: false },
  { sets: 2, ways: 4, replacement: 'lru', flushAll: true },
), fc.nat(2))

/** The general machines with every VA in the top of the address space (≥ 2^52 as an unsigned number). */
export const arbHighVaMachine = arbXlate(MIXED, arbTlbConfig, fc.constantFrom(1, 1, 2))

/** The general machines under an exact TLB (`--tlb exact`: kept across traps, MRET and CSR writes), low or high VAs. */
export const arbExactXlateMachine = arbXlate(MIXED, fc.constantFrom<TlbConfig>(
  { sets: 16, ways: 4, replacement: 'lru', flushAll: false, exact: true },
  { sets: 2, ways: 2, replacement: 'fifo', flushAll: false, exact: true },
  { sets: 1, ways: 4, replacement: 'lru', flushAll: false, exact: true },
  { sets: 4, ways: 1, replacement: 'lru', flushAll: false, exact: true },
), fc.nat(2))

/** `n` bytes from a 32-bit xorshift generator started at `seed` (≠ 0). */
const seededBytes = (seed: number, n: number): Uint8Array => {
  const out = new Uint8Array(n)
  let s = seed | 0 || 1
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5
    out[i] = s & 0xff
  }
  return out
}

// ---- comparing machines ----------------------------------------------------------------------------------

const hex = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v)

/** The TLB as text: every entry in set order, with both leaves. */
export const renderTlb = (m: Machine): string => m.tlb.sets.map((set) => set.map((e) => [
  e.vpn, e.tag.space, e.tag.asid, e.global, e.paPage, e.gpaPage, e.pageBits, e.firstFlags, e.gFlags,
  ...[e.first, e.gstage].map((l) => (l === undefined ? '-' : [l.stage, l.level, l.pageBits, l.inBase, l.outBase, l.pte, l.pteAddr].map(String).join('/'))),
].map(String).join(':')).join(' ')).join('\n') + `#${entries(m.tlb).length}`

/** Everything architectural about a machine, as text: hart, platform, HTIF, the watched pages, and the TLB. */
export const renderXlate = (m: Machine): string => {
  const pages = WATCHED.map((a) => {
    const dv = pageAtMemo(m.memory, Number(a >> 12n))
    return dv === undefined ? '0' : Buffer.from(dv.buffer, dv.byteOffset, 4096).toString('hex')
  })
  return JSON.stringify([m.hart, m.platform, m.devices.clint, m.htif], hex) + pages.join(',') + renderTlb(m)
}


// ---- TLBs holding what a program cannot easily make them hold ------------------------------------------
// A machine of arbXlateMachine run some steps by the step fold (so its TLB holds real entries), whose TLB
// then also holds altered copies of some of them, newest first in their sets: entries of another ASID,
// global ones, ones whose cached flags lack R, W, A or D (an access they do not allow walks again, and
// the fresh entry replaces every match: an upgrade within one engine call), and ones pointing at another
// physical page (a stale translation the page table no longer gives: the code page's makes the next
// fetches read another page until a data access refills the entry from the page table). The law holds
// for any TLB contents, whether or not a program could have made them.

/** A copy of the program's page with one instruction changed: what a redirected code entry runs. */
const CODE_COPY = CODE + 0x2000n
/** Physical pages a redirected entry may point at. */
const REDIRECTS = [CODE_COPY, CODE_COPY, CODE, CODE + 0x1000n, HANDLER, DATA_POOL] as const

const arbAlteration = fc.record({
  which: fc.nat(63),
  otherAsid: fc.boolean(),
  global: fc.boolean(),
  clear: fc.constantFrom(0n, R, W, A, D, R | D, 0n, D),
  redirect: fc.nat(REDIRECTS.length + 2),            // ≥ REDIRECTS.length: kept
})

/**
 * CODE_COPY: the program's page with the word at `index` (mod the program's length) replaced by
 * `addi x20, x20, 7`. With `load` defined, the program's word there becomes `ld x21, 0(x30)` (a load from
 * the code page itself) in both pages, and in the copy every word after it but the last (the jump back)
 * becomes that addi: code that runs on from the copy after the load differs from the program's.
 */
const codeCopy = (memory: PhysMemory, index: number, load: number | undefined): PhysMemory => {
  const dv = pageAtMemo(memory, Number(CODE >> 12n))!
  const bytes = new Uint8Array(dv.buffer, dv.byteOffset, 4096).slice()
  const view = new DataView(bytes.buffer)
  let words = 0
  while (words < 1023 && view.getUint32(4 * words, true) !== 0) words++
  const addi = encode(iType('addi', 20, 20, 7n))
  let m = memory
  if (load !== undefined) {
    const at = load % words
    view.setUint32(4 * at, encode(iType('ld', 21, 30, 0n)), true)
    m = pokeBytes(m, phys(CODE), bytes)
    for (let k = at + 1; k < words - 1; k++) view.setUint32(4 * k, addi, true)
  } else {
    view.setUint32(4 * (index % words), addi, true)
  }
  return pokeBytes(m, phys(CODE_COPY), bytes)
}

/** The code page's entry made stale (pointing at CODE_COPY) and unusable for loads: the first alteration. */
const CODE_STALE = { which: -1, otherAsid: false, global: false, clear: R, redirect: 0 }

export const arbStaleTlbMachine = fc.tuple(arbXlateMachine, fc.nat(200), fc.array(arbAlteration, { minLength: 0, maxLength: 16 }),
  fc.nat(40), fc.option(fc.nat(3), { nil: undefined }))
  .map(([m, warm, alterations, changed, codeLoad]): Machine => {
    const codeStale = codeLoad !== undefined
    const warmed = foldSteps(m, { maxSteps: warm }).machine
    // (with the early load in the program, a hart running the program starts it again, MXR clear, so
    // that the load comes soon and may not use an execute-only entry)
    const h = warmed.hart
    const noMxr = { ...h.csr, mstatus: h.csr.mstatus & ~(1n << 19n), vsstatus: h.csr.vsstatus & ~(1n << 19n) }
    const restarted = codeStale && h.pc >= CODE_VA && h.pc < CODE_VA + 0x1000n ? withHart(warmed, hart(CODE_VA, h.x, h.priv, h.virt, noMxr, h.reservation, h.instret, h.cycle)) : warmed
    const m1 = withMemory(restarted, codeCopy(warmed.memory, changed, codeLoad))
    const tlb = m1.tlb
    const all = entries(tlb)
    if (all.length === 0) return m1
    const sets = tlb.sets.map((s) => [...s])
    const code = all.find((e) => e.vpn === Number(CODE_VA >> 12n) && e.first?.pageBits === 12)
    for (const d of codeStale ? [CODE_STALE, ...alterations] : alterations) {
      const e = d.which < 0 ? code : all[d.which % all.length]!
      if (e === undefined) continue
      const tag = d.otherAsid ? { ...e.tag, asid: (e.tag.asid + 1) & 0xffff } : e.tag
      const flags = e.firstFlags < 0 ? e.firstFlags : Number(BigInt(e.firstFlags) & ~d.clear)
      const pa = d.redirect < REDIRECTS.length ? REDIRECTS[d.redirect]! : e.paPage
      const copy = { ...e, tag, global: e.firstFlags >= 0 && d.global, firstFlags: flags, paPage: pa }
      const set = sets[e.vpn & (tlb.config.sets - 1)]!
      set.unshift(copy)
      if (set.length > tlb.config.ways) set.pop()
    }
    return withTlb(m1, { ...tlb, sets })
  })
