// ARM ARM DDI 0406C, B3.5 (short-descriptor translation table format), B3.7 (access permissions,
// domains, access flag), B3.12 (MMU faults) and B3.13.3 (FSR encodings, Table B3-23): one clause per
// test. Each descriptor is written out in hex, worked from the descriptor figures B3-4 and B3-5.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { vmsaRegs } from '../../../src/arch/armv7/vmsa.ts'
import {
  apPermissions, decodeFirstLevel, describeShortAttributes, largePageDescriptor, pageTableDescriptor, sectionDescriptor,
  smallPageDescriptor, supersectionDescriptor,
} from '../../../src/arch/armv7/short-descriptor.ts'
import { failed, ok, walk, words } from './fixtures.ts'

// TTBR0 = 0x4000, TTBCR.N = 0: the first-level descriptor of VA sits at 0x4000 + VA[31:20] × 4.
const regs = vmsaRegs({ ttbr0: 0x4000n })

test('B3.5.1, Figure B3-4: a section maps VA[19:0] onto PA[31:20] of the descriptor', () => {
  // VA 0x0010_0234: index 1 → descriptor at 0x4004. 0x8000_0C0E = base 0x800, AP[1:0] = 0b11, C = B = 1, bits[1:0] = 0b10.
  const t = ok(walk(regs, words([[0x4004n, 0x8000_0c0en]]), 0x0010_0234n))
  assert.is(t.pa, 0x8000_0234n)
  assert.is(t.leaf.kind, 'section')
  assert.is(t.leaf.pageBits, 20)
  assert.is(describeShortAttributes(t.leaf.attributes as never), 'Normal, Write-Back no Write-Allocate, Non-shareable')
})

test('B3.5.4: TTBCR.N = 2 sends VA[31:30] = 0 to TTBR0 (index VA[29:20]) and the rest to TTBR1 (index VA[31:20])', () => {
  const r = vmsaRegs({ ttbcr: 2, ttbr0: 0x1000n, ttbr1: 0x8000n })
  // 0x3FF0_0000: TTBR0, index 0x3FF → 0x1000 + 0xFFC. 0x4000_0000: TTBR1, index 0x400 → 0x8000 + 0x1000.
  const m = words([[0x1ffcn, 0x0120_0c02n], [0x9000n, 0x0340_0c02n]])
  assert.is(ok(walk(r, m, 0x3ff0_0010n)).pa, 0x0120_0010n)
  assert.is(ok(walk(r, m, 0x4000_0020n)).pa, 0x0340_0020n)
})

test('B3.5.4: TTBCR.PD0 = 1 disables walks through TTBR0 → translation fault, section (FS 0b00101)', () => {
  const f = failed(walk(vmsaRegs({ ttbr0: 0x4000n, ttbcr: 1 << 4 }), words([[0x4004n, 0x8000_0c0en]]), 0x0010_0000n))
  assert.is(f._tag, 'Translation')
  assert.is(f.fsr, 0x005)
})

test('B3.5.1: a supersection takes PA[39:36] from bits[8:5] and PA[35:32] from bits[23:20], and is in domain 0', () => {
  // VA 0x01AB_CDEF: index 0x01A → 0x4068. 0x1234_0CA2 = base 0x12, bits[23:20] = 3, bit 18, AP[1:0] = 0b11, bits[8:5] = 5.
  // Domain 5 has no access, yet the supersection translates: bits[8:5] are address bits, the domain is 0.
  const r = vmsaRegs({ ttbr0: 0x4000n, dacr: 0x5555_5555 & ~(3 << 10) })
  const t = ok(walk(r, words([[0x4068n, 0x1234_0ca2n]]), 0x01ab_cdefn))
  assert.is(t.pa, 0x53_12ab_cdefn)
  assert.is(t.leaf.pageBits, 24)
  assert.is(t.leaf.domain, 0)
})

test('B3.5.1, Figure B3-5: a small page through a page table: PA = page base | VA[11:0]', () => {
  // VA 0x0020_3456: L1 0x4008 = 0x0000_5461 (page table 0x5400, domain 3); L2 index 3 → 0x540C = 0x9ABC_D022 (AP 0b010).
  const w = walk(regs, words([[0x4008n, 0x0000_5461n], [0x540cn, 0x9abc_d022n]]), 0x0020_3456n)
  assert.is(ok(w).pa, 0x9abc_d456n)
  assert.is(ok(w).leaf.domain, 3)
  assert.equal(w.trail.map((s) => s.addr), [0x4008n, 0x540cn])
})

test('B3.5.1: a large page maps VA[15:0] onto its 64 KiB base', () => {
  // VA 0x0030_5678: L1 0x400C = 0x5801; L2 index 5 → 0x5814 = 0x7777_8031 (large page, XN, AP 0b011).
  const t = ok(walk(regs, words([[0x400cn, 0x0000_5801n], [0x5814n, 0x7777_8031n]]), 0x0030_5678n))
  assert.is(t.pa, 0x7777_5678n)
  assert.is(t.leaf.pageBits, 16)
})

test('B3.12.1, Table B3-23: a fault first-level entry → translation fault, section: FS 0b00101, DFAR = VA', () => {
  const f = failed(walk(regs, words([]), 0x0050_0000n, 'write'))
  assert.is(f._tag, 'Translation')
  assert.is(f.level, 1)
  assert.is(f.fsr, 0x805)              // FS 0b00101, WnR
  assert.is(f.far, 0x0050_0000n)
})

test('Table B3-23: a fault second-level entry → translation fault, page: FS 0b00111 with the domain', () => {
  const f = failed(walk(regs, words([[0x4008n, 0x0000_5461n]]), 0x0020_3456n))
  assert.is(f.fsr, 0x037)              // FS 0b00111, domain 3 in bits[7:4]
})

test('B3.7.1, Table B3-8: AP = 0b010 is PL1 read/write, PL0 read-only; a PL0 write → permission fault, page (FS 0b01111)', () => {
  const m = words([[0x4008n, 0x0000_5461n], [0x540cn, 0x9abc_d022n]])
  assert.ok(ok(walk(regs, m, 0x0020_3456n, 'read', 0)))
  const f = failed(walk(regs, m, 0x0020_3456n, 'write', 0))
  assert.is(f._tag, 'Permission')
  assert.is(f.fsr, 0x83f)              // FS 0b01111 | domain 3 << 4 | WnR << 11
  assert.is(f.far, 0x0020_3456n)
})

test('B3.7.1, Table B3-8: every AP[2:0] value', () => {
  const show = (ap: number) => { const p = apPermissions(ap); return `${+p.pl1.read}${+p.pl1.write}/${+p.pl0.read}${+p.pl0.write}` }
  assert.equal([0, 1, 2, 3, 4, 5, 6, 7].map(show), ['00/00', '11/00', '11/10', '11/11', '00/00', '10/00', '10/10', '10/10'])
})

test('B3.7.2: XN = 1 → an instruction fetch is a permission fault (IFSR FS 0b01111, no domain, no WnR)', () => {
  const f = failed(walk(regs, words([[0x400cn, 0x0000_5801n], [0x5814n, 0x7777_8031n]]), 0x0030_5678n, 'fetch'))
  assert.is(f._tag, 'Permission')
  assert.is(f.fsr, 0x00f)
})

test('B3.7.2: PXN (bits[1:0] = 0b11 in a section) forbids PL1 fetches only', () => {
  const m = words([[0x4004n, 0x8000_0c0fn]])    // 0x8000_0C0E with bit 0 (PXN) set
  assert.is(failed(walk(regs, m, 0x0010_0000n, 'fetch', 1))._tag, 'Permission')
  assert.is(ok(walk(regs, m, 0x0010_0000n, 'fetch', 0)).pa, 0x8000_0000n)
})

test('B3.7.2: an instruction fetch needs read permission: AP = 0b001 forbids PL0 fetches', () => {
  const m = words([[0x4004n, 0x8000_040en]])    // AP[1:0] = 0b01
  assert.is(failed(walk(regs, m, 0x0010_0000n, 'fetch', 0))._tag, 'Permission')
  assert.ok(ok(walk(regs, m, 0x0010_0000n, 'fetch', 1)))
})

test('B3.7.3: a No access domain → domain fault, section: FS 0b01001 with the domain', () => {
  // Section in domain 2 (bits[8:5] = 2 → 0x40), DACR domain 2 = 0b00.
  const r = vmsaRegs({ ttbr0: 0x4000n, dacr: 0x5555_5555 & ~(3 << 4) })
  const f = failed(walk(r, words([[0x4004n, 0x8000_0c4en]]), 0x0010_0000n))
  assert.is(f._tag, 'Domain')
  assert.is(f.fsr, 0x029)
})

test('B3.7.3: a Reserved (0b10) domain → domain fault, page: FS 0b01011', () => {
  const r = vmsaRegs({ ttbr0: 0x4000n, dacr: (0x5555_5555 & ~(3 << 6)) | (2 << 6) })
  const f = failed(walk(r, words([[0x4008n, 0x0000_5461n], [0x540cn, 0x9abc_d022n]]), 0x0020_3456n, 'write'))
  assert.is(f.fsr, 0x83b)
})

test('B3.7.3: a Manager domain is not checked against AP or XN', () => {
  // AP = 0b000 (no access) and XN set; domain 0 is Manager.
  const r = vmsaRegs({ ttbr0: 0x4000n, dacr: 0x5555_5557 })
  const m = words([[0x4004n, 0x8000_0012n]])
  assert.is(ok(walk(r, m, 0x0010_0040n, 'write', 0)).pa, 0x8000_0040n)
  assert.ok(ok(walk(r, m, 0x0010_0040n, 'fetch', 0)))
})

test('B3.7.4, B3.12.3: SCTLR.AFE = 1 and AP[0] = 0 → access flag fault, section (FS 0b00011)', () => {
  const r = vmsaRegs({ ttbr0: 0x4000n, afe: true })
  const f = failed(walk(r, words([[0x4004n, 0x8000_080en]]), 0x0010_0000n))    // AP[1:0] = 0b10
  assert.is(f._tag, 'AccessFlag')
  assert.is(f.fsr, 0x003)
})

test('Table B3-23: access flag fault, page: FS 0b00110 with the domain', () => {
  const r = vmsaRegs({ ttbr0: 0x4000n, afe: true })
  const f = failed(walk(r, words([[0x4008n, 0x0000_5461n], [0x540cn, 0x9abc_d022n]]), 0x0020_3456n))
  assert.is(f.fsr, 0x036)
})

test('B3.7.1, Table B3-9: with SCTLR.AFE = 1, AP[2:1] = 0b00 is PL1 read/write only and 0b01 full access', () => {
  const r = vmsaRegs({ ttbr0: 0x4000n, afe: true })
  const m = words([[0x4004n, 0x8000_040en], [0x4008n, 0x8010_0c0en]])   // AP 0b001 and 0b011: AF = 1
  assert.is(failed(walk(r, m, 0x0010_0000n, 'read', 0))._tag, 'Permission')
  assert.ok(ok(walk(r, m, 0x0010_0000n, 'write', 1)))
  assert.ok(ok(walk(r, m, 0x0020_0000n, 'write', 0)))
})

test('B3.12.3: the access flag is checked before the domain', () => {
  const r = vmsaRegs({ ttbr0: 0x4000n, afe: true, dacr: 0x5555_5554 })   // domain 0: no access
  assert.is(failed(walk(r, words([[0x4004n, 0x8000_080en]]), 0x0010_0000n))._tag, 'AccessFlag')
})

test('B3.12.3: a page table in a No access domain with a fault second-level entry → translation fault, page', () => {
  const r = vmsaRegs({ ttbr0: 0x4000n, dacr: 0x5555_5555 & ~(3 << 6) })
  const f = failed(walk(r, words([[0x4008n, 0x0000_5461n]]), 0x0020_3456n))
  assert.is(f._tag, 'Translation')
  assert.is(f.level, 2)
})

test('B3.5.1: the descriptor encoders produce the figures’ bit layouts', () => {
  assert.is(sectionDescriptor({ base: 0x8000_0000n, ap: 3, c: true, b: true }), 0x8000_0c0en)
  assert.is(supersectionDescriptor({ base: 0x53_1200_0000n, ap: 3 }), 0x1234_0ca2n)
  assert.is(pageTableDescriptor(0x5400n, 3), 0x5461n)
  assert.is(smallPageDescriptor({ base: 0x9abc_d000n, ap: 2 }), 0x9abc_d022n)
  assert.is(largePageDescriptor({ base: 0x7777_0000n, ap: 3, xn: true }), 0x7777_8031n)
  assert.is(decodeFirstLevel(0x8000_0c0en).type, 'section')
})

test('B3.2.1: with SCTLR.M = 0 the MMU is off and VA = PA', () => {
  assert.is(ok(walk(vmsaRegs({ mmu: false }), words([]), 0x1234_5678n, 'write', 0)).pa, 0x1234_5678n)
})

test('B3.9.1: nG = 1 makes a translation ASID-specific (not global); nG = 0 global', () => {
  // 0x8002_0C0E: the section of the first test with bit 17 (nG) set.
  assert.is(ok(walk(regs, words([[0x4004n, 0x8002_0c0en]]), 0x0010_0000n)).leaf.global, false)
  assert.is(ok(walk(regs, words([[0x4004n, 0x8000_0c0en]]), 0x0010_0000n)).leaf.global, true)
})

test('B3.8.2, Table B3-10 (TRE = 0): TEX/C/B and S name the memory type', () => {
  const kind = (d: bigint) => describeShortAttributes(ok(walk(regs, words([[0x4004n, d]]), 0x0010_0000n)).leaf.attributes as never)
  assert.is(kind(0x8000_0c02n), 'Strongly-ordered')                                        // TEX 000, C 0, B 0
  assert.is(kind(0x8000_0c06n), 'Shareable Device')                                        // B 1
  assert.is(kind(0x8000_2c02n), 'Non-shareable Device')                                    // TEX 010
  assert.is(kind(0x8001_1c0en), 'Normal, Write-Back Write-Allocate, Shareable')            // TEX 001, C, B, S (bit 16)
  assert.is(kind(0x8000_5c0an), 'Normal, outer Write-Back Write-Allocate, inner Write-Through no Write-Allocate, Non-shareable')   // TEX 101, C
})

test.run()
