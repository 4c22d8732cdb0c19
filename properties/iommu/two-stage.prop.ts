// Two-stage composition (RISC-V IOMMU spec v1.0, "Process to translate an IOVA", steps 17–19, and
// the Priv. ISA's two-stage translation): for random first-stage and G-stage tables, an uncached
// translation is G(S(iova)); its range is the smaller of both stages' pages; its memory type is the
// first stage's PBMT unless that is PMA, then the G-stage's; an IOVA whose GPA the G-stage does not
// map is a guest-page fault with iotval2 = that GPA. The reference below reads the generator's own
// description of the tables, not the walker.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { phys } from '../../src/bits/address.ts'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { resetIommu } from '../../src/iommu/iommu.ts'
import { writeRegister } from '../../src/iommu/registers.ts'
import { translate } from '../../src/iommu/translate.ts'
import { emptyMemory, poke, type PhysMemory } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'
import { makePte, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W } from '../../src/mmu/pte.ts'

const MIB2 = 0x20_0000n
const G_ROOT = 0x8040_0000n, G_L1 = 0x8040_4000n
const DDT = 0x8010_0000n
const LEAF = PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
const withPbmt = (pte: bigint, pbmt: number): bigint => pte | (BigInt(pbmt) << 61n)

/** G-stage over GPA [0, 6 MiB): each 2 MiB either one leaf, or an L0 table mapping its first 8 pages (some absent). */
type GRegion = { readonly kind: 'leaf', readonly spa2m: number, readonly pbmt: number }
  | { readonly kind: 'table', readonly pages: readonly ({ readonly spaPage: number, readonly pbmt: number } | null)[] }
const arbPbmt = fc.integer({ min: 0, max: 2 })
const arbG: fc.Arbitrary<GRegion> = fc.oneof(
  fc.record({ kind: fc.constant('leaf' as const), spa2m: fc.integer({ min: 0, max: 15 }), pbmt: arbPbmt }),
  fc.record({ kind: fc.constant('table' as const), pages: fc.array(fc.option(fc.record({ spaPage: fc.integer({ min: 0, max: 255 }), pbmt: arbPbmt }), { nil: null }), { minLength: 8, maxLength: 8 }) }),
)
/** First stage (IOVA 0x4000_0000 window): 8 4-KiB leaves to GPA pages, and one 2 MiB leaf at 0x4020_0000. */
interface SDesc { readonly pages: readonly { readonly gpaPage: number, readonly pbmt: number }[], readonly big: { readonly gpa2m: number, readonly pbmt: number } }
const arbS: fc.Arbitrary<SDesc> = fc.record({
  pages: fc.array(fc.record({ gpaPage: fc.integer({ min: 0, max: 3 * 512 - 1 }), pbmt: arbPbmt }), { minLength: 8, maxLength: 8 }),
  big: fc.record({ gpa2m: fc.integer({ min: 0, max: 2 }), pbmt: arbPbmt }),
})

// The first-stage tables live at GPA 0x60_0000 (G L1[3], a fixed 2 MiB leaf to SPA 0x8300_0000).
const S_ROOT_GPA = 0x60_0000n, TABLES_SPA = 0x8300_0000n
const spaOfTable = (gpa: bigint): bigint => TABLES_SPA + (gpa - S_ROOT_GPA)

const build = (g: readonly GRegion[], s: SDesc): PhysMemory => {
  const w: [bigint, bigint][] = []
  // DC of device 1 (1LVL): V | EN_ATS; iohgatp Sv39x4 GSCID 1; iosatp Sv39 at GPA S_ROOT_GPA.
  w.push([DDT + 32n, 3n], [DDT + 40n, (8n << 60n) | (1n << 44n) | (G_ROOT >> 12n)], [DDT + 56n, (8n << 60n) | (S_ROOT_GPA >> 12n)])
  w.push([G_ROOT, makePte(G_L1, PTE_V)], [G_L1 + 24n, makePte(TABLES_SPA, LEAF)])
  g.forEach((r, j) => {
    if (r.kind === 'leaf') w.push([G_L1 + BigInt(j) * 8n, withPbmt(makePte(0x8400_0000n + BigInt(r.spa2m) * MIB2, LEAF), r.pbmt)])
    else {
      const l0 = 0x8041_0000n + BigInt(j) * 0x1000n
      w.push([G_L1 + BigInt(j) * 8n, makePte(l0, PTE_V)])
      r.pages.forEach((p, k) => { if (p !== null) w.push([l0 + BigInt(k) * 8n, withPbmt(makePte(0x8600_0000n + BigInt(p.spaPage) * 0x1000n, LEAF), p.pbmt)]) })
    }
  })
  // First stage: root[1] → L1 (GPA +0x1000); L1[0] → L0 (GPA +0x2000); L1[1] = the 2 MiB leaf.
  w.push([spaOfTable(S_ROOT_GPA + 8n), makePte(S_ROOT_GPA + 0x1000n, PTE_V)])
  w.push([spaOfTable(S_ROOT_GPA + 0x1000n), makePte(S_ROOT_GPA + 0x2000n, PTE_V)])
  w.push([spaOfTable(S_ROOT_GPA + 0x1008n), withPbmt(makePte(BigInt(s.big.gpa2m) * MIB2, LEAF), s.big.pbmt)])
  s.pages.forEach((p, k) => w.push([spaOfTable(S_ROOT_GPA + 0x2000n + BigInt(k) * 8n), withPbmt(makePte(BigInt(p.gpaPage) * 0x1000n, LEAF), p.pbmt)]))
  return w.reduce((m, [a, v]) => poke(m, phys(a), 8, v), emptyMemory(defaultMemoryMap))
}

/** The reference: S then G from the description; undefined where the G-stage maps nothing. */
const reference = (g: readonly GRegion[], s: SDesc, iova: bigint) => {
  const big = ((iova >> 21n) & 0x1ffn) === 1n
  const sPage = s.pages[Number((iova >> 12n) & 0x1ffn)]!
  const gpa = big ? BigInt(s.big.gpa2m) * MIB2 + (iova & (MIB2 - 1n)) : BigInt(sPage.gpaPage) * 0x1000n + (iova & 0xfffn)
  const sBits = big ? 21 : 12, sPbmt = big ? s.big.pbmt : sPage.pbmt
  const r = g[Number(gpa >> 21n)]!
  if (r.kind === 'leaf') return { gpa, spa: 0x8400_0000n + BigInt(r.spa2m) * MIB2 + (gpa & (MIB2 - 1n)), bits: Math.min(sBits, 21), pbmt: sPbmt !== 0 ? sPbmt : r.pbmt }
  const k = Number((gpa >> 12n) & 0x1ffn)
  const p = k < 8 ? r.pages[k] ?? null : null
  return p === null ? { gpa, spa: undefined, bits: 0, pbmt: 0 } : { gpa, spa: 0x8600_0000n + BigInt(p.spaPage) * 0x1000n + (gpa & 0xfffn), bits: 12, pbmt: sPbmt !== 0 ? sPbmt : p.pbmt }
}

const iommu = (() => {
  let r = resetIommu(EXAMPLE_CAPABILITIES)
  r = { ...r, regs: writeRegister(r.regs, r.options, 16, 8, 2n | ((DDT >> 12n) << 10n)) }
  return r
})()

const arbIova = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 0xfff })).map(([k, off]) => 0x4000_0000n + BigInt(k) * 0x1000n + BigInt(off)),
  fc.integer({ min: 0, max: 0x1f_ffff }).map((off) => 0x4020_0000n + BigInt(off)),
)

test('Two-stage composition: PA = G(S(IOVA)); ATS range = min of both pages; PBMT = first stage\'s unless PMA; unmapped GPA → guest-page fault with iotval2 = GPA', () => {
  fc.assert(fc.property(fc.array(arbG, { minLength: 3, maxLength: 3 }), arbS, arbIova, (g, s, iova) => {
    const mem = build(g, s)
    const ref = reference(g, s, iova)
    const u = translate(iommu, mem, { deviceId: 1, access: 'read', privileged: false, type: 'untranslated', iova })
    if (ref.spa === undefined) return u.response.fault?.cause === 21 && u.response.fault.iotval2 === (ref.gpa & ~3n)
    const a = translate(iommu, mem, { deviceId: 1, access: 'read', privileged: false, type: 'ats', iova })
    return u.response.pa === ref.spa && a.response.ats?.size === 1n << BigInt(ref.bits) && a.response.ats.pbmt === ref.pbmt
  }), { numRuns: runs(300) })
})

test.run()
