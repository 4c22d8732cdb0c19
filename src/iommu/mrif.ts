// Storing an MSI into a memory-resident interrupt file (AIA spec, "IOMMU Support for MSIs to Virtual
// Machines": "Format of a memory-resident interrupt file", "Recording of incoming MSIs to
// memory-resident interrupt files", "MSI PTE, MRIF mode"; RISC-V IOMMU spec v1.0, "Process to translate
// addresses of MSIs", step 14, and cause 264 "MRIF access fault"). An MRIF is 512 bytes: 32 pairs of
// doublewords, the pending bits of identities 64k … 64k + 63 at offset 16k and their enable bits at 16k + 8.
import { bit, bits } from '../bits/bits.ts'
import { phys } from '../bits/address.ts'
import { type PhysMemory, peek, poke } from '../memory/memory.ts'
import { regionAt } from '../memory/memory-map.ts'
import { capabilitiesOf } from './registers.ts'
import { accessible, reportFault } from './fault-queue.ts'
import { type FaultRecord, ttypOf } from './fault-record.ts'
import type { Iommu, MemoryWrite, Transition } from './iommu.ts'
import type { MrifTarget } from './msi.ts'
import { type IoRequest, type TranslateOutcome, translate } from './translate.ts'

/** What storing one incoming 32-bit write into an MRIF does. */
export type MrifStore =
  | { readonly kind: 'discarded', readonly reason: string }
  | { readonly kind: 'access-fault', readonly addr: bigint }
  | { readonly kind: 'stored', readonly identity: number, readonly addr: bigint, readonly value: bigint }

/**
 * A naturally aligned 32-bit write of data `d` at address `a` of an MRIF-mode page. If A[11:3] or
 * D[31:11] is not zero, or bit 2 of A asks for a big-endian MSI (not supported: the machine's interrupt
 * files have no seteipnum_be), the write is accepted and discarded. Else the interrupt-pending bit of
 * identity D (0 included: the faux bit) is set: bit D mod 64 of the doubleword at MRIF + (D div 64) × 16,
 * read, ORed and written back (AMOOR or a read-modify-write: the same in a sequential model). An MRIF
 * doubleword the IOMMU may not access is "MRIF access fault" (264).
 */
export const mrifStore = (memory: PhysMemory, pas: number, target: MrifTarget, a: bigint, d: bigint): MrifStore => {
  if (bits(a, 11, 3) !== 0n) return { kind: 'discarded', reason: `address bits 11:3 of 0x${a.toString(16)} are not zero` }
  if (bits(d, 31, 11) !== 0n) return { kind: 'discarded', reason: `data 0x${d.toString(16)} is not an interrupt identity (bits 31:11 not zero)` }
  if (bit(a, 2)) return { kind: 'discarded', reason: 'address bit 2 = 1 asks for a big-endian MSI, not supported' }
  const identity = Number(d)
  const addr = target.mrif + BigInt(identity >> 6) * 16n
  if (!accessible(memory, addr, 8, pas)) return { kind: 'access-fault', addr }
  return { kind: 'stored', identity, addr, value: peek(memory, phys(addr), 8) | (1n << BigInt(identity & 63)) }
}

/** An MSI (a 32-bit write of `data`) from a device: its translation and what the IOMMU stored. */
export interface MsiWriteOutcome extends Transition {
  readonly outcome: TranslateOutcome
  /** The MRIF store, when the write reached an MRIF-mode page. */
  readonly store: MrifStore | undefined
}

/**
 * A device's naturally aligned 32-bit write of `data` at `iova`, as an untranslated write request. On
 * an MRIF-mode page the IOMMU records it in the MRIF and then sends the notice MSI (NID, zero-extended
 * to 32 bits, little-endian, at NPPN << 12) — always, whatever the identity's enable bit says. The
 * notice MSI is a write on the bus: it lands in memory when it targets RAM (an interrupt file outside
 * RAM is not modelled here) and is reported either way. Elsewhere the write goes on to the translated
 * address and the IOMMU stores nothing of it.
 */
export const msiWrite = (iommu: Iommu, memory: PhysMemory, request: Omit<IoRequest, 'access' | 'type'>, data: bigint): MsiWriteOutcome => {
  const o = translate(iommu, memory, { ...request, access: 'write', type: 'untranslated' })
  const target = o.response.mrif
  if (target === undefined) return { iommu: o.iommu, memory: o.memory, writes: o.writes, records: o.records, outcome: o, store: undefined }
  // The page offset of the GPA is that of the IOVA (both stages map whole 4 KiB pages at least).
  const store = mrifStore(o.memory, capabilitiesOf(o.iommu.regs).pas, target, request.iova & 0xfffn, data)
  if (store.kind === 'discarded') return { iommu: o.iommu, memory: o.memory, writes: o.writes, records: o.records, outcome: o, store }
  if (store.kind === 'access-fault') {
    const pidValid = request.processId !== undefined
    const record: FaultRecord = {
      cause: 264, pid: pidValid ? request.processId : 0, pv: pidValid, priv: pidValid && request.privileged,
      ttyp: ttypOf('untranslated', 'write'), did: request.deviceId, custom: 0, iotval: request.iova, iotval2: 0n,
    }
    const r = reportFault(o.iommu, o.memory, record, o.dtf)
    return { iommu: r.iommu, memory: r.memory, writes: [...o.writes, ...r.writes], records: [...o.records, ...r.records], outcome: o, store }
  }
  const pending: MemoryWrite = { addr: store.addr, size: 8, value: store.value, why: 'MRIF pending bit' }
  const notice: MemoryWrite = { addr: target.notice, size: 4, value: BigInt(target.nid), why: 'notice MSI' }
  let m = poke(o.memory, phys(store.addr), 8, store.value)
  const region = regionAt(m.map, phys(target.notice), 4n)
  if (region !== undefined && region.kind === 'ram') m = poke(m, phys(target.notice), 4, notice.value)
  return { iommu: o.iommu, memory: m, writes: [...o.writes, pending, notice], records: o.records, outcome: o, store }
}
