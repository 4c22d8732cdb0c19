// Decoding of 32-bit RV64 encodings: RV64I, M, A, Zicsr, Zifencei, the privileged instructions
// and the H extension (unprivileged ISA ch. "RV32I/RV64I Base Integer Instruction Set", "M", "A",
// "Zicsr", "Zifencei"; privileged ISA ch. "Supervisor-Level ISA" and "Hypervisor Extension").
// Which bits must match for an encoding to be legal follows Spike's MATCH/MASK table
// (riscv/encoding.h): e.g. FENCE ignores its rd/rs1 fields, LR requires rs2 = 0, HSV requires rd = 0.
import {
  type Insn, type AmoOp, type HlvOp, type HsvOp, type IOp, type ROp,
  rType, iType, shiftType, sType, bType, uType, jType, amoType, fenceType, csrType, csrIType,
  systemType, fenceVmaType, hlvType, hsvType, illegal,
} from './insn.ts'

// ---------------------------------------------------------------------------------------------
// Fields and immediates (unprivileged ISA §"Immediate Encoding Variants", figure of the I/S/B/U/J
// immediates). `word` is treated as a 32-bit integer; `>>` sign-extends from bit 31.
// ---------------------------------------------------------------------------------------------

export const opcodeOf = (w: number): number => w & 0x7f
export const rdOf = (w: number): number => (w >>> 7) & 0x1f
export const funct3Of = (w: number): number => (w >>> 12) & 0x7
export const rs1Of = (w: number): number => (w >>> 15) & 0x1f
export const rs2Of = (w: number): number => (w >>> 20) & 0x1f
export const funct7Of = (w: number): number => (w >>> 25) & 0x7f

/** I-immediate: inst[31:20], sign-extended. */
export const immI = (w: number): number => w >> 20
/** S-immediate: inst[31:25] ‖ inst[11:7], sign-extended. */
export const immS = (w: number): number => ((w >> 25) << 5) | ((w >>> 7) & 0x1f)
/** B-immediate: inst[31] → imm[12], inst[7] → imm[11], inst[30:25] → imm[10:5], inst[11:8] → imm[4:1]. */
export const immB = (w: number): number =>
  ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1)
/** U-immediate: inst[31:12] in place, low 12 bits zero, sign-extended from bit 31. */
export const immU = (w: number): number => w & ~0xfff
/** J-immediate: inst[31] → imm[20], inst[19:12] → imm[19:12], inst[20] → imm[11], inst[30:21] → imm[10:1]. */
export const immJ = (w: number): number =>
  ((w >> 31) << 20) | (w & 0xff000) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1)

/**
 * The immediate as a bigint. Values in [-4096, 4095] (every I, S and B immediate, and the RVC
 * ones except C.LUI's) come from a table built once, so decoding them allocates no BigInt.
 */
export const immBig = (imm: number): bigint => (imm >= -4096 && imm < 4096 ? (SMALL_IMMS[imm + 4096] as bigint) : BigInt(imm))
const SMALL_IMMS: readonly bigint[] = Array.from({ length: 8192 }, (_, k) => BigInt(k - 4096))

// ---------------------------------------------------------------------------------------------
// Opcode tables (unprivileged ISA, "RV32/64G Instruction Set Listings")
// ---------------------------------------------------------------------------------------------

const LOAD = 0x03, MISC_MEM = 0x0f, OP_IMM = 0x13, AUIPC = 0x17, OP_IMM_32 = 0x1b
const STORE = 0x23, AMO = 0x2f, OP = 0x33, LUI = 0x37, OP_32 = 0x3b
const BRANCH = 0x63, JALR = 0x67, JAL = 0x6f, SYSTEM = 0x73

const LOADS: readonly (IOp | undefined)[] = ['lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu', undefined]
const STORES = ['sb', 'sh', 'sw', 'sd'] as const
const BRANCHES = ['beq', 'bne', undefined, undefined, 'blt', 'bge', 'bltu', 'bgeu'] as const
const OP_IMM_ARITH: readonly (IOp | undefined)[] = ['addi', undefined, 'slti', 'sltiu', 'xori', undefined, 'ori', 'andi']
// OP by funct3 for funct7 = 0000000, 0100000 and 0000001 (M).
const OP_F7_00: readonly ROp[] = ['add', 'sll', 'slt', 'sltu', 'xor', 'srl', 'or', 'and']
const OP_F7_20: readonly (ROp | undefined)[] = ['sub', undefined, undefined, undefined, undefined, 'sra', undefined, undefined]
const OP_F7_01: readonly ROp[] = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu']
const OP32_F7_00: readonly (ROp | undefined)[] = ['addw', 'sllw', undefined, undefined, undefined, 'srlw', undefined, undefined]
const OP32_F7_20: readonly (ROp | undefined)[] = ['subw', undefined, undefined, undefined, undefined, 'sraw', undefined, undefined]
const OP32_F7_01: readonly (ROp | undefined)[] = ['mulw', undefined, undefined, undefined, 'divw', 'divuw', 'remw', 'remuw']
// AMO by funct5 (inst[31:27]); the width suffix comes from funct3 (010 = .w, 011 = .d).
const AMO_W: readonly (AmoOp | undefined)[] = amoTable('w')
const AMO_D: readonly (AmoOp | undefined)[] = amoTable('d')
function amoTable(width: 'w' | 'd'): (AmoOp | undefined)[] {
  const t: (AmoOp | undefined)[] = new Array<AmoOp | undefined>(32).fill(undefined)
  const names: readonly [number, string][] = [
    [0b00010, 'lr'], [0b00011, 'sc'], [0b00001, 'amoswap'], [0b00000, 'amoadd'], [0b00100, 'amoxor'],
    [0b01100, 'amoand'], [0b01000, 'amoor'], [0b10000, 'amomin'], [0b10100, 'amomax'],
    [0b11000, 'amominu'], [0b11100, 'amomaxu'],
  ]
  for (const [f5, name] of names) t[f5] = `${name}.${width}` as AmoOp
  return t
}
// H-extension loads: funct7 selects the width, the rs2 field selects signed (0), unsigned (1), HLVX (3).
const HLV: Readonly<Record<number, readonly (HlvOp | undefined)[]>> = {
  0x30: ['hlv.b', 'hlv.bu', undefined, undefined],
  0x32: ['hlv.h', 'hlv.hu', undefined, 'hlvx.hu'],
  0x34: ['hlv.w', 'hlv.wu', undefined, 'hlvx.wu'],
  0x36: ['hlv.d', undefined, undefined, undefined],
}
const HSV: Readonly<Record<number, HsvOp>> = { 0x31: 'hsv.b', 0x33: 'hsv.h', 0x35: 'hsv.w', 0x37: 'hsv.d' }
const CSR_OPS = [undefined, 'csrrw', 'csrrs', 'csrrc', undefined, 'csrrwi', 'csrrsi', 'csrrci'] as const

// ---------------------------------------------------------------------------------------------
// The decoder
// ---------------------------------------------------------------------------------------------

/**
 * Decodes one 32-bit instruction word (bits [1:0] = 11). Never throws: an encoding that is
 * reserved, malformed, or from an extension outside RV64IMAC + Zicsr + Zifencei + H decodes to
 * an `Illegal` value carrying the word.
 * @example decode(0x00a58513) // { _tag: 'I', op: 'addi', length: 4, rd: 10, rs1: 11, imm: 10n }
 */
export function decode(word: number): Insn {
  const w = word | 0
  const rd = rdOf(w), rs1 = rs1Of(w), rs2 = rs2Of(w), f3 = funct3Of(w), f7 = funct7Of(w)
  switch (opcodeOf(w)) {
    case LUI: return uType('lui', rd, BigInt(immU(w)))
    case AUIPC: return uType('auipc', rd, BigInt(immU(w)))
    case JAL: return jType(rd, immBig(immJ(w)))
    case JALR: return f3 === 0 ? iType('jalr', rd, rs1, immBig(immI(w))) : illegalWord(w)
    case BRANCH: {
      const op = BRANCHES[f3]
      return op === undefined ? illegalWord(w) : bType(op, rs1, rs2, immBig(immB(w)))
    }
    case LOAD: {
      const op = LOADS[f3]
      return op === undefined ? illegalWord(w) : iType(op, rd, rs1, immBig(immI(w)))
    }
    case STORE: {
      const op = f3 < 4 ? STORES[f3] : undefined
      return op === undefined ? illegalWord(w) : sType(op, rs1, rs2, immBig(immS(w)))
    }
    case OP_IMM: {
      // RV64: shamt is inst[25:20]; inst[31:26] is 000000 (SLLI/SRLI) or 010000 (SRAI).
      const shamt = (w >>> 20) & 0x3f, f6 = (w >>> 26) & 0x3f
      if (f3 === 1) return f6 === 0 ? shiftType('slli', rd, rs1, shamt) : illegalWord(w)
      if (f3 === 5) {
        if (f6 === 0) return shiftType('srli', rd, rs1, shamt)
        if (f6 === 0x10) return shiftType('srai', rd, rs1, shamt)
        return illegalWord(w)
      }
      const op = OP_IMM_ARITH[f3]
      return op === undefined ? illegalWord(w) : iType(op, rd, rs1, immBig(immI(w)))
    }
    case OP_IMM_32: {
      // The *W shifts have a 5-bit shamt; inst[25] = 1 is reserved.
      if (f3 === 0) return iType('addiw', rd, rs1, immBig(immI(w)))
      if (f3 === 1) return f7 === 0 ? shiftType('slliw', rd, rs1, rs2) : illegalWord(w)
      if (f3 === 5) {
        if (f7 === 0) return shiftType('srliw', rd, rs1, rs2)
        if (f7 === 0x20) return shiftType('sraiw', rd, rs1, rs2)
      }
      return illegalWord(w)
    }
    case OP: {
      const op = f7 === 0 ? OP_F7_00[f3] : f7 === 0x20 ? OP_F7_20[f3] : f7 === 1 ? OP_F7_01[f3] : undefined
      return op === undefined ? illegalWord(w) : rType(op, rd, rs1, rs2)
    }
    case OP_32: {
      const op = f7 === 0 ? OP32_F7_00[f3] : f7 === 0x20 ? OP32_F7_20[f3] : f7 === 1 ? OP32_F7_01[f3] : undefined
      return op === undefined ? illegalWord(w) : rType(op, rd, rs1, rs2)
    }
    case AMO: {
      const table = f3 === 2 ? AMO_W : f3 === 3 ? AMO_D : undefined
      const op = table?.[(w >>> 27) & 0x1f]
      if (op === undefined) return illegalWord(w)
      // LR.W/LR.D: the rs2 field must be 0 (Spike: MASK_LR_W covers inst[24:20]).
      if ((op === 'lr.w' || op === 'lr.d') && rs2 !== 0) return illegalWord(w)
      return amoType(op, rd, rs1, rs2, ((w >>> 26) & 1) === 1, ((w >>> 25) & 1) === 1)
    }
    case MISC_MEM:
      // FENCE and FENCE.I: only funct3 is decoded; rd, rs1 (and FENCE.I's imm) are reserved fields
      // that implementations ignore (unprivileged ISA §"Memory Ordering Instructions"; Spike's
      // MASK_FENCE / MASK_FENCE_I = 0x707f). Unknown fm values behave as fm = 0000.
      if (f3 === 0) return fenceType((w >>> 28) & 0xf, (w >>> 24) & 0xf, (w >>> 20) & 0xf)
      if (f3 === 1) return systemType('fence.i')
      return illegalWord(w)
    case SYSTEM: return decodeSystem(w, rd, rs1, rs2, f3, f7)
    default: return illegalWord(w)
  }
}

/** SYSTEM opcode: trap returns, WFI, the fences on address translation, HLV/HSV and Zicsr. */
function decodeSystem(w: number, rd: number, rs1: number, rs2: number, f3: number, f7: number): Insn {
  switch (f3) {
    case 0:
      switch (w >>> 0) {
        case 0x00000073: return systemType('ecall')
        case 0x00100073: return systemType('ebreak')
        case 0x10200073: return systemType('sret')
        case 0x30200073: return systemType('mret')
        case 0x10500073: return systemType('wfi')
      }
      if (rd !== 0) return illegalWord(w)
      if (f7 === 0x09) return fenceVmaType('sfence.vma', rs1, rs2)
      if (f7 === 0x11) return fenceVmaType('hfence.vvma', rs1, rs2)
      if (f7 === 0x31) return fenceVmaType('hfence.gvma', rs1, rs2)
      return illegalWord(w)
    case 4: {
      const hlv = HLV[f7]?.[rs2]
      if (hlv !== undefined) return hlvType(hlv, rd, rs1)
      const hsv = HSV[f7]
      if (hsv !== undefined && rd === 0) return hsvType(hsv, rs1, rs2)
      return illegalWord(w)
    }
    default: {
      const op = CSR_OPS[f3]
      const csr = (w >>> 20) & 0xfff
      if (op === 'csrrw' || op === 'csrrs' || op === 'csrrc') return csrType(op, rd, rs1, csr)
      if (op === 'csrrwi' || op === 'csrrsi' || op === 'csrrci') return csrIType(op, rd, rs1, csr)
      return illegalWord(w)
    }
  }
}

const illegalWord = (w: number): Insn => illegal(w >>> 0, 4)
