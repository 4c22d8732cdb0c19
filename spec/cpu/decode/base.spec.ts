// RV64I decoding, checked on words worked out by hand from the unprivileged ISA's format figures
// (§"Base Instruction Formats", §"Immediate Encoding Variants", "RV64I Base Integer Instruction Set").
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decode, decodeInstruction, expandCompressed, encode, disassemble, iType } from '../../../src/cpu/decode/index.ts'

const opOf = (w: number): string => decode(w).op

test('§Immediate Encoding Variants, I-type: inst[31:20] sign-extended (addi x1, x0, -1 = 0xfff00093)', () => {
  assert.equal(decode(0xfff00093), { _tag: 'I', op: 'addi', length: 4, rd: 1, rs1: 0, imm: -1n })
})

test('§Immediate Encoding Variants, S-type: imm[11:5] from inst[31:25], imm[4:0] from inst[11:7] (sd x2, -8(x1) = 0xfe20bc23)', () => {
  assert.equal(decode(0xfe20bc23), { _tag: 'S', op: 'sd', length: 4, rs1: 1, rs2: 2, imm: -8n })
})

test('§Immediate Encoding Variants, B-type: inst[31] is imm[12] (beq x1, x2, -4096 = 0x80208063)', () => {
  assert.equal(decode(0x80208063), { _tag: 'B', op: 'beq', length: 4, rs1: 1, rs2: 2, imm: -4096n })
})

test('B-type: inst[7] is imm[11], inst[11:8] is imm[4:1], inst[30:25] is imm[10:5]', () => {
  assert.is((decode(0x000000e3) as { imm: bigint }).imm, 2048n)  // only inst[7] set
  assert.is((decode(0x00001163) as { imm: bigint }).imm, 2n)     // only inst[8] set (bne)
  assert.is((decode(0x02000063) as { imm: bigint }).imm, 32n)    // only inst[25] set
  assert.is((decode(0x7e000fe3) as { imm: bigint }).imm, 4094n)  // all but imm[12]
})

test('§Immediate Encoding Variants, J-type: inst[31] imm[20], inst[20] imm[11], inst[19:12] in place, inst[30:21] imm[10:1]', () => {
  assert.equal(decode(0x8000006f), { _tag: 'J', op: 'jal', length: 4, rd: 0, imm: -1048576n })
  assert.is((decode(0x0010006f) as { imm: bigint }).imm, 2048n)
  assert.is((decode(0x0000106f) as { imm: bigint }).imm, 4096n)
  assert.is((decode(0x0020006f) as { imm: bigint }).imm, 2n)
  assert.is((decode(0x7fe0006f) as { imm: bigint }).imm, 2046n)
})

test('§Integer Register-Immediate Instructions, LUI: the 32-bit U-immediate is sign-extended to 64 bits', () => {
  assert.equal(decode(0x800002b7), { _tag: 'U', op: 'lui', length: 4, rd: 5, imm: -2147483648n })
  assert.equal(decode(0x00001017), { _tag: 'U', op: 'auipc', length: 4, rd: 0, imm: 4096n })
})

test('RV64I shifts: a 6-bit shamt in inst[25:20]; SRAI is inst[31:26] = 010000', () => {
  assert.equal(decode(0x03f09093), { _tag: 'Shift', op: 'slli', length: 4, rd: 1, rs1: 1, shamt: 63 })
  assert.equal(decode(0x4010d093), { _tag: 'Shift', op: 'srai', length: 4, rd: 1, rs1: 1, shamt: 1 })
})

test('RV64I shifts: other values of inst[31:26] are reserved → illegal', () => {
  assert.is(opOf(0x04009093), 'illegal') // slli with inst[26] set
  assert.is(opOf(0x8000d093), 'illegal') // srli with inst[31] set
})

test('RV64I *W shifts: inst[25] = 1 (shamt[5]) is reserved → illegal', () => {
  assert.is(opOf(0x0200909b), 'illegal')
  assert.equal(decode(0x01f0909b), { _tag: 'Shift', op: 'slliw', length: 4, rd: 1, rs1: 1, shamt: 31 })
})

test('Load and store funct3 values outside the spec are illegal (lb..lwu / sb..sd only)', () => {
  assert.is(opOf(0x00007003), 'illegal') // LOAD funct3 111
  assert.is(opOf(0x00004023), 'illegal') // STORE funct3 100
  assert.is(opOf(0x00006003), 'lwu')
  assert.is(opOf(0x00003003), 'ld')
})

test('Conditional branches: funct3 010 and 011 are reserved → illegal', () => {
  assert.is(opOf(0x00002063), 'illegal')
  assert.is(opOf(0x00003063), 'illegal')
})

test('JALR requires funct3 = 000', () => {
  assert.is(opOf(0x00001067), 'illegal')
  assert.equal(decode(0x00008067), { _tag: 'I', op: 'jalr', length: 4, rd: 0, rs1: 1, imm: 0n })
})

test('OP with an unassigned funct7 (0000010) is illegal', () => {
  assert.is(opOf(0x04000033), 'illegal')
})

test('§Memory Ordering Instructions, FENCE: fm, pred and succ fields (fence = iorw,iorw; fence.tso = fm 1000, rw,rw)', () => {
  assert.equal(decode(0x0ff0000f), { _tag: 'Fence', op: 'fence', length: 4, fm: 0, pred: 15, succ: 15 })
  assert.equal(decode(0x8330000f), { _tag: 'Fence', op: 'fence', length: 4, fm: 8, pred: 3, succ: 3 })
})

test('FENCE: the reserved rd and rs1 fields are ignored (as Spike does, MASK_FENCE = 0x707f)', () => {
  assert.equal(decode(0x0ff5060f), decode(0x0ff0000f))
})

test('Zifencei: FENCE.I ignores its imm, rs1 and rd fields', () => {
  assert.equal(decode(0x0010100f), { _tag: 'System', op: 'fence.i', length: 4 })
})

test('§Base Instruction-Length Encoding: encodings longer than 32 bits (inst[4:2] = 111) are illegal', () => {
  assert.is(decodeInstruction(0xffffffff).op, 'illegal')
  assert.is(decodeInstruction(0x0000007f).op, 'illegal')
})

test('Encodings of extensions this model lacks (F: flw) decode to illegal, carrying the word', () => {
  assert.equal(decode(0x00002007), { _tag: 'Illegal', op: 'illegal', length: 4, bits: 0x00002007 })
})

test('the doc-comment examples of the decode module hold (addi a0, a1, 10 = 0x00a58513; c.li a0, 0 = 0x4501)', () => {
  assert.equal(decode(0x00a58513), { _tag: 'I', op: 'addi', length: 4, rd: 10, rs1: 11, imm: 10n })
  assert.equal(expandCompressed(0x4501), { _tag: 'I', op: 'addi', length: 2, rd: 10, rs1: 0, imm: 0n })
  assert.is(decodeInstruction(0x00004501).length, 2)
  assert.is(encode(iType('addi', 10, 11, 10n)), 0x00a58513)
  assert.is(disassemble(decode(0x00a58513)), 'addi\ta0,a1,10')
})

test.run()
