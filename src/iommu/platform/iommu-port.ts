// A device's DMA port with the RISC-V IOMMU in front (RISC-V IOMMU spec v1.0, "Process to translate an
// IOVA"): each access is an untranslated request of the device's device_id (and process_id, when it
// carries one), translated by the IOMMU; the physical address it yields is then read or written in RAM.
// A fault refuses the access, and the IOMMU writes its record to the fault queue (translate.ts). An
// access to an MRIF-mode MSI page is the IOMMU's own (AIA, "MSI PTE, MRIF mode"): a naturally aligned
// 32-bit write is an MSI stored in the MRIF (mrif.ts), a 32-bit read returns zero, any other size is
// aborted as unsupported.
import { left, right } from '../../bits/either.ts'
import { type AccessSize, type PhysMemory } from '../../memory/memory.ts'
import { type RamWindow } from '../../cpu/bus.ts'
import { type DmaAccess, type StatePort, dmaFault, ramPort } from '../../machine/dma.ts'
import { type DmaRequester } from '../../machine/devices/dma-engine.ts'
import { CAUSES } from '../fault-record.ts'
import type { Iommu } from '../iommu.ts'
import { msiWrite } from '../mrif.ts'
import { type IoRequest, type TranslateOutcome, translate } from '../translate.ts'

/** What a DMA through the IOMMU changes: the IOMMU (fault queue, caches) and memory (A/D, records, data). */
export interface IoMemory {
  readonly iommu: Iommu
  readonly memory: PhysMemory
}

/**
 * How the port translates: translate.ts's `translate`, or an engine proven equal to it (the shell picks
 * src/iommu/engine/translate-fast.ts for `run --iommu`).
 */
export type Translator = (iommu: Iommu, memory: PhysMemory, request: IoRequest) => Pick<TranslateOutcome, 'iommu' | 'memory' | 'response'>

/**
 * The port of `requester` on a platform with RAM at `ram` and the IOMMU in front. An access is not
 * split: the IOMMU translates its first byte's address (the DMA engine's accesses never cross a page).
 * Requests are user-level (privileged = false), as the PCIe requests of a device without PASID are.
 */
export const iommuPort = (ram: RamWindow, requester: DmaRequester, translator: Translator = translate): StatePort<IoMemory> => {
  const rp = ramPort(ram)
  const via = (s: IoMemory, addr: bigint, access: DmaAccess) => {
    const request: IoRequest = {
      deviceId: requester.deviceId, access, privileged: false, type: 'untranslated', iova: addr,
      ...(requester.processId === undefined ? {} : { processId: requester.processId }),
    }
    const o = translator(s.iommu, s.memory, request)
    const state: IoMemory = { iommu: o.iommu, memory: o.memory }
    const f = o.response.fault
    if (o.response.status !== 'success' || o.response.pa === undefined) {
      const why = f === undefined ? o.response.status : `IOMMU cause ${f.cause} (${CAUSES[f.cause] ?? 'unknown'}): ${f.reason}`
      return { state, pa: left(dmaFault(addr, access, why)), mrif: false }
    }
    return { state, pa: right(o.response.pa), mrif: o.response.mrif !== undefined }
  }
  const unsupported = (addr: bigint, access: DmaAccess, size: number) => dmaFault(addr, access, `a ${8 * size}-bit ${access} of an MRIF-mode MSI page is unsupported (only aligned 32-bit accesses)`)
  return {
    read: (s, addr, size: AccessSize) => {
      const t = via(s, addr, 'read')
      if (t.pa._tag === 'Left') return { state: t.state, value: t.pa }
      if (t.mrif) return { state: t.state, value: size === 4 && addr % 4n === 0n ? right(0n) : left(unsupported(addr, 'read', size)) }
      const v = rp.read(t.state.memory, t.pa.right, size)
      return { state: t.state, value: v._tag === 'Left' ? left(dmaFault(addr, 'read', v.left.reason)) : v }
    },
    write: (s, addr, size: AccessSize, value) => {
      const t = via(s, addr, 'write')
      if (t.pa._tag === 'Left') return { state: t.state, fault: t.pa.left }
      if (t.mrif) {
        if (size !== 4 || addr % 4n !== 0n) return { state: t.state, fault: unsupported(addr, 'write', size) }
        // The MSI itself: translated again from the same state (the translation above changed nothing an MRIF walk reads).
        const w = msiWrite(s.iommu, s.memory, { deviceId: requester.deviceId, privileged: false, iova: addr, ...(requester.processId === undefined ? {} : { processId: requester.processId }) }, value & 0xffff_ffffn)
        return { state: { iommu: w.iommu, memory: w.memory }, fault: w.store?.kind === 'access-fault' ? dmaFault(addr, 'write', 'MRIF access fault (264)') : undefined }
      }
      const m = rp.write(t.state.memory, t.pa.right, size, value)
      return m._tag === 'Left' ? { state: t.state, fault: dmaFault(addr, 'write', m.left.reason) } : { state: { iommu: t.state.iommu, memory: m.right }, fault: undefined }
    },
  }
}
