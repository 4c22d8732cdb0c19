// Fault-queue laws (RISC-V IOMMU spec v1.0, "Fault/Event-Queue (FQ)" and "Fault queue CSR"): the
// queue holds at most entries − 1 unread records ("full if the tail is the head minus one"); a fault
// that finds it full sets fqof and is dropped, and so is every later one until software clears fqof;
// records land at fqb + 32·fqt in order. Checked against a counter model over random sequences of
// faults, software reads (fqh advances) and fqof clears, for queues of 2 to 16 entries.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { type Iommu, resetIommu } from '../../src/iommu/iommu.ts'
import { writeRegister } from '../../src/iommu/registers.ts'
import { translate } from '../../src/iommu/translate.ts'
import { emptyMemory } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'

const FQ = 0x8070_0000n
type Op = { readonly op: 'fault' } | { readonly op: 'read', readonly n: number } | { readonly op: 'clear' }
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ op: 'fault' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }).map((n) => ({ op: 'read' as const, n })) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
)
const w = (i: Iommu, offset: number, size: 4 | 8, v: bigint): Iommu => ({ ...i, regs: writeRegister(i.regs, i.options, offset, size, v) })

test('Fault queue: capacity entries − 1; after an overflow every record is dropped until fqof is cleared; records land at fqb + 32·fqt', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 3 }), fc.array(arbOp, { maxLength: 60 }), (log2m1, ops) => {
    const entries = 2 ** (log2m1 + 1)
    // ddtp stays Off: every request is cause 256, always reported (no DC, so DTF is 0).
    let iommu = w(w(resetIommu(EXAMPLE_CAPABILITIES), 40, 8, BigInt(log2m1) | ((FQ >> 12n) << 10n)), 76, 4, 1n)
    let memory = emptyMemory(defaultMemoryMap)
    let unread = 0, head = 0, tail = 0, overflow = false
    for (const op of ops) {
      if (op.op === 'fault') {
        const o = translate(iommu, memory, { deviceId: 1, access: 'read', privileged: false, type: 'untranslated', iova: 0n })
        const expectWrite = !overflow && unread < entries - 1
        if (!overflow && !expectWrite) overflow = true
        if (o.records.length !== (expectWrite ? 1 : 0)) return false
        if (expectWrite && o.writes[0]!.addr !== FQ + 32n * BigInt(tail)) return false
        if (expectWrite) { unread++; tail = (tail + 1) % entries }
        iommu = o.iommu; memory = o.memory
      } else if (op.op === 'read') {
        const n = Math.min(op.n, unread)
        unread -= n; head = (head + n) % entries
        iommu = w(iommu, 48, 4, BigInt(head))
      } else {
        overflow = false
        iommu = w(iommu, 76, 4, 1n | (1n << 9n))
      }
      if ((((iommu.regs.fqcsr >> 9n) & 1n) === 1n) !== overflow || iommu.regs.fqt !== BigInt(tail)) return false
    }
    return true
  }), { numRuns: runs(200) })
})

test.run()
