// ARM ARM DDI 0406C, B3.6 (long-descriptor translation table format), B3.7 (access permissions,
// access flag) and B3.13.3 (long-descriptor fault status, Table B3-24): one clause per test, every
// descriptor written out in hex from Figures B3-15 and B3-16.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { vmsaRegs } from '../../../src/arch/armv7/vmsa.ts'
import { longLeafDescriptor, longTableDescriptor } from '../../../src/arch/armv7/long-descriptor.ts'
import { failed, ok, walk, words } from './fixtures.ts'

const EAE = 0x8000_0000
// TTBCR.EAE = 1, T0SZ = 0: TTBR0 translates all 4 GiB from level 1 (4 entries, VA[31:30]).
const regs = vmsaRegs({ ttbcr: EAE, ttbr0: 0x1000n })
// VA 0x4020_3456: level 1 index 1 (0x1008), level 2 index 1 (0x2008), level 3 index 3 (0x3018).
const VA = 0x4020_3456n
const tables = (l3: bigint, l1 = 0x2003n, l2 = 0x3003n) => words([[0x1008n, l1], [0x2008n, l2], [0x3018n, l3]], 8)
// Page at 0x12_3456_7000: AF (0x400), SH = 0b11 (0x300), AP[2:1] = 0b01 (0x40), AttrIndx 1 (0x4), bits[1:0] = 0b11.
const PAGE = 0x12_3456_7747n

test('B3.6.1: three levels to a 4 KiB page with a 40-bit output address', () => {
  const w = walk(regs, tables(PAGE), VA)
  assert.is(ok(w).pa, 0x12_3456_7456n)
  assert.is(ok(w).leaf.pageBits, 12)
  assert.equal(w.trail.map((s) => s.addr), [0x1008n, 0x2008n, 0x3018n])
})

test('B3.6.1: a level 2 block maps 2 MiB, a level 1 block 1 GiB', () => {
  assert.is(ok(walk(regs, tables(0n, 0x2003n, 0x8020_0441n), VA)).pa, 0x8020_3456n)   // AP 0b01, AF, block
  const t = ok(walk(regs, words([[0x1008n, 0xc000_0441n]], 8), VA))
  assert.is(t.pa, 0xc020_3456n)
  assert.is(t.leaf.pageBits, 30)
})

test('Table B3-24: an invalid level 2 descriptor → translation fault, level 2 (STATUS 0b000110, LPAE bit 9)', () => {
  const f = failed(walk(regs, words([[0x1008n, 0x2003n]], 8), VA))
  assert.is(f._tag, 'Translation')
  assert.is(f.fsr, 0x206)
})

test('B3.6.1: bits[1:0] = 0b01 at level 3 is reserved → translation fault, level 3', () => {
  assert.is(failed(walk(regs, tables(PAGE & ~2n), VA)).fsr, 0x207)
})

test('B3.7.4, Table B3-24: AF = 0 → access flag fault at the leaf level (STATUS 0b001011), WnR for a write', () => {
  const f = failed(walk(regs, tables(PAGE & ~0x400n), VA, 'write'))
  assert.is(f._tag, 'AccessFlag')
  assert.is(f.fsr, 0xa0b)
})

test('B3.7.1: AP[2:1] = 0b00 is PL1 read/write only → a PL0 read is a permission fault, level 2 (STATUS 0b001110)', () => {
  const f = failed(walk(regs, tables(0n, 0x2003n, 0x8020_0401n), VA, 'read', 0))
  assert.is(f._tag, 'Permission')
  assert.is(f.fsr, 0x20e)
  assert.is(f.far, VA)
})

test('B3.6.1: APTable[1] = 1 in a table descriptor forbids writes below it, even where AP[2:1] allows them', () => {
  const f = failed(walk(regs, tables(PAGE, 0x4000_0000_0000_2003n), VA, 'write', 1))
  assert.is(f.fsr, 0xa0f)
  assert.ok(ok(walk(regs, tables(PAGE, 0x4000_0000_0000_2003n), VA, 'read', 0)))
})

test('B3.6.1: APTable[0] = 1 forbids PL0 access below it', () => {
  assert.is(failed(walk(regs, tables(PAGE, 0x2000_0000_0000_2003n), VA, 'read', 0))._tag, 'Permission')
})

test('B3.6.1: XNTable forbids fetches below it; PXN forbids PL1 fetches only', () => {
  assert.is(failed(walk(regs, tables(PAGE, 0x1000_0000_0000_2003n), VA, 'fetch', 0))._tag, 'Permission')
  const pxn = tables(PAGE | (1n << 53n))
  assert.is(failed(walk(regs, pxn, VA, 'fetch', 1))._tag, 'Permission')
  assert.ok(ok(walk(regs, pxn, VA, 'fetch', 0)))
})

test('B3.6.4: T0SZ = 1, T1SZ = 1: VA[31] chooses TTBR0 or TTBR1, each walked from level 1 with a 1-bit index', () => {
  const r = vmsaRegs({ ttbcr: EAE | 1 | (1 << 16), ttbr0: 0x1000n, ttbr1: 0x5000n })
  const m = words([[0x1008n, 0x4000_0441n], [0x5008n, 0xc000_0441n]], 8)
  assert.is(ok(walk(r, m, 0x4000_0010n)).pa, 0x4000_0010n)     // VA[30] = 1 → entry 1 of TTBR0's table
  assert.is(ok(walk(r, m, 0xc000_0010n)).pa, 0xc000_0010n)     // VA[31] = 1 → TTBR1, VA[30] = 1 → entry 1
})

test('B3.6.4: T0SZ = 2 starts TTBR0 walks at level 2 (index VA[29:21]); T1SZ = 2 leaves a hole → translation fault, level 1', () => {
  const r = vmsaRegs({ ttbcr: EAE | 2 | (2 << 16), ttbr0: 0x2000n, ttbr1: 0x6000n })
  const m = words([[0x2008n, 0x8020_0441n]], 8)
  assert.is(ok(walk(r, m, 0x0020_0004n)).pa, 0x8020_0004n)
  assert.is(failed(walk(r, m, 0x4000_0000n)).fsr, 0x205)
})

test('B3.6.4: TTBCR.EPD0 = 1 → translation fault, level 1 on a walk through TTBR0', () => {
  assert.is(failed(walk(vmsaRegs({ ttbcr: EAE | (1 << 7), ttbr0: 0x1000n }), tables(PAGE), VA)).fsr, 0x205)
})

test('B3.6.2: nG (bit 11) makes the translation ASID-specific; AttrIndx[2:0] (bits 4:2) and SH[1:0] (bits 9:8) are carried to the leaf', () => {
  const t = ok(walk(regs, tables(PAGE | (1n << 11n)), VA))
  assert.is(t.leaf.global, false)
  assert.equal(t.leaf.attributes, { format: 'long', attrIndx: 1, sh: 3, ns: false })
  assert.is(ok(walk(regs, tables(PAGE), VA)).leaf.global, true)
})

test('B3.6.1: the encoders produce the figures’ layouts', () => {
  assert.is(longLeafDescriptor(3, { out: 0x12_3456_7000n, ap21: 1, sh: 3, attrIndx: 1 }), PAGE)
  assert.is(longLeafDescriptor(2, { out: 0x8020_0000n, ap21: 0 }), 0x8020_0401n)
  assert.is(longTableDescriptor(0x2000n, { apTable: 2 }), 0x4000_0000_0000_2003n)
})

test.run()
