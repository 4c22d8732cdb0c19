// The PVIOMMU law: a DMA through the composition of a guest's virtio-iommu mappings (IOVA → GPA) and
// the VM's G-stage (GPA → SPA, Sv39x4) lands at G(M(iova)) and nowhere else: it succeeds exactly when
// both the guest mapping and the G-stage allow the access, at the address both say, and otherwise
// faults where the first refusal happens. Random guest requests, random G-stage tables (4 KiB leaves
// and one 2 MiB leaf, random R/W/X/U/A/D and empty entries); the reference G-stage is the list of
// leaves the table was built from, read with the Priv. ISA's G-stage rules (U must be 1; Svade: A=1,
// and D=1 for a write; reads need R, writes W; faults 21/23), sharing no code with src/mmu/.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft } from '../../../src/bits/either.ts'
import { phys } from '../../../src/bits/address.ts'
import { emptyMemory, poke } from '../../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import type { GStage } from '../../../src/iommu/virtio/g-stage.ts'
import { handleRequest } from '../../../src/iommu/virtio/requests.ts'
import { translatePv } from '../../../src/iommu/virtio/pviommu.ts'
import { type ShadowEntry, shadowTable } from '../../../src/iommu/virtio/shadow.ts'
import { fc, runs } from '../../fc.ts'
import { A, D, R, U, V, W, X, pte } from '../../mmu/configs.ts'
import { PAGE, PAGES, type Op, blankRef, refGuest, refStep, start, toRequest } from './reference.ts'

// G-stage layout: Sv39x4 root (16 KiB) at 0x9000_0000, one L1 at 0x9000_4000 and one L0 at 0x9000_5000.
// root[0] → L1; L1[0] → L0 (GPA 0 – 0x1f_ffff, 4 KiB leaves L0[0..L0_LEAVES−1]); L1[1] a 2 MiB leaf
// (GPA 0x20_0000 – 0x3f_ffff) or empty. Every other GPA is unmapped.
const ROOT = 0x9000_0000n, L1 = 0x9000_4000n, L0 = 0x9000_5000n
const HGATP = (8n << 60n) | (ROOT >> 12n)
const L0_LEAVES = 40
const SUPER = 0x20_0000n

interface Leaf { readonly spaPage: bigint; readonly flags: bigint }

/** true with probability n/8. */
const often = (n: number): fc.Arbitrary<boolean> => fc.oneof({ weight: n, arbitrary: fc.constant(true) }, { weight: 8 - n, arbitrary: fc.constant(false) })

const leafArb = (align: bigint): fc.Arbitrary<Leaf | undefined> => fc.option(
  fc.record({ r: often(7), w: often(6), x: fc.boolean(), u: often(7), a: often(7), d: often(6), page: fc.bigInt({ min: 0x80000n, max: 0xfffffn }) })
    // Never W without R (a reserved encoding, not what this law is about).
    .map((l): Leaf => ({ spaPage: l.page & ~(align - 1n), flags: V | (l.r || l.w || !l.x ? R : 0n) | (l.w ? W : 0n) | (l.x ? X : 0n) | (l.u ? U : 0n) | (l.a ? A : 0n) | (l.d ? D : 0n) })),
  { freq: 4, nil: undefined },
)

const gArb = fc.record({
  small: fc.array(leafArb(1n), { minLength: L0_LEAVES, maxLength: L0_LEAVES }),
  big: leafArb(512n),
})
type GTables = { readonly small: readonly (Leaf | undefined)[]; readonly big: Leaf | undefined }

const build = (t: GTables): GStage => {
  let m = emptyMemory(defaultMemoryMap)
  const put = (a: bigint, v: bigint): void => { m = poke(m, phys(a), 8, v) }
  put(ROOT, pte(L1 >> 12n, V))
  put(L1, pte(L0 >> 12n, V))
  if (t.big !== undefined) put(L1 + 8n, pte(t.big.spaPage, t.big.flags))
  t.small.forEach((l, i) => { if (l !== undefined) put(L0 + 8n * BigInt(i), pte(l.spaPage, l.flags)) })
  return { memory: m, hgatp: HGATP }
}

/** The reference G-stage: an SPA, or the guest-page fault cause. */
const refG = (t: GTables, gpa: bigint, write: boolean): bigint | { cause: bigint } => {
  const refuse = { cause: write ? 23n : 21n }
  const leaf = gpa < SUPER ? (gpa / PAGE < BigInt(L0_LEAVES) ? t.small[Number(gpa / PAGE)] : undefined)
    : gpa < 2n * SUPER ? t.big : undefined
  if (leaf === undefined) return refuse
  const has = (b: bigint): boolean => (leaf.flags & b) !== 0n
  if (!has(U) || !has(A) || (write ? !has(W) || !has(D) : !has(R))) return refuse
  const span = gpa < SUPER ? PAGE : SUPER
  return leaf.spaPage * PAGE + (gpa % span)
}

// Guest maps land in GPA pages 0 .. 0x47f, mostly on the 4 KiB leaves and the 2 MiB leaf, sometimes on
// GPAs the G-stage leaves unmapped.
const gpaPageArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: L0_LEAVES - 1 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0x200, max: 0x3fa }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x47a }) },
)
const guestOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant<'map'>('map'), first: fc.integer({ min: 0, max: PAGES - 1 }), count: fc.integer({ min: 1, max: 6 }), physPage: gpaPageArb, flags: fc.oneof({ weight: 3, arbitrary: fc.constant(3) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }) }) }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: PAGES - 1 }), fc.integer({ min: 0, max: PAGES - 1 })).map(([a, b]): Op => ({ kind: 'unmap', first: Math.min(a, b), last: Math.max(a, b) })) },
)

const dmaArb = fc.record({
  bypass: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  page: fc.integer({ min: 0, max: PAGES + 4 }),
  /** Aim at a page the guest has mapped (most DMAs), the n-th of them; else at `page`. */
  aim: fc.option(fc.nat(), { freq: 3, nil: undefined }),
  gpaPage: gpaPageArb,
  offset: fc.bigInt({ min: 0n, max: PAGE - 1n }),
  write: fc.boolean(),
})

type Outcome = { spa: bigint } | { by: 'virtio-iommu' } | { by: 'g-stage'; cause: bigint; gpa: bigint }

test('law: a DMA through virtio-iommu ∘ G-stage lands where the guest mapping and the G-stage say, and nowhere else', () => {
  fc.assert(fc.property(fc.array(guestOpArb, { maxLength: 24 }), gArb, fc.array(dmaArb, { minLength: 1, maxLength: 8 }), (ops, tables, dmas) => {
    let s = start()
    let ref = blankRef()
    ops.forEach((o, i) => {
      s = handleRequest(s, toRequest(o)).state
      ref = refStep(ref, o, i).ref
    })
    const g = build(tables)
    const mapped = ref.flatMap((m, p) => (m === undefined ? [] : [p]))
    for (const d of dmas) {
      const page = d.aim !== undefined && mapped.length > 0 ? mapped[d.aim % mapped.length]! : d.page
      // Endpoint 9 is in a bypass domain: its IOVA is a GPA. Endpoint 8 goes through domain 1.
      const iova = d.bypass ? BigInt(d.gpaPage) * PAGE + d.offset : BigInt(page) * PAGE + d.offset
      const gpa = d.bypass ? iova : refGuest(ref, iova, d.write)
      let expected: Outcome
      if (gpa === 'fault') expected = { by: 'virtio-iommu' }
      else {
        const host = refG(tables, gpa, d.write)
        expected = typeof host === 'bigint' ? { spa: host } : { by: 'g-stage', cause: host.cause, gpa }
      }
      const r = translatePv(s, g, d.bypass ? 9 : 8, iova, d.write ? 'write' : 'read')
      const observed: Outcome = !isLeft(r) ? { spa: r.right.spa }
        : r.left.by === 'virtio-iommu' ? { by: 'virtio-iommu' } : { by: 'g-stage', cause: r.left.fault.cause, gpa: r.left.gpa }
      assert.equal(observed, expected, `DMA ${JSON.stringify(d, (_, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`)
    }
  }), { numRuns: runs(300) })
})

/** A DMA through the flattened table: the SPA, or undefined when no entry lets it through. */
const throughShadow = (table: readonly ShadowEntry[], iova: bigint, write: boolean): bigint | undefined => {
  const e = table.find((x) => x.iovaStart <= iova && iova <= x.iovaEnd)
  if (e === undefined || !(write ? e.write : e.read)) return undefined
  return e.spaStart + (iova - e.iovaStart)
}

test('law: the table the hypervisor programs (guest mappings flattened through the G-stage) sends every DMA where the composition does', () => {
  fc.assert(fc.property(fc.array(guestOpArb, { maxLength: 24 }), gArb, fc.array(dmaArb, { minLength: 1, maxLength: 8 }), (ops, tables, dmas) => {
    const s = ops.reduce((acc, o) => handleRequest(acc, toRequest(o)).state, start())
    const g = build(tables)
    const table = shadowTable(s, g, 8)
    assert.is(shadowTable(s, g, 9), 'g-stage only')
    if (table === 'g-stage only') return assert.unreachable('endpoint 8 is not in bypass mode')
    // Entries never overlap, so a DMA has at most one way through.
    const sorted = [...table].sort((a, b) => (a.iovaStart < b.iovaStart ? -1 : 1))
    sorted.forEach((e, i) => { if (i > 0) assert.ok(sorted[i - 1]!.iovaEnd < e.iovaStart, 'entries overlap') })
    const mapped = s.domains.get(1)!.mappings.flatMap((m) => [m.virtStart / PAGE, m.virtEnd / PAGE])
    for (const d of dmas) {
      const page = d.aim !== undefined && mapped.length > 0 ? mapped[d.aim % mapped.length]! : BigInt(d.page)
      const iova = page * PAGE + d.offset
      const r = translatePv(s, g, 8, iova, d.write ? 'write' : 'read')
      assert.is(throughShadow(table, iova, d.write), isLeft(r) ? undefined : r.right.spa, `DMA ${d.write ? 'write' : 'read'} 0x${iova.toString(16)}`)
    }
  }), { numRuns: runs(200) })
})

test.run()
