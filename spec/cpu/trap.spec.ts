// Trap entry, delegation and trap return. Expected values from the Privileged ISA §3.1.6.1 (privilege
// and global interrupt-enable stack), §3.1.8 (medeleg/mideleg), §3.3.2 (MRET/SRET) and the H chapter
// §9.5 (trap entry with H: hedeleg/hideleg, SPV/SPVP/GVA, MPV); Spike's choices named where used.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resetHart, type Hart, type Priv, hart } from '../../src/cpu/hart.ts'
import { CAUSE, INTERRUPT_BIT, takeTrap, trap } from '../../src/cpu/trap.ts'
import { pendingInterrupt } from '../../src/cpu/step.ts'
import { RV64IMAC_H, machineWith, stepOnce } from './fixture.ts'
import { type Retired } from '../../src/cpu/event.ts'

const base = resetHart(RV64IMAC_H, 0x8000_0100n)
const at = (priv: Priv, virt: boolean, csr: Partial<Hart['csr']> = {}): Hart =>
  hart(0x8000_0100n, base.x, priv, virt, { ...base.csr, mtvec: 0x8000_1000n, stvec: 0x8000_2000n, vstvec: 0x8000_3000n, ...csr }, undefined, 0n, 0n)
const field = (v: bigint, lo: bigint, width = 1n): bigint => (v >> lo) & ((1n << width) - 1n)

test('3.1.6.1: an exception in M sets mepc, mcause, mtval, MPP = M, MPIE = old MIE, MIE = 0, pc = mtvec', () => {
  const h = at(3, false, { mstatus: base.csr.mstatus | (1n << 3n) })
  const { hart: t, target } = takeTrap(h, RV64IMAC_H, trap(CAUSE.illegalInstruction, 0x1234n), h.pc)
  assert.is(target, 'M')
  assert.is(t.pc, 0x8000_1000n)
  assert.is(t.csr.mepc, 0x8000_0100n)
  assert.is(t.csr.mcause, 2n)
  assert.is(t.csr.mtval, 0x1234n)
  assert.is(field(t.csr.mstatus, 11n, 2n), 3n)
  assert.is(field(t.csr.mstatus, 7n), 1n)
  assert.is(field(t.csr.mstatus, 3n), 0n)
})

test('3.1.8: medeleg sends an exception from U to S: sepc/scause/stval, SPP = U, SPIE = old SIE, SIE = 0', () => {
  const h = at(0, false, { medeleg: 1n << 8n, mstatus: base.csr.mstatus | 2n })
  const { hart: t, target } = takeTrap(h, RV64IMAC_H, trap(CAUSE.userEcall), h.pc)
  assert.is(target, 'HS')
  assert.is(t.priv, 1)
  assert.is(t.pc, 0x8000_2000n)
  assert.is(t.csr.scause, 8n)
  assert.is(t.csr.sepc, 0x8000_0100n)
  assert.is(field(t.csr.mstatus, 8n), 0n)
  assert.is(field(t.csr.mstatus, 5n), 1n)
  assert.is(field(t.csr.mstatus, 1n), 0n)
})

test('3.1.8: traps taken in M-mode are never delegated', () => {
  const h = at(3, false, { medeleg: 1n << 2n })
  assert.is(takeTrap(h, RV64IMAC_H, trap(CAUSE.illegalInstruction), h.pc).target, 'M')
})

test('9.5: an exception in VS delegated by medeleg and hedeleg goes to VS: vscause, vsepc, vsstatus.SPP, V stays 1', () => {
  const h = at(1, true, { medeleg: 1n << 13n, hedeleg: 1n << 13n })
  const { hart: t, target } = takeTrap(h, RV64IMAC_H, trap(CAUSE.loadPageFault, 0x4000n, true), h.pc)
  assert.is(target, 'VS')
  assert.ok(t.virt)
  assert.is(t.pc, 0x8000_3000n)
  assert.is(t.csr.vscause, 13n)
  assert.is(t.csr.vstval, 0x4000n)
  assert.is(t.csr.vsepc, 0x8000_0100n)
  assert.is(field(t.csr.vsstatus, 8n), 1n)
  assert.is(t.csr.scause, 0n)
})

test('9.5: a trap from VS to HS sets hstatus.SPV = 1, SPVP = the VS privilege, GVA from the trap; htval/htinst written', () => {
  const h = at(1, true, { medeleg: 1n << 21n })
  const { hart: t, target } = takeTrap(h, RV64IMAC_H, trap(CAUSE.loadGuestPageFault, 0x4000n, true, 0x4000_0400n, 0x3000n), h.pc)
  assert.is(target, 'HS')
  assert.not.ok(t.virt)
  assert.is(field(t.csr.hstatus, 7n), 1n)
  assert.is(field(t.csr.hstatus, 8n), 1n)
  assert.is(field(t.csr.hstatus, 6n), 1n)
  assert.is(t.csr.htval, 0x4000_0400n)
  assert.is(t.csr.htinst, 0x3000n)
})

test('9.2.2 hedeleg: guest-page faults (21) cannot be delegated to VS: the bit is read-only zero', () => {
  const r = stepOnce(machineWith([0x60251073], { x: { 10: 1n << 21n } }))  // csrw hedeleg, a0
  assert.is(r.machine.hart.csr.hedeleg, 0n)
})

test('9.5: a trap from VS to M sets mstatus.MPV = 1 and MPP = S', () => {
  const h = at(1, true)
  const { hart: t } = takeTrap(h, RV64IMAC_H, trap(CAUSE.virtualSupervisorEcall), h.pc)
  assert.is(field(t.csr.mstatus, 39n), 1n)
  assert.is(field(t.csr.mstatus, 11n, 2n), 1n)
  assert.not.ok(t.virt)
})

test('3.1.7: with vectored mtvec, interrupts go to BASE + 4 × cause, exceptions to BASE', () => {
  const h = at(0, false, { mtvec: 0x8000_1001n })
  assert.is(takeTrap(h, RV64IMAC_H, trap(INTERRUPT_BIT | 7n), h.pc).hart.pc, 0x8000_101cn)
  assert.is(takeTrap(h, RV64IMAC_H, trap(CAUSE.illegalInstruction), h.pc).hart.pc, 0x8000_1000n)
})

test('3.3.2 MRET: privilege from MPP, MIE from MPIE, MPIE = 1, MPP = U', () => {
  const mstatus = base.csr.mstatus | (1n << 7n) | (1n << 11n)     // MPIE = 1, MPP = S
  const r = stepOnce(machineWith([0x30200073], { csr: { mstatus, mepc: 0x8000_0040n } }))
  const h = r.machine.hart
  assert.is(h.pc, 0x8000_0040n)
  assert.is(h.priv, 1)
  assert.is(field(h.csr.mstatus, 3n), 1n)
  assert.is(field(h.csr.mstatus, 7n), 1n)
  assert.is(field(h.csr.mstatus, 11n, 2n), 0n)
})

test('MRET to VU (MPV = 1, MPP = U) also logs vsstatus, as Spike rewrites it (clearing SDT)', () => {
  const mstatus = base.csr.mstatus | (1n << 39n)                   // MPV = 1, MPP = U
  const r = stepOnce(machineWith([0x30200073], { csr: { mstatus, mepc: 0x8000_0040n } }))
  assert.equal((r.event as Retired).csrs.map(([n]) => n), [0x200, 0x300])
  assert.ok(r.machine.hart.virt)
  assert.is(r.machine.hart.priv, 0)
})

test('9.4.1 SRET from HS with hstatus.SPV = 1 enters VS-mode and clears SPV', () => {
  const r = stepOnce(machineWith([0x10200073], {
    priv: 1, csr: { hstatus: base.csr.hstatus | (1n << 7n), mstatus: base.csr.mstatus | (1n << 8n), sepc: 0x8000_0080n },
  }))
  const h = r.machine.hart
  assert.ok(h.virt)
  assert.is(h.priv, 1)
  assert.is(h.pc, 0x8000_0080n)
  assert.is(field(h.csr.hstatus, 7n), 0n)
})

test('3.1.6.5 TSR: SRET in S-mode is illegal while mstatus.TSR = 1 (mtval = the instruction)', () => {
  const r = stepOnce(machineWith([0x10200073], { priv: 1, csr: { mstatus: base.csr.mstatus | (1n << 22n) } }))
  assert.is(r.machine.hart.csr.mcause, 2n)
  assert.is(r.machine.hart.csr.mtval, 0x10200073n)
})

test('9.6.1: SRET in VS-mode with hstatus.VTSR = 1 is a virtual-instruction exception', () => {
  const r = stepOnce(machineWith([0x10200073], { priv: 1, virt: true, csr: { hstatus: base.csr.hstatus | (1n << 22n) } }))
  assert.is(r.machine.hart.csr.mcause, 22n)
})

test('3.1.9 interrupt priority: MEI before MSI before MTI', () => {
  const h = at(0, false, { mie: (1n << 11n) | (1n << 3n) | (1n << 7n), mip: 0n })
  const withPending = (bits: bigint): Hart => hart(h.pc, h.x, h.priv, h.virt, { ...h.csr, mip: bits }, undefined, 0n, 0n)
  // mip.MEIP/MSIP/MTIP are not software-writable; the test sets the (internal) pending bits directly.
  assert.is(pendingInterrupt(withPending((1n << 3n) | (1n << 7n) | (1n << 11n)), RV64IMAC_H), 11n)
  assert.is(pendingInterrupt(withPending((1n << 3n) | (1n << 7n)), RV64IMAC_H), 3n)
  assert.is(pendingInterrupt(withPending(1n << 7n), RV64IMAC_H), 7n)
})

test('3.1.6.1: M-mode interrupts are masked in M while mstatus.MIE = 0, and always enabled below M', () => {
  const csr = { mie: 1n << 7n, mip: 1n << 7n }
  assert.is(pendingInterrupt(at(3, false, csr), RV64IMAC_H), undefined)
  assert.is(pendingInterrupt(at(1, false, csr), RV64IMAC_H), 7n)
})

test.run()
