// What the hypervisor programs into the physical IOMMU for a para-virtual endpoint: the guest's
// virtio-iommu mappings (IOVA → GPA) flattened through the VM's G-stage into IOVA → SPA runs with the
// permissions both stages grant (Virtio 1.3, "IOMMU device" / "MAP request"; Priv. ISA, H chapter,
// "Guest Physical Address Translation"). A DMA through this table lands where `translatePv` says.
import { isRight } from '../../bits/either.ts'
import { type DeviceState, domainOfEndpoint, inBypassMode } from './device.ts'
import { type GStage, gStageTranslate } from './g-stage.ts'
import { MAP_F_MMIO, MAP_F_READ, MAP_F_WRITE } from './mappings.ts'

/** One run of IOVAs that map contiguously to SPAs with the same permissions. */
export interface ShadowEntry {
  readonly iovaStart: bigint
  /** Inclusive. */
  readonly iovaEnd: bigint
  readonly spaStart: bigint
  /** Both the guest mapping (READ) and the G-stage (R, U, A) allow a read. */
  readonly read: boolean
  /** Both the guest mapping (WRITE) and the G-stage (W, U, A, D) allow a write. */
  readonly write: boolean
  readonly mmio: boolean
}

/**
 * What the physical IOMMU needs for an endpoint: `g-stage only` when the endpoint is in bypass mode
 * (its IOVAs are GPAs), else the flattened table. The guest's RESV_MEM regions are not in it (an MSI
 * doorbell is the interrupt controller's business, not a mapping). Runs are cut at every G-stage
 * leaf boundary; IOVAs that neither stage lets through are left out.
 */
export const shadowTable = (s: DeviceState, g: GStage, endpoint: number): 'g-stage only' | readonly ShadowEntry[] => {
  if (inBypassMode(s, endpoint)) return 'g-stage only'
  const d = domainOfEndpoint(s, endpoint)
  const out: ShadowEntry[] = []
  for (const m of d?.mappings ?? []) {
    let iova = m.virtStart
    while (iova <= m.virtEnd) {
      const gpa = BigInt.asUintN(64, m.physStart + (iova - m.virtStart))
      const r = gStageTranslate(g, gpa, 'read')
      const w = gStageTranslate(g, gpa, 'write')
      // The G-stage's smallest page is 4 KiB: a refusal holds at least to the next 4 KiB boundary.
      const leafBits = isRight(r) ? r.right.pageBits : isRight(w) ? w.right.pageBits : 12
      const leafEnd = gpa | ((1n << BigInt(Math.min(leafBits, 64))) - 1n)
      const end = m.virtEnd < iova + (leafEnd - gpa) ? m.virtEnd : iova + (leafEnd - gpa)
      const read = (m.flags & MAP_F_READ) !== 0 && isRight(r)
      const write = (m.flags & MAP_F_WRITE) !== 0 && isRight(w)
      const spa = isRight(r) ? r.right.spa : isRight(w) ? w.right.spa : undefined
      if ((read || write) && spa !== undefined) out.push({ iovaStart: iova, iovaEnd: end, spaStart: spa, read, write, mmio: (m.flags & MAP_F_MMIO) !== 0 })
      if (end === m.virtEnd) break
      iova = end + 1n
    }
  }
  return out
}
