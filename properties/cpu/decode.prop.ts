// Laws of the instruction decoder: decode inverts encode; decoding is total (never throws, and an
// illegal result carries the input); a compressed parcel means exactly what its 32-bit expansion
// (unprivileged ISA, RVC chapter's expansion table) means.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import {
  type Insn, type ROp, type IOp, type ShiftOp, type SOp, type BOp, type AmoOp, type HlvOp, type HsvOp,
  type SystemOp, type FenceVmaOp, type CsrOp, type CsrIOp,
  decode, encode, expandCompressed, decodeInstruction, disassemble, isIllegal,
  rType, iType, shiftType, sType, bType, uType, jType, amoType, fenceType, csrType, csrIType,
  systemType, fenceVmaType, hlvType, hsvType,
} from '../../src/cpu/decode/index.ts'

// ---------------------------------------------------------------------------------------------
// Arbitrary legal 32-bit instructions, one generator per format
// ---------------------------------------------------------------------------------------------

const reg = fc.integer({ min: 0, max: 31 })
const simm = (bitsWide: number, align = 1): fc.Arbitrary<bigint> =>
  fc.integer({ min: -(2 ** (bitsWide - 1)) / align, max: Math.floor((2 ** (bitsWide - 1) - 1) / align) })
    .map((k) => BigInt(k * align))
const oneOf = <T,>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs)

const R_OPS: readonly ROp[] = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw']
const I_OPS: readonly IOp[] = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw', 'lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu', 'jalr']
const S_OPS: readonly SOp[] = ['sb', 'sh', 'sw', 'sd']
const B_OPS: readonly BOp[] = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu']
const AMO_OPS: readonly AmoOp[] = (['w', 'd'] as const).flatMap((wd) =>
  ['lr', 'sc', 'amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu'].map((n) => `${n}.${wd}` as AmoOp))
const SYSTEM_OPS: readonly SystemOp[] = ['ecall', 'ebreak', 'mret', 'sret', 'wfi', 'fence.i']
const FENCE_VMA_OPS: readonly FenceVmaOp[] = ['sfence.vma', 'hfence.vvma', 'hfence.gvma']
const HLV_OPS: readonly HlvOp[] = ['hlv.b', 'hlv.bu', 'hlv.h', 'hlv.hu', 'hlvx.hu', 'hlv.w', 'hlv.wu', 'hlvx.wu', 'hlv.d']
const HSV_OPS: readonly HsvOp[] = ['hsv.b', 'hsv.h', 'hsv.w', 'hsv.d']

const arbInsn: fc.Arbitrary<Insn> = fc.oneof(
  fc.tuple(oneOf(R_OPS), reg, reg, reg).map(([op, rd, rs1, rs2]) => rType(op, rd, rs1, rs2)),
  fc.tuple(oneOf(I_OPS), reg, reg, simm(12)).map(([op, rd, rs1, imm]) => iType(op, rd, rs1, imm)),
  fc.tuple(oneOf<ShiftOp>(['slli', 'srli', 'srai']), reg, reg, fc.integer({ min: 0, max: 63 })).map(([op, rd, rs1, s]) => shiftType(op, rd, rs1, s)),
  fc.tuple(oneOf<ShiftOp>(['slliw', 'srliw', 'sraiw']), reg, reg, fc.integer({ min: 0, max: 31 })).map(([op, rd, rs1, s]) => shiftType(op, rd, rs1, s)),
  fc.tuple(oneOf(S_OPS), reg, reg, simm(12)).map(([op, rs1, rs2, imm]) => sType(op, rs1, rs2, imm)),
  fc.tuple(oneOf(B_OPS), reg, reg, simm(13, 2)).map(([op, rs1, rs2, imm]) => bType(op, rs1, rs2, imm)),
  fc.tuple(oneOf(['lui', 'auipc'] as const), reg, simm(32, 4096)).map(([op, rd, imm]) => uType(op, rd, imm)),
  fc.tuple(reg, simm(21, 2)).map(([rd, imm]) => jType(rd, imm)),
  fc.tuple(oneOf(AMO_OPS), reg, reg, reg, fc.boolean(), fc.boolean())
    .map(([op, rd, rs1, rs2, aq, rl]) => amoType(op, rd, rs1, op.startsWith('lr.') ? 0 : rs2, aq, rl)),
  fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 })).map(([fm, p, s]) => fenceType(fm, p, s)),
  fc.tuple(oneOf<CsrOp>(['csrrw', 'csrrs', 'csrrc']), reg, reg, fc.integer({ min: 0, max: 0xfff })).map(([op, rd, rs1, csr]) => csrType(op, rd, rs1, csr)),
  fc.tuple(oneOf<CsrIOp>(['csrrwi', 'csrrsi', 'csrrci']), reg, reg, fc.integer({ min: 0, max: 0xfff })).map(([op, rd, u, csr]) => csrIType(op, rd, u, csr)),
  oneOf(SYSTEM_OPS).map((op) => systemType(op)),
  fc.tuple(oneOf(FENCE_VMA_OPS), reg, reg).map(([op, rs1, rs2]) => fenceVmaType(op, rs1, rs2)),
  fc.tuple(oneOf(HLV_OPS), reg, reg).map(([op, rd, rs1]) => hlvType(op, rd, rs1)),
  fc.tuple(oneOf(HSV_OPS), reg, reg).map(([op, rs1, rs2]) => hsvType(op, rs1, rs2)),
)

test('decode ∘ encode = id on every legal 32-bit instruction', () => {
  fc.assert(fc.property(arbInsn, (i) => { assert.equal(decode(encode(i)), i) }), { numRuns: runs(3000) })
})

test('encode ∘ decode = id on every word that decodes to a legal instruction with no ignored fields', () => {
  // FENCE / FENCE.I ignore reserved fields (so several words decode alike); every other legal word is canonical.
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (w) => {
    const i = decode(w)
    if (isIllegal(i) || i._tag === 'Fence' || i.op === 'fence.i') return
    assert.is(encode(i), w >>> 0)
  }), { numRuns: runs(5000) })
})

// ---------------------------------------------------------------------------------------------
// Totality
// ---------------------------------------------------------------------------------------------

/** Words whose opcode field is one the decoder knows, so the random search reaches deep cases. */
const KNOWN_OPCODES = [0x03, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x2f, 0x33, 0x37, 0x3b, 0x63, 0x67, 0x6f, 0x73]
const arbWord = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.tuple(fc.integer({ min: 0, max: 0x1ffffff }), oneOf(KNOWN_OPCODES)).map(([hi, op]) => ((hi << 7) | op) >>> 0),
)

test('decode and disassemble never throw, and an illegal result carries the word and length 4', () => {
  fc.assert(fc.property(arbWord, (w) => {
    const i = decodeInstruction(w)
    assert.type(disassemble(i, 0x8000_0000n), 'string')
    if ((w & 3) === 3) assert.is(i.length, 4)
    if (isIllegal(i)) assert.is(i.bits, (w & 3) === 3 ? w >>> 0 : w & 0xffff)
  }), { numRuns: runs(5000) })
})

test('every one of the 65536 parcels expands and disassembles without throwing; compressed ones get length 2', () => {
  for (let h = 0; h < 0x10000; h++) {
    const i = expandCompressed(h)
    assert.type(disassemble(i), 'string')
    if ((h & 3) !== 3) assert.is(i.length, 2)
    else assert.ok(isIllegal(i))
  }
})

// ---------------------------------------------------------------------------------------------
// Compressed ≡ its expansion
// ---------------------------------------------------------------------------------------------

test('every legal parcel means what the 32-bit encoding of its expansion means (exhaustive)', () => {
  for (let h = 0; h < 0x10000; h++) {
    const c = expandCompressed(h)
    if (isIllegal(c)) continue
    assert.equal(decode(encode(c)), { ...c, length: 4 }, h.toString(16))
  }
})

// Parcels built from the RVC chapter's field layouts, independently of the expander, with the
// 32-bit instruction the chapter says each one expands to.
const rp = fc.integer({ min: 8, max: 15 })
const nz = fc.integer({ min: 1, max: 31 })
const b = (x: number, i: number): number => (x >> i) & 1
const f = (x: number, hi: number, lo: number): number => (x >> lo) & ((1 << (hi - lo + 1)) - 1)
const ci = (f3: number, rd: number, imm6: number, op: number): number =>
  (f3 << 13) | (b(imm6, 5) << 12) | (rd << 7) | (f(imm6, 4, 0) << 2) | op
type Pair = readonly [parcel: number, expansion: Insn]
const arbPair: fc.Arbitrary<Pair> = fc.oneof(
  // C.ADDI4SPN rd′, nzuimm (multiple of 4, 4..1020)
  fc.tuple(rp, fc.integer({ min: 1, max: 255 })).map(([rd, k]): Pair => {
    const u = k * 4
    return [(f(u, 5, 4) << 11) | (f(u, 9, 6) << 7) | (b(u, 2) << 6) | (b(u, 3) << 5) | ((rd - 8) << 2), iType('addi', rd, 2, BigInt(u), 2)]
  }),
  // C.LW / C.SW / C.LD / C.SD
  fc.tuple(rp, rp, fc.integer({ min: 0, max: 31 }), fc.boolean(), fc.boolean()).map(([r1, r2, k, dw, store]): Pair => {
    const u = dw ? k * 8 : k * 4
    const lo = dw ? f(u, 7, 6) : (b(u, 2) << 1) | b(u, 6)
    const parcel = ((store ? (dw ? 7 : 6) : (dw ? 3 : 2)) << 13) | (f(u, 5, 3) << 10) | ((r1 - 8) << 7) | (lo << 5) | ((r2 - 8) << 2)
    return [parcel, store ? sType(dw ? 'sd' : 'sw', r1, r2, BigInt(u), 2) : iType(dw ? 'ld' : 'lw', r2, r1, BigInt(u), 2)]
  }),
  // C.ADDI, C.ADDIW (rd ≠ 0), C.LI, C.ANDI
  fc.tuple(reg, fc.integer({ min: -32, max: 31 }), fc.constantFrom('addi', 'addiw', 'li')).map(([rd, imm, k]): Pair =>
    k === 'addi' ? [ci(0, rd, imm, 1), iType('addi', rd, rd, BigInt(imm), 2)]
      : k === 'addiw' ? [ci(1, rd === 0 ? 1 : rd, imm, 1), iType('addiw', rd === 0 ? 1 : rd, rd === 0 ? 1 : rd, BigInt(imm), 2)]
        : [ci(2, rd, imm, 1), iType('addi', rd, 0, BigInt(imm), 2)]),
  fc.tuple(rp, fc.integer({ min: -32, max: 31 })).map(([rd, imm]): Pair =>
    [(4 << 13) | (b(imm, 5) << 12) | (2 << 10) | ((rd - 8) << 7) | (f(imm, 4, 0) << 2) | 1, iType('andi', rd, rd, BigInt(imm), 2)]),
  // C.ADDI16SP (nzimm multiple of 16, ≠ 0) and C.LUI (rd ≠ 2, nzimm ≠ 0)
  fc.integer({ min: -32, max: 31 }).filter((k) => k !== 0).map((k): Pair => {
    const n = k * 16
    return [(3 << 13) | (b(n, 9) << 12) | (2 << 7) | (b(n, 4) << 6) | (b(n, 6) << 5) | (f(n, 8, 7) << 3) | (b(n, 5) << 2) | 1, iType('addi', 2, 2, BigInt(n), 2)]
  }),
  fc.tuple(reg.filter((r) => r !== 2), fc.integer({ min: -32, max: 31 }).filter((k) => k !== 0)).map(([rd, k]): Pair =>
    [ci(3, rd, k, 1), uType('lui', rd, BigInt(k) << 12n, 2)]),
  // C.SRLI / C.SRAI on rd′, C.SLLI on rd
  fc.tuple(rp, fc.integer({ min: 0, max: 63 }), fc.boolean()).map(([rd, s, arith]): Pair =>
    [(4 << 13) | (b(s, 5) << 12) | ((arith ? 1 : 0) << 10) | ((rd - 8) << 7) | (f(s, 4, 0) << 2) | 1, shiftType(arith ? 'srai' : 'srli', rd, rd, s, 2)]),
  fc.tuple(reg, fc.integer({ min: 0, max: 63 })).map(([rd, s]): Pair => [ci(0, rd, s, 2), shiftType('slli', rd, rd, s, 2)]),
  // CA: C.SUB, C.XOR, C.OR, C.AND, C.SUBW, C.ADDW
  fc.tuple(rp, rp, fc.integer({ min: 0, max: 5 })).map(([rd, rs2, k]): Pair => {
    const ops: readonly ROp[] = ['sub', 'xor', 'or', 'and', 'subw', 'addw']
    return [(4 << 13) | ((k >= 4 ? 1 : 0) << 12) | (3 << 10) | ((rd - 8) << 7) | ((k % 4) << 5) | ((rs2 - 8) << 2) | 1, rType(ops[k] ?? 'sub', rd, rd, rs2, 2)]
  }),
  // C.J
  fc.integer({ min: -1024, max: 1023 }).map((k): Pair => {
    const o = k * 2
    return [(5 << 13) | (b(o, 11) << 12) | (b(o, 4) << 11) | (f(o, 9, 8) << 9) | (b(o, 10) << 8) | (b(o, 6) << 7) | (b(o, 7) << 6) | (f(o, 3, 1) << 3) | (b(o, 5) << 2) | 1, jType(0, BigInt(o), 2)]
  }),
  // C.BEQZ / C.BNEZ
  fc.tuple(rp, fc.integer({ min: -128, max: 127 }), fc.boolean()).map(([rs1, k, ne]): Pair => {
    const o = k * 2
    return [((ne ? 7 : 6) << 13) | (b(o, 8) << 12) | (f(o, 4, 3) << 10) | ((rs1 - 8) << 7) | (f(o, 7, 6) << 5) | (f(o, 2, 1) << 3) | (b(o, 5) << 2) | 1, bType(ne ? 'bne' : 'beq', rs1, 0, BigInt(o), 2)]
  }),
  // C.LWSP / C.LDSP (rd ≠ 0), C.SWSP / C.SDSP
  fc.tuple(nz, fc.integer({ min: 0, max: 63 }), fc.boolean()).map(([rd, k, dw]): Pair => {
    const u = dw ? k * 8 : k * 4
    const low = dw ? (f(u, 4, 3) << 3) | f(u, 8, 6) : (f(u, 4, 2) << 2) | f(u, 7, 6)
    return [((dw ? 3 : 2) << 13) | (b(u, 5) << 12) | (rd << 7) | (low << 2) | 2, iType(dw ? 'ld' : 'lw', rd, 2, BigInt(u), 2)]
  }),
  fc.tuple(reg, fc.integer({ min: 0, max: 63 }), fc.boolean()).map(([rs2, k, dw]): Pair => {
    const u = dw ? k * 8 : k * 4
    const field6 = dw ? (f(u, 5, 3) << 3) | f(u, 8, 6) : (f(u, 5, 2) << 2) | f(u, 7, 6)
    return [((dw ? 7 : 6) << 13) | (field6 << 7) | (rs2 << 2) | 2, sType(dw ? 'sd' : 'sw', 2, rs2, BigInt(u), 2)]
  }),
  // C.JR, C.MV, C.JALR, C.ADD
  fc.tuple(nz, reg, fc.boolean()).map(([r1, rs2, bit12]): Pair => {
    const parcel = (4 << 13) | ((bit12 ? 1 : 0) << 12) | (r1 << 7) | (rs2 << 2) | 2
    if (rs2 === 0) return [parcel, iType('jalr', bit12 ? 1 : 0, r1, 0n, 2)]
    return [parcel, bit12 ? rType('add', r1, r1, rs2, 2) : rType('add', r1, 0, rs2, 2)]
  }),
)

test('a parcel built from the RVC field layout expands to the instruction the RVC chapter names', () => {
  fc.assert(fc.property(arbPair, ([parcel, expansion]) => {
    assert.equal(expandCompressed(parcel), expansion, parcel.toString(16))
  }), { numRuns: runs(3000) })
})

test.run()
