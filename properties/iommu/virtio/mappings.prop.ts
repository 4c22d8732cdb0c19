// virtio-iommu laws over random request sequences (Virtio 1.3, "IOMMU device" / "MAP request",
// "UNMAP request"): the device's mappings behave as a reference set of page intervals kept here as a
// plain per-page owner table (no interval arithmetic shared with src/iommu/virtio/mappings.ts); an
// overlapping MAP is INVAL and a splitting UNMAP is RANGE, both leaving the state exactly as it was.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft } from '../../../src/bits/either.ts'
import type { DeviceState } from '../../../src/iommu/virtio/device.ts'
import { handleRequest } from '../../../src/iommu/virtio/requests.ts'
import { translateDma } from '../../../src/iommu/virtio/translate.ts'
import { fc, runs } from '../../fc.ts'
import { PAGE, PAGES, blankRef, opArb, refAccess, refStep, start, toRequest } from './reference.ts'

const observedAccess = (s: DeviceState, p: number, write: boolean): bigint | 'fault' => {
  const r = translateDma(s, 8, BigInt(p) * PAGE + 0x800n, write ? 'write' : 'read')
  return isLeft(r) ? 'fault' : r.right.address
}

test('law: MAP/UNMAP statuses and every DMA in the window agree with the reference page-owner table', () => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), (ops) => {
    let s = start()
    let ref = blankRef()
    ops.forEach((o, i) => {
      const out = handleRequest(s, toRequest(o))
      const r = refStep(ref, o, i)
      assert.is(out.completion.written ? out.completion.status : '-', r.status, `op ${i}: ${JSON.stringify(o)}`)
      s = out.state
      ref = r.ref
    })
    for (let p = 0; p < PAGES + 8; p++) {
      assert.is(observedAccess(s, p, false), refAccess(ref, p, false), `read of page ${p}`)
      assert.is(observedAccess(s, p, true), refAccess(ref, p, true), `write of page ${p}`)
    }
  }), { numRuns: runs(300) })
})

/** A state built by random ops, with at least one mapping of two or more pages (added if needed). */
const stateArb = fc.array(opArb, { maxLength: 20 }).map((ops) => {
  let s = ops.reduce((acc, o) => handleRequest(acc, toRequest(o)).state, start())
  const has2 = (s.domains.get(1)?.mappings ?? []).some((m) => m.virtEnd - m.virtStart >= PAGE)
  if (!has2) {
    // Clear the top of the window and map two pages there.
    s = handleRequest(s, toRequest({ kind: 'unmap', first: 0, last: PAGES + 8 })).state
    s = handleRequest(s, toRequest({ kind: 'map', first: PAGES - 2, count: 2, physPage: 7, flags: 3 })).state
  }
  return s
})

test('law: a MAP overlapping an existing mapping → INVAL, and the state is the very same', () => {
  fc.assert(fc.property(stateArb, fc.nat(), fc.nat({ max: 8 }), fc.nat({ max: 8 }), fc.nat(), (s, pick, before, after, phys) => {
    const ms = s.domains.get(1)!.mappings
    const m = ms[pick % ms.length]!
    // A range that shares at least one page with m: it starts at most `before` pages below m's last
    // page and ends at least at its start page.
    const lastPage = m.virtEnd / PAGE
    const startPage = lastPage - BigInt(before) < 0n ? 0n : lastPage - BigInt(before)
    const endPage = (startPage > m.virtStart / PAGE ? startPage : m.virtStart / PAGE) + BigInt(after)
    const out = handleRequest(s, { type: 'map', domain: 1, virtStart: startPage * PAGE, virtEnd: (endPage + 1n) * PAGE - 1n, physStart: BigInt(phys % 4096) * PAGE, flags: 3 })
    assert.equal(out.completion, { written: true, status: 'INVAL' })
    assert.is(out.state, s)
  }), { numRuns: runs(300) })
})

test('law: an UNMAP that would split a mapping → RANGE, and the state is the very same', () => {
  fc.assert(fc.property(stateArb, fc.nat(), fc.boolean(), fc.nat({ max: 10 }), (s, pick, cutHead, spill) => {
    const ms = s.domains.get(1)!.mappings.filter((m) => m.virtEnd - m.virtStart >= PAGE)
    const m = ms[pick % ms.length]!
    // Leave out m's first page (start one page in, spill upwards) or its last page (end one page short,
    // spill downwards): m is always cut, whatever else the range covers.
    const range = cutHead
      ? { virtStart: m.virtStart + PAGE, virtEnd: m.virtEnd + BigInt(spill) * PAGE }
      : { virtStart: m.virtStart - BigInt(spill) * PAGE < 0n ? 0n : m.virtStart - BigInt(spill) * PAGE, virtEnd: m.virtEnd - PAGE }
    const out = handleRequest(s, { type: 'unmap', domain: 1, ...range })
    assert.equal(out.completion, { written: true, status: 'RANGE' })
    assert.is(out.state, s)
  }), { numRuns: runs(300) })
})

/** A state as text: every domain with its endpoints and mappings, and every attachment. */
const snapshot = (s: DeviceState): string => JSON.stringify({ domains: [...s.domains.entries()], attachment: [...s.attachment.entries()] },
  (_, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))

test('law: a request never changes the state it was given (every earlier state stays as it was)', () => {
  const attachArb = fc.record({ endpoint: fc.constantFrom(8, 9), domain: fc.integer({ min: 1, max: 3 }) })
  const anyOp = fc.oneof(opArb.map((o) => toRequest(o)), attachArb.map(({ endpoint, domain }) => ({ type: 'attach' as const, endpoint, domain, flags: 0, reserved: 0 })),
    attachArb.map(({ endpoint, domain }) => ({ type: 'detach' as const, endpoint, domain })))
  fc.assert(fc.property(fc.array(anyOp, { minLength: 1, maxLength: 25 }), (rs) => {
    const states: DeviceState[] = [start()]
    const texts = [snapshot(states[0]!)]
    for (const r of rs) {
      const next = handleRequest(states[states.length - 1]!, r).state
      states.push(next)
      texts.push(snapshot(next))
    }
    states.forEach((st, i) => assert.is(snapshot(st), texts[i], `state ${i} changed after later requests`))
  }), { numRuns: runs(200) })
})

test.run()
