// The virtio-iommu device's configuration: the features it offers and `struct virtio_iommu_config`
// (page_size_mask, input_range, domain_range, probe_size, bypass). Virtio 1.3, "IOMMU device":
// "Feature bits" and "Device configuration layout"; the endpoints are the platform's, given here.

/** Feature bit numbers of the IOMMU device ("Feature bits"). */
export const VIRTIO_IOMMU_F_INPUT_RANGE = 0
export const VIRTIO_IOMMU_F_DOMAIN_RANGE = 1
export const VIRTIO_IOMMU_F_MAP_UNMAP = 2
export const VIRTIO_IOMMU_F_BYPASS = 3
export const VIRTIO_IOMMU_F_PROBE = 4
export const VIRTIO_IOMMU_F_MMIO = 5
export const VIRTIO_IOMMU_F_BYPASS_CONFIG = 6

/** An inclusive range [start, end], as input_range and domain_range are written. */
export interface InclusiveRange {
  readonly start: bigint
  readonly end: bigint
}

/** RESV_MEM subtypes ("Property RESV_MEM"): 0 reserved, 1 an MSI doorbell. */
export type ResvMemSubtype = 'reserved' | 'msi'
export const RESV_MEM_SUBTYPE: Readonly<Record<ResvMemSubtype, number>> = { reserved: 0, msi: 1 }

/** One reserved region of an endpoint, reported by PROBE as a RESV_MEM property. */
export interface ResvMem {
  readonly subtype: ResvMemSubtype
  readonly start: bigint
  readonly end: bigint
}

/**
 * An endpoint the platform puts behind this virtio-iommu (its ID is platform specific, e.g. a PCI
 * BDF), with the reserved regions the device reports for it. An ID not listed "doesn't exist".
 */
export interface EndpointDescription {
  readonly id: number
  readonly resvMem: readonly ResvMem[]
}

/**
 * The device as the driver finds it after feature negotiation. An optional range present means its
 * feature (INPUT_RANGE, DOMAIN_RANGE) is offered; `bypass` present means BYPASS_CONFIG is offered
 * and holds the config field's value; `legacyBypass` is the older BYPASS feature, negotiated.
 */
export interface DeviceConfig {
  /** Bitmask of the page sizes that can be mapped; its lowest set bit is the granule. */
  readonly pageSizeMask: bigint
  readonly inputRange: InclusiveRange | undefined
  readonly domainRange: InclusiveRange | undefined
  /** Config field `bypass` (0 or 1) when VIRTIO_IOMMU_F_BYPASS_CONFIG is offered, else undefined. */
  readonly bypass: boolean | undefined
  /** VIRTIO_IOMMU_F_BYPASS negotiated (superseded by BYPASS_CONFIG; a device should not offer both). */
  readonly legacyBypass: boolean
  /** probe_size when VIRTIO_IOMMU_F_PROBE is offered, else undefined (PROBE is then not answered). */
  readonly probeSize: number | undefined
  /** VIRTIO_IOMMU_F_MMIO offered: the MAP flag VIRTIO_IOMMU_MAP_F_MMIO is recognized. */
  readonly mmio: boolean
  readonly endpoints: readonly EndpointDescription[]
}

/** The whole 64-bit space: what input_range means when INPUT_RANGE is not offered. */
export const FULL_INPUT_RANGE: InclusiveRange = { start: 0n, end: (1n << 64n) - 1n }
/** Every 32-bit domain ID: what domain_range means when DOMAIN_RANGE is not offered. */
export const FULL_DOMAIN_RANGE: InclusiveRange = { start: 0n, end: (1n << 32n) - 1n }

/**
 * A configuration with 4 KiB granularity, every optional feature off but PROBE (probe_size 512,
 * QEMU's) and no endpoints; override what a caller needs.
 */
export const deviceConfig = (over: Partial<DeviceConfig> = {}): DeviceConfig => ({
  pageSizeMask: ~0xfffn & ((1n << 64n) - 1n),
  inputRange: undefined,
  domainRange: undefined,
  bypass: undefined,
  legacyBypass: false,
  probeSize: 512,
  mmio: false,
  endpoints: [],
  ...over,
})

/** The page granularity: the least significant bit set in page_size_mask (0 when the mask is 0). */
export const granule = (c: DeviceConfig): bigint => c.pageSizeMask & -c.pageSizeMask

/** input_range in force (the whole 64-bit space without VIRTIO_IOMMU_F_INPUT_RANGE). */
export const inputRangeOf = (c: DeviceConfig): InclusiveRange => c.inputRange ?? FULL_INPUT_RANGE

/** domain_range in force (every domain ID without VIRTIO_IOMMU_F_DOMAIN_RANGE). */
export const domainRangeOf = (c: DeviceConfig): InclusiveRange => c.domainRange ?? FULL_DOMAIN_RANGE

/** The features the configuration offers, as the 64-bit feature word. */
export const featureBits = (c: DeviceConfig): bigint => {
  const bit = (n: number, on: boolean): bigint => (on ? 1n << BigInt(n) : 0n)
  return bit(VIRTIO_IOMMU_F_INPUT_RANGE, c.inputRange !== undefined) |
    bit(VIRTIO_IOMMU_F_DOMAIN_RANGE, c.domainRange !== undefined) |
    bit(VIRTIO_IOMMU_F_MAP_UNMAP, true) |
    bit(VIRTIO_IOMMU_F_BYPASS, c.legacyBypass) |
    bit(VIRTIO_IOMMU_F_PROBE, c.probeSize !== undefined) |
    bit(VIRTIO_IOMMU_F_MMIO, c.mmio) |
    bit(VIRTIO_IOMMU_F_BYPASS_CONFIG, c.bypass !== undefined)
}

/** Whether [start, end] lies inside the inclusive range r. */
export const within = (r: InclusiveRange, start: bigint, end: bigint): boolean => start >= r.start && end <= r.end

/** Whether two inclusive ranges share an address. */
export const overlaps = (a: InclusiveRange, b: InclusiveRange): boolean => a.start <= b.end && b.start <= a.end
