// RISC-V IOMMU spec v1.0, "Process to translate addresses of MSIs" (flat MSI page tables, basic
// translate mode), the extended-format DC (64 bytes, DDI split 6/9/9) and "MSI address mask and
// pattern". Device 5's extended DC sits at DDT + 5·64; its virtual interrupt files are the GPA pages
// 0x2800_0000–0x2800_3fff (pattern 0x28000, mask 0x3: four files); MSI PTEs at 0x8090_0000 + I·16.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { extract } from '../../src/iommu/msi.ts'
import { type IoRequest, translate } from '../../src/iommu/translate.ts'
import type { PhysMemory } from '../../src/memory/memory.ts'
import { DDT, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, TC, atp, iommuWith, makePte, put, putDc, ram } from './fixtures.ts'

const CAPS = EXAMPLE_CAPABILITIES | (1n << 22n) // MSI_FLAT
const DC_AT = DDT + 5n * 64n
const G_ROOT = 0x8040_0000n, MSIPT = 0x8090_0000n
const URWAD = PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
/** Basic-translate MSI PTE: V, M = 3, PPN of `pa`. */
const msiPte = (pa: bigint): bigint => ((pa >> 12n) << 10n) | 0x7n

const setup = (opts: { tc?: bigint, msiptp?: bigint, pattern?: bigint, ptes?: readonly (readonly [bigint, bigint])[] } = {}): PhysMemory =>
  put(putDc(ram, DC_AT, [
    TC.V | (opts.tc ?? 0n), atp(8, G_ROOT, 1n), 0n, 0n,
    opts.msiptp ?? atp(1, MSIPT), 0x3n, opts.pattern ?? 0x28000n, 0n,
  ]), [
    [G_ROOT, makePte(0x8040_4000n, PTE_V)], [0x8040_4000n, makePte(0x8060_0000n, URWAD)], // GPA 0–2 MiB → 0x8060_0000
    [MSIPT + 0x20n, msiPte(0x8100_0000n)],                                                 // file 2
    ...(opts.ptes ?? []),
  ])
const req = (over: Partial<IoRequest> = {}): IoRequest => ({ deviceId: 5, access: 'write', privileged: false, type: 'untranslated', iova: 0x2800_2abcn, ...over })
const go = (mem: PhysMemory, r: IoRequest = req()) => translate(iommuWith(2, CAPS), mem, r)

test('extract(x, y) packs the bits of x where y is 1 (the spec\'s example: y = 10100110 keeps a, c, f, g)', () => {
  // x = a b c d e f g h (bit 7 … bit 0) with a=1, c=1, f=0, g=1 and the others 0 → 0 0 0 0 a c f g = 0b1101
  assert.is(extract(0b1010_0010n, 0b1010_0110n), 0b1101n)
})
test('MSI step 3–13: GPA 0x2800_2abc is file I = extract(0x28002, 0x3) = 2; its PTE maps it to 0x8100_0abc', () => {
  const o = go(setup())
  assert.is(o.response.pa, 0x8100_0abcn); assert.is(o.response.pageBits, 12)
})
test('MSI step 4: a GPA outside the pattern (0x2800_4000) takes the G-stage (unmapped there: 23)', () => {
  assert.is(go(setup(), req({ iova: 0x2800_4000n })).response.fault?.cause, 23)
})
test('MSI step 9: an MSI PTE with V = 0 (file 1) → "MSI PTE not valid" (262)', () => {
  assert.is(go(setup(), req({ iova: 0x2800_1000n })).response.fault?.cause, 262)
})
test('MSI step 12: mode M = 2 → 263; step 10: C = 1 → 263 (C model); MRIF mode without MSI_MRIF → 263; a reserved bit → 263', () => {
  const withPte = (v: bigint) => go(setup({ ptes: [[MSIPT + 0x20n, v]] })).response.fault?.cause
  assert.is(withPte(((0x81000n) << 10n) | 0x5n), 263)
  assert.is(withPte(msiPte(0x8100_0000n) | (1n << 63n)), 263)
  assert.is(withPte(((0x81000n) << 10n) | 0x3n), 263)
  assert.is(withPte(msiPte(0x8100_0000n) | (1n << 5n)), 263)
})
test('MSI step 7: an MSI PTE that is not readable memory → "MSI PTE load access fault" (261)', () => {
  assert.is(go(setup({ msiptp: atp(1, 0x1000_0000n) })).response.fault?.cause, 261)
})
test('MSI step 15: a read-for-execute of a virtual interrupt file → instruction access fault (1)', () => {
  assert.is(go(setup(), req({ access: 'execute' })).response.fault?.cause, 1)
})
test('ATS to a virtual interrupt file: R = W = 1, X = 0, U = 0, 4 KiB', () => {
  const o = go(setup({ tc: TC.EN_ATS }), req({ type: 'ats', access: 'read' }))
  assert.equal([o.response.ats?.r, o.response.ats?.w, o.response.ats?.x, o.response.ats?.u, o.response.ats?.size], [true, true, false, false, 0x1000n])
})
test('A G-stage superpage holding virtual interrupt files is reported no larger than a range free of them', () => {
  // Files at GPA 0x10_0000–0x10_3fff, inside the 2 MiB leaf at GPA 0: an ATS read of GPA 0x5000 gets 4 KiB.
  assert.is(go(setup({ tc: TC.EN_ATS, pattern: 0x100n }), req({ type: 'ats', access: 'read', iova: 0x5000n })).response.ats?.size, 0x1000n)
  // With the files elsewhere (0x2800_0000) the whole 2 MiB leaf is reported.
  assert.is(go(setup({ tc: TC.EN_ATS }), req({ type: 'ats', access: 'read', iova: 0x5000n })).response.ats?.size, 0x20_0000n)
})
test('Extended format: device_id 0x45 → DDI[0] = 5, DDI[1] = 1: too wide for 1LVL (260)', () => {
  assert.is(go(setup(), req({ deviceId: 0x45 })).response.fault?.cause, 260)
})
test('DC configuration: msiptp.MODE ≠ Off with iohgatp Bare → 259; msiptp.MODE 3 (reserved) → 259', () => {
  const bareG = putDc(ram, DC_AT, [TC.V, 0n, 0n, 0n, atp(1, MSIPT), 0x3n, 0x28000n, 0n])
  assert.is(go(bareG).response.fault?.cause, 259)
  assert.is(go(setup({ msiptp: atp(3, MSIPT) })).response.fault?.cause, 259)
})

test.run()
