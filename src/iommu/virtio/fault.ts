// Fault reports on the event queue: struct virtio_iommu_fault with its reason, flags, endpoint and
// address (Virtio 1.3, "IOMMU device" / "Fault reporting").

/** VIRTIO_IOMMU_FAULT_R_*: 0 unknown (internal error), 1 no domain, 2 not mapped or wrong protection. */
export type FaultReason = 'UNKNOWN' | 'DOMAIN' | 'MAPPING'
export const FAULT_REASON_CODE: Readonly<Record<FaultReason, number>> = { UNKNOWN: 0, DOMAIN: 1, MAPPING: 2 }

/** VIRTIO_IOMMU_FAULT_F_*: the access was a read / a write; `address` holds the faulting address. */
export const FAULT_F_READ = 1 << 0
export const FAULT_F_WRITE = 1 << 1
export const FAULT_F_ADDRESS = 1 << 8

/** A fault report as the device writes it (reserved fields are zero, so they are not modelled). */
export interface FaultEvent {
  readonly reason: FaultReason
  readonly flags: number
  readonly endpoint: number
  /** Meaningful when flags has FAULT_F_ADDRESS. */
  readonly address: bigint
}

export const faultEvent = (reason: FaultReason, flags: number, endpoint: number, address: bigint): FaultEvent =>
  ({ reason, flags, endpoint, address })

/** Flag names for explanations, e.g. "READ|ADDRESS". */
export const faultFlagNames = (flags: number): string =>
  [[FAULT_F_READ, 'READ'], [FAULT_F_WRITE, 'WRITE'], [FAULT_F_ADDRESS, 'ADDRESS']]
    .filter(([b]) => (flags & (b as number)) !== 0).map(([, n]) => n).join('|') || '0'

/** The 24-byte record: u8 reason, u8 reserved[3], le32 flags, le32 endpoint, le32 reserved1, le64 address. */
export const encodeFault = (f: FaultEvent): Uint8Array => {
  const buf = new Uint8Array(24)
  const view = new DataView(buf.buffer)
  view.setUint8(0, FAULT_REASON_CODE[f.reason])
  view.setUint32(4, f.flags, true)
  view.setUint32(8, f.endpoint, true)
  view.setBigUint64(16, f.address, true)
  return buf
}
