// The para-virtual IOMMU (PVIOMMU): a guest programs a virtio-iommu with IOVA → GPA mappings; the
// hypervisor composes them with the VM's G-stage (GPA → SPA), so a DMA lands at G(M(iova)). Virtio
// 1.3, "IOMMU device" (the guest's half) and Priv. ISA, H chapter, "Guest Physical Address
// Translation" (the host's half). Bypass mode reaches the guest-physical space: still through the G-stage.
import { type Either, isLeft, right, left } from '../../bits/either.ts'
import type { DeviceState } from './device.ts'
import type { FaultEvent } from './fault.ts'
import { type GStage, type GStageFault, gStageTranslate } from './g-stage.ts'
import { type DmaAccess, type DmaTranslation, translateDma } from './translate.ts'

/** Why a composed DMA was refused: by the guest's virtio-iommu, or by the host's G-stage. */
export type PvFault =
  | { readonly by: 'virtio-iommu'; readonly event: FaultEvent }
  | { readonly by: 'g-stage'; readonly gpa: bigint; readonly fault: GStageFault; readonly dma: DmaTranslation }

export interface PvTranslation {
  readonly spa: bigint
  readonly gpa: bigint
  readonly dma: DmaTranslation
  /** log2 of the G-stage leaf size. */
  readonly gPageBits: number
}

/**
 * A DMA through the composition: the virtio-iommu's translation (or its fault report, which the
 * guest receives), then the G-stage of its result with the same access (or the G-stage's fault, which
 * the hypervisor handles: guest-page fault 21 for a read, 23 for a write).
 */
export const translatePv = (s: DeviceState, g: GStage, endpoint: number, iova: bigint, access: DmaAccess): Either<PvFault, PvTranslation> => {
  const dma = translateDma(s, endpoint, iova, access)
  if (isLeft(dma)) return left({ by: 'virtio-iommu', event: dma.left })
  const gpa = dma.right.address
  const host = gStageTranslate(g, gpa, access)
  if (isLeft(host)) return left({ by: 'g-stage', gpa, fault: host.left, dma: dma.right })
  return right({ spa: host.right.spa, gpa, dma: dma.right, gPageBits: host.right.pageBits })
}
