// The H chapter's rules for CSRs (Priv. ISA ch. "Hypervisor Extension": §"Hypervisor and Virtual
// Supervisor CSRs", §"Hypervisor Trap Delegation (hedeleg and hideleg) Registers", §"Machine Status
// (mstatus)" with its table "Effect of MPRV on the translation and protection of explicit memory
// accesses"). Expected values are the spec's.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Retired, type Trapped } from '../../../src/cpu/event.ts'
import { csrType, encode, iType } from '../../../src/cpu/decode/index.ts'
import { CSR, csrRead, csrWrite } from '../../../src/cpu/csr/access.ts'
import { CODE, RV64IMAC_H, machineWith, stepOnce } from '../fixture.ts'

const bit = (n: bigint): bigint => 1n << n
const MSTATUS_MPRV = bit(17n), MSTATUS_GVA = bit(38n), MSTATUS_MPV = bit(39n)
const mpp = (p: bigint): bigint => p << 11n
const MIP_VSTIP = bit(6n)
const SSTATUS_SIE = bit(1n)
const INTERRUPT = bit(63n)
const ECALL = 0x0000_0073
const trapped = (e: unknown): Trapped => e as Trapped

test('H §hideleg: a delegated VS-level timer interrupt (6) reaches VS-mode as a supervisor timer interrupt: vscause = 2^63 + 5', () => {
  // VS-mode with vsstatus.SIE = 1; hvip.VSTIP asserts the interrupt, hie.VSTIE enables it, hideleg.VSTIP delegates it.
  const m = machineWith([0x13], {
    priv: 1, virt: true,
    csr: { hvip: MIP_VSTIP, mie: MIP_VSTIP, hideleg: MIP_VSTIP, vsstatus: SSTATUS_SIE, vstvec: 0x8000_3000n },
  })
  const r = stepOnce(m)
  assert.is(trapped(r.event).target, 'VS')
  assert.is(r.machine.hart.csr.vscause, INTERRUPT + 5n)
  assert.is(r.machine.hart.csr.scause, 0n)           // HS-mode saw nothing
  assert.is(r.machine.hart.pc, 0x8000_3000n)
})

test('H §mstatus GVA: a trap into M that writes a guest virtual address to mtval sets GVA = 1; any other trap into M clears it', () => {
  // A misaligned load from VS-mode (Spike: misaligned accesses trap) writes its guest virtual address to mtval.
  const load = stepOnce(machineWith([encode(iType('ld', 10, 11, 1n))], { priv: 1, virt: true, x: { 11: 0x8000_1000n } }))
  assert.is(trapped(load.event).target, 'M')
  assert.is(load.machine.hart.csr.mcause, 4n)
  assert.is(load.machine.hart.csr.mtval, 0x8000_1001n)
  assert.is(load.machine.hart.csr.mstatus & MSTATUS_GVA, MSTATUS_GVA)
  // An ECALL from VS-mode writes no address: GVA = 0, even though it was 1 before.
  const ecall = stepOnce(machineWith([ECALL], { priv: 1, virt: true, csr: { mstatus: load.machine.hart.csr.mstatus } }))
  assert.is(ecall.machine.hart.csr.mcause, 10n)
  assert.is(ecall.machine.hart.csr.mstatus & MSTATUS_GVA, 0n)
})

test('H §hedeleg: bits 9, 10, 11 (environment calls from HS, VS, M), 16 and 20–23 are read-only zero; 1–8, 12, 13, 15 are writable', () => {
  // csrw hedeleg, a0 (all ones); csrr a1, hedeleg
  const m = machineWith([encode(csrType('csrrw', 0, 10, 0x602)), encode(csrType('csrrs', 11, 0, 0x602))], { x: { 10: (1n << 64n) - 1n } })
  const r = stepOnce(stepOnce(m).machine)
  const hedeleg = (r.event as Retired).rdValue
  for (const zero of [9n, 10n, 11n, 16n, 20n, 21n, 22n, 23n]) assert.is(hedeleg & bit(zero), 0n, `bit ${zero}`)
  for (const one of [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 12n, 13n, 15n]) assert.is(hedeleg & bit(one), bit(one), `bit ${one}`)
})

test('H §mstatus, table "Effect of MPRV": with MPRV = 1 and MPP = M a load is an M-level access without translation, whatever MPV says', () => {
  // hgatp selects Sv39x4 with an empty root table at 0x8000_4000: any access with V = 1 takes a load guest-page fault.
  const hgatp = (8n << 60n) | (0x8000_4000n >> 12n)
  const ld = encode(iType('ld', 10, 11, 0n))          // ld a0, 0(a1), a1 = CODE: reads this instruction word back
  const run = (mstatus: bigint) => stepOnce(machineWith([ld], { csr: { hgatp, mstatus }, x: { 11: CODE } }))
  // MPP = S with MPV = 1: a VS-level access, translated through the G-stage, faults (the setup is live).
  const vs = run(MSTATUS_MPRV | MSTATUS_MPV | mpp(1n))
  assert.is(trapped(vs.event).trap.cause, 21n)
  // MPP = M with MPV = 1: MPV is ignored, the load reads memory directly.
  const mm = run(MSTATUS_MPRV | MSTATUS_MPV | mpp(3n))
  assert.is(mm.event._tag, 'Retired')
  assert.is(mm.machine.hart.x[10], BigInt(ld))
})

test('H §"Virtual Supervisor CSRs": with V = 1 each supervisor CSR number reaches its VS CSR; the HS copy is untouched', () => {
  const hs = machineWith([0x13], { csr: { hideleg: 0b100_0100_0100n } }).hart    // hideleg delegates VSSI, VSTI, VSEI
  const vs = machineWith([0x13], { priv: 1, virt: true, csr: hs.csr }).hart
  // [S number, VS number, a value the register must be able to hold]
  const pairs: readonly (readonly [number, number, bigint])[] = [
    [CSR.sstatus, CSR.vsstatus, SSTATUS_SIE],
    [CSR.sie, CSR.vsie, bit(5n)],                  // STIE as VS sees it (hie.VSTIE, delegated by hideleg)
    [CSR.sip, CSR.vsip, bit(1n)],                  // SSIP as VS sees it (hip.VSSIP, delegated by hideleg)
    [CSR.stvec, CSR.vstvec, 0x8000_4000n],
    [CSR.sscratch, CSR.vsscratch, 0x1234n],
    [CSR.sepc, CSR.vsepc, 0x8000_4000n],
    [CSR.scause, CSR.vscause, 13n],
    [CSR.stval, CSR.vstval, 0x77n],
    [CSR.satp, CSR.vsatp, (8n << 60n) | 0x8_0004n],  // Sv39
  ]
  for (const [s, v, value] of pairs) {
    const after = csrWrite(vs, RV64IMAC_H, s, value).hart
    assert.is(csrRead(after, RV64IMAC_H, s) & value, value, `0x${s.toString(16)} read back with V = 1`)
    assert.is(csrRead(after, RV64IMAC_H, v, false) & value, value, `0x${v.toString(16)} from HS`)
    assert.is(csrRead(after, RV64IMAC_H, s, false), csrRead(vs, RV64IMAC_H, s, false), `0x${s.toString(16)} from HS unchanged`)
  }
})

test.run()
