// TLB and fences: Priv. ISA, "Supervisor Memory-Management Fence Instruction" (SFENCE.VMA and its
// rs1/rs2 cases) and H chapter, "Hypervisor Memory-Management Fence Instructions" (HFENCE.VVMA,
// HFENCE.GVMA). Between fences a hart may use any translation that was valid since the last fence
// that covers the address; these tests pin down which entries each fence must drop and which it keeps.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { guestVirt, virt } from '../../src/bits/address.ts'
import { peek } from '../../src/memory/memory.ts'
import { phys } from '../../src/bits/address.ts'
import { translate, type TranslationContext } from '../../src/mmu/translate.ts'
import { emptyTlb, entries, hfenceGvma, hfenceVvma, sfenceVma, translateCached, type Tlb } from '../../src/mmu/tlb.ts'
import { ram, put, ctx, sv39, sv39x4, makePte, okPa, faultOf, PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D } from './fixtures.ts'

// Sv39: root 0x8000_1000 → L1 0x8000_2000 → L0 0x8000_3000. VA 0x4000_0000 + n·4 KiB uses L0[n].
const ROOT = 0x8000_1000n, L1 = 0x8000_2000n, L0 = 0x8000_3000n
const RWAD = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
const page = (n: bigint | number) => 0x4000_0000n + BigInt(n) * 0x1000n
const base = put(ram, [
  [ROOT + 8n, makePte(L1, PTE_V)], [L1, makePte(L0, PTE_V)],
  [L0 + 0n * 8n, makePte(0x8100_0000n, RWAD)],
  [L0 + 1n * 8n, makePte(0x8101_0000n, RWAD)],
  [L0 + 2n * 8n, makePte(0x8102_0000n, RWAD | PTE_G)],
])
const s = (asid = 1n, over: Partial<TranslationContext> = {}) => ctx({ satp: sv39(ROOT, asid), ...over })
const fresh = () => emptyTlb({ sets: 4, ways: 2, replacement: 'lru', flushAll: false })
const access = (tlb: Tlb, mem = base, c = s(), va = page(0), kind: 'load' | 'store' | 'fetch' = 'load') =>
  translateCached(tlb, mem, c, { va: virt(va), access: kind })
const remapped = put(base, [[L0, makePte(0x8200_0000n, RWAD)], [L0 + 8n, makePte(0x8201_0000n, RWAD)], [L0 + 16n, makePte(0x8202_0000n, RWAD | PTE_G)]])
const fill = (c = s()) => [0n, 1n, 2n].reduce((t, n) => access(t, base, c, page(n)).tlb, fresh())

test('A repeated access to the same page hits the TLB: no page-table reference, same PA', () => {
  const first = access(fresh(), base, s(), page(0) + 0x10n)
  assert.is(first.hit, false)
  assert.is(first.refs, 3)
  const second = access(first.tlb, base, s(), page(0) + 0x20n)
  assert.is(second.hit, true)
  assert.is(second.refs, 0)
  assert.is(okPa(second.result), 0x8100_0020n)
})

test('Without a fence, a changed PTE may still be served from the TLB (the old translation was valid since the last fence)', () => {
  const r = access(fill(), remapped)
  assert.is(r.hit, true)
  assert.is(okPa(r.result), 0x8100_0000n)
})

test('A TLB miss reports the walk it made: the same result, trail and reference count as translate', () => {
  const miss = access(fresh())
  const walked = translate(base, s(), { va: virt(page(0)), access: 'load' })
  assert.is(miss.hit, false)
  assert.equal(miss.trail.map((t) => [t.level, t.pteAddr as bigint, t.decision]), walked.trail.map((t) => [t.level, t.pteAddr as bigint, t.decision]))
  assert.is(miss.trail.length, 3)
  assert.is(miss.refs, 3)
})

test('SFENCE.VMA x0, x0: every translation is invalidated, so the next access walks the new tables', () => {
  const r = access(sfenceVma(fill(), s(), {}), remapped)
  assert.is(r.hit, false)
  assert.is(okPa(r.result), 0x8200_0000n)
})

test('SFENCE.VMA rs1=VA, x0: only translations of that address are invalidated (all ASIDs, global included)', () => {
  const t = sfenceVma(fill(), s(), { va: page(2) })
  assert.is(okPa(access(t, remapped, s(), page(2)).result), 0x8202_0000n)   // the global page, refetched
  assert.is(okPa(access(t, remapped, s(), page(0)).result), 0x8100_0000n)   // another page, still cached
})

test('SFENCE.VMA x0, rs2=ASID: that address space is invalidated except global mappings', () => {
  const t = sfenceVma(fill(), s(), { asid: 1n })
  assert.is(okPa(access(t, remapped, s(), page(0)).result), 0x8200_0000n)
  assert.is(okPa(access(t, remapped, s(), page(2)).result), 0x8102_0000n)   // global: kept
})

test('SFENCE.VMA x0, rs2=another ASID: entries of ASID 1 are kept', () => {
  const t = sfenceVma(fill(), s(), { asid: 2n })
  assert.is(entries(t).length, 3)
})

test('SFENCE.VMA rs1=VA, rs2=ASID: a global mapping of that address is not invalidated', () => {
  const t = sfenceVma(fill(), s(), { va: page(2), asid: 1n })
  assert.is(okPa(access(t, remapped, s(), page(2)).result), 0x8102_0000n)
})

test('Entries are tagged by ASID: another ASID misses, except on a global mapping', () => {
  const t = fill()
  assert.is(access(t, base, s(7n), page(0)).hit, false)
  assert.is(access(t, base, s(7n), page(2)).hit, true)
})

test('A superpage is cached in 4 KiB slices, and a fence naming any address inside the superpage drops them', () => {
  const mem = put(ram, [[ROOT + 8n, makePte(L1, PTE_V)], [L1 + 8n, makePte(0x8040_0000n, RWAD)]])  // 2 MiB at VA 0x4020_0000
  const t = access(fresh(), mem, s(), 0x4020_0000n).tlb
  assert.is(entries(t).length, 1)
  assert.is(entries(sfenceVma(t, s(), { va: 0x403f_f000n })).length, 0)
  assert.is(entries(sfenceVma(t, s(), { va: 0x4040_0000n })).length, 1)  // just outside the 2 MiB page
})

test('Permissions are checked on every hit against the current SUM: a cached U page faults for S once SUM=0', () => {
  const mem = put(base, [[L0 + 3n * 8n, makePte(0x8103_0000n, RWAD | PTE_U)]])
  const sum = s(1n, { mstatus: { sum: true, mxr: false } })
  const t = access(fresh(), mem, sum, page(3)).tlb
  assert.is(access(t, mem, sum, page(3)).hit, true)
  assert.is(faultOf(access(t, mem, s(), page(3)).result).cause, 13n)
})

test('A cached entry with D=0 does not serve a store: the store walks, and Svadu sets D in memory', () => {
  const mem = put(base, [[L0 + 3n * 8n, makePte(0x8103_0000n, PTE_V | PTE_R | PTE_W | PTE_A)]])
  const adue = s(1n, { menvcfg: { adue: true, pbmte: false } })
  const t = access(fresh(), mem, adue, page(3)).tlb
  const st = access(t, mem, adue, page(3), 'store')
  assert.is(st.hit, false)
  assert.is(peek(st.memory, phys(L0 + 24n), 8) & PTE_D, PTE_D)
  assert.is(access(st.tlb, st.memory, adue, page(3), 'store').hit, true)
})

test('Replacement (LRU, 2 ways): after A, B, A, C in one set, B is the victim', () => {
  const one = emptyTlb({ sets: 1, ways: 2, replacement: 'lru', flushAll: false })
  const t = [0n, 1n, 0n, 2n].reduce((tl, n) => access(tl, base, s(), page(n)).tlb, one)
  assert.equal(entries(t).map((e) => e.vpn).sort(), [Number(page(0) >> 12n), Number(page(2) >> 12n)].sort())
})

test('Replacement (FIFO, 2 ways): after A, B, A, C in one set, A (the oldest fill) is the victim', () => {
  const one = emptyTlb({ sets: 1, ways: 2, replacement: 'fifo', flushAll: false })
  const t = [0n, 1n, 0n, 2n].reduce((tl, n) => access(tl, base, s(), page(n)).tlb, one)
  assert.equal(entries(t).map((e) => e.vpn).sort(), [Number(page(1) >> 12n), Number(page(2) >> 12n)].sort())
})

test('flushAll (Spike): a fence naming one address still flushes everything', () => {
  const spike = [0n, 1n].reduce((t, n) => access(t, base, s(), page(n)).tlb, emptyTlb({ sets: 4, ways: 2, replacement: 'lru', flushAll: true }))
  assert.is(entries(sfenceVma(spike, s(), { va: page(0) })).length, 0)
})

// ---- hypervisor fences ----------------------------------------------------------------------------
// G-stage Sv39x4 at 0x8010_0000 with an identity gigapage for GPA 0x8000_0000.. (so VS tables sit at
// GPA = PA), VS-stage Sv39 with the same tables as above (ROOT/L1/L0).
const G_ROOT = 0x8010_0000n
const GALL = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
const hv = put(base, [[G_ROOT + 2n * 8n, makePte(0x8000_0000n, GALL)]])
const guest = (vmid: bigint, asid = 1n) => ctx({ virt: true, vsatp: sv39(ROOT, asid), hgatp: sv39x4(G_ROOT, vmid) })
const guestAccess = (t: Tlb, c: TranslationContext, n: bigint) => translateCached(t, hv, c, { va: guestVirt(page(n)), access: 'load' })

test('Guest entries are tagged by VMID: another VMID misses', () => {
  const t = guestAccess(fresh(), guest(1n), 0n).tlb
  assert.is(guestAccess(t, guest(1n), 0n).hit, true)
  assert.is(guestAccess(t, guest(2n), 0n).hit, false)
})

test('SFENCE.VMA with V=0 leaves guest (V=1) translations alone', () => {
  const t = guestAccess(access(fresh()).tlb, guest(1n), 1n).tlb
  const after = sfenceVma(t, s(), {})
  assert.equal(entries(after).map((e) => e.tag.virt), [true])
})

test('HFENCE.VVMA drops VS-stage translations of the current VMID only', () => {
  const t = guestAccess(guestAccess(access(fresh()).tlb, guest(1n), 1n).tlb, guest(2n), 2n).tlb
  const after = hfenceVvma(t, guest(1n), {})
  assert.equal(entries(after).map((e) => `${e.tag.virt}:${e.tag.vmid}`).sort(), ['false:-1', 'true:2'])
})

test('SFENCE.VMA executed with V=1 acts as HFENCE.VVMA for the current VMID', () => {
  const t = guestAccess(guestAccess(fresh(), guest(1n), 1n).tlb, guest(2n), 2n).tlb
  assert.equal(entries(sfenceVma(t, guest(2n), {})).map((e) => e.tag.vmid), [1])
})

test('HFENCE.GVMA rs1=GPA: drops combined entries whose G-stage leaf maps that GPA (here the 1 GiB identity page)', () => {
  const t = guestAccess(guestAccess(fresh(), guest(1n), 0n).tlb, guest(2n), 1n).tlb
  assert.is(entries(hfenceGvma(t, { gpa: 0xbfff_f000n })).length, 0)        // inside GPA 0x8000_0000..0xbfff_ffff
  assert.is(entries(hfenceGvma(t, { gpa: 0xc000_0000n })).length, 2)        // outside it
})

test('HFENCE.GVMA x0, rs2=VMID: drops that VMID only, and never V=0 entries', () => {
  const t = guestAccess(guestAccess(access(fresh()).tlb, guest(1n), 1n).tlb, guest(2n), 2n).tlb
  assert.equal(entries(hfenceGvma(t, { vmid: 2n })).map((e) => e.tag.vmid).sort(), [-1, 1])
})

test('Executable-only page: a fetch fills the TLB and a later load (MXR=0) is still denied', () => {
  const mem = put(base, [[L0 + 4n * 8n, makePte(0x8104_0000n, PTE_V | PTE_X | PTE_A)]])
  const t = access(fresh(), mem, s(), page(4), 'fetch').tlb
  assert.is(faultOf(access(t, mem, s(), page(4), 'load').result).cause, 13n)
})

test.run()
