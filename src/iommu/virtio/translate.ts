// DMA through the virtio-iommu: an endpoint's access to an IOVA becomes an address, or a fault report
// (Virtio 1.3, "IOMMU device": bypass mode in "Device operations", the translation PA = VA −
// virt_start + phys_start and the protection flags in "MAP request", RESV_MEM regions in "Property
// RESV_MEM", the report in "Fault reporting"). Check order as QEMU's virtio_iommu_translate.
import { type Either, left, right } from '../../bits/either.ts'
import { type DeviceState, domainOfEndpoint, endpointOf, inBypassMode } from './device.ts'
import { type FaultEvent, type FaultReason, FAULT_F_ADDRESS, FAULT_F_READ, FAULT_F_WRITE, faultEvent } from './fault.ts'
import { type Mapping, MAP_F_MMIO, MAP_F_READ, MAP_F_WRITE, mappingAt, overlapping, translateThrough } from './mappings.ts'

/** A DMA access as the IOMMU sees it. */
export type DmaAccess = 'read' | 'write'

/** How an allowed DMA was translated. */
export type DmaRoute =
  /** Through a mapping of the endpoint's domain. */
  | 'mapped'
  /** The endpoint is in bypass mode: identity. */
  | 'bypass'
  /** The IOVA is in an MSI RESV_MEM region of the endpoint: the doorbell, untranslated. */
  | 'msi'

export interface DmaTranslation {
  /** The output address (a guest-physical address for a para-virtual device). */
  readonly address: bigint
  readonly route: DmaRoute
  /** The mapping that decided (route `mapped`). */
  readonly mapping: Mapping | undefined
  /** The mapping has VIRTIO_IOMMU_MAP_F_MMIO: the access is to device registers. */
  readonly mmio: boolean
}

const ok = (address: bigint, route: DmaRoute, m: Mapping | undefined): Either<FaultEvent, DmaTranslation> =>
  right({ address, route, mapping: m, mmio: m !== undefined && (m.flags & MAP_F_MMIO) !== 0 })

const accessFlag = (access: DmaAccess): number => (access === 'read' ? FAULT_F_READ : FAULT_F_WRITE)

/**
 * A fault report. With the spec's flags, READ or WRITE always names the access; QEMU sets them only
 * on a permission fault (`permission`). Both always give the address.
 */
const fault = (s: DeviceState, reason: FaultReason, endpoint: number, iova: bigint, access: DmaAccess, permission: boolean): Either<FaultEvent, never> =>
  left(faultEvent(reason, FAULT_F_ADDRESS | (s.fidelity.faultFlags === 'spec' || permission ? accessFlag(access) : 0), endpoint, iova))

/** The mapping a DMA to `iova` uses: the one holding it, or as QEMU searches, one overlapping [iova, iova + 1]. */
const lookup = (s: DeviceState, ms: readonly Mapping[], iova: bigint): Mapping | undefined =>
  s.fidelity.lookup === 'spec' ? mappingAt(ms, iova) : overlapping(ms, iova, iova + 1n)[0]

/**
 * Translates one DMA access of `endpoint` to `iova`:
 * 1. an endpoint that doesn't exist: fault UNKNOWN;
 * 2. an endpoint in bypass mode: identity;
 * 3. an IOVA in one of the endpoint's RESV_MEM regions: an MSI doorbell passes untranslated, a
 *    reserved region faults (MAPPING);
 * 4. an endpoint attached to no domain: fault DOMAIN;
 * 5. no mapping holds the IOVA, or its flags forbid the access (write needs WRITE, read needs
 *    READ): fault MAPPING;
 * 6. otherwise PA = IOVA − virt_start + phys_start.
 */
export const translateDma = (s: DeviceState, endpoint: number, iova: bigint, access: DmaAccess): Either<FaultEvent, DmaTranslation> => {
  const ep = endpointOf(s, endpoint)
  if (ep === undefined) return fault(s, 'UNKNOWN', endpoint, iova, access, false)
  if (inBypassMode(s, endpoint)) return ok(iova, 'bypass', undefined)
  const resv = ep.resvMem.find((r) => r.start <= iova && iova <= r.end)
  if (resv !== undefined) return resv.subtype === 'msi' ? ok(iova, 'msi', undefined) : fault(s, 'MAPPING', endpoint, iova, access, false)
  const d = domainOfEndpoint(s, endpoint)
  if (d === undefined) return fault(s, 'DOMAIN', endpoint, iova, access, false)
  const m = lookup(s, d.mappings, iova)
  if (m === undefined) return fault(s, 'MAPPING', endpoint, iova, access, false)
  const needs = access === 'read' ? MAP_F_READ : MAP_F_WRITE
  if ((m.flags & needs) === 0) return fault(s, 'MAPPING', endpoint, iova, access, true)
  return ok(translateThrough(m, iova), 'mapped', m)
}
