// Encoding of an Insn back to its 32-bit instruction word: the inverse of `decode` (unprivileged
// ISA §"Base Instruction Formats" / §"Immediate Encoding Variants"). A compressed Insn (length 2)
// encodes to its 32-bit equivalent, which is what C expands to. Operand fields are truncated to
// their width; an Insn produced by `decode` always fits.
import type { Insn, AmoOp, CsrOp, CsrIOp, HlvOp, HsvOp, IOp, ROp, ShiftOp, BOp, SOp, FenceVmaOp, SystemOp } from './insn.ts'

// ---------------------------------------------------------------------------------------------
// Format packers (field positions from the spec's format figures)
// ---------------------------------------------------------------------------------------------

const r5 = (x: number): number => x & 0x1f

/** R-type: funct7 | rs2 | rs1 | funct3 | rd | opcode. */
const packR = (f7: number, rs2: number, rs1: number, f3: number, rd: number, opcode: number): number =>
  ((f7 << 25) | (r5(rs2) << 20) | (r5(rs1) << 15) | (f3 << 12) | (r5(rd) << 7) | opcode) >>> 0
/** I-type: imm[11:0] | rs1 | funct3 | rd | opcode. */
const packI = (imm: number, rs1: number, f3: number, rd: number, opcode: number): number =>
  (((imm & 0xfff) << 20) | (r5(rs1) << 15) | (f3 << 12) | (r5(rd) << 7) | opcode) >>> 0
/** S-type: imm[11:5] | rs2 | rs1 | funct3 | imm[4:0] | opcode. */
const packS = (imm: number, rs2: number, rs1: number, f3: number, opcode: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (r5(rs2) << 20) | (r5(rs1) << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | opcode) >>> 0
/** B-type: imm[12|10:5] | rs2 | rs1 | funct3 | imm[4:1|11] | opcode. */
const packB = (imm: number, rs2: number, rs1: number, f3: number, opcode: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (r5(rs2) << 20) | (r5(rs1) << 15) | (f3 << 12) |
   (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | opcode) >>> 0
/** U-type: imm[31:12] | rd | opcode. */
const packU = (imm: number, rd: number, opcode: number): number =>
  ((imm & ~0xfff) | (r5(rd) << 7) | opcode) >>> 0
/** J-type: imm[20|10:1|11|19:12] | rd | opcode. */
const packJ = (imm: number, rd: number, opcode: number): number =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (imm & 0xff000) |
   (r5(rd) << 7) | opcode) >>> 0

// ---------------------------------------------------------------------------------------------
// Opcode and function fields by mnemonic
// ---------------------------------------------------------------------------------------------

/** [opcode, funct3, funct7] of the R-type operations. */
const R: Readonly<Record<ROp, readonly [number, number, number]>> = {
  add: [0x33, 0, 0], sub: [0x33, 0, 0x20], sll: [0x33, 1, 0], slt: [0x33, 2, 0], sltu: [0x33, 3, 0],
  xor: [0x33, 4, 0], srl: [0x33, 5, 0], sra: [0x33, 5, 0x20], or: [0x33, 6, 0], and: [0x33, 7, 0],
  addw: [0x3b, 0, 0], subw: [0x3b, 0, 0x20], sllw: [0x3b, 1, 0], srlw: [0x3b, 5, 0], sraw: [0x3b, 5, 0x20],
  mul: [0x33, 0, 1], mulh: [0x33, 1, 1], mulhsu: [0x33, 2, 1], mulhu: [0x33, 3, 1],
  div: [0x33, 4, 1], divu: [0x33, 5, 1], rem: [0x33, 6, 1], remu: [0x33, 7, 1],
  mulw: [0x3b, 0, 1], divw: [0x3b, 4, 1], divuw: [0x3b, 5, 1], remw: [0x3b, 6, 1], remuw: [0x3b, 7, 1],
}
/** [opcode, funct3] of the I-type operations. */
const I: Readonly<Record<IOp, readonly [number, number]>> = {
  addi: [0x13, 0], slti: [0x13, 2], sltiu: [0x13, 3], xori: [0x13, 4], ori: [0x13, 6], andi: [0x13, 7],
  addiw: [0x1b, 0],
  lb: [0x03, 0], lh: [0x03, 1], lw: [0x03, 2], ld: [0x03, 3], lbu: [0x03, 4], lhu: [0x03, 5], lwu: [0x03, 6],
  jalr: [0x67, 0],
}
/** [opcode, funct3, inst[31:26] (RV64 shifts) or inst[31:25] (W shifts) placed at bit 25]. */
const SHIFT: Readonly<Record<ShiftOp, readonly [number, number, number]>> = {
  slli: [0x13, 1, 0], srli: [0x13, 5, 0], srai: [0x13, 5, 0x20],
  slliw: [0x1b, 1, 0], srliw: [0x1b, 5, 0], sraiw: [0x1b, 5, 0x20],
}
const S: Readonly<Record<SOp, number>> = { sb: 0, sh: 1, sw: 2, sd: 3 }
const B: Readonly<Record<BOp, number>> = { beq: 0, bne: 1, blt: 4, bge: 5, bltu: 6, bgeu: 7 }
const AMO_F5: Readonly<Record<string, number>> = {
  lr: 0b00010, sc: 0b00011, amoswap: 0b00001, amoadd: 0b00000, amoxor: 0b00100, amoand: 0b01100,
  amoor: 0b01000, amomin: 0b10000, amomax: 0b10100, amominu: 0b11000, amomaxu: 0b11100,
}
const CSR_F3: Readonly<Record<CsrOp | CsrIOp, number>> = { csrrw: 1, csrrs: 2, csrrc: 3, csrrwi: 5, csrrsi: 6, csrrci: 7 }
const SYSTEM_WORDS: Readonly<Record<SystemOp, number>> = {
  ecall: 0x00000073, ebreak: 0x00100073, sret: 0x10200073, mret: 0x30200073, wfi: 0x10500073, 'fence.i': 0x0000100f,
}
const FENCE_VMA_F7: Readonly<Record<FenceVmaOp, number>> = { 'sfence.vma': 0x09, 'hfence.vvma': 0x11, 'hfence.gvma': 0x31 }
/** [funct7, rs2 field] of HLV/HLVX. */
const HLV: Readonly<Record<HlvOp, readonly [number, number]>> = {
  'hlv.b': [0x30, 0], 'hlv.bu': [0x30, 1], 'hlv.h': [0x32, 0], 'hlv.hu': [0x32, 1], 'hlvx.hu': [0x32, 3],
  'hlv.w': [0x34, 0], 'hlv.wu': [0x34, 1], 'hlvx.wu': [0x34, 3], 'hlv.d': [0x36, 0],
}
const HSV_F7: Readonly<Record<HsvOp, number>> = { 'hsv.b': 0x31, 'hsv.h': 0x33, 'hsv.w': 0x35, 'hsv.d': 0x37 }

const imm32 = (imm: bigint): number => Number(BigInt.asIntN(32, imm))

/**
 * The 32-bit instruction word of an Insn; decode(encode(i)) deep-equals i for every legal
 * 32-bit Insn. An Illegal value encodes to its raw bits.
 * @example encode(iType('addi', 10, 11, 10n)) === 0x00a58513
 */
export function encode(insn: Insn): number {
  switch (insn._tag) {
    case 'R': {
      const [opcode, f3, f7] = R[insn.op]
      return packR(f7, insn.rs2, insn.rs1, f3, insn.rd, opcode)
    }
    case 'I': {
      const [opcode, f3] = I[insn.op]
      return packI(imm32(insn.imm), insn.rs1, f3, insn.rd, opcode)
    }
    case 'Shift': {
      const [opcode, f3, f7] = SHIFT[insn.op]
      const width = opcode === 0x13 ? 0x3f : 0x1f
      return packI((f7 << 5) | (insn.shamt & width), insn.rs1, f3, insn.rd, opcode)
    }
    case 'S': return packS(imm32(insn.imm), insn.rs2, insn.rs1, S[insn.op], 0x23)
    case 'B': return packB(imm32(insn.imm), insn.rs2, insn.rs1, B[insn.op], 0x63)
    case 'U': return packU(imm32(insn.imm), insn.rd, insn.op === 'lui' ? 0x37 : 0x17)
    case 'J': return packJ(imm32(insn.imm), insn.rd, 0x6f)
    case 'Amo': return encodeAmo(insn.op, insn.rd, insn.rs1, insn.rs2, insn.aq, insn.rl)
    case 'Fence':
      return (((insn.fm & 0xf) << 28) | ((insn.pred & 0xf) << 24) | ((insn.succ & 0xf) << 20) | 0x0f) >>> 0
    case 'Csr': return packI(insn.csr, insn.rs1, CSR_F3[insn.op], insn.rd, 0x73)
    case 'CsrI': return packI(insn.csr, insn.uimm, CSR_F3[insn.op], insn.rd, 0x73)
    case 'System': return SYSTEM_WORDS[insn.op]
    case 'FenceVma': return packR(FENCE_VMA_F7[insn.op], insn.rs2, insn.rs1, 0, 0, 0x73)
    case 'Hlv': {
      const [f7, kind] = HLV[insn.op]
      return packR(f7, kind, insn.rs1, 4, insn.rd, 0x73)
    }
    case 'Hsv': return packR(HSV_F7[insn.op], insn.rs2, insn.rs1, 4, 0, 0x73)
    case 'Illegal': return insn.bits
  }
}

function encodeAmo(op: AmoOp, rd: number, rs1: number, rs2: number, aq: boolean, rl: boolean): number {
  const dot = op.indexOf('.')
  const f5 = AMO_F5[op.slice(0, dot)] ?? 0
  const f3 = op.endsWith('.d') ? 3 : 2
  return packR((f5 << 2) | (aq ? 2 : 0) | (rl ? 1 : 0), rs2, rs1, f3, rd, 0x2f)
}
