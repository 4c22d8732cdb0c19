// The reference the virtio-iommu laws compare against: random MAP/UNMAP operations on domain 1 of
// a device with endpoint 8, and a plain per-page owner table that says what each should do (Virtio
// 1.3, "MAP request", "UNMAP request"). No interval arithmetic shared with src/iommu/virtio/.
import { deviceConfig } from '../../../src/iommu/virtio/config.ts'
import { type DeviceState, resetDevice } from '../../../src/iommu/virtio/device.ts'
import { type Request, handleRequest } from '../../../src/iommu/virtio/requests.ts'
import { fc } from '../../fc.ts'

export const PAGE = 0x1000n
/** The IOVA window the laws play in: pages 0 .. PAGES−1 of domain 1. */
export const PAGES = 48

export type Op =
  | { readonly kind: 'map'; readonly first: number; readonly count: number; readonly physPage: number; readonly flags: number }
  | { readonly kind: 'unmap'; readonly first: number; readonly last: number }

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant<'map'>('map'), first: fc.integer({ min: 0, max: PAGES - 1 }), count: fc.integer({ min: 1, max: 6 }), physPage: fc.integer({ min: 0, max: 1 << 20 }), flags: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: PAGES - 1 }), fc.integer({ min: 0, max: PAGES - 1 })).map(([a, b]): Op => ({ kind: 'unmap', first: Math.min(a, b), last: Math.max(a, b) })) },
)

export const toRequest = (o: Op): Request => o.kind === 'map'
  ? { type: 'map', domain: 1, virtStart: BigInt(o.first) * PAGE, virtEnd: BigInt(o.first + o.count) * PAGE - 1n, physStart: BigInt(o.physPage) * PAGE, flags: o.flags }
  : { type: 'unmap', domain: 1, virtStart: BigInt(o.first) * PAGE, virtEnd: BigInt(o.last + 1) * PAGE - 1n }

/**
 * Domain 1 with endpoint 8 attached, 4 KiB granule; endpoint 9 in the bypass domain 2 (BYPASS_CONFIG
 * offered with bypass = 0, so unattached endpoints would fault).
 */
export const start = (): DeviceState => {
  const s0 = resetDevice(deviceConfig({ bypass: false, endpoints: [{ id: 8, resvMem: [] }, { id: 9, resvMem: [] }] }))
  const s1 = handleRequest(s0, { type: 'attach', domain: 1, endpoint: 8, flags: 0, reserved: 0 }).state
  return handleRequest(s1, { type: 'attach', domain: 2, endpoint: 9, flags: 1, reserved: 0 }).state
}

// ---- the reference: who owns each page ----------------------------------------------------------------

export interface RefMapping { readonly id: number; readonly first: number; readonly physPage: number; readonly flags: number }
/** owner[p]: the mapping holding page p, or undefined. */
export type Ref = readonly (RefMapping | undefined)[]

export const refStep = (ref: Ref, o: Op, id: number): { ref: Ref; status: string } => {
  if (o.kind === 'map') {
    const last = o.first + o.count - 1
    for (let p = o.first; p <= last; p++) if (ref[p] !== undefined) return { ref, status: 'INVAL' }
    const m: RefMapping = { id, first: o.first, physPage: o.physPage, flags: o.flags }
    return { ref: ref.map((x, p) => (p >= o.first && p <= last ? m : x)), status: 'OK' }
  }
  const hit = new Set<number>()
  for (let p = o.first; p <= o.last; p++) { const m = ref[p]; if (m !== undefined) hit.add(m.id) }
  // A hit mapping with a page outside [first, last] would be split.
  const split = ref.some((m, p) => m !== undefined && hit.has(m.id) && (p < o.first || p > o.last))
  if (split) return { ref, status: 'RANGE' }
  return { ref: ref.map((m) => (m !== undefined && hit.has(m.id) ? undefined : m)), status: 'OK' }
}

/** What a read and a write at the middle of page p give under the reference: an address or 'fault'. */
export const refAccess = (ref: Ref, p: number, write: boolean): bigint | 'fault' => {
  const m = ref[p]
  if (m === undefined || (m.flags & (write ? 2 : 1)) === 0) return 'fault'
  return BigInt(m.physPage + (p - m.first)) * PAGE + 0x800n
}


/** An empty owner table; maps may run a few pages past the window, so it has spare pages. */
export const blankRef = (): Ref => new Array<RefMapping | undefined>(PAGES + 8).fill(undefined)

/** Where the reference sends a DMA of endpoint 8 to any IOVA: an address, or 'fault'. */
export const refGuest = (ref: Ref, iova: bigint, write: boolean): bigint | 'fault' => {
  const p = Number(iova / PAGE)
  const m = p < ref.length ? ref[p] : undefined
  if (m === undefined || (m.flags & (write ? 2 : 1)) === 0) return 'fault'
  return BigInt(m.physPage + (p - m.first)) * PAGE + (iova % PAGE)
}
