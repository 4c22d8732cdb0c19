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
import { handleRequest } from '../../../src/iommu/virtio/requests.ts'
import { translatePv } from '../../../src/iommu/virtio/pviommu.ts'
import { type ShadowEntry, shadowTable } from '../../../src/iommu/virtio/shadow.ts'
import { fc, runs } from '../../fc.ts'
import { PAGE, blankRef, refGuest, refStep, start, toRequest } from './reference.ts'
import { build, dmaArb, gArb, guestOpArb, refG } from './g-tables.ts'

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
