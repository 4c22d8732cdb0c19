// memvirt/iommu, the README's example (the same device as `memvirt iommu`'s example): device 5's context in
// a 1LVL DDT at 0x8010_0000 (device 5 × 32 bytes = 0x8010_00a0), tc = V, iosatp Sv39 at 0x8020_0000;
// IOVA 0x4000_1234 → root[1] → L1[0] → L0[1], a leaf VRW-U-AD with PPN 0x80300: PA 0x8030_0234.
// An execute request through the same leaf (X = 0) is "Instruction page fault", cause 12 (RISC-V IOMMU
// spec, "Process to translate an IOVA", step 17/18 and the fault CAUSE table), recorded in the fault queue.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readme, readmeBlock } from './readme-block.ts'
// --- README example begins
import { emptyMemory, defaultMemoryMap, poke, phys } from '../../src/mmu/index.ts'
import { resetIommu, runSteps, type Step } from '../../src/iommu/index.ts'

let mem = emptyMemory(defaultMemoryMap)
for (const [addr, value] of [[0x8010_00a0n, 0x3n], [0x8010_00b8n, 0x8000_0000_0008_0200n],   // DC: tc, fsc
  [0x8020_0008n, 0x2008_0401n], [0x8020_1000n, 0x2008_0801n], [0x8020_2008n, 0x200c_00d7n]] as const) {
  mem = poke(mem, phys(addr), 8, value)
}
const steps: Step[] = [
  { op: 'write-register', offset: 40, size: 8, value: 0x201c_0002n },   // fqb: fault queue at 0x8070_0000
  { op: 'write-register', offset: 76, size: 4, value: 0x1n },           // fqcsr.fqen
  { op: 'write-register', offset: 16, size: 8, value: 0x2004_0002n },   // ddtp: 1LVL at 0x8010_0000
  { op: 'translate', deviceId: 5, access: 'read', privileged: false, type: 'untranslated', iova: 0x4000_1234n },
  { op: 'translate', deviceId: 5, access: 'execute', privileged: false, type: 'untranslated', iova: 0x4000_1234n },
]
const out = runSteps(resetIommu(0x1f8_070e_8e10n), mem, steps)
const answers = out.events.flatMap((e) => e.op === 'translate' ? [e.outcome.response] : [])
// answers[0].pa: 0x8030_0234n; answers[1].fault?.cause: 12, and a 'fault-record' event follows
// --- README example ends

test('memvirt/iommu: an untranslated read through a first-stage Sv39 leaf gives its PA ("Process to translate an IOVA")', () => {
  assert.is(answers[0]?.status, 'success')
  assert.is(answers[0]?.pa, 0x8030_0234n)
})
test('memvirt/iommu: an execute request on a leaf with X = 0 is cause 12 and writes a fault record (TTYP 1: untranslated read-for-execute)', () => {
  assert.is(answers[1]?.status, 'unsupported-request')
  assert.is(answers[1]?.fault?.cause, 12)
  const records = out.events.flatMap((e) => e.op === 'fault-record' ? [e.record] : [])
  assert.is(records.length, 1)
  assert.is(records[0]?.ttyp, 1)
})
test('the README shows this example as written here', () => {
  assert.ok(readme().includes(readmeBlock(new URL(import.meta.url))))
})
test.run()
