// Writing a fault record (RISC-V IOMMU spec v1.0, "Fault/Event-Queue (FQ)" and "Fault queue CSR"):
// DTF filtering, the full queue (fqt = fqh − 1, so capacity is entries − 1) setting fqof, a memory
// fault setting fqmf, and every record dropped while either is set.
import { Immer, castDraft } from 'immer'
import { bit } from '../bits/bits.ts'
import { phys } from '../bits/address.ts'
import { type PhysMemory, poke } from '../memory/memory.ts'
import { regionAt } from '../memory/memory-map.ts'
import { type FaultRecord, encodeFaultRecord, reportedUnderDtf } from './fault-record.ts'
import type { Iommu, Transition } from './iommu.ts'
import { FQCSR, IPSR, capabilitiesOf, queueBase, queueEntries, withInterruptsPending } from './registers.ts'

const setBit = (x: bigint, at: number): bigint => x | (1n << BigInt(at))

// immer for this rare, nested update of the IOMMU's register file (once per fault record): the draft
// says which registers change. Without auto-freezing, so the untouched parts (caches, memory views) are
// shared as they are; never on a per-instruction path.
const { produce } = new Immer({ autoFreeze: false })

/** The IOMMU with fqcsr bit `at` (fqof or fqmf) set and the interrupt-pending bits recomputed. */
const withQueueError = (iommu: Iommu, at: number): Iommu =>
  produce(iommu, (d) => { d.regs = castDraft(withInterruptsPending({ ...iommu.regs, fqcsr: setBit(iommu.regs.fqcsr, at) }, 1n << BigInt(IPSR.fip))) })

/** Whether the IOMMU may read or store `size` bytes at `pa`: below 2^PAS and in RAM. */
export const accessible = (memory: PhysMemory, pa: bigint, size: number, pas: number): boolean => {
  if ((pa + BigInt(size) - 1n) >> BigInt(pas) !== 0n) return false
  const region = regionAt(memory.map, phys(pa), BigInt(size))
  return region !== undefined && region.kind === 'ram'
}

/**
 * Reports `record` for a device whose DC.tc.DTF is `dtf` (false when no DC was located). Returns the
 * new IOMMU and memory with the record written, or dropped (queue off, fqof/fqmf already set, DTF, a
 * full queue → fqof, a store that faults → fqmf).
 */
export const reportFault = (iommu: Iommu, memory: PhysMemory, record: FaultRecord, dtf: boolean): Transition => {
  const r = iommu.regs
  const unchanged: Transition = { iommu, memory, writes: [], records: [] }
  if (!bit(r.fqcsr, FQCSR.fqon)) return unchanged
  if (bit(r.fqcsr, FQCSR.fqmf) || bit(r.fqcsr, FQCSR.fqof)) return unchanged
  if (!reportedUnderDtf(record.cause, dtf)) return unchanged
  const entries = queueEntries(r.fqb)
  if ((r.fqt + 1n) % entries === r.fqh) {
    return { ...unchanged, iommu: withQueueError(iommu, FQCSR.fqof) }
  }
  const at = queueBase(r.fqb) + r.fqt * 32n
  if (!accessible(memory, at, 32, capabilitiesOf(r).pas)) {
    return { ...unchanged, iommu: withQueueError(iommu, FQCSR.fqmf) }
  }
  const dws = encodeFaultRecord(record)
  let m = memory
  dws.forEach((dw, i) => { m = poke(m, phys(at + BigInt(8 * i)), 8, dw) })
  const ipsr = bit(r.fqcsr, FQCSR.fie) ? setBit(r.ipsr, IPSR.fip) : r.ipsr
  return {
    // The record is in the queue: the tail moves on, and fip is pending when fqcsr.fie asks for it.
    iommu: produce(iommu, (d) => { d.regs.fqt = (r.fqt + 1n) % entries; d.regs.ipsr = ipsr }),
    memory: m,
    writes: dws.map((value, i) => ({ addr: at + BigInt(8 * i), size: 8 as const, value, why: 'fault record' as const })),
    records: [record],
  }
}
