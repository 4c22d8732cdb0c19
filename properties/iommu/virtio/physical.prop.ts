// The PVIOMMU through the physical RISC-V IOMMU (src/iommu/virtio/physical.ts): after every guest
// request (MAP, UNMAP, DETACH, ATTACH) the hypervisor writes the composed tables and device contexts
// into memory, issues the covering invalidations and IOFENCE.C through the IOMMU's command queue; a DMA
// of the endpoint is then an untranslated request to the RISC-V IOMMU (translate.ts) and must land where
// the guest mapping and the G-stage say, and nowhere else — after UNMAP or DETACH the access is gone,
// under every cache policy (none, unbounded, refmodel). The expectation is the independent reference
// (reference.ts: a per-page owner table; g-tables.ts: the G-stage leaves read by the Priv. ISA's rules),
// with the one documented departure: a write-only MAP grants nothing (no RISC-V leaf encodes W without R).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft } from '../../../src/bits/either.ts'
import { EXAMPLE_CAPABILITIES } from '../../../src/iommu/capabilities.ts'
import { type CachePolicy } from '../../../src/iommu/caches.ts'
import { DEFAULT_OPTIONS, type Iommu, resetIommu } from '../../../src/iommu/iommu.ts'
import { type Step, runSteps } from '../../../src/iommu/steps.ts'
import { translate } from '../../../src/iommu/translate.ts'
import type { PhysMemory } from '../../../src/memory/memory.ts'
import { handleRequest } from '../../../src/iommu/virtio/requests.ts'
import { EMPTY_IMAGE, type PhysicalImage, type PhysicalLayout, physicalImage, syncSteps } from '../../../src/iommu/virtio/physical.ts'
import { fc, runs } from '../../fc.ts'
import { PAGE, type Op, type Ref, blankRef, refStep, start, toRequest } from './reference.ts'
import { build, dmaArb, gArb, guestOpArb, refG } from './g-tables.ts'

const LAYOUT: PhysicalLayout = { ddt: 0xa000_0000n, tables: 0xa001_0000n, pages: 256, gscid: 7, deviceIds: new Map([[8, 8], [9, 9]]) }
const FQ = 0xa100_0000n, CQ = 0xa101_0000n
/** fqb/cqb (LOG2SZ−1 = 5: 64 entries), fqen, cqen, ddtp 1LVL. */
const SETUP: readonly Step[] = [
  { op: 'write-register', offset: 40, size: 8, value: 5n | ((FQ >> 12n) << 10n) },
  { op: 'write-register', offset: 76, size: 4, value: 1n },
  { op: 'write-register', offset: 24, size: 8, value: 5n | ((CQ >> 12n) << 10n) },
  { op: 'write-register', offset: 72, size: 4, value: 1n },
  { op: 'write-register', offset: 16, size: 8, value: 2n | ((LAYOUT.ddt >> 12n) << 10n) },
]

type Dma = typeof dmaArb extends fc.Arbitrary<infer T> ? T : never
type Event = { readonly kind: 'guest'; readonly op: Op } | { readonly kind: 'detach' } | { readonly kind: 'attach'; readonly domain: number } | { readonly kind: 'dma'; readonly dma: Dma }
const eventArb: fc.Arbitrary<Event> = fc.oneof(
  { weight: 6, arbitrary: guestOpArb.map((op): Event => ({ kind: 'guest', op })) },
  // A 2 MiB MAP at IOVA 0 onto GPA 0x20_0000, the G-stage's 2 MiB leaf when it has one: a superpage leaf in the composed table.
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((flags): Event => ({ kind: 'guest', op: { kind: 'map', first: 0, count: 512, physPage: 0x200, flags } })) },
  { weight: 1, arbitrary: fc.constant<Event>({ kind: 'detach' }) },
  // ATTACH endpoint 8 to domain 1 or 3 (mapped) or to the bypass domain 2 (IOVA = GPA, through the G-stage).
  { weight: 1, arbitrary: fc.constantFrom(1, 2, 3).map((domain): Event => ({ kind: 'attach', domain })) },
  // A short MAP at IOVA 0 onto the start of the 2 MiB G-stage leaf: aligned, but no 2 MiB leaf may cover it.
  { weight: 1, arbitrary: fc.record({ count: fc.integer({ min: 1, max: 6 }), flags: fc.integer({ min: 0, max: 3 }) }).map(({ count, flags }): Event => ({ kind: 'guest', op: { kind: 'map', first: 0, count, physPage: 0x200, flags } })) },
  { weight: 8, arbitrary: dmaArb.map((dma): Event => ({ kind: 'dma', dma })) },
)

type Outcome = { spa: bigint } | 'fault' | { cause: number }

test('law: a DMA through the physical IOMMU programmed from virtio-iommu ∘ G-stage lands where both say and nowhere else; UNMAP and DETACH remove access after the covering invalidation', () => {
  fc.assert(fc.property(fc.array(eventArb, { minLength: 20, maxLength: 60 }), gArb, fc.constantFrom<CachePolicy>('none', 'unbounded', 'refmodel'), (events, tables, cache) => {
    const g = build(tables)
    let s = start()
    let ref: Ref = blankRef()
    /** Endpoint 8: attached to a mapped domain (its ID), to the bypass domain 2, or detached. */
    let at8: number | 'bypass' | 'none' = 1
    /** Every page ever mapped: DMAs aim at them after UNMAP and DETACH too, where stale translations would show. */
    const history: number[] = []
    let image: PhysicalImage = EMPTY_IMAGE
    let iommu: Iommu = resetIommu(EXAMPLE_CAPABILITIES, 0n, { ...DEFAULT_OPTIONS, cache })
    let memory: PhysMemory = g.memory
    const run = (steps: readonly Step[]): void => { const r = runSteps(iommu, memory, steps); iommu = r.iommu; memory = r.memory }
    const sync = (): void => {
      const next = physicalImage(s, g, LAYOUT)
      if (isLeft(next)) return assert.unreachable(next.left)
      run(syncSteps(image, next.right, LAYOUT))
      image = next.right
    }
    run(SETUP)
    sync()
    events.forEach((e, i) => {
      if (e.kind === 'guest') {
        if (typeof at8 !== 'number') return
        const r = toRequest(e.op)
        s = handleRequest(s, r.type === 'map' || r.type === 'unmap' ? { ...r, domain: at8 } : r).state
        ref = refStep(ref, e.op, i).ref
        ref.forEach((m, p) => { if (m !== undefined && !history.includes(p)) history.push(p) })
      } else if (e.kind === 'detach') {
        if (at8 === 'none') return
        s = handleRequest(s, { type: 'detach', domain: at8 === 'bypass' ? 2 : at8, endpoint: 8 }).state
        ref = blankRef(); at8 = 'none'     // a mapped domain goes with its last endpoint, mappings and all
      } else if (e.kind === 'attach') {
        if (at8 !== 'none') return
        s = handleRequest(s, { type: 'attach', domain: e.domain, endpoint: 8, flags: e.domain === 2 ? 1 : 0, reserved: 0 }).state
        at8 = e.domain === 2 ? 'bypass' : e.domain
      } else {
        const d = e.dma
        const page = d.aim !== undefined && history.length > 0 ? history[d.aim % history.length]! : d.page
        const bypass = d.bypass || at8 === 'bypass'
        const iova = bypass ? BigInt(d.gpaPage) * PAGE + d.offset : BigInt(page) * PAGE + d.offset
        let expected: Outcome
        if (bypass) {
          const host = refG(tables, iova, d.write)
          expected = typeof host === 'bigint' ? { spa: host } : { cause: Number(host.cause) }
        } else {
          const m = iova / PAGE < BigInt(ref.length) ? ref[Number(iova / PAGE)] : undefined
          // Access needs the MAP flag; a write-only MAP grants nothing here (the departure).
          const granted = at8 !== 'none' && m !== undefined && (m.flags & 1) !== 0 && (m.flags & (d.write ? 2 : 1)) !== 0
          const host = granted ? refG(tables, BigInt(m.physPage + (Number(iova / PAGE) - m.first)) * PAGE + (iova % PAGE), d.write) : undefined
          expected = typeof host === 'bigint' ? { spa: host } : 'fault'
        }
        const o = translate(iommu, memory, { deviceId: d.bypass ? 9 : 8, access: d.write ? 'write' : 'read', privileged: false, type: 'untranslated', iova })
        iommu = o.iommu; memory = o.memory
        const r = o.response
        const observed: Outcome = r.status === 'success' && r.pa !== undefined ? { spa: r.pa } : bypass ? { cause: r.fault?.cause ?? -1 } : 'fault'
        assert.equal(observed, expected, `event ${i} (${cache}): ${bypass ? 'bypass ' : ''}${d.write ? 'write' : 'read'} 0x${iova.toString(16)}`)
        return
      }
      sync()
    })
  }), { numRuns: runs(200) })
})

test('the composed image holds no table for a bypass domain and no DC for an unattached endpoint; the sync of an unchanged state is empty', () => {
  const g = build({ small: [], big: undefined })
  const img = physicalImage(start(), g, LAYOUT)
  if (isLeft(img)) return assert.unreachable(img.left)
  assert.equal([...img.right.domains.keys()], [1])
  assert.equal(img.right.dcs.get(9), [1n, (8n << 60n) | (7n << 44n) | (0x9000_0000n >> 12n), 0n, 0n])
  assert.equal(syncSteps(img.right, img.right, LAYOUT), [])
  const detached = handleRequest(start(), { type: 'detach', domain: 1, endpoint: 8 }).state
  const img2 = physicalImage(detached, g, LAYOUT)
  if (isLeft(img2)) return assert.unreachable(img2.left)
  assert.is(img2.right.dcs.has(8), false)
})

test.run()
