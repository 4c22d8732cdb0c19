// Priv. ISA, "Virtual Address Translation Process" (Sv39/Sv48/Sv57, satp, V=0), one clause per test.
// Every expected value below is worked out by hand from the page tables each test builds.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isRight } from 'fp-ts/lib/Either.js'
import { virt, phys } from '../../src/bits/address.ts'
import { peek } from '../../src/memory/memory.ts'
import { translate, type TranslationContext } from '../../src/mmu/translate.ts'
import {
  ram, put, ctx, sv39, sv48, sv57, makePte, okPa, faultOf,
  PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A, PTE_D, PTE_N,
} from './fixtures.ts'

// Sv39 layout used throughout: root at 0x8000_1000, an L1 table at 0x8000_2000, an L0 table at 0x8000_3000.
// VA 0x4000_1234 splits into vpn[2] = 1, vpn[1] = 0, vpn[0] = 1, offset 0x234.
const ROOT = 0x8000_1000n, L1 = 0x8000_2000n, L0 = 0x8000_3000n
const VA = 0x4000_1234n
const RWAD = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
const tables = (leaf: bigint) => put(ram, [
  [ROOT + 1n * 8n, makePte(L1, PTE_V)],
  [L1 + 0n * 8n, makePte(L0, PTE_V)],
  [L0 + 1n * 8n, leaf],
])
const s = (over: Partial<TranslationContext> = {}) => ctx({ satp: sv39(ROOT), ...over })
const load = (mem = tables(makePte(0x8020_0000n, RWAD)), c = s(), va = VA) => translate(mem, c, { va: virt(va), access: 'load' })
const store = (mem: ReturnType<typeof tables>, c = s(), va = VA) => translate(mem, c, { va: virt(va), access: 'store' })
const fetch = (mem: ReturnType<typeof tables>, c = s(), va = VA) => translate(mem, c, { va: virt(va), access: 'fetch' })

test('satp.MODE = Bare: the virtual address is the physical address', () => {
  const r = translate(ram, ctx({ satp: 0n }), { va: virt(0x1234_5678n), access: 'load' })
  assert.is(okPa(r.result), 0x1234_5678n)
  assert.is(r.refs, 0)
})

test('M-mode accesses are not translated, whatever satp holds', () => {
  const r = translate(tables(0n), s({ priv: 'M' }), { va: virt(VA), access: 'store' })
  assert.is(okPa(r.result), VA)
})

test('Steps 1–2, 4, 8: a three-level Sv39 walk to a 4 KiB leaf keeps the 12-bit offset', () => {
  const r = load()
  assert.is(okPa(r.result), 0x8020_0234n)
  assert.is(r.refs, 3)
  assert.equal(r.trail.map((t) => [t.level, t.pteAddr as bigint]), [[2, 0x8000_1008n], [1, 0x8000_2000n], [0, 0x8000_3008n]])
})

test('Step 2: a PTE address outside RAM (PMA) is an access fault of the original access type', () => {
  const mem = put(ram, [[ROOT + 8n, makePte(0x1000_0000n, PTE_V)]])   // L1 "table" in unmapped space
  const f = faultOf(translate(mem, s(), { va: virt(VA), access: 'store' }).result)
  assert.is(f._tag, 'AccessFault')
  assert.is(f.cause, 7n)
  assert.is(f.tval, VA)
})

test('Step 2: a PTE read denied by PMP is an access fault (load → cause 5)', () => {
  const f = faultOf(load(undefined, s({ physCheck: (pa) => pa !== phys(L0 + 8n) })).result)
  assert.is(f.cause, 5n)
  assert.is(f.level, 0)
})

test('Step 3: V=0 → page fault (load → 13, tval = VA)', () => {
  const f = faultOf(load(tables(makePte(0x8020_0000n, RWAD & ~PTE_V))).result)
  assert.is(f._tag, 'PageFault')
  assert.is(f.cause, 13n)
  assert.is(f.tval, VA)
  assert.is(f.htval, 0n)
})

test('Step 3: W=1 with R=0 is reserved → page fault (store → 15)', () => {
  const f = faultOf(store(tables(makePte(0x8020_0000n, PTE_V | PTE_W | PTE_A | PTE_D))).result)
  assert.is(f.cause, 15n)
})

test('Step 3: a reserved bit (bit 54) set → page fault', () => {
  assert.is(faultOf(load(tables(makePte(0x8020_0000n, RWAD) | (1n << 54n))).result).cause, 13n)
})

test('Step 3 (Svnapot absent): N=1 is reserved → page fault', () => {
  const napot = makePte(0x8020_8000n, RWAD) | PTE_N
  assert.is(faultOf(load(tables(napot)).result).cause, 13n)
})

test('Step 3 (Svpbmt): PBMT≠0 faults while PBMTE=0, is allowed with PBMTE=1, and PBMT=3 always faults', () => {
  const nc = makePte(0x8020_0000n, RWAD) | (1n << 61n)
  assert.is(faultOf(load(tables(nc)).result).cause, 13n)
  const pbmte = s({ menvcfg: { adue: false, pbmte: true } })
  assert.is(okPa(load(tables(nc), pbmte).result), 0x8020_0234n)
  assert.is(faultOf(load(tables(makePte(0x8020_0000n, RWAD) | (3n << 61n)), pbmte).result).cause, 13n)
})

test('Step 3: a non-leaf PTE with A, D or U set is reserved → page fault', () => {
  for (const bad of [PTE_A, PTE_D, PTE_U]) {
    const mem = put(tables(makePte(0x8020_0000n, RWAD)), [[L1, makePte(L0, PTE_V | bad)]])
    assert.is(faultOf(load(mem).result).cause, 13n)
  }
})

test('Step 4: a pointer PTE at level 0 → page fault', () => {
  assert.is(faultOf(load(tables(makePte(0x8000_4000n, PTE_V))).result).cause, 13n)
})

test('Step 5: a U-mode access to a page with U=0 → page fault', () => {
  assert.is(faultOf(load(undefined, s({ priv: 'U' })).result).cause, 13n)
})

test('Step 5: U-mode may access a U=1 page', () => {
  assert.is(okPa(load(tables(makePte(0x8020_0000n, RWAD | PTE_U)), s({ priv: 'U' })).result), 0x8020_0234n)
})

test('Step 5: S-mode access to a U=1 page faults unless SUM=1', () => {
  const mem = tables(makePte(0x8020_0000n, RWAD | PTE_U))
  assert.is(faultOf(load(mem).result).cause, 13n)
  assert.is(okPa(load(mem, s({ mstatus: { sum: true, mxr: false } })).result), 0x8020_0234n)
})

test('Step 5: S-mode never executes from a U=1 page, even with SUM=1', () => {
  const mem = tables(makePte(0x8020_0000n, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A))
  assert.is(faultOf(fetch(mem, s({ mstatus: { sum: true, mxr: false } })).result).cause, 12n)
})

test('Step 5: a load from an execute-only page faults unless MXR=1; a store still faults', () => {
  const mem = tables(makePte(0x8020_0000n, PTE_V | PTE_X | PTE_A | PTE_D))
  assert.is(faultOf(load(mem).result).cause, 13n)
  const mxr = s({ mstatus: { sum: false, mxr: true } })
  assert.is(okPa(load(mem, mxr).result), 0x8020_0234n)
  assert.is(faultOf(store(mem, mxr).result).cause, 15n)
})

test('Step 5: a fetch needs X=1 (cause 12); a store needs W=1 (cause 15)', () => {
  assert.is(faultOf(fetch(tables(makePte(0x8020_0000n, RWAD))).result).cause, 12n)
  assert.is(faultOf(store(tables(makePte(0x8020_0000n, PTE_V | PTE_R | PTE_A | PTE_D))).result).cause, 15n)
})

test('Step 6: a 2 MiB leaf whose ppn[0] ≠ 0 is a misaligned superpage → page fault', () => {
  const mem = put(ram, [[ROOT + 8n, makePte(L1, PTE_V)], [L1, makePte(0x8020_1000n, RWAD)]])
  assert.is(faultOf(load(mem).result).cause, 13n)
})

test('Step 8: a 2 MiB superpage passes VA bits 20:0 through', () => {
  const mem = put(ram, [[ROOT + 8n, makePte(L1, PTE_V)], [L1, makePte(0x8040_0000n, RWAD)]])
  const r = load(mem, s(), 0x4012_3456n)
  assert.is(okPa(r.result), 0x8052_3456n)
  assert.is(r.refs, 2)
})

test('Step 8: a 1 GiB superpage at the root passes VA bits 29:0 through', () => {
  const mem = put(ram, [[ROOT + 2n * 8n, makePte(0x8000_0000n, RWAD)]])
  assert.is(okPa(load(mem, s(), 0x8765_4321n).result), 0x8765_4321n)
})

test('Step 7 (Svade): A=0 → page fault, and memory is not written', () => {
  const mem = tables(makePte(0x8020_0000n, PTE_V | PTE_R | PTE_W))
  const r = load(mem)
  assert.is(faultOf(r.result).cause, 13n)
  assert.is(r.memory, mem)
})

test('Step 7 (Svade): a store to a page with D=0 → page fault; a load is fine', () => {
  const mem = tables(makePte(0x8020_0000n, PTE_V | PTE_R | PTE_W | PTE_A))
  assert.is(faultOf(store(mem).result).cause, 15n)
  assert.ok(isRight(load(mem).result))
})

test('Step 7 (Svadu): hardware sets A on a load and A+D on a store, in a new memory; the old one is unchanged', () => {
  const leaf = makePte(0x8020_0000n, PTE_V | PTE_R | PTE_W)
  const mem = tables(leaf)
  const adue = s({ menvcfg: { adue: true, pbmte: false } })
  const l = load(mem, adue)
  assert.is(okPa(l.result), 0x8020_0234n)
  assert.is(peek(l.memory, phys(L0 + 8n), 8), leaf | PTE_A)
  assert.is(l.refs, 4)                                   // three reads and the PTE write
  const st = store(mem, adue)
  assert.is(peek(st.memory, phys(L0 + 8n), 8), leaf | PTE_A | PTE_D)
  assert.is(peek(mem, phys(L0 + 8n), 8), leaf)           // persistence: the input memory still holds the old PTE
})

test('Step 7 (Svadu): no A/D write when the access is denied by step 5', () => {
  const mem = tables(makePte(0x8020_0000n, PTE_V | PTE_R))
  const r = store(mem, s({ menvcfg: { adue: true, pbmte: false } }))
  assert.is(faultOf(r.result).cause, 15n)
  assert.is(r.memory, mem)
})

test('Sv39: a VA whose bits 63:39 are not all equal to bit 38 is not canonical → page fault, no PTE read', () => {
  const r = load(undefined, s(), 0x40_0000_0000n)
  const f = faultOf(r.result)
  assert.is(f.cause, 13n)
  assert.is(f.tval, 0x40_0000_0000n)
  assert.is(r.refs, 0)
})

test('Sv39: an upper-half canonical VA indexes the root with vpn[2] = 511', () => {
  const mem = put(ram, [[ROOT + 511n * 8n, makePte(0x8000_0000n, RWAD)]])
  assert.is(okPa(load(mem, s(), 0xffff_ffff_c000_0010n).result), 0x8000_0010n)
})

test('Svnapot: a level-0 leaf with N=1 and ppn[3:0]=1000 maps 64 KiB; VA bits 15:12 pass through', () => {
  // ppn = 0x80208 (ppn[3:0] = 1000): the 64 KiB range at PA 0x8020_0000; VA 0x4000_1234 has vpn[0] = 1.
  const mem = tables(makePte(0x8020_8000n, RWAD) | PTE_N)
  const r = load(mem, s({ svnapot: true }))
  assert.is(okPa(r.result), 0x8020_1234n)
})

test('Svnapot: N=1 with ppn[3:0] ≠ 1000 is a reserved encoding → page fault', () => {
  const mem = tables(makePte(0x8020_4000n, RWAD) | PTE_N)
  assert.is(faultOf(load(mem, s({ svnapot: true })).result).cause, 13n)
})

test('Svnapot: N=1 on a superpage leaf is reserved → page fault', () => {
  const mem = put(ram, [[ROOT + 8n, makePte(L1, PTE_V)], [L1, makePte(0x8040_8000n, RWAD) | PTE_N]])
  assert.is(faultOf(load(mem, s({ svnapot: true })).result).cause, 13n)
})

test('Sv48: a four-level walk (VA 0x80_4000_1234: vpn = 1, 1, 0, 1)', () => {
  const R = 0x8001_0000n, A = 0x8001_1000n, B = 0x8001_2000n, C = 0x8001_3000n
  const mem = put(ram, [[R + 8n, makePte(A, PTE_V)], [A + 8n, makePte(B, PTE_V)], [B, makePte(C, PTE_V)], [C + 8n, makePte(0x8030_0000n, RWAD)]])
  const r = translate(mem, ctx({ satp: sv48(R) }), { va: virt(0x80_4000_1234n), access: 'load' })
  assert.is(okPa(r.result), 0x8030_0234n)
  assert.is(r.refs, 4)
})

test('Sv48: VA 0x0000_8000_0000_0000 (bit 47 set, bits 63:48 clear) is not canonical', () => {
  const r = translate(ram, ctx({ satp: sv48(0x8001_0000n) }), { va: virt(0x8000_0000_0000n), access: 'load' })
  assert.is(faultOf(r.result).cause, 13n)
})

test('Sv57: a five-level walk with a 512 GiB leaf at level 3 (VA 0x1_0080_0000_1234)', () => {
  // vpn[4] = VA >> 48 = 1, vpn[3] = (VA >> 39) & 0x1ff = 1; the leaf maps PA 0 + offset 0x0_0000_1234 within 512 GiB.
  const R = 0x8002_0000n, A = 0x8002_1000n
  const mem = put(ram, [[R + 8n, makePte(A, PTE_V)], [A + 8n, makePte(0n, RWAD)]])
  const r = translate(mem, ctx({ satp: sv57(R) }), { va: virt(0x1_0080_0000_1234n), access: 'load' })
  assert.is(okPa(r.result), 0x1234n)
  assert.is(r.refs, 2)
})

test.run()
