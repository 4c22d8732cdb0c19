// Debug triggers as Spike presents them (Sdtrig; riscv/triggers.cc): 4 triggers, mcontrol (type 2)
// address matches firing a breakpoint exception (cause 3, tval = the matching address) before the access,
// never in M-mode while mstatus.MIE = 0, and setting `hit`.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CSR, csrRead, csrWrite, legalizeTdata1 } from '../../src/cpu/csr/access.ts'
import { resetHart } from '../../src/cpu/hart.ts'
import { type Trapped } from '../../src/cpu/event.ts'
import { CODE, RV64IMAC_H, machineWith, stepOnce } from './fixture.ts'
import { peek } from '../../src/memory/memory.ts'
import { phys } from '../../src/bits/address.ts'

const MCONTROL_M = 1n << 6n, EXECUTE = 1n << 2n, STORE = 1n << 1n
const MIE = 1n << 3n

const armed = (tdata1: bigint, tdata2: bigint, mstatus: bigint) => {
  const h0 = resetHart(RV64IMAC_H, CODE)
  let h = csrWrite(h0, RV64IMAC_H, CSR.tdata1, tdata1).hart
  h = csrWrite(h, RV64IMAC_H, CSR.tdata2, tdata2).hart
  return { triggers: h.csr.triggers, mstatus: h0.csr.mstatus | mstatus }
}

test('Sdtrig 5.7.2: an mcontrol write reads back as written (Spike: maskmax 0, equal match)', () => {
  const v = (2n << 60n) | MCONTROL_M | EXECUTE
  assert.is(legalizeTdata1(v, RV64IMAC_H), v)
  const h = csrWrite(resetHart(RV64IMAC_H, 0n), RV64IMAC_H, CSR.tdata1, v).hart
  assert.is(csrRead(h, RV64IMAC_H, CSR.tdata1), v)
})

test('Sdtrig: a trigger type this model does not implement reads back as disabled (type 15)', () => {
  assert.is(legalizeTdata1(3n << 60n, RV64IMAC_H) >> 60n, 15n)
})

test('Sdtrig: tselect keeps only values below the number of triggers (4 in Spike)', () => {
  const h = csrWrite(resetHart(RV64IMAC_H, 0n), RV64IMAC_H, CSR.tselect, 7n).hart
  assert.is(csrRead(h, RV64IMAC_H, CSR.tselect), 0n)
})

test('an execute trigger on the pc: breakpoint before the instruction runs, tval = pc, hit set', () => {
  const csr = armed((2n << 60n) | MCONTROL_M | EXECUTE, CODE, MIE)
  const r = stepOnce(machineWith([0x00500513], { csr }))     // li a0, 5
  const t = r.event as Trapped
  assert.is(t.trap.cause, 3n)
  assert.is(t.trap.tval, CODE)
  assert.is(r.machine.hart.x[10], 0n)
  assert.is((r.machine.hart.csr.triggers[0]![0] >> 20n) & 1n, 1n)
})

test('a breakpoint-exception trigger does not fire in M-mode while mstatus.MIE = 0', () => {
  const csr = armed((2n << 60n) | MCONTROL_M | EXECUTE, CODE, 0n)
  assert.is(stepOnce(machineWith([0x00500513], { csr })).event._tag, 'Retired')
})

test('a store trigger matches any byte of the access; the store does not happen', () => {
  const csr = armed((2n << 60n) | MCONTROL_M | STORE, CODE + 0x103n, MIE)
  const r = stepOnce(machineWith([0x00b53023], { csr, x: { 10: CODE + 0x100n, 11: 9n } }))   // sd a1, 0(a0)
  const t = r.event as Trapped
  assert.is(t.trap.cause, 3n)
  assert.is(t.trap.tval, CODE + 0x100n)
  assert.is(peek(r.machine.memory, phys(CODE + 0x100n), 8), 0n)
})

test.run()
