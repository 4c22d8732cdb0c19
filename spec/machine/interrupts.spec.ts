// External interrupt lines driven by the caller (Priv. ISA, "Machine Interrupt (mip and mie) Registers"
// and "Supervisor Interrupt (sip and sie) Registers"; interrupt priority from "Machine Cause Register").
// Spike takes interrupts when a batch of steps starts (riscv/processor.cc, take_interrupt), so a line
// raised in the middle of a batch is seen at the next serializing instruction or batch start.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { setExternalInterrupt } from '../../src/machine/interrupts.ts'
import { step } from '../../src/machine/step.ts'
import { CODE, machineWith, steps } from '../cpu/fixture.ts'

const IRQ = 1n << 63n
const MEIE = 1n << 11n, SEIE = 1n << 9n, MTIE = 1n << 7n
const MSTATUS_MIE = 1n << 3n, MSTATUS_SIE = 1n << 1n
const NOP = 0x00000013
const HANDLER = CODE + 0x100n

test('Machine external interrupt: a raised line, enabled in mie and by mstatus.MIE, traps with mcause 2^63 + 11', () => {
  const m = setExternalInterrupt(machineWith([NOP], { csr: { mie: MEIE, mstatus: MSTATUS_MIE, mtvec: HANDLER } }), 'machine', true)
  const r = step(m)
  assert.is(r.event._tag, 'Trapped')
  assert.is(r.machine.hart.csr.mcause, IRQ | 11n)
  assert.is(r.machine.hart.csr.mepc, CODE)          // taken before the instruction at pc
  assert.is(r.machine.hart.pc, HANDLER)
})

test('the line sets mip.MEIP and lowering it clears the bit again; nothing else in the machine changes', () => {
  const m0 = machineWith([NOP])
  const up = setExternalInterrupt(m0, 'machine', true)
  assert.is(up.hart.csr.mip & (1n << 11n), 1n << 11n)
  assert.is(up.hart.csr.mip & ~(1n << 11n), m0.hart.csr.mip)
  const down = setExternalInterrupt(up, 'machine', false)
  assert.is(down.hart.csr.mip, m0.hart.csr.mip)
  assert.is(m0.hart.csr.mip & (1n << 11n), 0n)     // the input machine is untouched
})

test('priority: with the timer (MTIP, pending from reset) also enabled, the external interrupt goes first', () => {
  const m = setExternalInterrupt(machineWith([NOP], { csr: { mie: MEIE | MTIE, mstatus: MSTATUS_MIE, mtvec: HANDLER } }), 'machine', true)
  assert.is(step(m).machine.hart.csr.mcause, IRQ | 11n)
})

test('Supervisor external interrupt delegated by mideleg reaches S-mode with scause 2^63 + 9', () => {
  const m = setExternalInterrupt(machineWith([NOP], {
    priv: 1, csr: { mie: SEIE, mideleg: SEIE, mstatus: MSTATUS_SIE, stvec: HANDLER },
  }), 'supervisor', true)
  const r = step(m)
  assert.is(r.event._tag, 'Trapped')
  assert.is(r.machine.hart.priv, 1)
  assert.is(r.machine.hart.csr.scause, IRQ | 9n)
  assert.is(r.machine.hart.csr.sepc, CODE)
})

test('a line raised in the middle of a batch is taken before the next CSR instruction, not before a plain one', () => {
  // nop; nop; csrr a0, mscratch
  const m0 = machineWith([NOP, NOP, 0x34002573], { csr: { mie: MEIE, mstatus: MSTATUS_MIE, mtvec: HANDLER } })
  const first = step(m0)                                   // the batch starts with no line raised
  assert.is(first.event._tag, 'Retired')
  const raised = setExternalInterrupt(first.machine, 'machine', true)
  const [second, third] = steps(raised, 2)
  assert.is(second!.event._tag, 'Retired')                 // a plain instruction: not a batch start
  assert.is(third!.event._tag, 'Trapped')                  // the CSR access serializes: taken before it
  assert.is(third!.machine.hart.csr.mepc, CODE + 8n)
})

test('WFI: a raised line enabled in mie wakes the hart even with mstatus.MIE = 0, and no trap is taken', () => {
  // wfi; nop
  const [, waiting] = steps(machineWith([0x10500073, NOP], { csr: { mie: MEIE } }), 2)
  assert.is(waiting!.event._tag, 'Waiting')
  const r = step(setExternalInterrupt(waiting!.machine, 'machine', true))
  assert.is(r.event._tag, 'Retired')
  assert.is(r.machine.hart.pc, CODE + 8n)
})

test.run()
