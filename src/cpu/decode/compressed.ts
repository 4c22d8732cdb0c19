// Expansion of 16-bit RVC parcels to their base instruction (unprivileged ISA ch. "C" Standard
// Extension for Compressed Instructions", §"Compressed Instruction Formats" and the RVC opcode map,
// "RVC Instruction Set Listings"). Every RV64C form is supported; the D-extension forms
// (C.FLD, C.FSD, C.FLDSP, C.FSDSP) are illegal because this model has no F/D.
// Reserved encodings are illegal exactly where Spike's riscv/insns/c_*.h `require` them to be:
// C.ADDI4SPN with nzuimm = 0 (this includes the all-zero parcel), C.ADDI16SP with nzimm = 0,
// C.LUI with nzimm = 0, C.ADDIW with rd = 0, C.LWSP/C.LDSP with rd = 0, C.JR with rs1 = 0.
// HINTs (e.g. C.ADDI/C.LI/C.MV/C.ADD/C.LUI with rd = 0, shifts by 0) are legal and expand to their
// base instruction, which has no architectural effect.
import {
  type Insn, type ROp,
  rType, iType, shiftType, sType, bType, uType, jType, systemType, illegal,
} from './insn.ts'
import { immBig } from './decode.ts'

// ---------------------------------------------------------------------------------------------
// Fields of the compressed formats
// ---------------------------------------------------------------------------------------------

/** rd/rs1 of CR/CI formats: inst[11:7], the full register number. */
const rFull = (h: number): number => (h >>> 7) & 0x1f
/** rs2 of CR/CSS formats: inst[6:2]. */
const rs2Full = (h: number): number => (h >>> 2) & 0x1f
/** The 3-bit register fields rs1′/rd′ (inst[9:7]) and rs2′/rd′ (inst[4:2]) name x8–x15. */
const rPrime97 = (h: number): number => 8 + ((h >>> 7) & 0x7)
const rPrime42 = (h: number): number => 8 + ((h >>> 2) & 0x7)
const bit = (h: number, i: number): number => (h >>> i) & 1
const field = (h: number, hi: number, lo: number): number => (h >>> lo) & ((1 << (hi - lo + 1)) - 1)
/** Sign-extends the low `width` bits of x. */
const sx = (x: number, width: number): number => (x << (32 - width)) >> (32 - width)

/** CI immediate imm[5] = inst[12], imm[4:0] = inst[6:2], sign-extended (C.ADDI, C.LI, C.ANDI, C.ADDIW). */
export const cImmCI = (h: number): number => sx((bit(h, 12) << 5) | field(h, 6, 2), 6)
/** CI shift amount shamt[5] = inst[12], shamt[4:0] = inst[6:2] (unsigned). */
export const cShamt = (h: number): number => (bit(h, 12) << 5) | field(h, 6, 2)
/** C.ADDI4SPN nzuimm[5:4|9:6|2|3] = inst[12:5]. */
export const cImmAddi4spn = (h: number): number =>
  (field(h, 12, 11) << 4) | (field(h, 10, 7) << 6) | (bit(h, 6) << 2) | (bit(h, 5) << 3)
/** C.ADDI16SP nzimm[9] = inst[12], nzimm[4|6|8:7|5] = inst[6:2], sign-extended. */
export const cImmAddi16sp = (h: number): number =>
  sx((bit(h, 12) << 9) | (bit(h, 6) << 4) | (bit(h, 5) << 6) | (field(h, 4, 3) << 7) | (bit(h, 2) << 5), 10)
/** C.LUI nzimm[17] = inst[12], nzimm[16:12] = inst[6:2], sign-extended (the value placed in rd). */
export const cImmLui = (h: number): number => sx((bit(h, 12) << 17) | (field(h, 6, 2) << 12), 18)
/** C.LW/C.SW uimm[5:3] = inst[12:10], uimm[2|6] = inst[6:5]. */
export const cImmLw = (h: number): number => (field(h, 12, 10) << 3) | (bit(h, 6) << 2) | (bit(h, 5) << 6)
/** C.LD/C.SD uimm[5:3] = inst[12:10], uimm[7:6] = inst[6:5]. */
export const cImmLd = (h: number): number => (field(h, 12, 10) << 3) | (field(h, 6, 5) << 6)
/** C.LWSP uimm[5] = inst[12], uimm[4:2|7:6] = inst[6:2]. */
export const cImmLwsp = (h: number): number => (bit(h, 12) << 5) | (field(h, 6, 4) << 2) | (field(h, 3, 2) << 6)
/** C.LDSP uimm[5] = inst[12], uimm[4:3|8:6] = inst[6:2]. */
export const cImmLdsp = (h: number): number => (bit(h, 12) << 5) | (field(h, 6, 5) << 3) | (field(h, 4, 2) << 6)
/** C.SWSP uimm[5:2|7:6] = inst[12:7]. */
export const cImmSwsp = (h: number): number => (field(h, 12, 9) << 2) | (field(h, 8, 7) << 6)
/** C.SDSP uimm[5:3|8:6] = inst[12:7]. */
export const cImmSdsp = (h: number): number => (field(h, 12, 10) << 3) | (field(h, 9, 7) << 6)
/** CJ offset[11|4|9:8|10|6|7|3:1|5] = inst[12:2], sign-extended (C.J). */
export const cImmJ = (h: number): number =>
  sx((bit(h, 12) << 11) | (bit(h, 11) << 4) | (field(h, 10, 9) << 8) | (bit(h, 8) << 10) |
     (bit(h, 7) << 6) | (bit(h, 6) << 7) | (field(h, 5, 3) << 1) | (bit(h, 2) << 5), 12)
/** CB offset[8|4:3] = inst[12:10], offset[7:6|2:1|5] = inst[6:2], sign-extended (C.BEQZ, C.BNEZ). */
export const cImmB = (h: number): number =>
  sx((bit(h, 12) << 8) | (field(h, 11, 10) << 3) | (field(h, 6, 5) << 6) | (field(h, 4, 3) << 1) | (bit(h, 2) << 5), 9)

const SP = 2, RA = 1, ZERO = 0
const CA_OPS: readonly ROp[] = ['sub', 'xor', 'or', 'and']

// ---------------------------------------------------------------------------------------------
// The expander
// ---------------------------------------------------------------------------------------------

/**
 * Expands one 16-bit parcel (bits [1:0] ≠ 11) to the Insn of its 32-bit equivalent, with
 * `length` 2. Never throws: reserved and unsupported parcels give `Illegal` with the parcel.
 * @example expandCompressed(0x4501) // c.li a0, 0 → { op: 'addi', rd: 10, rs1: 0, imm: 0n, length: 2, ... }
 */
export function expandCompressed(half: number): Insn {
  const h = half & 0xffff
  const quadrant = h & 3, f3 = h >>> 13
  if (quadrant === 0) {
    switch (f3) {
      case 0: { // C.ADDI4SPN → addi rd′, x2, nzuimm
        const imm = cImmAddi4spn(h)
        return imm === 0 ? illegalParcel(h) : iType('addi', rPrime42(h), SP, BigInt(imm), 2)
      }
      case 2: return iType('lw', rPrime42(h), rPrime97(h), immBig(cImmLw(h)), 2)
      case 3: return iType('ld', rPrime42(h), rPrime97(h), immBig(cImmLd(h)), 2)
      case 6: return sType('sw', rPrime97(h), rPrime42(h), immBig(cImmLw(h)), 2)
      case 7: return sType('sd', rPrime97(h), rPrime42(h), immBig(cImmLd(h)), 2)
      default: return illegalParcel(h) // 001 C.FLD, 101 C.FSD (D); 100 reserved
    }
  }
  if (quadrant === 1) {
    const rd = rFull(h)
    switch (f3) {
      case 0: return iType('addi', rd, rd, immBig(cImmCI(h)), 2) // C.ADDI (C.NOP when rd = 0, imm = 0)
      case 1: return rd === 0 ? illegalParcel(h) : iType('addiw', rd, rd, immBig(cImmCI(h)), 2) // C.ADDIW
      case 2: return iType('addi', rd, ZERO, immBig(cImmCI(h)), 2) // C.LI
      case 3: {
        if (rd === SP) { // C.ADDI16SP
          const imm = cImmAddi16sp(h)
          return imm === 0 ? illegalParcel(h) : iType('addi', SP, SP, BigInt(imm), 2)
        }
        const imm = cImmLui(h) // C.LUI
        return imm === 0 ? illegalParcel(h) : uType('lui', rd, BigInt(imm), 2)
      }
      case 4: return expandMiscAlu(h)
      case 5: return jType(ZERO, immBig(cImmJ(h)), 2) // C.J
      case 6: return bType('beq', rPrime97(h), ZERO, immBig(cImmB(h)), 2) // C.BEQZ
      default: return bType('bne', rPrime97(h), ZERO, immBig(cImmB(h)), 2) // C.BNEZ
    }
  }
  if (quadrant === 2) {
    const rd = rFull(h), rs2 = rs2Full(h)
    switch (f3) {
      case 0: return shiftType('slli', rd, rd, cShamt(h), 2) // C.SLLI
      case 2: return rd === 0 ? illegalParcel(h) : iType('lw', rd, SP, immBig(cImmLwsp(h)), 2) // C.LWSP
      case 3: return rd === 0 ? illegalParcel(h) : iType('ld', rd, SP, immBig(cImmLdsp(h)), 2) // C.LDSP
      case 4:
        if (bit(h, 12) === 0) {
          if (rs2 !== 0) return rType('add', rd, ZERO, rs2, 2) // C.MV
          return rd === 0 ? illegalParcel(h) : iType('jalr', ZERO, rd, 0n, 2) // C.JR
        }
        if (rs2 !== 0) return rType('add', rd, rd, rs2, 2) // C.ADD
        if (rd === 0) return systemType('ebreak', 2) // C.EBREAK
        return iType('jalr', RA, rd, 0n, 2) // C.JALR
      case 6: return sType('sw', SP, rs2, immBig(cImmSwsp(h)), 2) // C.SWSP
      case 7: return sType('sd', SP, rs2, immBig(cImmSdsp(h)), 2) // C.SDSP
      default: return illegalParcel(h) // 001 C.FLDSP, 101 C.FSDSP (D)
    }
  }
  return illegalParcel(h) // quadrant 3 is a 32-bit (or longer) encoding, not a parcel
}

/** Quadrant 1, funct3 = 100: C.SRLI, C.SRAI, C.ANDI and the CA-format register operations. */
function expandMiscAlu(h: number): Insn {
  const rd = rPrime97(h)
  switch (field(h, 11, 10)) {
    case 0: return shiftType('srli', rd, rd, cShamt(h), 2)
    case 1: return shiftType('srai', rd, rd, cShamt(h), 2)
    case 2: return iType('andi', rd, rd, immBig(cImmCI(h)), 2)
    default: {
      const rs2 = rPrime42(h), f2 = field(h, 6, 5)
      if (bit(h, 12) === 0) return rType(CA_OPS[f2] ?? 'and', rd, rd, rs2, 2)
      if (f2 === 0) return rType('subw', rd, rd, rs2, 2)
      if (f2 === 1) return rType('addw', rd, rd, rs2, 2)
      return illegalParcel(h) // reserved in RV64C (Zcb places C.MUL etc. here)
    }
  }
}

const illegalParcel = (h: number): Insn => illegal(h, 2)

/** True when a parcel is a compressed instruction: bits [1:0] ≠ 11 (unprivileged ISA §"Base Instruction-Length Encoding"). */
export const isCompressed = (parcel: number): boolean => (parcel & 3) !== 3
