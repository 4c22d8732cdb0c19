// The TLB laws (Priv. ISA, "Supervisor Memory-Management Fence Instruction"; H chapter, HFENCE):
//  1. Without a fence, every translation the TLB returns equals a fresh walk over SOME memory state
//     since the last fence that covers the address.
//  2. Right after a covering fence, a TLB translation equals a fresh walk over the current memory.
// Checked over random sequences of PTE writes, accesses and fences (model-based), for the S-stage
// (SFENCE.VMA) and for guests whose G-stage leaves change (HFENCE.GVMA).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isRight, type Either } from 'fp-ts/lib/Either.js'
import { fc, runs } from '../fc.ts'
import { guestVirt, phys, virt } from '../../src/bits/address.ts'
import { emptyMemory, poke, type PhysMemory } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'
import { type TranslationFault } from '../../src/mmu/faults.ts'
import { makePte, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '../../src/mmu/pte.ts'
import { translate, type Translation, type TranslationContext } from '../../src/mmu/translate.ts'
import { emptyTlb, entries, hfenceGvma, sfenceVma, translateCached, type Tlb, type TlbConfig } from '../../src/mmu/tlb.ts'
import { fastTlb } from '../../src/mmu/engine/tlb.ts'

const ROOT = 0x8000_1000n, L1 = 0x8000_2000n, L0 = 0x8000_3000n
const PAGES = 4
const va = (n: number) => 0x4000_0000n + BigInt(n) * 0x1000n
const put = (m: PhysMemory, a: bigint, v: bigint) => poke(m, phys(a), 8, v)

// Leaf PTE choices: valid mappings to different frames, with and without A/D, read-only, invalid.
const leafChoices = [
  makePte(0x8100_0000n, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D),
  makePte(0x8101_0000n, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D),
  makePte(0x8102_0000n, PTE_V | PTE_R | PTE_A),
  makePte(0x8103_0000n, PTE_V | PTE_R | PTE_W),
  makePte(0x8104_0000n, PTE_V | PTE_X | PTE_A),
  0n,
]

type Cmd =
  | { readonly kind: 'write'; readonly page: number; readonly pte: number }
  | { readonly kind: 'access'; readonly page: number; readonly access: 'load' | 'store' | 'fetch' }
  | { readonly kind: 'fence'; readonly page: number | undefined }

const arbCmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), page: fc.nat(PAGES - 1), pte: fc.nat(leafChoices.length - 1) }),
  fc.record({ kind: fc.constant('access' as const), page: fc.nat(PAGES - 1), access: fc.constantFrom('load' as const, 'store' as const, 'fetch' as const) }),
  fc.record({ kind: fc.constant('access' as const), page: fc.nat(PAGES - 1), access: fc.constantFrom('load' as const, 'store' as const, 'fetch' as const) }),
  fc.record({ kind: fc.constant('fence' as const), page: fc.option(fc.nat(PAGES - 1), { nil: undefined }) }),
)

const summary = (r: Either<TranslationFault, Translation>): string =>
  isRight(r) ? `pa ${r.right.pa.toString(16)}` : `fault ${r.left.cause}`

/**
 * Runs a command sequence, keeping for each page the memory versions since the last fence covering it.
 * `at(n)` maps a page to the address accessed; `walkCtx` is the context; `fence(t, n)` the fence.
 */
const checkLaws = (
  cmds: readonly Cmd[], mem0: PhysMemory, c: TranslationContext, config: TlbConfig & { readonly fast: boolean },
  write: (m: PhysMemory, page: number, pte: bigint) => PhysMemory,
  fence: (t: Tlb, page: number | undefined) => Tlb,
  at: (n: number) => bigint, isGuest: boolean,
): void => {
  let mem = mem0
  // The TLB under the spec's engine or the fast one (fast walk on a miss, memoised keys): the laws hold for both.
  let tlb = config.fast ? fastTlb(config) : emptyTlb(config)
  const history: PhysMemory[][] = Array.from({ length: PAGES }, () => [mem0])
  const fencedSinceLastAccess: boolean[] = new Array<boolean>(PAGES).fill(true)
  const req = (n: number, access: 'load' | 'store' | 'fetch') => ({ va: isGuest ? guestVirt(at(n)) : virt(at(n)), access })
  for (const cmd of cmds) {
    if (cmd.kind === 'write') {
      mem = write(mem, cmd.page, leafChoices[cmd.pte]!)
      for (const h of history) h.push(mem)
    } else if (cmd.kind === 'fence') {
      tlb = fence(tlb, cmd.page)
      for (let n = 0; n < PAGES; n++) {
        if (cmd.page === undefined || cmd.page === n) { history[n] = [mem]; fencedSinceLastAccess[n] = true }
      }
    } else {
      const r = translateCached(tlb, mem, c, req(cmd.page, cmd.access))
      const got = summary(r.result)
      const walks = history[cmd.page]!.map((m) => summary(translate(m, c, req(cmd.page, cmd.access)).result))
      // Law 1: the answer is what a walk over some memory state since the covering fence gives.
      assert.ok(walks.includes(got), `page ${cmd.page} ${cmd.access}: TLB gave ${got}, walks since the fence give ${walks.join(' | ')}`)
      // Law 2: right after a covering fence, there is exactly one admissible state: the current one.
      if (fencedSinceLastAccess[cmd.page]) assert.is(got, summary(translate(mem, c, req(cmd.page, cmd.access)).result))
      assert.ok(entries(r.tlb).length <= config.sets * config.ways)
      if (r.memory !== mem) { mem = r.memory; for (const h of history) h.push(mem) }  // hardware A/D writes
      tlb = r.tlb
      fencedSinceLastAccess[cmd.page] = false
    }
  }
}

const arbConfig = fc.record({
  sets: fc.constantFrom(1, 2, 4), ways: fc.constantFrom(1, 2, 4),
  replacement: fc.constantFrom('lru' as const, 'fifo' as const), flushAll: fc.boolean(), fast: fc.boolean(),
})

test('TLB laws, S-stage with SFENCE.VMA (random PTE writes, accesses and fences)', () => {
  // Every page starts validly mapped, so the first accesses fill the TLB and later writes can make it stale.
  const start = [[ROOT + 8n, makePte(L1, PTE_V)], [L1, makePte(L0, PTE_V)], ...[0, 1, 2, 3].map((n) => [L0 + BigInt(n) * 8n, leafChoices[n % 2]!])]
  const mem0 = start.reduce((m, [a, v]) => put(m, a!, v!), emptyMemory(defaultMemoryMap))
  fc.assert(fc.property(fc.array(arbCmd, { minLength: 5, maxLength: 50, size: 'max' }), arbConfig, fc.boolean(), (cmds, config, adue) => {
    const c: TranslationContext = {
      priv: 'S', virt: false, satp: (8n << 60n) | (1n << 44n) | (ROOT >> 12n), vsatp: 0n, hgatp: 0n,
      mstatus: { sum: false, mxr: false }, vsstatus: { sum: false, mxr: false },
      menvcfg: { adue, pbmte: false }, henvcfg: { adue: false, pbmte: false }, svnapot: false,
    }
    checkLaws(cmds, mem0, c, config,
      (m, n, pte) => put(m, L0 + BigInt(n) * 8n, pte),
      (t, n) => sfenceVma(t, c, n === undefined ? {} : { va: va(n) }),
      va, false)
  }), { numRuns: runs(300) })
})

test('TLB laws, guest with G-stage leaf changes and HFENCE.GVMA', () => {
  // vsatp = Bare; G-stage Sv39x4 root 0x8010_0000 → G_L1 → G_L0 maps GPA 0x1_0000_0000 + n·4 KiB with G_L0[n].
  const G_ROOT = 0x8010_0000n, G_L1 = 0x8010_4000n, G_L0 = 0x8010_5000n
  const start = [[G_ROOT + 4n * 8n, makePte(G_L1, PTE_V)], [G_L1, makePte(G_L0, PTE_V)], ...[0, 1, 2, 3].map((n) => [G_L0 + BigInt(n) * 8n, leafChoices[n % 2]! | PTE_U])]
  const mem0 = start.reduce((m, [a, v]) => put(m, a!, v!), emptyMemory(defaultMemoryMap))
  const gpa = (n: number) => 0x1_0000_0000n + BigInt(n) * 0x1000n
  fc.assert(fc.property(fc.array(arbCmd, { minLength: 5, maxLength: 50, size: 'max' }), arbConfig, (cmds, config) => {
    const c: TranslationContext = {
      priv: 'S', virt: true, satp: 0n, vsatp: 0n, hgatp: (8n << 60n) | (5n << 44n) | (G_ROOT >> 12n),
      mstatus: { sum: false, mxr: false }, vsstatus: { sum: false, mxr: false },
      menvcfg: { adue: false, pbmte: false }, henvcfg: { adue: false, pbmte: false }, svnapot: false,
    }
    checkLaws(cmds, mem0, c, config,
      (m, n, pte) => put(m, G_L0 + BigInt(n) * 8n, pte === 0n ? 0n : pte | PTE_U),   // G-stage leaves need U=1
      (t, n) => hfenceGvma(t, n === undefined ? { vmid: 5n } : { gpa: gpa(n) }),
      gpa, true)
  }), { numRuns: runs(300) })
})

test.run()
