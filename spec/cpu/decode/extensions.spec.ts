// M, A, Zicsr, privileged and H-extension decoding on hand-assembled words (unprivileged ISA
// chapters "M", "A", "Zicsr"; privileged ISA "Machine-Level ISA", "Supervisor-Level ISA",
// "Hypervisor Extension"). Reserved-field checks follow Spike's MATCH/MASK values.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decode } from '../../../src/cpu/decode/index.ts'

const opOf = (w: number): string => decode(w).op

test('M: MULHSU is OP funct7 0000001 funct3 010 (mulhsu x1, x2, x3 = 0x023120b3)', () => {
  assert.equal(decode(0x023120b3), { _tag: 'R', op: 'mulhsu', length: 4, rd: 1, rs1: 2, rs2: 3 })
})

test('M (RV64): REMUW is OP-32 funct3 111; OP-32 funct3 001 with funct7 0000001 is not assigned', () => {
  assert.is(opOf(0x023170bb), 'remuw')
  assert.is(opOf(0x023110bb), 'illegal')
})

test('A: aq is inst[26], rl is inst[25] (amoadd.w.aqrl x1, x2, (x3) = 0x0621a0af)', () => {
  assert.equal(decode(0x0621a0af), { _tag: 'Amo', op: 'amoadd.w', length: 4, rd: 1, rs1: 3, rs2: 2, aq: true, rl: true })
})

test('A: funct3 011 selects the doubleword forms (amomaxu.d = funct5 11100)', () => {
  assert.is(opOf(0xe000302f), 'amomaxu.d')
  assert.is(opOf(0x1800302f), 'sc.d')
})

test('A: LR with a nonzero rs2 field is reserved → illegal', () => {
  assert.is(opOf(0x1000302f), 'lr.d')
  assert.is(opOf(0x1010302f), 'illegal')
})

test('A: funct5 values of other extensions (Zacas 00101) and widths other than W/D are illegal', () => {
  assert.is(opOf(0x2800202f), 'illegal')
  assert.is(opOf(0x0000402f), 'illegal')
  assert.is(opOf(0x0000002f), 'illegal')
})

test('Zicsr: CSRRW carries the 12-bit CSR number from inst[31:20] (csrrw x1, mstatus, x2 = 0x300110f3)', () => {
  assert.equal(decode(0x300110f3), { _tag: 'Csr', op: 'csrrw', length: 4, rd: 1, rs1: 2, csr: 0x300 })
})

test('Zicsr: the immediate forms zero-extend the 5-bit uimm from the rs1 field (csrrci x0, 0xfff, 31 = 0xfffff073)', () => {
  assert.equal(decode(0xfffff073), { _tag: 'CsrI', op: 'csrrci', length: 4, rd: 0, uimm: 31, csr: 0xfff })
})

test('Privileged: ECALL, EBREAK, SRET, MRET and WFI are single exact encodings', () => {
  assert.is(opOf(0x00000073), 'ecall')
  assert.is(opOf(0x00100073), 'ebreak')
  assert.is(opOf(0x10200073), 'sret')
  assert.is(opOf(0x30200073), 'mret')
  assert.is(opOf(0x10500073), 'wfi')
})

test('Privileged: any other bit set in those encodings is illegal (mret with rd = 1, ecall with rs1 = 1)', () => {
  assert.is(opOf(0x302000f3), 'illegal')
  assert.is(opOf(0x00008073), 'illegal')
})

test('Privileged: URET (removed N extension) and DRET (debug mode only) are illegal here', () => {
  assert.is(opOf(0x00200073), 'illegal')
  assert.is(opOf(0x7b200073), 'illegal')
})

test('§Supervisor Memory-Management Fence: SFENCE.VMA rs1, rs2 (0x12208073); rd ≠ 0 is illegal', () => {
  assert.equal(decode(0x12208073), { _tag: 'FenceVma', op: 'sfence.vma', length: 4, rs1: 1, rs2: 2 })
  assert.is(opOf(0x120000f3), 'illegal')
})

test('H §Hypervisor Memory-Management Fence Instructions: HFENCE.GVMA is funct7 0110001, HFENCE.VVMA 0010001', () => {
  assert.equal(decode(0x62208073), { _tag: 'FenceVma', op: 'hfence.gvma', length: 4, rs1: 1, rs2: 2 })
  assert.equal(decode(0x22000073), { _tag: 'FenceVma', op: 'hfence.vvma', length: 4, rs1: 0, rs2: 0 })
})

test('H §Hypervisor Virtual-Machine Load and Store Instructions: HLV.W is funct7 0110100, rs2 field 00000', () => {
  assert.equal(decode(0x680140f3), { _tag: 'Hlv', op: 'hlv.w', length: 4, rd: 1, rs1: 2 })
})

test('H: the rs2 field selects unsigned (00001) and execute-permission HLVX (00011) loads', () => {
  assert.is(opOf(0x681140f3), 'hlv.wu')
  assert.is(opOf(0x683140f3), 'hlvx.wu')
  assert.is(opOf(0x643140f3), 'hlvx.hu')
})

test('H: there is no HLV.DU, HLVX.B or HLVX.D → illegal', () => {
  assert.is(opOf(0x6c1140f3), 'illegal')
  assert.is(opOf(0x603140f3), 'illegal')
  assert.is(opOf(0x6c3140f3), 'illegal')
})

test('H: HSV.D rs2, (rs1) is funct7 0110111 with rd = 0; a nonzero rd is illegal', () => {
  assert.equal(decode(0x6e314073), { _tag: 'Hsv', op: 'hsv.d', length: 4, rs1: 2, rs2: 3 })
  assert.is(opOf(0x6e3140f3), 'illegal')
})

test('SYSTEM funct3 100 outside the H encodings is illegal', () => {
  assert.is(opOf(0x00004073), 'illegal')
})

test.run()
