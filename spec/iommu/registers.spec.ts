// RISC-V IOMMU spec v1.0, "Memory-mapped register interface": the registers at their offsets, with
// WARL, RO, RW1C and busy behaviour. Expected values from the register tables, worked by hand.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { resetIommu } from '../../src/iommu/iommu.ts'
import { readRegister, writeRegister, type RegisterFile } from '../../src/iommu/registers.ts'
import { OFF, ddtp } from './fixtures.ts'

const fresh = resetIommu(EXAMPLE_CAPABILITIES)
const opts = fresh.options
const w = (r: RegisterFile, offset: number, size: 4 | 8, v: bigint): RegisterFile => writeRegister(r, opts, offset, size, v)
const rd = (r: RegisterFile, offset: number, size: 4 | 8 = 4): bigint => readRegister(r, offset, size)

test('Register layout: capabilities at 0 (8 bytes) is read-only', () => {
  assert.is(rd(fresh.regs, OFF.capabilities, 8), EXAMPLE_CAPABILITIES)
  assert.is(rd(w(fresh.regs, 0, 8, 0n), 0, 8), EXAMPLE_CAPABILITIES)
})
test('Register layout: a 4-byte read of the high half of an 8-byte register (capabilities at 4)', () => {
  assert.is(rd(fresh.regs, 4), EXAMPLE_CAPABILITIES >> 32n)
})
test('Register access: a misaligned access, or an 8-byte access to a 4-byte register (cqh at 32), reads 0 and is ignored', () => {
  const r = w(fresh.regs, OFF.cqb, 8, 3n | (0x80710n << 10n))
  assert.is(rd(r, 30, 4), 0n)
  assert.is(rd(r, OFF.cqh, 8), 0n)
  assert.is(w(r, OFF.cqt, 8, 5n), r)
})
test('Reset: ddtp.iommu_mode is Off (the recommended reset value)', () => { assert.is(rd(fresh.regs, OFF.ddtp, 8) & 0xfn, 0n) })

test('ddtp: iommu_mode 1LVL and the root PPN at 53:10 are written from Off', () => {
  assert.is(rd(w(fresh.regs, OFF.ddtp, 8, ddtp(2)), OFF.ddtp, 8), 2n | (0x80100n << 10n))
})
test('ddtp: iommu_mode is WARL: a reserved mode (5) keeps the old value', () => {
  const r = w(fresh.regs, OFF.ddtp, 8, ddtp(2))
  assert.is(rd(w(r, OFF.ddtp, 8, ddtp(5)), OFF.ddtp, 8) & 0xfn, 2n)
})
test('ddtp: 3LVL → 1LVL without passing through Off or Bare is UNSPECIFIED: ignored (C model); → Off is taken', () => {
  const r = w(fresh.regs, OFF.ddtp, 8, ddtp(4))
  assert.is(rd(w(r, OFF.ddtp, 8, ddtp(2)), OFF.ddtp, 8) & 0xfn, 4n)
  assert.is(rd(w(r, OFF.ddtp, 8, ddtp(0)), OFF.ddtp, 8) & 0xfn, 0n)
})
test('ddtp: busy (bit 4) reads 0: mode changes complete synchronously', () => {
  assert.is((rd(w(fresh.regs, OFF.ddtp, 8, ddtp(3) | 0x10n), OFF.ddtp, 8) >> 4n) & 1n, 0n)
})
test('ddtp: PPN is WARL to capabilities.PAS: with PAS = 40 only PPN bits 27:0 stick', () => {
  const caps40 = (EXAMPLE_CAPABILITIES & ~(0x3fn << 32n)) | (40n << 32n)
  const r = writeRegister(resetIommu(caps40).regs, opts, OFF.ddtp, 8, 2n | (((1n << 44n) - 1n) << 10n))
  assert.is(readRegister(r, OFF.ddtp, 8) >> 10n, (1n << 28n) - 1n)
})
test('ddtp: a 4-byte write to the low half keeps the high half (two 4-byte accesses make one register)', () => {
  const r1 = w(fresh.regs, OFF.ddtp + 4, 4, 0x2n)          // PPN bits 53:32 of the register = 0x2 → PPN bit 22
  const r2 = w(r1, OFF.ddtp, 4, 2n)                       // mode 1LVL, low PPN bits 0
  assert.is(rd(r2, OFF.ddtp, 8), (0x2n << 32n) | 2n)
})

test('fctl: with END = 0, IGS = MSI and GXL read-only, no field is writable', () => {
  assert.is(rd(w(fresh.regs, OFF.fctl, 4, 7n), OFF.fctl), 0n)
})

test('cqb: LOG2SZ-1 4:0 and PPN 53:10; writing it sets cqt to 0', () => {
  let r = w(fresh.regs, OFF.cqb, 8, 2n | (0x80710n << 10n))
  r = w(r, OFF.cqt, 4, 3n)
  assert.is(rd(r, OFF.cqt), 3n)
  r = w(r, OFF.cqb, 8, 2n | (0x80710n << 10n))
  assert.is(rd(r, OFF.cqt), 0n)
  assert.is(rd(r, OFF.cqb, 8), 2n | (0x80710n << 10n))
})
test('cqt: only bits LOG2SZ-1:0 are writable (8 entries: 0x1f → 7)', () => {
  const r = w(w(fresh.regs, OFF.cqb, 8, 2n | (0x80710n << 10n)), OFF.cqt, 4, 0x1fn)
  assert.is(rd(r, OFF.cqt), 7n)
})
test('cqh is read-only', () => { assert.is(rd(w(fresh.regs, OFF.cqh, 4, 3n), OFF.cqh), 0n) })
test('cqcsr: cqen 0 → 1 turns the queue on (cqon, bit 16) and clears cmd_ill; busy reads 0', () => {
  const r = w(fresh.regs, OFF.cqcsr, 4, 1n)
  assert.is(rd(r, OFF.cqcsr), 1n | (1n << 16n))
  const withIll: RegisterFile = { ...r, cqcsr: r.cqcsr | (1n << 10n), cqh: 3n }
  const off = w(withIll, OFF.cqcsr, 4, 0n)
  assert.is(rd(off, OFF.cqcsr) & (1n << 16n), 0n)
  assert.is(rd(off, OFF.cqcsr) & (1n << 10n), 1n << 10n) // cmd_ill stays until written 1 or cqen 0 → 1
  const on = w(off, OFF.cqcsr, 4, 1n)
  assert.is(rd(on, OFF.cqcsr) & (1n << 10n), 0n)
  assert.is(rd(on, OFF.cqh), 0n)
})
test('cqcsr: cmd_ill, cqmf, cmd_to, fence_w_ip are RW1C', () => {
  const r: RegisterFile = { ...w(fresh.regs, OFF.cqcsr, 4, 1n) }
  const errs: RegisterFile = { ...r, cqcsr: r.cqcsr | (0xfn << 8n) }
  assert.is(rd(w(errs, OFF.cqcsr, 4, 1n | (1n << 10n)), OFF.cqcsr) & (0xfn << 8n), 0xbn << 8n)
  assert.is(rd(w(errs, OFF.cqcsr, 4, 1n), OFF.cqcsr) & (0xfn << 8n), 0xfn << 8n)
})
test('cqb: a write while the command queue is on is dropped (C model)', () => {
  const on = w(fresh.regs, OFF.cqcsr, 4, 1n)
  assert.is(rd(w(on, OFF.cqb, 8, 5n), OFF.cqb, 8), 0n)
})

test('fqcsr: fqen 0 → 1 sets fqt to 0 and clears fqof and fqmf; fqon follows', () => {
  const r0: RegisterFile = { ...fresh.regs, fqt: 5n, fqcsr: 3n << 8n }
  const r = w(r0, OFF.fqcsr, 4, 1n)
  assert.is(rd(r, OFF.fqt), 0n)
  assert.is(rd(r, OFF.fqcsr), 1n | (1n << 16n))
})
test('fqh: only bits LOG2SZ-1:0 are writable; fqt is read-only', () => {
  const r = w(w(fresh.regs, OFF.fqb, 8, 1n | (0x80700n << 10n)), OFF.fqh, 4, 0xffn)
  assert.is(rd(r, OFF.fqh), 3n)
  assert.is(rd(w(r, OFF.fqt, 4, 2n), OFF.fqt), 0n)
})
test('ipsr: cip is set while cqcsr.cie = 1 and cmd_ill = 1, and RW1C clearing it while the condition holds sets it again', () => {
  const r = w(fresh.regs, OFF.cqcsr, 4, 3n)
  const ill = writeRegister({ ...r, cqcsr: r.cqcsr | (1n << 10n) }, opts, OFF.ipsr, 4, 0n)
  assert.is(rd(ill, OFF.ipsr) & 1n, 1n)
  assert.is(rd(w(ill, OFF.ipsr, 4, 1n), OFF.ipsr) & 1n, 1n)
  assert.is(rd(w(w(ill, OFF.cqcsr, 4, 3n | (1n << 10n)), OFF.ipsr, 4, 1n), OFF.ipsr) & 1n, 0n)
})
test('icvec: civ 3:0 and fiv 7:4 are writable; pmiv 11:8 reads 0 without HPM', () => {
  assert.is(rd(w(fresh.regs, OFF.icvec, 8, 0xffffn), OFF.icvec, 8), 0xf0ffn)
})
test('An unimplemented offset (HPM counters at 96) reads 0 and ignores writes', () => {
  assert.is(rd(fresh.regs, 96, 8), 0n)
  assert.is(w(fresh.regs, 96, 8, 1n), fresh.regs)
})

test.run()
