// The platform as Spike presents it: the CLINT (riscv/clint.cc: mtime and mtimecmp reset to 0 and the
// device ticks once when created, so MTIP is pending from reset), Spike's chunked stepping (riscv/sim.cc:
// INTERLEAVE = 5000 steps; a trap or WFI ends a chunk; each chunk end drops the LR/SC reservation and
// advances mtime by INTERLEAVE / INSNS_PER_RTC_TICK = 50), WFI waiting, and misa writes.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { withOptions } from '../../src/machine/machine.ts'
import { type Retired } from '../../src/cpu/event.ts'
import { CODE, isa, machineWith, stepOnce, steps } from './fixture.ts'

const MTIP = 1n << 7n

test('CLINT: MTIP is pending from reset (mtime = mtimecmp = 0)', () => {
  assert.is(machineWith([]).hart.csr.mip & MTIP, MTIP)
})

test('a trap ends the chunk: time advances by 5000 / 100 = 50 ticks', () => {
  // ecall, then (at mtvec = CODE + 4) csrr a0, time
  const rs = steps(machineWith([0x00000073, 0xc0102573], { csr: { mtvec: CODE + 4n } }), 2)
  assert.is(rs[1]!.machine.hart.x[10], 50n)
})

test('the end of a chunk drops the LR reservation: SC after a trap fails', () => {
  // lr.d a1, (a0); ecall; (handler at CODE + 8) sc.d a2, a1, (a0)
  const rs = steps(machineWith([0x100535af, 0x00000073, 0x18b5362f], { x: { 10: CODE + 0x100n }, csr: { mtvec: CODE + 8n } }), 3)
  assert.is(rs[2]!.machine.hart.x[12], 1n)
})

test('a chunk also ends after INTERLEAVE steps (here set to 2): the reservation is gone at step 3', () => {
  const m0 = machineWith([0x100535af, 0x00000013, 0x18b5362f], { x: { 10: CODE + 0x100n } })   // lr.d; nop; sc.d
  const m = withOptions(m0, { ...m0.options, interleave: 2 })
  assert.is(steps(m, 3)[2]!.machine.hart.x[12], 1n)
  assert.is(steps(m0, 3)[2]!.machine.hart.x[12], 0n)      // with Spike's 5000 the same SC succeeds
})

test('WFI with no interrupt pending: the hart waits, printing nothing, while minstret advances', () => {
  // mip.MTIP is pending from reset but mie = 0: nothing pending in mip & mie
  const rs = steps(machineWith([0x10500073, 0x00000013]), 3)
  assert.is(rs[0]!.event._tag, 'Retired')
  assert.is(rs[1]!.event._tag, 'Waiting')
  assert.is(rs[2]!.event._tag, 'Waiting')
  assert.is(rs[2]!.machine.hart.instret, 3n)
  assert.is(rs[2]!.machine.hart.pc, CODE + 4n)
})

test('WFI ends as soon as an interrupt is pending, even one that is not enabled (mstatus.MIE = 0)', () => {
  const rs = steps(machineWith([0x10500073, 0x00000013], { csr: { mie: MTIP } }), 2)
  assert.is(rs[1]!.event._tag, 'Retired')
  assert.is((rs[1]!.event as Retired).pc, CODE + 4n)
})

test('an enabled timer interrupt is taken right after the CSR write that enables it (a serializing instruction)', () => {
  // csrsi mstatus, 8 (MIE); nop
  const rs = steps(machineWith([0x30046073, 0x00000013], { csr: { mie: MTIP, mtvec: CODE + 0x40n } }), 2)
  assert.is(rs[1]!.event._tag, 'Trapped')
  assert.is(rs[1]!.machine.hart.csr.mcause, (1n << 63n) | 7n)
  assert.is(rs[1]!.machine.hart.csr.mepc, CODE + 4n)
})

test('CLINT: writing a future mtimecmp (at 0x2004000) clears MTIP', () => {
  const r = stepOnce(machineWith([0x00b53023], { x: { 10: 0x200_4000n, 11: 1000n } }))   // sd a1, 0(a0)
  assert.is(r.machine.hart.csr.mip & MTIP, 0n)
  assert.is(r.machine.devices.clint.mtimecmp, 1000n)
})

test('misa: clearing C (csrc misa, a0 with a0 = 4) makes compressed instructions illegal', () => {
  const rs = steps(machineWith([0x30153073, 0x00000505], { x: { 10: 4n }, isa: isa('rv64imac_zicsr') }), 2)
  assert.is((rs[0]!.machine.hart.csr.misa >> 2n) & 1n, 0n)
  assert.is(rs[1]!.machine.hart.csr.mcause, 2n)
})

test.run()
