// A domain's mappings: IOVA intervals [virtStart, virtEnd] (inclusive), each made by one MAP request,
// with the address it maps to and its flags (Virtio 1.3, "IOMMU device" / "MAP request"). Kept as a
// list sorted by virtStart whose intervals never overlap; every function returns a new list.

/** MAP flags (VIRTIO_IOMMU_MAP_F_*). */
export const MAP_F_READ = 1 << 0
export const MAP_F_WRITE = 1 << 1
export const MAP_F_MMIO = 1 << 2

/** One mapping: PA = VA − virtStart + physStart for every VA in [virtStart, virtEnd]. */
export interface Mapping {
  readonly virtStart: bigint
  readonly virtEnd: bigint
  /** A guest-physical address when the device is para-virtual (the G-stage translates it further). */
  readonly physStart: bigint
  /** The MAP request's flags word: READ, WRITE, MMIO. */
  readonly flags: number
}

export type Mappings = readonly Mapping[]

export const mapping = (virtStart: bigint, virtEnd: bigint, physStart: bigint, flags: number): Mapping =>
  ({ virtStart, virtEnd, physStart, flags })

/** The mappings sharing at least one address with [start, end], in ascending order. */
export const overlapping = (ms: Mappings, start: bigint, end: bigint): Mappings =>
  ms.filter((m) => m.virtStart <= end && start <= m.virtEnd)

/** The mapping holding `va`, if any. */
export const mappingAt = (ms: Mappings, va: bigint): Mapping | undefined => ms.find((m) => m.virtStart <= va && va <= m.virtEnd)

/** Adds a mapping that overlaps none of `ms` (the caller has checked), keeping the list sorted. */
export const insert = (ms: Mappings, m: Mapping): Mappings => {
  const i = ms.findIndex((x) => x.virtStart > m.virtStart)
  return i < 0 ? [...ms, m] : [...ms.slice(0, i), m, ...ms.slice(i)]
}

/** Removes the given mappings (compared by identity). */
export const remove = (ms: Mappings, gone: Mappings): Mappings => ms.filter((m) => !gone.includes(m))

/** Whether [start, end] covers the whole of m (so removing m does not split it). */
export const covers = (start: bigint, end: bigint, m: Mapping): boolean => start <= m.virtStart && m.virtEnd <= end

/** The address `va` maps to through m. */
export const translateThrough = (m: Mapping, va: bigint): bigint => BigInt.asUintN(64, va - m.virtStart + m.physStart)
