// The status codes a virtio-iommu request completes with (Virtio 1.3, "IOMMU device" / "Device
// operations": VIRTIO_IOMMU_S_*), and the request types of struct virtio_iommu_req_head.

/** VIRTIO_IOMMU_S_* as names; `code` gives the byte the device writes into the request's tail. */
export type Status = 'OK' | 'IOERR' | 'UNSUPP' | 'DEVERR' | 'INVAL' | 'RANGE' | 'NOENT' | 'FAULT' | 'NOMEM'

/** The status byte of each code, in the spec's numbering. */
export const STATUS_CODE: Readonly<Record<Status, number>> = {
  OK: 0, IOERR: 1, UNSUPP: 2, DEVERR: 3, INVAL: 4, RANGE: 5, NOENT: 6, FAULT: 7, NOMEM: 8,
}

/** What each code means, in the spec's comment words (for explanations). */
export const STATUS_MEANING: Readonly<Record<Status, string>> = {
  OK: 'all good', IOERR: 'virtio communication error', UNSUPP: 'unsupported request', DEVERR: 'internal device error',
  INVAL: 'invalid parameters', RANGE: 'out-of-range parameters', NOENT: 'entry not found', FAULT: 'bad address',
  NOMEM: 'insufficient resources',
}

/**
 * What the device does with a request: completes it with a status, or returns the buffers without
 * writing them (used length zero), as it must for a PROBE the device does not offer.
 */
export type Completion = { readonly written: true; readonly status: Status } | { readonly written: false }

export const completed = (status: Status): Completion => ({ written: true, status })
export const NOT_WRITTEN: Completion = { written: false }

/** Request types (VIRTIO_IOMMU_T_*). */
export const REQUEST_TYPE = { attach: 1, detach: 2, map: 3, unmap: 4, probe: 5 } as const
