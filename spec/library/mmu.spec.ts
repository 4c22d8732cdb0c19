// memvirt/mmu, the README's example: an Sv39 walk and a fault, values worked by hand (Priv. ISA
// "Virtual Address Translation Process"): VA 0x4000_1234 → root[1] → L1[0] → L0[1] → 0x8020_0000 + 0x234;
// VA 0x4000_2000 reaches L0[2], which is 0 (V = 0): a load page fault, cause 13.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readme, readmeBlock } from './readme-block.ts'
// --- README example begins
import {
  emptyMemory, defaultMemoryMap, poke, phys, virt, makePte, PTE_V, PTE_R, PTE_W, PTE_A, PTE_D,
  translate, type TranslationContext,
} from '../../src/mmu/index.ts'

let mem = emptyMemory(defaultMemoryMap)
mem = poke(mem, phys(0x8000_1008n), 8, makePte(0x8000_2000n, PTE_V))      // root[1] → L1
mem = poke(mem, phys(0x8000_2000n), 8, makePte(0x8000_3000n, PTE_V))      // L1[0]   → L0
mem = poke(mem, phys(0x8000_3008n), 8, makePte(0x8020_0000n, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D))
const ctx: TranslationContext = {
  priv: 'S', virt: false, satp: (8n << 60n) | (0x8000_1000n >> 12n), vsatp: 0n, hgatp: 0n,
  mstatus: { sum: false, mxr: false }, vsstatus: { sum: false, mxr: false },
  menvcfg: { adue: false, pbmte: false }, henvcfg: { adue: false, pbmte: false }, svnapot: false,
}
const ok = translate(mem, ctx, { va: virt(0x4000_1234n), access: 'load' }).result    // Right: pa 0x8020_0234
const bad = translate(mem, ctx, { va: virt(0x4000_2000n), access: 'load' }).result   // Left: cause 13
// --- README example ends

test('memvirt/mmu: an Sv39 leaf at level 0 gives PA = PPN × 4096 + offset (Priv. ISA "Virtual Address Translation Process", step 8)', () => {
  assert.is(ok._tag === 'Right' ? ok.right.pa : undefined, 0x8020_0234n)
})
test('memvirt/mmu: V = 0 is a page fault of the access type: a load gives cause 13, tval the VA (step 3)', () => {
  assert.is(bad._tag === 'Left' ? bad.left.cause : undefined, 13n)
  assert.is(bad._tag === 'Left' ? bad.left.tval : undefined, 0x4000_2000n)
})
test('the README shows this example as written here', () => {
  assert.ok(readme().includes(readmeBlock(new URL(import.meta.url))))
})
test.run()
