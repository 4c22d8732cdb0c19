// PROBE properties: what the device reports about an endpoint, here the RESV_MEM regions (Virtio 1.3,
// "IOMMU device" / "PROBE request", "PROBE properties" / "Property RESV_MEM"), and their byte layout
// in the request's properties buffer (little-endian; each property 4 bytes of header + `length`).
import { RESV_MEM_SUBTYPE, type ResvMem } from './config.ts'

/** VIRTIO_IOMMU_PROBE_T_RESV_MEM */
export const PROBE_T_RESV_MEM = 1
/** struct virtio_iommu_probe_property: le16 type (12 bits) + reserved (4), le16 length. */
export const PROPERTY_HEADER_BYTES = 4
/** The RESV_MEM value after the header: u8 subtype, u8 reserved[3], le64 start, le64 end. */
export const RESV_MEM_LENGTH = 20

/** One RESV_MEM property as the driver parses it. */
export interface ResvMemProperty {
  readonly type: typeof PROBE_T_RESV_MEM
  /** Size of the value without the header, in bytes (the spec's `length`). */
  readonly length: number
  readonly subtype: ResvMem['subtype']
  readonly start: bigint
  readonly end: bigint
}

/** The properties the device reports for an endpoint: one RESV_MEM per reserved region, in order. */
export const probeProperties = (resv: readonly ResvMem[]): readonly ResvMemProperty[] =>
  resv.map((r) => ({ type: PROBE_T_RESV_MEM, length: RESV_MEM_LENGTH, subtype: r.subtype, start: r.start, end: r.end }))

/** Bytes the properties take, headers included. */
export const propertiesBytes = (ps: readonly ResvMemProperty[]): number =>
  ps.reduce((n, p) => n + PROPERTY_HEADER_BYTES + p.length, 0)

/**
 * The `properties` field of the request as the device fills it: probe_size bytes, each property
 * (length + 4) bytes after the start of the previous one, the rest zero (the end-of-list marker is a
 * property of type 0). The caller has checked that the properties fit.
 */
export const encodeProperties = (ps: readonly ResvMemProperty[], probeSize: number): Uint8Array => {
  const buf = new Uint8Array(probeSize)
  const view = new DataView(buf.buffer)
  let at = 0
  for (const p of ps) {
    view.setUint16(at, p.type & 0xfff, true)
    view.setUint16(at + 2, p.length, true)
    view.setUint8(at + 4, RESV_MEM_SUBTYPE[p.subtype])
    view.setBigUint64(at + 8, p.start, true)
    view.setBigUint64(at + 16, p.end, true)
    at += PROPERTY_HEADER_BYTES + p.length
  }
  return buf
}
