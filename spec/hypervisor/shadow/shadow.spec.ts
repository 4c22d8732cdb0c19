// The shadow page-table algorithm (issue 15, src/hypervisor/shadow/shadow.ts), one step per test, on
// small ARMv7 short-descriptor and RISC-V worlds whose descriptors and expected shadow entries are
// worked by hand from DDI 0406C B3.5 (Figures B3-4, B3-5) and the Priv. ISA's Sv39 PTE format.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../../src/bits/address.ts'
import { type PhysMemory, emptyMemory, peek, poke } from '../../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import { rights, vmsaRegs } from '../../../src/arch/armv7/vmsa.ts'
import { armShadowFormat } from '../../../src/hypervisor/shadow/armv7.ts'
import { riscvShadowFormat, sfenceScope } from '../../../src/hypervisor/shadow/riscv.ts'
import { fitBits, shadowAccess, shadowFence, shadowInit, shadowPrefill, shadowSetRegs } from '../../../src/hypervisor/shadow/shadow.ts'
import type { VmmMap } from '../../../src/hypervisor/shadow/vmm-map.ts'

const words = (pairs: readonly (readonly [bigint, bigint])[], size: 4 | 8): PhysMemory =>
  pairs.reduce((m, [a, v]) => poke(m, phys(a), size, v), emptyMemory(defaultMemoryMap))

// ARM world: the guest's first-level table at GPA 0 (TTBR0 = 0), which the VMM keeps at HPA
// 0x0100_0000 (a 64 KiB read/write block); guest MiB 1 is at HPA 0x0230_0000, MiB 2..3 are one 2 MiB
// block at HPA 0x0400_0000. Shadow tables come from a pool at 0x8000_0000 (the first-level root first).
const VMM: VmmMap = [
  { gpa: 0n, hpa: 0x0100_0000n, bits: 16, rights: rights(true, true, false) },
  { gpa: 0x0010_0000n, hpa: 0x0230_0000n, bits: 20, rights: rights(true, true, true) },
  { gpa: 0x0020_0000n, hpa: 0x0400_0000n, bits: 21, rights: rights(true, true, true) },
]
const arm = armShadowFormat(VMM, false)
const POOL = { maxRoots: 2, poolBase: 0x8000_0000n, poolBytes: 0x10_0000n }
// Guest L1[1] (HPA 0x0100_0004): section over GPA 0x0010_0000, AP 0b011, domain 0 → 0x0010_0C02.
// Guest L1[0] (HPA 0x0100_0000): section over GPA 0 (its own table), AP 0b011 → 0x0000_0C02.
const guest = words([[0x0100_0004n, 0x0010_0c02n], [0x0100_0000n, 0x0000_0c02n]], 4)
const regs = vmsaRegs({ ttbr0: 0n, contextidr: 1 })
const read1 = { kind: 'read' as const, pl: 1 as const }
const write1 = { kind: 'write' as const, pl: 1 as const }

test('lazy fill: the first access exits and fills a section; the second is a hit', () => {
  const s0 = shadowInit(arm, guest, regs, POOL)
  const r1 = shadowAccess(arm, s0, 0x0010_0234n, read1)
  assert.is(r1.path, 'fill')
  assert.equal(r1.outcome, { _tag: 'Right', right: { hpa: 0x0230_0234n, pageBits: 20 } })
  // Shadow L1[1] at 0x8000_0004: section 0x0230_0000, AP 0b011, domain 0, XN = PXN = 0.
  assert.is(peek(r1.state.tables, phys(0x8000_0004n), 4), 0x0230_0c02n)
  const r2 = shadowAccess(arm, r1.state, 0x0010_0ff0n, write1)
  assert.is(r2.path, 'hit')
  assert.equal([r2.state.counters.exits, r2.state.counters.fills, r2.state.counters.hits], [1, 1, 1])
})

test('eager fill: a prefill installs the leaf, and the first access hits', () => {
  const s1 = shadowPrefill(arm, shadowInit(arm, guest, regs, POOL), 0x0010_0000n, read1)
  assert.is(shadowAccess(arm, s1, 0x0010_0010n, read1).path, 'hit')
})

test('split: a guest section over 64 KiB of the VMM is shadowed by a large page, read-only over the guest table page', () => {
  // VA 0x0000_0008 → guest section over GPA 0 → the VMM's 64 KiB block: a large page (16 entries) in a
  // second-level table at 0x8000_4000 (after the 16 KiB root). The block holds the guest's table, so
  // AP is 0b111 (read-only), and the VMM gives no execute, so XN (bit 15):
  // 0x0100_0000 | XN | AP[2] (bit 9) | AP[1:0] = 0b11 (bits 5:4) | 0b01 → 0x0100_8231.
  const r = shadowAccess(arm, shadowInit(arm, guest, regs, POOL), 0x0000_0008n, read1)
  assert.equal(r.outcome, { _tag: 'Right', right: { hpa: 0x0100_0008n, pageBits: 16 } })
  assert.is(peek(r.state.tables, phys(0x8000_0000n), 4), 0x8000_4001n)          // page table 0x8000_4000, domain 0
  assert.is(peek(r.state.tables, phys(0x8000_4000n), 4), 0x0100_8231n)
  assert.is(peek(r.state.tables, phys(0x8000_403cn), 4), 0x0100_8231n)          // the 16th copy
})

test('split: a 2 MiB VMM block under a guest section gives a 1 MiB shadow section at the matching half', () => {
  // Guest L1[3] (HPA 0x0100_000C): section over GPA 0x0030_0000 → the second MiB of the 2 MiB block → HPA 0x0410_0000.
  const g = poke(guest, phys(0x0100_000cn), 4, 0x0030_0c02n)
  const r = shadowAccess(arm, shadowInit(arm, g, regs, POOL), 0x0030_0040n, read1)
  assert.equal(r.outcome, { _tag: 'Right', right: { hpa: 0x0410_0040n, pageBits: 20 } })
  assert.is(fitBits(arm.geometry, 21), 20)
})

test('write-protect: a guest store to its own table exits, is performed by the VMM, and drops the entries built from it', () => {
  const s0 = shadowInit(arm, guest, regs, POOL)
  const s1 = shadowAccess(arm, s0, 0x0010_0234n, read1).state      // entry built from L1[1]
  // The guest clears L1[1] through its section over its table (VA 0x4 → HPA 0x0100_0004).
  const w = shadowAccess(arm, s1, 0x0000_0004n, write1, { size: 4, value: 0n })
  assert.is(w.path, 'write-protect trap')
  assert.is(peek(w.state.host, phys(0x0100_0004n), 4), 0n)
  assert.is(peek(w.state.tables, phys(0x8000_0004n), 4), 0n)          // the shadow section is gone
  // So the next access sees the guest's fault (translation, section: DFSR 0x005), not a stale leaf.
  const r = shadowAccess(arm, w.state, 0x0010_0234n, read1)
  assert.is(r.path, 'guest fault')
  assert.is(r.outcome._tag === 'Left' && r.outcome.left.fsr, 0x005)
})

test('fences: TLBIMVA drops one address’s leaf; TLBIASID every leaf of the address space', () => {
  const s1 = shadowAccess(arm, shadowAccess(arm, shadowInit(arm, guest, regs, POOL), 0x0010_0000n, read1).state, 0x0000_0000n, read1).state
  assert.is(s1.entries.length, 2)
  const tag = arm.tag(regs)
  const byVa = shadowFence(arm, s1, { kind: 'va', va: 0x0010_0abcn, tag })
  assert.equal(byVa.entries.map((e) => e.vaBase), [0x0000_0000n])
  assert.is(shadowFence(arm, s1, { kind: 'asid', tag }).entries.length, 0)
  assert.is(shadowFence(arm, s1, { kind: 'asid', tag: arm.tagOfAsid(regs, 2) }).entries.length, 2)
})

test('roots: one per ASID; beyond maxRoots the least recently used is evicted with its leaves', () => {
  const s1 = shadowAccess(arm, shadowInit(arm, guest, regs, { ...POOL, maxRoots: 1 }), 0x0010_0000n, read1).state
  const s2 = shadowSetRegs(arm, s1, { ...regs, contextidr: 2 })
  assert.equal(s2.roots.map((r) => r.tag), ['vmid 0 asid 2'])
  assert.is(s2.entries.length, 0)
  assert.is(s2.counters.rootEvictions, 1)
})

test('a DACR change drops every leaf (their AP bits were computed from the old domain access)', () => {
  const s1 = shadowAccess(arm, shadowInit(arm, guest, regs, POOL), 0x0010_0000n, read1).state
  const s2 = shadowSetRegs(arm, s1, { ...regs, dacr: 0x5555_5554 })
  assert.is(s2.entries.length, 0)
  assert.is(shadowAccess(arm, s2, 0x0010_0000n, read1).outcome._tag, 'Left')       // domain 0: no access
})

// RISC-V world: Sv39 guest with its root at GPA 0x8000_0000 (HPA 0x9000_0000), G-stage Bare (GPA = HPA
// for the data), Svadu on. Root[0] → L1 at 0x8000_1000; L1[0] → L0 at 0x8000_2000; L0[0] = leaf for GVA 0
// over GPA 0x8010_0000 with V R W A (0x47), D clear: PPN 0x80100 → 0x2004_0047.
test('RISC-V A/D emulation: a load leaves D clear and the leaf read-only; the store exits and the VMM sets D as hardware would', () => {
  const rv = riscvShadowFormat(3)
  const V = 1n
  const host = words([
    [0x8000_0000n, ((0x8000_1000n >> 12n) << 10n) | V],
    [0x8000_1000n, ((0x8000_2000n >> 12n) << 10n) | V],
    [0x8000_2000n, 0x2004_0047n],
  ], 8)
  const r = { vsatp: (8n << 60n) | (1n << 44n) | (0x8000_0000n >> 12n), hgatp: 0n, vsstatus: { sum: false, mxr: false }, mstatus: { sum: false, mxr: false }, adue: true }
  const s0 = shadowInit(rv, host, r, { maxRoots: 1, poolBase: 0xe000_0000n, poolBytes: 0x10_0000n })
  const l = shadowAccess(rv, s0, 0x10n, { kind: 'load', priv: 'S' })
  assert.is(l.path, 'fill')
  assert.is(peek(l.state.host, phys(0x8000_2000n), 8), 0x2004_0047n)                 // D still clear
  const st = shadowAccess(rv, l.state, 0x18n, { kind: 'store', priv: 'S' }, { size: 8, value: 7n })
  assert.is(st.path, 'fill')
  assert.is(peek(st.state.host, phys(0x8000_2000n), 8), 0x2004_00c7n)                // D (0x80) set by the store
  assert.is(peek(st.state.host, phys(0x8010_0018n), 8), 7n)
  assert.is(shadowAccess(rv, st.state, 0x20n, { kind: 'store', priv: 'S' }, { size: 8, value: 8n }).path, 'hit')
})

test('long descriptors: the shadow tree (32-byte level 1 root, 4 KiB tables) and its page descriptor, by hand', () => {
  // Guest (TTBCR.EAE, TTBR0 = GPA 0): L1[0] → table 0x1000, L2[0] → table 0x2000, L3[1] = page GPA 0x0010_1000,
  // AF, AP[2:1] = 0b01 → 0x0010_1443. VA 0x1234 → GPA 0x0010_1234 → HPA 0x0230_1234 (4 KiB: the guest's page).
  const lpae = armShadowFormat(VMM, true)
  const g = words([[0x0100_0000n, 0x1003n], [0x0100_1000n, 0x2003n], [0x0100_2008n, 0x0010_1443n]], 8)
  const r = shadowAccess(lpae, shadowInit(lpae, g, vmsaRegs({ ttbcr: 0x8000_0000, ttbr0: 0n }), POOL), 0x1234n, read1)
  assert.equal(r.outcome, { _tag: 'Right', right: { hpa: 0x0230_1234n, pageBits: 12 } })
  // Root at the pool base (32 bytes); the next tables are 4 KiB aligned: 0x8000_1000, 0x8000_2000.
  assert.is(peek(r.state.tables, phys(0x8000_0000n), 8), 0x8000_1003n)
  assert.is(peek(r.state.tables, phys(0x8000_1000n), 8), 0x8000_2003n)
  // The page: HPA 0x0230_1000, AF, AP[2:1] = 0b01 (full access, writable), no XN/PXN (the VMM gives rwx).
  assert.is(peek(r.state.tables, phys(0x8000_2008n), 8), 0x0230_1443n)
})

test('SFENCE.VMA rs1, rs2 as the VMM sees them (at V=1, HFENCE.VVMA for the current VMID)', () => {
  const r = { vsatp: 0n, hgatp: (8n << 60n) | (3n << 44n), vsstatus: { sum: false, mxr: false }, mstatus: { sum: false, mxr: false }, adue: false }
  assert.equal(sfenceScope(r, undefined, undefined), { kind: 'all' })
  assert.equal(sfenceScope(r, undefined, 5), { kind: 'asid', tag: 'vmid 3 asid 5' })
  assert.equal(sfenceScope(r, 0x4000n, undefined), { kind: 'va', va: 0x4000n, tag: undefined })
  assert.equal(sfenceScope(r, 0x4000n, 5), { kind: 'va', va: 0x4000n, tag: 'vmid 3 asid 5' })
})

test('eager fill refuses a page whose A bit the walk would have to set (it is set by the first access only)', () => {
  // As the A/D test's world, with L0[0] = 0x2004_0007 (V R W, A clear), Svadu on.
  const rv = riscvShadowFormat(3)
  const host = words([[0x8000_0000n, ((0x8000_1000n >> 12n) << 10n) | 1n], [0x8000_1000n, ((0x8000_2000n >> 12n) << 10n) | 1n], [0x8000_2000n, 0x2004_0007n]], 8)
  const r = { vsatp: (8n << 60n) | (0x8000_0000n >> 12n), hgatp: 0n, vsstatus: { sum: false, mxr: false }, mstatus: { sum: false, mxr: false }, adue: true }
  const s0 = shadowInit(rv, host, r, { maxRoots: 1, poolBase: 0xe000_0000n, poolBytes: 0x10_0000n })
  const s1 = shadowPrefill(rv, s0, 0x10n, { kind: 'load', priv: 'S' })
  assert.is(s1, s0)
  assert.is(peek(s1.host, phys(0x8000_2000n), 8), 0x2004_0007n)
})

test.run()
