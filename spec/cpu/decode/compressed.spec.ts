// RVC expansion on parcels assembled by hand from the unprivileged ISA's chapter "C" Standard
// Extension for Compressed Instructions" (§"Compressed Instruction Formats", the RVC listings).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { expandCompressed, decodeInstruction } from '../../../src/cpu/decode/index.ts'

const c = expandCompressed
const opOf = (h: number): string => c(h).op
const immOf = (h: number): bigint => (c(h) as { imm: bigint }).imm

test('§Compressed Instruction Formats: the 3-bit register fields rd′/rs1′/rs2′ name x8–x15', () => {
  assert.equal(c(0x401c), { _tag: 'I', op: 'lw', length: 2, rd: 15, rs1: 8, imm: 0n })   // c.lw x15, 0(x8)
  assert.equal(c(0x5fe0), { _tag: 'I', op: 'lw', length: 2, rd: 8, rs1: 15, imm: 124n }) // c.lw x8, 124(x15)
})

test('C.ADDI4SPN: nzuimm[5:4|9:6|2|3] in inst[12:5], expands to addi rd′, x2, nzuimm', () => {
  assert.equal(c(0x1fe0), { _tag: 'I', op: 'addi', length: 2, rd: 8, rs1: 2, imm: 1020n })
})

test('C.ADDI4SPN with nzuimm = 0 is reserved; the all-zero parcel is the defined illegal instruction', () => {
  assert.equal(c(0x0000), { _tag: 'Illegal', op: 'illegal', length: 2, bits: 0 })
  assert.is(opOf(0x001c), 'illegal')
})

test('C.LD uimm[5:3] = inst[12:10], uimm[7:6] = inst[6:5]; C.SD likewise', () => {
  assert.equal(c(0x7c60), { _tag: 'I', op: 'ld', length: 2, rd: 8, rs1: 8, imm: 248n })
  assert.equal(c(0xe504), { _tag: 'S', op: 'sd', length: 2, rs1: 10, rs2: 9, imm: 8n })
})

test('C.NOP expands to addi x0, x0, 0', () => {
  assert.equal(c(0x0001), { _tag: 'I', op: 'addi', length: 2, rd: 0, rs1: 0, imm: 0n })
})

test('C.ADDI: imm[5] = inst[12] sign-extends (c.addi x1, -32 = 0x1081)', () => {
  assert.equal(c(0x1081), { _tag: 'I', op: 'addi', length: 2, rd: 1, rs1: 1, imm: -32n })
})

test('C.ADDIW expands to addiw rd, rd, imm; rd = 0 is reserved', () => {
  assert.equal(c(0x30fd), { _tag: 'I', op: 'addiw', length: 2, rd: 1, rs1: 1, imm: -1n })
  assert.is(opOf(0x2001), 'illegal')
})

test('C.LI expands to addi rd, x0, imm', () => {
  assert.equal(c(0x42fd), { _tag: 'I', op: 'addi', length: 2, rd: 5, rs1: 0, imm: 31n })
})

test('C.ADDI16SP: nzimm[9] = inst[12], nzimm[4|6|8:7|5] = inst[6:2]; nzimm = 0 is reserved', () => {
  assert.equal(c(0x7101), { _tag: 'I', op: 'addi', length: 2, rd: 2, rs1: 2, imm: -512n })
  assert.is(immOf(0x6141), 16n)  // inst[6] → nzimm[4]
  assert.is(immOf(0x6121), 64n)  // inst[5] → nzimm[6]
  assert.is(immOf(0x6111), 256n) // inst[4] → nzimm[8]
  assert.is(immOf(0x6109), 128n) // inst[3] → nzimm[7]
  assert.is(immOf(0x6105), 32n)  // inst[2] → nzimm[5]
  assert.is(opOf(0x6101), 'illegal')
})

test('C.LUI: nzimm[17] = inst[12] sign-extends; nzimm = 0 is reserved; rd = 0 is a HINT (legal)', () => {
  assert.equal(c(0x7181), { _tag: 'U', op: 'lui', length: 2, rd: 3, imm: -131072n })
  assert.is(opOf(0x6081), 'illegal')
  assert.equal(c(0x6005), { _tag: 'U', op: 'lui', length: 2, rd: 0, imm: 4096n })
})

test('C.SRLI / C.SRAI: shamt[5] = inst[12] (RV64), on rd′', () => {
  assert.equal(c(0x907d), { _tag: 'Shift', op: 'srli', length: 2, rd: 8, rs1: 8, shamt: 63 })
  assert.equal(c(0x8785), { _tag: 'Shift', op: 'srai', length: 2, rd: 15, rs1: 15, shamt: 1 })
})

test('C.ANDI sign-extends its 6-bit immediate', () => {
  assert.equal(c(0x98fd), { _tag: 'I', op: 'andi', length: 2, rd: 9, rs1: 9, imm: -1n })
})

test('CA format: C.SUB, C.AND, C.SUBW, C.ADDW on rd′ and rs2′', () => {
  assert.equal(c(0x8c05), { _tag: 'R', op: 'sub', length: 2, rd: 8, rs1: 8, rs2: 9 })
  assert.equal(c(0x8fe1), { _tag: 'R', op: 'and', length: 2, rd: 15, rs1: 15, rs2: 8 })
  assert.is(opOf(0x9c05), 'subw')
  assert.is(opOf(0x9c25), 'addw')
})

test('CA format with inst[12] = 1 and inst[6:5] = 10 or 11 is reserved in RV64C', () => {
  assert.is(opOf(0x9c45), 'illegal')
  assert.is(opOf(0x9c65), 'illegal')
})

test('C.J offset[11|4|9:8|10|6|7|3:1|5] = inst[12:2]: each bit lands in place', () => {
  assert.equal(c(0xb001), { _tag: 'J', op: 'jal', length: 2, rd: 0, imm: -2048n })
  assert.is(immOf(0xa009), 2n)    // inst[3] → offset[1]
  assert.is(immOf(0xa005), 32n)   // inst[2] → offset[5]
  assert.is(immOf(0xa801), 16n)   // inst[11] → offset[4]
  assert.is(immOf(0xa081), 64n)   // inst[7] → offset[6]
  assert.is(immOf(0xa041), 128n)  // inst[6] → offset[7]
  assert.is(immOf(0xa201), 256n)  // inst[9] → offset[8]
  assert.is(immOf(0xa401), 512n)  // inst[10] → offset[9]
  assert.is(immOf(0xa101), 1024n) // inst[8] → offset[10]
})

test('C.BEQZ / C.BNEZ offset[8|4:3] = inst[12:10], offset[7:6|2:1|5] = inst[6:2], compare rs1′ with x0', () => {
  assert.equal(c(0xd001), { _tag: 'B', op: 'beq', length: 2, rs1: 8, rs2: 0, imm: -256n })
  assert.equal(c(0xe389), { _tag: 'B', op: 'bne', length: 2, rs1: 15, rs2: 0, imm: 2n })
  assert.is(immOf(0xc005), 32n)  // inst[2] → offset[5]
  assert.is(immOf(0xc021), 64n)  // inst[5] → offset[6]
  assert.is(immOf(0xc801), 16n)  // inst[11] → offset[4]
  assert.is(immOf(0xc401), 8n)   // inst[10] → offset[3]
})

test('C.SLLI expands to slli rd, rd, shamt; shamt 0 and rd = 0 are HINTs (legal)', () => {
  assert.equal(c(0x0086), { _tag: 'Shift', op: 'slli', length: 2, rd: 1, rs1: 1, shamt: 1 })
  assert.is(opOf(0x0502), 'slli')
  assert.is(opOf(0x0006), 'slli')
})

test('C.LWSP / C.LDSP: rd = 0 is reserved; immediates scale by 4 / 8 from x2', () => {
  assert.is(opOf(0x4002), 'illegal')
  assert.is(opOf(0x6002), 'illegal')
  assert.equal(c(0x50fe), { _tag: 'I', op: 'lw', length: 2, rd: 1, rs1: 2, imm: 252n })
  assert.equal(c(0x60a2), { _tag: 'I', op: 'ld', length: 2, rd: 1, rs1: 2, imm: 8n })
})

test('C.JR: rs1 = 0 is reserved; C.JR x1 expands to jalr x0, 0(x1)', () => {
  assert.is(opOf(0x8002), 'illegal')
  assert.equal(c(0x8082), { _tag: 'I', op: 'jalr', length: 2, rd: 0, rs1: 1, imm: 0n })
})

test('C.MV expands to add rd, x0, rs2; C.ADD to add rd, rd, rs2', () => {
  assert.equal(c(0x808a), { _tag: 'R', op: 'add', length: 2, rd: 1, rs1: 0, rs2: 2 })
  assert.equal(c(0x908a), { _tag: 'R', op: 'add', length: 2, rd: 1, rs1: 1, rs2: 2 })
})

test('C.EBREAK and C.JALR (jalr x1, 0(rs1)) share funct4 1001', () => {
  assert.equal(c(0x9002), { _tag: 'System', op: 'ebreak', length: 2 })
  assert.equal(c(0x9282), { _tag: 'I', op: 'jalr', length: 2, rd: 1, rs1: 5, imm: 0n })
})

test('C.SWSP uimm[5:2|7:6] = inst[12:7]; C.SDSP uimm[5:3|8:6] = inst[12:7]', () => {
  assert.equal(c(0xdf86), { _tag: 'S', op: 'sw', length: 2, rs1: 2, rs2: 1, imm: 252n })
  assert.equal(c(0xfffe), { _tag: 'S', op: 'sd', length: 2, rs1: 2, rs2: 31, imm: 504n })
})

test('The D-extension forms C.FLD, C.FSD, C.FLDSP, C.FSDSP are illegal (no F/D in this model); quadrant 0 funct3 100 is reserved', () => {
  for (const h of [0x2000, 0xa000, 0x2002, 0xa002, 0x8000]) assert.is(opOf(h), 'illegal', h.toString(16))
})

test('decodeInstruction takes a parcel with bits [1:0] ≠ 11 as compressed and ignores the upper half', () => {
  assert.equal(decodeInstruction(0xffff8082), c(0x8082))
})

test.run()
