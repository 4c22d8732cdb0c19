// TLB throughput: translations per second served from the TLB, against the same accesses walked
// without a TLB (the baseline, measured in the same run). Printed, never asserted.
import { phys, virt } from '../src/bits/address.ts'
import { emptyMemory, poke, type PhysMemory } from '../src/memory/memory.ts'
import { defaultMemoryMap } from '../src/memory/memory-map.ts'
import { makePte, PTE_A, PTE_D, PTE_R, PTE_V, PTE_W } from '../src/mmu/pte.ts'
import { type TranslationContext } from '../src/mmu/translate.ts'
import { translate } from '../src/mmu/engine/fast-walk.ts'   // the hart's walker: the fast path wrapping the spec
import { defaultTlbConfig, translateCached } from '../src/mmu/tlb.ts'
import { fastTlb } from '../src/mmu/engine/tlb.ts'

const ROOT = 0x8000_1000n, L1 = 0x8000_2000n, L0 = 0x8000_3000n
const PAGES = 32                                   // fits a 64-entry TLB: the steady state is all hits
let mem: PhysMemory = emptyMemory(defaultMemoryMap)
mem = poke(mem, phys(ROOT + 8n), 8, makePte(L1, PTE_V))
mem = poke(mem, phys(L1), 8, makePte(L0, PTE_V))
for (let n = 0; n < PAGES; n++) mem = poke(mem, phys(L0 + BigInt(n) * 8n), 8, makePte(0x8100_0000n + BigInt(n) * 0x1000n, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D))
const ctx: TranslationContext = {
  priv: 'S', virt: false, satp: (8n << 60n) | (ROOT >> 12n), vsatp: 0n, hgatp: 0n,
  mstatus: { sum: false, mxr: false }, vsstatus: { sum: false, mxr: false },
  menvcfg: { adue: false, pbmte: false }, henvcfg: { adue: false, pbmte: false }, svnapot: false,
}
// A fixed stream of accesses: sequential words within a page, moving to the next page every 64 accesses.
const N = 2_000_000
const vas = Array.from({ length: 4096 }, (_, i) => virt(0x4000_0000n + BigInt((i >> 6) % PAGES) * 0x1000n + BigInt((i & 63) * 8)))

const time = (label: string, f: () => number): number => {
  f()                                              // warm-up
  const t0 = process.hrtime.bigint()
  const checksum = f()
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  const rate = N / s
  console.log(`${label.padEnd(34)} ${(rate / 1e6).toFixed(2).padStart(7)} M translations/s  (checksum ${checksum})`)
  return rate
}

const walked = time('Sv39 walk, no TLB (baseline)', () => {
  let sum = 0
  for (let i = 0; i < N; i++) sum += translate(mem, ctx, { va: vas[i & 4095]!, access: 'load' }).refs
  return sum
})
const cached = time(`Sv39 through TLB (${defaultTlbConfig.sets}×${defaultTlbConfig.ways} LRU)`, () => {
  let tlb = fastTlb(defaultTlbConfig)
  let hits = 0
  for (let i = 0; i < N; i++) {
    const r = translateCached(tlb, mem, ctx, { va: vas[i & 4095]!, access: 'load' })
    tlb = r.tlb
    if (r.hit) hits++
  }
  return hits
})
console.log(`TLB / walk ratio: ${(cached / walked).toFixed(1)}×   (goal: TLB hits ≥ 20 M/s)`)
