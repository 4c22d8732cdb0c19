// The library example of README.md ("Address translation as a library"), run as written there, so the
// README cannot drift from the API. Expected values worked by hand: VA 0x4000_1234 has vpn[2]=1,
// vpn[1]=0, vpn[0]=1, so it goes root[1] → L1[0] → L0[1] → frame 0x8020_0000, offset 0x234.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
// --- README example begins
import {
  emptyMemory, defaultMemoryMap, poke, phys, virt, makePte, PTE_V, PTE_R, PTE_W, PTE_A, PTE_D,
  translate, emptyTlb, translateCached, sfenceVma, type TranslationContext,
} from '../src/index.ts'

let mem = emptyMemory(defaultMemoryMap)                                   // Spike's 2 GiB RAM at 0x8000_0000
mem = poke(mem, phys(0x8000_1008n), 8, makePte(0x8000_2000n, PTE_V))      // root[1] → L1 table
mem = poke(mem, phys(0x8000_2000n), 8, makePte(0x8000_3000n, PTE_V))      // L1[0]   → L0 table
mem = poke(mem, phys(0x8000_3008n), 8, makePte(0x8020_0000n, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D))

const ctx: TranslationContext = {
  priv: 'S', virt: false, satp: (8n << 60n) | (0x8000_1000n >> 12n), vsatp: 0n, hgatp: 0n,  // Sv39
  mstatus: { sum: false, mxr: false }, vsstatus: { sum: false, mxr: false },
  menvcfg: { adue: false, pbmte: false }, henvcfg: { adue: false, pbmte: false }, svnapot: false,
}
const out = translate(mem, ctx, { va: virt(0x4000_1234n), access: 'load' })
// out.result: Right { pa: 0x8020_0234n, … }; out.refs: 3; out.trail: the three PTE reads, explained

let tlb = emptyTlb()                                                      // 16 sets × 4 ways, LRU
const first = translateCached(tlb, mem, ctx, { va: virt(0x4000_1234n), access: 'load' })   // miss: walks
const again = translateCached(first.tlb, mem, ctx, { va: virt(0x4000_1ff0n), access: 'store' }) // hit
tlb = sfenceVma(again.tlb, ctx, { va: 0x4000_1000n })                     // SFENCE.VMA rs1=VA, rs2=x0
// --- README example ends

test('README library example: an Sv39 walk, then a TLB hit, then a fence', () => {
  assert.is(out.result._tag === 'Right' ? out.result.right.pa : undefined, 0x8020_0234n)
  assert.is(out.refs, 3)
  assert.equal(out.trail.map((t) => t.decision.split(' ')[0]), ['pointer', 'pointer', 'leaf'])
  assert.is(first.hit, false)
  assert.is(again.hit, true)
  assert.is(again.result._tag === 'Right' ? again.result.right.pa : undefined, 0x8020_0ff0n)
  assert.is(translateCached(tlb, mem, ctx, { va: virt(0x4000_1234n), access: 'load' }).hit, false)
})

test.run()
