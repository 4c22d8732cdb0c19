// memvirt/hart, the README's example: an ISA string, a hart out of reset, a CSR read and a decoded
// instruction. Hand-worked: misa of rv64imac with H = MXL 2 (bit 63) | A(0) C(2) H(7) I(8) M(12) S(18) U(20)
// = 0x8000_0000_0014_1185; 0x00b50633 is R-type opcode 0x33, funct3 0, funct7 0, rd 12, rs1 10, rs2 11: add a2,a0,a1.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readme, readmeBlock } from './readme-block.ts'
// --- README example begins
import { parseIsa, resetHart, csrRead, decodeInstruction, disassemble } from '../../src/cpu/index.ts'

const isa = parseIsa('rv64imac_zicsr_h')
if (isa._tag === 'Left') throw new Error(isa.left)
const h = resetHart(isa.right, 0x1000n)                       // M-mode at Spike's reset vector
const misa = csrRead(h, isa.right, 0x301)                     // 0x8000000000141185n
const add = disassemble(decodeInstruction(0x00b50633))        // 'add\ta2,a0,a1' (GNU objdump's spelling)
// --- README example ends

test('memvirt/hart: misa names the configured extensions and MXL = 2 for RV64 (Priv. ISA "Machine ISA Register misa")', () => {
  assert.is(misa, 0x8000_0000_0014_1185n)
  assert.is(h.priv, 3)
  assert.is(h.pc, 0x1000n)
})
test('memvirt/hart: 0x00b50633 decodes as ADD a2, a0, a1 (Unprivileged ISA "Integer Register-Register Operations")', () => {
  assert.is(add, 'add\ta2,a0,a1')
})
test('the README shows this example as written here', () => {
  assert.ok(readme().includes(readmeBlock(new URL(import.meta.url))))
})
test.run()
