// Stale translations and the fence that covers them (mmu/stale.ts, `--report-stale`). Priv. ISA,
// "Supervisor Memory-Management Fence Instruction": the implicit reads of the page tables that a
// translation makes — which a TLB answers from an earlier read — need not see a PTE store until an
// SFENCE.VMA covering that address (rs1) and address space (rs2; a global mapping only by rs2 = x0)
// orders it. H chapter, "Hypervisor Memory-Management Fence Instructions": HFENCE.VVMA (and SFENCE.VMA
// executed with V=1) does the same for VS-stage tables of the current VMID, HFENCE.GVMA for G-stage
// tables by guest-physical address and VMID. Each clause builds a stale hit by hand, checks what is
// reported, and that the reported fence, executed before the access, makes the TLB answer the new tables.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { guestVirt, virt } from '../../src/bits/address.ts'
import { type PhysMemory } from '../../src/memory/memory.ts'
import { translate, type TranslationContext } from '../../src/mmu/translate.ts'
import { type HartTag, type Tlb, type VmaFence, type GvmaFence, emptyTlb, hartTlbKey, hfenceGvma, hfenceVvma, sfenceVma, translateCached } from '../../src/mmu/tlb.ts'
import { type CoveringFence, type StaleAnswer, fenceOperands, staleAnswer } from '../../src/mmu/stale.ts'
import { isRight } from '../../src/bits/either.ts'
import { ram, put, ctx, sv39, sv39x4, makePte, PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D } from './fixtures.ts'

// Sv39: root 0x8000_1000 → L1 0x8000_2000 → L0 0x8000_3000. VA 0x4000_0000 + n·4 KiB uses L0[n].
const ROOT = 0x8000_1000n, L1 = 0x8000_2000n, L0 = 0x8000_3000n
const RWAD = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
const page = (n: bigint) => 0x4000_0000n + n * 0x1000n
const base = put(ram, [
  [ROOT + 8n, makePte(L1, PTE_V)], [L1, makePte(L0, PTE_V)],
  [L0 + 0n * 8n, makePte(0x8100_0000n, RWAD)],
  [L0 + 2n * 8n, makePte(0x8102_0000n, RWAD | PTE_G)],
])
const s = (asid = 1n) => ctx({ satp: sv39(ROOT, asid) })
const empty = (): Tlb => emptyTlb({ sets: 4, ways: 2, replacement: 'lru', flushAll: false, exact: true })

type Fence = (t: Tlb, f: CoveringFence) => Tlb
/** The reported fence executed as the hart would (tlb.ts's fence for its instruction). */
const execute = (c: TranslationContext): Fence => (t, f) =>
  f.insn === 'sfence.vma' ? sfenceVma(t, c, fenceOperands(f) as VmaFence)
    : f.insn === 'hfence.vvma' ? hfenceVvma(t, c, fenceOperands(f) as VmaFence)
      : hfenceGvma(t, fenceOperands(f) as GvmaFence)

/**
 * Fills an exact TLB with `va` under `before`, then translates it again under `after` (the tables
 * changed, no fence): the stale answer of that hit, and whether the reported fence, executed between,
 * makes the access answer as a fresh walk of `after`.
 */
const staleHit = (c: TranslationContext, before: PhysMemory, after: PhysMemory, va: bigint): { s: StaleAnswer | undefined; covered: boolean } => {
  const req = { va: (c.virt ? guestVirt(va) : virt(va)), access: 'load' as const }
  const filled = translateCached(empty(), before, c, req).tlb
  const hit = translateCached(filled, after, c, req)
  assert.ok(hit.hit, 'the second access hits the TLB')
  assert.ok(isRight(hit.result))
  const fresh = translate(after, c, req)
  const tag = hartTlbKey(c).tag as HartTag
  const s = staleAnswer(tag, va, hit.result.right, fresh.result)
  if (s === undefined) return { s, covered: true }
  const fenced = translateCached(execute(c)(filled, s.fence), after, c, req)
  return { s, covered: !fenced.hit && JSON.stringify(fenced.result, big) === JSON.stringify(fresh.result, big) }
}
const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString(16) : v)

test('SFENCE.VMA: a hit on a remapped leaf is stale; reported with the TLB PA, the walk PA and SFENCE.VMA rs1=VA, rs2=ASID', () => {
  const remapped = put(base, [[L0, makePte(0x8200_0000n, RWAD)]])
  const r = staleHit(s(5n), base, remapped, page(0n) + 0x18n)
  assert.equal(r.s, {
    va: 0x4000_0018n, stalePa: 0x8100_0018n, staleGpa: undefined,
    fresh: { _tag: 'Translated', pa: 0x8200_0018n, gpa: undefined },
    fence: { insn: 'sfence.vma', va: 0x4000_0018n, asid: 5n },
  })
  assert.ok(r.covered)
})

test('SFENCE.VMA: a global leaf is reported with rs2 = x0 (an ASID-specific fence keeps global entries)', () => {
  const remapped = put(base, [[L0 + 16n, makePte(0x8202_0000n, RWAD | PTE_G)]])
  const r = staleHit(s(), base, remapped, page(2n))
  assert.equal(r.s?.fence, { insn: 'sfence.vma', va: page(2n), asid: undefined })
  assert.ok(r.covered)
  // and the ASID form would not have done: the global entry survives SFENCE.VMA rs1=VA, rs2=ASID
  const filled = translateCached(empty(), base, s(), { va: virt(page(2n)), access: 'load' }).tlb
  assert.ok(translateCached(sfenceVma(filled, s(), { va: page(2n), asid: 1n }), remapped, s(), { va: virt(page(2n)), access: 'load' }).hit)
})

test('A leaf made invalid: the fresh walk faults (load page fault, cause 13), the TLB still translates', () => {
  const invalid = put(base, [[L0, 0n]])
  const r = staleHit(s(), base, invalid, page(0n))
  assert.is(r.s?.fresh._tag, 'Fault')
  assert.is(r.s?.fresh._tag === 'Fault' ? r.s.fresh.fault.cause : undefined, 13n)
  assert.is(r.s?.stalePa, 0x8100_0000n)
  assert.ok(r.covered)
})

test('A PTE store that changes nothing the translation uses (another leaf) leaves the hit current: nothing reported', () => {
  const other = put(base, [[L0 + 8n * 5n, makePte(0x8300_0000n, RWAD)]])
  assert.is(staleHit(s(), base, other, page(0n)).s, undefined)
})

test('A permission-only change with the same PA (W cleared) is not reported for a load: the answer is the same address', () => {
  const readOnly = put(base, [[L0, makePte(0x8100_0000n, PTE_V | PTE_R | PTE_A | PTE_D)]])
  assert.is(staleHit(s(), base, readOnly, page(0n)).s, undefined)
})

// ---- guests -------------------------------------------------------------------------------------------
// G-stage Sv39x4 at 0x8010_0000 with an identity gigapage for GPA 0x8000_0000.. (VS tables at GPA = PA).
const G_ROOT = 0x8010_0000n
const GALL = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
const hv = put(base, [[G_ROOT + 2n * 8n, makePte(0x8000_0000n, GALL)]])
const guest = (vmid: bigint, asid = 1n) => ctx({ virt: true, vsatp: sv39(ROOT, asid), hgatp: sv39x4(G_ROOT, vmid) })

test('HFENCE.VVMA: a guest hit on a remapped VS-stage leaf is reported with GVA, guest ASID and VMID, and the GPAs', () => {
  const remapped = put(hv, [[L0, makePte(0x8200_0000n, RWAD)]])
  const r = staleHit(guest(3n, 7n), hv, remapped, page(0n) + 8n)
  assert.equal(r.s, {
    va: 0x4000_0008n, stalePa: 0x8100_0008n, staleGpa: 0x8100_0008n,
    fresh: { _tag: 'Translated', pa: 0x8200_0008n, gpa: 0x8200_0008n },
    fence: { insn: 'hfence.vvma', va: 0x4000_0008n, asid: 7n, vmid: 3 },
  })
  assert.ok(r.covered)
})

// A guest without VS-stage translation (vsatp Bare): GVA = GPA, the G-stage alone maps it; gigapage
// GPA 0..0x3fff_ffff → PA 0x8000_0000, remapped to PA 0xc000_0000.
const gOnly = (vmid: bigint) => ctx({ virt: true, vsatp: 0n, hgatp: sv39x4(G_ROOT, vmid) })
const gBase = put(ram, [[G_ROOT, makePte(0x8000_0000n, GALL)]])
const gMoved = put(ram, [[G_ROOT, makePte(0xc000_0000n, GALL)]])

test('HFENCE.GVMA: a guest hit on a remapped G-stage leaf is reported with the GPA and VMID (rs1 holds GPA >> 2)', () => {
  const r = staleHit(gOnly(9n), gBase, gMoved, 0x1234_5678n)
  assert.equal(r.s, {
    va: 0x1234_5678n, stalePa: 0x9234_5678n, staleGpa: 0x1234_5678n,
    fresh: { _tag: 'Translated', pa: 0xd234_5678n, gpa: 0x1234_5678n },
    fence: { insn: 'hfence.gvma', gpa: 0x1234_5678n, vmid: 9 },
  })
  assert.ok(r.covered)
})

test('A VS-mode SFENCE.VMA does not cover a G-stage change (it orders VS-stage tables only): the entry survives it', () => {
  const req = { va: guestVirt(0x1000n), access: 'load' as const }
  const filled = translateCached(empty(), gBase, gOnly(1n), req).tlb
  const after = translateCached(sfenceVma(filled, gOnly(1n), {}), gMoved, gOnly(1n), req)
  assert.ok(after.hit)
  assert.is(isRight(after.result) ? after.result.right.pa as bigint : 0n, 0x8000_1000n)
})

test.run()
