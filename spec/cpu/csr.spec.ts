// CSR legalization and access rules. Expected values from the Privileged ISA (section named in each
// test) and, where the spec leaves a WARL choice, from Spike's riscv/csrs.cc (named as such).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CSR, csrDenial, csrRead, csrWrite, legalizeHgatp, legalizeMstatus, legalizeSatp, medelegMask } from '../../src/cpu/csr/access.ts'
import { resetHart, withMipAndTime } from '../../src/cpu/hart.ts'
import { type Retired } from '../../src/cpu/event.ts'
import { RV64IMAC_H, isa, machineWith, stepOnce } from './fixture.ts'

const M = resetHart(RV64IMAC_H, 0x8000_0000n)
const write = (n: number, v: bigint, h = M) => csrWrite(h, RV64IMAC_H, n, v).hart
const read = (n: number, h = M, virt = h.virt) => csrRead(h, RV64IMAC_H, n, virt)

test('withMipAndTime (the chunk end\'s CSR update, written out for speed) is the spread { ...c, mip, time }: every field, in order', () => {
  const c = { ...M.csr, satp: 8n << 60n, pmpaddr: [1n, 2n], mtval2: 7n }
  const made = withMipAndTime(c, 0x80n, 12345n)
  const spread = { ...c, mip: 0x80n, time: 12345n }
  assert.equal(Object.keys(made), Object.keys(spread))
  assert.equal(made, spread)
  assert.is(made.pmpaddr, c.pmpaddr)
})

test('3.1.6 mstatus: MPP is WARL; the reserved value 2 reads back as U (Spike legalize_privilege)', () => {
  const s = legalizeMstatus(0n, 2n << 11n, RV64IMAC_H)
  assert.is((s >> 11n) & 3n, 0n)
})

test('3.1.6 mstatus: SD (bit 63) reads 1 exactly when FS is Dirty (3)', () => {
  assert.is(legalizeMstatus(0n, 3n << 13n, RV64IMAC_H) >> 63n, 1n)
  assert.is(legalizeMstatus(0n, 1n << 13n, RV64IMAC_H) >> 63n, 0n)
})

test('3.1.6 mstatus: UXL and SXL are read-only 2 (RV64) and survive a write of 0', () => {
  const h = write(CSR.mstatus, 0n)
  assert.is((read(CSR.mstatus, h) >> 32n) & 0xfn, 0b1010n)
})

test('3.1.8 medeleg: bit 11 (ECALL from M) is read-only zero', () => {
  assert.is((medelegMask(RV64IMAC_H) >> 11n) & 1n, 0n)
  assert.is((read(CSR.medeleg, write(CSR.medeleg, -1n & ((1n << 64n) - 1n))) >> 11n) & 1n, 0n)
})

test('3.1.8 medeleg: without C, instruction-address-misaligned (0) can be delegated; with C it cannot (Spike)', () => {
  assert.is(medelegMask(isa('rv64ima_zicsr')) & 1n, 1n)
  assert.is(medelegMask(RV64IMAC_H) & 1n, 0n)
})

test('H 9.2.3 mideleg: with H the VS-level interrupt bits (2, 6, 10) and SGEI (12) read as one', () => {
  assert.is(read(CSR.mideleg) & 0x1444n, 0x1444n)
})

test('3.1.7 mtvec: MODE values ≥ 2 are reserved; Spike clears bit 1', () => {
  assert.is(read(CSR.mtvec, write(CSR.mtvec, 0x8000_0003n)), 0x8000_0001n)
})

test('3.1.14 mepc: bit 0 is always zero', () => {
  assert.is(read(CSR.mepc, write(CSR.mepc, 0x8000_0003n)), 0x8000_0002n)
})

test('3.1.14 mepc: with C disabled bit 1 reads as zero too', () => {
  const rv = isa('rv64ima_zicsr')
  const h = csrWrite(resetHart(rv, 0n), rv, CSR.mepc, 0x8000_0006n).hart
  assert.is(csrRead(h, rv, CSR.mepc), 0x8000_0004n)
})

test('4.1.11 satp: through the satp number an unsupported MODE leaves satp unchanged altogether (Spike)', () => {
  const h = write(CSR.satp, (8n << 60n) | 0x80000n)
  assert.is(read(CSR.satp, write(CSR.satp, (3n << 60n) | 0x123n, h)), (8n << 60n) | 0x80000n)
})

test('H 9.2.18 vsatp written directly with an unsupported MODE keeps MODE but takes ASID and PPN (Spike base_atp)', () => {
  const old = 8n << 60n
  assert.is(legalizeSatp(old, (5n << 60n) | 0x123n) >> 60n, 8n)
  assert.is(legalizeSatp(old, (5n << 60n) | 0x123n) & 0xfffn, 0x123n)
})

test('H 9.2.10 hgatp: PPN[1:0] read as zero (the x4 root is 16 KiB aligned)', () => {
  assert.is(legalizeHgatp(0n, (8n << 60n) | 0x80003n) & 3n, 0n)
})

test('H 9.2.5 henvcfg.ADUE is read-only zero while menvcfg.ADUE is zero', () => {
  const rv = isa('rv64imah_zicsr_svadu')
  const h0 = resetHart(rv, 0n)
  const h1 = csrWrite(h0, rv, CSR.henvcfg, 1n << 61n).hart
  assert.is(csrRead(h1, rv, CSR.henvcfg), 0n)
  const h2 = csrWrite(csrWrite(h0, rv, CSR.menvcfg, 1n << 61n).hart, rv, CSR.henvcfg, 1n << 61n).hart
  assert.is(csrRead(h2, rv, CSR.henvcfg), 1n << 61n)
})

test('4.1.1 sstatus is a restricted view of mstatus: writing SIE sets mstatus.SIE; MIE is not visible', () => {
  const h = write(CSR.sstatus, 0b1010n)            // SIE (bit 1) and MIE (bit 3)
  assert.is(read(CSR.mstatus, h) & 0b1010n, 0b0010n)
})

test('H 9.2.1: with V = 1, sstatus reads and writes vsstatus', () => {
  const vs = { ...M, priv: 1 as const, virt: true }
  const h = write(CSR.sstatus, 0b10n, vs)
  assert.is(read(CSR.vsstatus, h) & 0b10n, 0b10n)
  assert.is(read(CSR.mstatus, h) & 0b10n, 0n)
  assert.is(csrWrite(vs, RV64IMAC_H, CSR.sepc, 0x40n).logged[0], CSR.vsepc)
})

test('2.1 CSR address map: a write to a read-only CSR number (cycle, 0xC00) is illegal', () => {
  assert.is(csrDenial(M, RV64IMAC_H, CSR.cycle, true), 'illegal')
})

test('2.1: too little privilege is illegal (U reading sstatus)', () => {
  assert.is(csrDenial({ ...M, priv: 0 }, RV64IMAC_H, CSR.sstatus, false), 'illegal')
})

test('H 9.6.1: VS-mode access to a hypervisor CSR (hstatus) or a VS CSR number is a virtual-instruction exception', () => {
  const vs = { ...M, priv: 1 as const, virt: true }
  assert.is(csrDenial(vs, RV64IMAC_H, CSR.hstatus, false), 'virtual')
  assert.is(csrDenial(vs, RV64IMAC_H, CSR.vsstatus, false), 'virtual')
  assert.is(csrDenial(vs, RV64IMAC_H, CSR.mstatus, false), 'illegal')
})

test('3.1.6.5 TVM: satp access from S-mode is illegal while mstatus.TVM = 1', () => {
  const s = { ...M, priv: 1 as const, csr: { ...M.csr, mstatus: M.csr.mstatus | (1n << 20n) } }
  assert.is(csrDenial(s, RV64IMAC_H, CSR.satp, false), 'illegal')
})

test('H 9.2.1 VTVM: satp access from VS-mode is a virtual-instruction exception while hstatus.VTVM = 1', () => {
  const vs = { ...M, priv: 1 as const, virt: true, csr: { ...M.csr, hstatus: M.csr.hstatus | (1n << 20n) } }
  assert.is(csrDenial(vs, RV64IMAC_H, CSR.satp, false), 'virtual')
})

test('3.1.11 mcounteren: with CY = 0, reading cycle below M is illegal; hcounteren.CY = 0 makes VS virtual', () => {
  assert.is(csrDenial({ ...M, priv: 1 }, RV64IMAC_H, CSR.cycle, false), 'illegal')
  const vs = { ...M, priv: 1 as const, virt: true, csr: { ...M.csr, mcounteren: 7n } }
  assert.is(csrDenial(vs, RV64IMAC_H, CSR.cycle, false), 'virtual')
})

test('Zicntr: without it the cycle/time/instret numbers do not exist (illegal even in M)', () => {
  assert.is(csrDenial(resetHart(isa('rv64ima_zicsr'), 0n), isa('rv64ima_zicsr'), CSR.instret, false), 'illegal')
})

test('CSRRS with rs1 = x0 does not write: no CSR item is logged (Zicsr, "shall not write")', () => {
  const r = stepOnce(machineWith([0x30002573]))   // csrr a0, mstatus
  assert.is((r.event as Retired).csrs.length, 0)
})

test('Zicsr: CSRRW returns the old value and logs the new one (csrrw a1, mscratch, a0)', () => {
  const r = stepOnce(machineWith([0x340515f3], { x: { 10: 0x55n }, csr: { mscratch: 0x77n } }))
  const ev = r.event as Retired
  assert.is(ev.rd, 11)
  assert.is(ev.rdValue, 0x77n)
  assert.equal(ev.csrs, [[0x340, 0x55n]])
})

test('3.3.1 minstret: an explicit write wins over the increment of the writing instruction', () => {
  const r = stepOnce(machineWith([0xb0251073], { x: { 10: 100n } }))   // csrw minstret, a0
  assert.is(r.machine.hart.instret, 100n)
  assert.is(r.machine.hart.cycle, 1n)
})

test('Spike reset: pmpaddr0 = all ones (54 bits) and pmpcfg0 = NAPOT RWX', () => {
  assert.is(read(CSR.pmpaddr0), (1n << 54n) - 1n)
  assert.is(read(CSR.pmpcfg0), 0x1fn)
})

test('3.7.1 pmpcfg: R = 0 with W = 1 is reserved; Spike clears W', () => {
  assert.is(read(CSR.pmpcfg0, write(CSR.pmpcfg0, 0x1en)) & 0xffn, 0x1cn)
})

test.run()
