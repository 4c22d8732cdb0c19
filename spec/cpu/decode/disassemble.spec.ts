// Disassembly text, objdump style (GNU binutils conventions: ABI names, a tab after the mnemonic,
// shift amounts and U-immediates in hex). Expected strings written by hand from those conventions.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeInstruction, disassemble, csrName } from '../../../src/cpu/decode/index.ts'

const dis = (bits: number, pc?: bigint): string => disassemble(decodeInstruction(bits), pc)

test('branch targets are absolute hex addresses when pc is given, relative to pc otherwise', () => {
  assert.is(dis(0x80208063, 0x80001000n), 'beq\tra,sp,80000000')
  assert.is(dis(0x80208063), 'beq\tra,sp,pc - 4096')
  assert.is(dis(0x0000106f), 'j\tpc + 4096')
})

test('a target below address 0 wraps to 64 bits as objdump prints it', () => {
  assert.is(dis(0x8000006f, 0x30n), 'j\tfffffffffff00030')
})

test('illegal encodings print as data directives with the raw bits; the zero parcel as unimp', () => {
  assert.is(dis(0x00002007), '.4byte\t0x2007')
  assert.is(dis(0x6101), '.2byte\t0x6101')
  assert.is(dis(0x0000), 'unimp')
})

test('AMO ordering suffixes: .aq, .rl, .aqrl', () => {
  assert.is(dis(0x0621a0af), 'amoadd.w.aqrl\tra,sp,(gp)')
  assert.is(dis(0x0421a0af), 'amoadd.w.aq\tra,sp,(gp)')
  assert.is(dis(0x0221a0af), 'amoadd.w.rl\tra,sp,(gp)')
})

test('CSR numbers with a name print the name; unnamed ones print in hex', () => {
  assert.is(csrName(0x180), 'satp')
  assert.is(csrName(0x680), 'hgatp')
  assert.is(csrName(0x3bf), 'pmpaddr15')
  assert.is(csrName(0x7c0), '0x7c0')
})

test('FENCE with an empty successor set prints it as 0; fence w,0 is PAUSE', () => {
  assert.is(dis(0x0200000f), 'fence\tr,0')
  assert.is(dis(0x0100000f), 'pause')
})

test.run()
