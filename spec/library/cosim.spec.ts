// memvirt/cosim, the README's example: the co-simulation of sv39.elf out of reset, and the first instruction
// of Spike's boot ROM (riscv/sim.cc: `auipc t0, 0` at 0x1000 writes t0 = 0x1000) reported by a DUT, once
// right and once with a wrong value.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readme, readmeBlock } from './readme-block.ts'
// --- README example begins
import { readFileSync } from 'node:fs'
import { loadMachine, parseElf, parseIsa } from '../../src/machine/index.ts'
import { startCosim, cosimStep } from '../../src/cosim/index.ts'

const isa = parseIsa('rv64ima_zicsr')
const elf = parseElf(readFileSync('golden/programs/sv39.elf'))
if (isa._tag === 'Left' || elf._tag === 'Left') throw new Error('bad ISA or ELF')
const loaded = loadMachine(isa.right, elf.right)
if (loaded._tag === 'Left') throw new Error(loaded.left.message)
const s0 = startCosim(loaded.right, { interrupts: 'dut' })   // options default to Spike's choices
const one = cosimStep(s0, { event: 'retire', pc: 0x1000n, insn: 0x297, rd: 5, value: 0x1000n })
// one.reply: { ok: true }; one.state: the model after the instruction
const bad = cosimStep(s0, { event: 'retire', pc: 0x1000n, insn: 0x297, rd: 5, value: 0x1001n })
// bad.reply: { ok: false, index: 0, field: 'value', dut: '0x…1001', model: '0x…1000', explain: [ … ] }
// --- README example ends

test('memvirt/cosim: the boot ROM\'s auipc matches; a wrong value is named with both values', () => {
  assert.equal(one.reply, { ok: true })
  assert.is(one.state.machine.hart.pc, 0x1004n)
  assert.ok(!bad.reply.ok && 'field' in bad.reply)
  assert.equal([bad.reply.field, bad.reply.dut, bad.reply.model], ['value', '0x0000000000001001', '0x0000000000001000'])
})
test('the README shows this example as written here', () => {
  assert.ok(readme().includes(readmeBlock(new URL(import.meta.url))))
})
test.run()
