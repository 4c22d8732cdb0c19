// Page-request-queue law (RISC-V IOMMU spec v1.0, "Page-Request-Queue (PQ)" and "PCIe ATS Page Request
// handling"): no message is lost or duplicated. Every "Page Request" a device sends ends in exactly one
// place — a record that software reads back from the queue, the IOMMU's own "Page Request Group
// Response" (only for a message that asks for one: L = 1 and not a Stop Marker), or a silent discard
// (only for a message that does not); software, reading at pqh and advancing it, reads exactly the queued messages in the order
// they were sent. Checked against a counter model of the queue (capacity entries − 1, pqof until
// cleared) over random messages from a device with EN_PRI = 1 and one without, software reads and pqof
// clears, for queues of 2 to 16 entries.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { phys } from '../../src/bits/address.ts'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { type Iommu, resetIommu } from '../../src/iommu/iommu.ts'
import { type PageRequest, pageRequest } from '../../src/iommu/page-request.ts'
import { writeRegister } from '../../src/iommu/registers.ts'
import { emptyMemory, peek, poke, type PhysMemory } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'

const DDT = 0x8010_0000n, PQ = 0x8073_0000n
/** Device 5: V, EN_ATS, EN_PRI; device 6: V, EN_ATS (page requests disallowed, cause 260). */
const MEMORY: PhysMemory = poke(poke(emptyMemory(defaultMemoryMap), phys(DDT + 5n * 32n), 8, 7n), phys(DDT + 6n * 32n), 8, 3n)

type Op =
  | { readonly op: 'message', readonly m: PageRequest }
  | { readonly op: 'read', readonly n: number }
  | { readonly op: 'clear' }
const arbMessage: fc.Arbitrary<PageRequest> = fc.record({
  deviceId: fc.constantFrom(5, 5, 5, 6), pasid: fc.option(fc.integer({ min: 0, max: 2 ** 20 - 1 })), privileged: fc.boolean(), execute: fc.boolean(),
  r: fc.boolean(), w: fc.boolean(), l: fc.boolean(), prgi: fc.integer({ min: 0, max: 511 }), page: fc.integer({ min: 0, max: 2 ** 20 - 1 }),
}).map((x) => ({
  deviceId: x.deviceId, privileged: x.privileged, execute: x.execute, ...(x.pasid === null ? {} : { processId: x.pasid }),
  payload: (x.r ? 1n : 0n) | (x.w ? 2n : 0n) | (x.l ? 4n : 0n) | (BigInt(x.prgi) << 3n) | (BigInt(x.page) << 12n),
}))
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: arbMessage.map((m) => ({ op: 'message' as const, m })) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }).map((n) => ({ op: 'read' as const, n })) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
)
const w = (i: Iommu, offset: number, size: 4 | 8, v: bigint): Iommu => ({ ...i, regs: writeRegister(i.regs, i.options, offset, size, v) })

/** What software expects to read for a queued message: its two doublewords, written from the record diagram. */
const expectedWords = (m: PageRequest): string => {
  const pv = m.processId !== undefined
  const dw0 = (BigInt(m.processId ?? 0) << 12n) | (pv ? 1n << 32n : 0n) | (pv && m.privileged ? 1n << 33n : 0n) | (pv && m.execute ? 1n << 34n : 0n) | (BigInt(m.deviceId) << 40n)
  return `${dw0.toString(16)}:${m.payload.toString(16)}`
}
const needsResponse = (p: bigint): boolean => (p & 4n) !== 0n && (p & 3n) !== 0n

test('PQ: every page request is read back from the queue once, answered by the IOMMU, or silently dropped only when it needs no response; records are read in order', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 3 }), fc.array(arbOp, { maxLength: 60 }), (log2m1, ops) => {
    const entries = 2 ** (log2m1 + 1)
    let iommu = w(w(w(resetIommu(EXAMPLE_CAPABILITIES), 16, 8, 2n | ((DDT >> 12n) << 10n)), 56, 8, BigInt(log2m1) | ((PQ >> 12n) << 10n)), 80, 4, 1n)
    let memory = MEMORY
    let unread = 0, head = 0, overflow = false
    const queued: string[] = [], read: string[] = []
    let sent = 0, responses = 0, silent = 0
    const readRecords = (n: number): void => {
      for (let k = 0; k < n; k++) {
        const at = PQ + 16n * BigInt(head)
        read.push(`${peek(memory, phys(at), 8).toString(16)}:${peek(memory, phys(at + 8n), 8).toString(16)}`)
        head = (head + 1) % entries
      }
      unread -= n
      iommu = w(iommu, 64, 4, BigInt(head))
    }
    for (const op of ops) {
      if (op.op === 'message') {
        sent++
        const o = pageRequest(iommu, memory, op.m)
        // The counter model: EN_PRI, then pqof, then room for entries − 1 unread records.
        const fits = op.m.deviceId === 5 && !overflow && unread < entries - 1
        if (op.m.deviceId === 5 && !overflow && !fits) overflow = true
        if ((o.queued !== undefined) !== fits) return false
        if (fits) { unread++; queued.push(expectedWords(op.m)) }
        else if (o.response !== undefined) { responses++; if (!needsResponse(op.m.payload)) return false }
        else { silent++; if (needsResponse(op.m.payload)) return false }
        if (fits && o.response !== undefined) return false
        iommu = o.iommu; memory = o.memory
      } else if (op.op === 'read') readRecords(Math.min(op.n, unread))
      else { overflow = false; iommu = w(iommu, 80, 4, 1n | (1n << 9n)) }
      if ((((iommu.regs.pqcsr >> 9n) & 1n) === 1n) !== overflow) return false
    }
    readRecords(unread)
    return sent === read.length + responses + silent && JSON.stringify(read) === JSON.stringify(queued)
  }), { numRuns: runs(150) })
})

test('the law\'s generator reaches a full queue, an IOMMU response and a silent discard (coverage)', () => {
  // Not vacuous: a fixed sequence through all three fates on a 2-entry queue.
  let iommu = w(w(w(resetIommu(EXAMPLE_CAPABILITIES), 16, 8, 2n | ((DDT >> 12n) << 10n)), 56, 8, 0n | ((PQ >> 12n) << 10n)), 80, 4, 1n)
  const fates: string[] = []
  let memory = MEMORY
  for (const payload of [3n, 7n, 3n]) {
    const o = pageRequest(iommu, memory, { deviceId: 5, privileged: false, execute: false, payload })
    fates.push(o.queued !== undefined ? 'queued' : o.response !== undefined ? 'response' : 'silent')
    iommu = o.iommu; memory = o.memory
  }
  assert.equal(fates, ['queued', 'response', 'silent'])
})

test.run()
