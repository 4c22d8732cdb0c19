// Priv. ISA, H chapter: "Two-Stage Address Translation", "Guest Physical Address Translation" and
// "Trap Value Registers (htval, htinst)". One clause per test; expected values worked by hand.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { guestVirt, guestPhys, phys } from '../../src/bits/address.ts'
import { peek } from '../../src/memory/memory.ts'
import { translate, translateGuestPhysical, type TranslationContext } from '../../src/mmu/translate.ts'
import {
  ram, put, ctx, sv39, sv48, sv39x4, sv48x4, makePte, okPa, faultOf,
  PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A, PTE_D,
} from './fixtures.ts'

// G-stage (Sv39x4): a 16 KiB root at 0x8010_0000. GPA 0x8000_0000.. is identity-mapped by a gigapage
// (root[2]); GPA 0x1_0000_0000 + n·4 KiB goes through G_L1 (0x8010_4000) and G_L0 (0x8010_5000).
const G_ROOT = 0x8010_0000n, G_L1 = 0x8010_4000n, G_L0 = 0x8010_5000n
const GALL = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
// VS-stage (Sv39) tables, at guest-physical = physical addresses inside the identity gigapage.
const VROOT = 0x8020_0000n, VL1 = 0x8020_1000n, VL0 = 0x8020_2000n
const GVA = 0x4000_1234n                         // vpn[2] = 1, vpn[1] = 0, vpn[0] = 1
const VRWAD = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
const DATA = 0x8030_0000n                        // host page behind GPA 0x1_0000_0000

const gTables = (extra: readonly (readonly [bigint, bigint])[] = []) => put(ram, [
  [G_ROOT + 2n * 8n, makePte(0x8000_0000n, GALL)],
  [G_ROOT + 4n * 8n, makePte(G_L1, PTE_V)],
  [G_L1, makePte(G_L0, PTE_V)],
  [G_L0, makePte(DATA, GALL)],                   // GPA 0x1_0000_0000 → 0x8030_0000
  ...extra,
])
const vsTables = (leaf: bigint, extra: readonly (readonly [bigint, bigint])[] = []) => gTables([
  [VROOT + 8n, makePte(VL1, PTE_V)],
  [VL1, makePte(VL0, PTE_V)],
  [VL0 + 8n, leaf],
  ...extra,
])
const v = (over: Partial<TranslationContext> = {}) => ctx({ virt: true, vsatp: sv39(VROOT), hgatp: sv39x4(G_ROOT), ...over })
const go = (mem: ReturnType<typeof ram.valueOf>, c = v(), access: 'load' | 'store' | 'fetch' = 'load', va = GVA, hlvx = false) =>
  translate(mem as typeof ram, c, { va: guestVirt(va), access, hlvx })

test('Two-stage: the VS-stage maps GVA → GPA, the G-stage maps GPA → PA', () => {
  const r = go(vsTables(makePte(0x1_0000_0000n, VRWAD)))
  assert.is(okPa(r.result), DATA + 0x234n)
  assert.is((r.result as { right: { gpa: bigint } }).right.gpa, 0x1_0000_0234n)
})

test('Two-stage: every VS-stage PTE address is G-stage translated first (3×(1+1) + 3 = 9 references here)', () => {
  // Each VS PTE sits in the identity gigapage: one G read + the PTE read; the final GPA needs 3 G reads.
  const r = go(vsTables(makePte(0x1_0000_0000n, VRWAD)))
  assert.is(r.refs, 9)
  assert.equal(r.trail.map((t) => `${t.stage}:${t.purpose}`), [
    'G:vs-pte', 'VS:translate', 'G:vs-pte', 'VS:translate', 'G:vs-pte', 'VS:translate', 'G:final', 'G:final', 'G:final',
  ])
})

test('Sv48 over Sv48x4: a nested walk with 4 KiB pages everywhere makes 4×(4+1) + 4 = 24 references', () => {
  // Build both stages by hand. G-stage: one 4-level path per GPA page used, tables from a bump allocator.
  let next = 0x8100_0000n
  const alloc = (bytes: bigint) => { const a = next; next += bytes; return a }
  const groot = alloc(0x4000n)
  const words: [bigint, bigint][] = []
  const gTablesFor = new Map<string, bigint>()
  const gMap = (gpa: bigint, pa: bigint) => {
    let table = groot
    for (let level = 3; level >= 1; level--) {
      const idx = (gpa >> BigInt(12 + 9 * level)) & (level === 3 ? 0x7ffn : 0x1ffn)
      const key = `${table}:${idx}`
      let child = gTablesFor.get(key)
      if (child === undefined) { child = alloc(0x1000n); gTablesFor.set(key, child); words.push([table + idx * 8n, makePte(child, PTE_V)]) }
      table = child
    }
    words.push([table + ((gpa >> 12n) & 0x1ffn) * 8n, makePte(pa, GALL)])
  }
  // VS-stage Sv48 tables live at GPAs 0x1_0000_0000.. (4 pages), mapped to host pages 0x8200_0000..
  const vsTable = [0x1_0000_0000n, 0x1_0000_1000n, 0x1_0000_2000n, 0x1_0000_3000n]
  vsTable.forEach((gpa, i) => gMap(gpa, 0x8200_0000n + BigInt(i) * 0x1000n))
  gMap(0x1_0000_7000n, 0x8300_0000n)                              // the data page
  const gva = 0x0000_0234n                                        // Sv48 vpn = 0, 0, 0, 0; offset 0x234
  for (let i = 0; i < 3; i++) words.push([0x8200_0000n + BigInt(i) * 0x1000n, makePte(vsTable[i + 1]!, PTE_V)])
  words.push([0x8200_3000n, makePte(0x1_0000_7000n, VRWAD)])
  const mem = put(ram, words)
  const r = go(mem, v({ vsatp: sv48(vsTable[0]!), hgatp: sv48x4(groot) }), 'load', gva)
  assert.is(okPa(r.result), 0x8300_0234n)
  assert.is(r.refs, 24)
})

test('G-stage Sv39x4: the root is widened by 2 bits (16 KiB): GPA bit 40 selects root entry 1024', () => {
  const mem = put(ram, [[G_ROOT + 1024n * 8n, makePte(0x8000_0000n, GALL)]])
  const r = go(mem, v({ vsatp: 0n }), 'load', 0x100_0000_0010n)
  assert.is(okPa(r.result), 0x8000_0010n)
})

test('G-stage Sv39x4: a GPA with bits above bit 40 set → guest-page fault, htval = GPA >> 2, tinst = 0', () => {
  const r = go(gTables(), v({ vsatp: 0n }), 'load', 0x200_0000_0000n)
  const f = faultOf(r.result)
  assert.is(f._tag, 'GuestPageFault')
  assert.is(f.cause, 21n)
  assert.is(f.tval, 0x200_0000_0000n)
  assert.is(f.htval, 0x80_0000_0000n)
  assert.is(f.tinst, 0n)
  assert.is(r.refs, 0)
})

test('G-stage: every access is treated as a U-mode access, so a leaf with U=0 → guest-page fault', () => {
  const mem = gTables([[G_L0, makePte(DATA, GALL & ~PTE_U)]])
  const f = faultOf(go(mem, v({ vsatp: 0n }), 'store', 0x1_0000_0008n).result)
  assert.is(f.cause, 23n)
  assert.is(f.htval, 0x4000_0002n)
})

test('VS-stage faults are ordinary page faults (13), with htval = 0 and tval = GVA', () => {
  const f = faultOf(go(vsTables(makePte(0x1_0000_0000n, VRWAD & ~PTE_V))).result)
  assert.is(f._tag, 'PageFault')
  assert.is(f.stage, 'VS')
  assert.is(f.cause, 13n)
  assert.is(f.tval, GVA)
  assert.is(f.htval, 0n)
})

test('Final GPA unmapped in the G-stage → guest-page fault on the explicit access: htval = GPA >> 2, tinst = 0', () => {
  const mem = vsTables(makePte(0x1_0000_0000n, VRWAD), [[G_L0, 0n]])
  const f = faultOf(go(mem).result)
  assert.is(f.cause, 21n)
  assert.is(f.htval, 0x4000_008dn)                 // 0x1_0000_0234 >> 2
  assert.is(f.tinst, 0n)
  assert.is(f.implicit, false)
})

test('Implicit VS-stage PTE read whose GPA is unmapped → guest-page fault of the original access type, tinst 0x3000', () => {
  // VL1[0] points to a VS table at GPA 0x1_0000_2000, which the G-stage does not map (G_L0[2] = 0).
  const mem = vsTables(makePte(0x1_0000_0000n, VRWAD), [[VL1, makePte(0x1_0000_2000n, PTE_V)]])
  const f = faultOf(go(mem, v(), 'store').result)
  assert.is(f.cause, 23n)                          // the original access was a store
  assert.is(f.htval, 0x4000_0802n)                 // the PTE's GPA 0x1_0000_2008 >> 2
  assert.is(f.tinst, 0x3000n)
  assert.is(f.implicit, true)
  assert.is(f.tval, GVA)
})

test('hgatp = Bare with V=1: the GPA is the physical address', () => {
  const r = go(vsTables(makePte(0x8040_0000n, VRWAD)), v({ hgatp: 0n }))
  assert.is(okPa(r.result), 0x8040_0234n)
})

test('VS-stage: a GVA that is not canonical for Sv39 → (VS) page fault, not a guest-page fault', () => {
  const f = faultOf(go(gTables(), v(), 'load', 0x80_0000_0000n).result)
  assert.is(f._tag, 'PageFault')
  assert.is(f.cause, 13n)
})

test('VS-stage SUM comes from vsstatus, not mstatus', () => {
  const mem = vsTables(makePte(0x1_0000_0000n, VRWAD | PTE_U))
  assert.is(faultOf(go(mem, v({ mstatus: { sum: true, mxr: false } })).result).cause, 13n)
  assert.is(okPa(go(mem, v({ vsstatus: { sum: true, mxr: false } })).result), DATA + 0x234n)
})

test('MXR: vsstatus.MXR opens execute-only pages of the VS-stage only; mstatus.MXR also those of the G-stage', () => {
  const xOnlyVs = vsTables(makePte(0x1_0000_0000n, PTE_V | PTE_X | PTE_A))
  assert.is(faultOf(go(xOnlyVs).result).cause, 13n)
  assert.is(okPa(go(xOnlyVs, v({ vsstatus: { sum: false, mxr: true } })).result), DATA + 0x234n)
  const xOnlyG = vsTables(makePte(0x1_0000_0000n, VRWAD), [[G_L0, makePte(DATA, PTE_V | PTE_X | PTE_U | PTE_A)]])
  assert.is(faultOf(go(xOnlyG, v({ vsstatus: { sum: false, mxr: true } })).result).cause, 21n)
  assert.is(okPa(go(xOnlyG, v({ mstatus: { sum: false, mxr: true } })).result), DATA + 0x234n)
})

test('HLVX: a load that needs X (not R) in both stages', () => {
  const xOnly = vsTables(makePte(0x1_0000_0000n, PTE_V | PTE_X | PTE_A), [[G_L0, makePte(DATA, PTE_V | PTE_X | PTE_U | PTE_A)]])
  assert.is(okPa(go(xOnly, v(), 'load', GVA, true).result), DATA + 0x234n)
  const rOnly = vsTables(makePte(0x1_0000_0000n, VRWAD), [[G_L0, makePte(DATA, PTE_V | PTE_R | PTE_U | PTE_A)]])
  const f = faultOf(go(rOnly, v(), 'load', GVA, true).result)
  assert.is(f._tag, 'PageFault')                   // the VS leaf (R W, no X) already denies HLVX
  assert.is(f.cause, 13n)
})

test('G-stage Svade: a G leaf with A=0 → guest-page fault; with menvcfg.ADUE=1 hardware sets it', () => {
  const mem = vsTables(makePte(0x1_0000_0000n, VRWAD), [[G_L0, makePte(DATA, PTE_V | PTE_R | PTE_W | PTE_U)]])
  assert.is(faultOf(go(mem).result).cause, 21n)
  const r = go(mem, v({ menvcfg: { adue: true, pbmte: false } }))
  assert.is(okPa(r.result), DATA + 0x234n)
  assert.is(peek(r.memory, phys(G_L0), 8), makePte(DATA, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A))
})

test('VS-stage Svadu (henvcfg.ADUE): the A/D store to a VS PTE is an implicit G-stage write, then the PTE write', () => {
  const leaf = makePte(0x1_0000_0000n, PTE_V | PTE_R | PTE_W)
  const r = go(vsTables(leaf), v({ menvcfg: { adue: true, pbmte: false }, henvcfg: { adue: true, pbmte: false } }), 'store')
  assert.is(okPa(r.result), DATA + 0x234n)
  assert.is(peek(r.memory, phys(VL0 + 8n), 8), leaf | PTE_A | PTE_D)
  // 3 VS reads each after 1 G read (6), the G-stage write check (1 read) and the PTE write (1), final G (3).
  assert.is(r.refs, 11)
  assert.equal(r.trail.filter((t) => t.op === 'write').map((t) => t.pteAddr as bigint), [VL0 + 8n])
})

test('VS-stage Svadu: a VS page table in a G-stage page without W → guest-page fault with tinst 0x3020 (implicit write)', () => {
  // VL1[0] points at a VS table at GPA 0x1_0000_1000, which the G-stage maps read-only to 0x8031_0000.
  const vl0 = 0x8031_0000n
  const mem = vsTables(makePte(0x1_0000_0000n, VRWAD), [
    [VL1, makePte(0x1_0000_1000n, PTE_V)],
    [G_L0 + 8n, makePte(vl0, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D)],
    [vl0 + 8n, makePte(0x1_0000_0000n, PTE_V | PTE_R | PTE_W)],   // A = 0: needs a hardware update
  ])
  const r = go(mem, v({ menvcfg: { adue: true, pbmte: false }, henvcfg: { adue: true, pbmte: false } }), 'load')
  const f = faultOf(r.result)
  assert.is(f.cause, 21n)                          // reported for the original access: a load
  assert.is(f.tinst, 0x3020n)
  assert.is(f.htval, 0x4000_0402n)                 // 0x1_0000_1008 >> 2
  assert.is(peek(r.memory, phys(vl0 + 8n), 8), makePte(0x1_0000_0000n, PTE_V | PTE_R | PTE_W))
})

test('hgatp: PPN[1:0] read as zero, so the x4 root is always 16 KiB aligned', () => {
  const mem = put(ram, [[G_ROOT + 2n * 8n, makePte(0x8000_0000n, GALL)]])
  const c = v({ vsatp: 0n, hgatp: sv39x4(G_ROOT) | 3n })
  assert.is(okPa(go(mem, c, 'load', 0x8000_0040n).result), 0x8000_0040n)
})

test('translateGuestPhysical: the G-stage alone, as a hypervisor or IOMMU second stage uses it', () => {
  const r = translateGuestPhysical(gTables(), v(), guestPhys(0x1_0000_0abcn), 'store')
  assert.is(okPa(r.result), DATA + 0xabcn)
  assert.is(r.refs, 3)
})

test.run()
