// The requests a driver sends on the request queue and how the device completes each: ATTACH,
// DETACH, MAP, UNMAP, PROBE (Virtio 1.3, "IOMMU device" / "Device operations" and the device
// requirements of each request). A request is a transition: old state in, new state and status out;
// a rejected request leaves the state as it was. Where the spec leaves the status open the choice is
// said at the check; where QEMU differs, `state.fidelity` (options.ts) selects QEMU's behaviour.
import { domainRangeOf, granule, inputRangeOf, overlaps, within } from './config.ts'
import { type DeviceState, type Domain, detachEndpoint, domain, domainOfEndpoint, endpointOf, withDomain } from './device.ts'
import { MAP_F_MMIO, MAP_F_READ, MAP_F_WRITE, covers, insert, mapping, overlapping, remove } from './mappings.ts'
import { type ResvMemProperty, probeProperties, propertiesBytes } from './probe.ts'
import { type Completion, type Status, NOT_WRITTEN, completed } from './status.ts'

/** VIRTIO_IOMMU_ATTACH_F_BYPASS */
export const ATTACH_F_BYPASS = 1 << 0

export interface AttachRequest {
  readonly type: 'attach'
  readonly domain: number
  readonly endpoint: number
  readonly flags: number
  /** The request's reserved[4], read as one little-endian word. */
  readonly reserved: number
}
export interface DetachRequest { readonly type: 'detach'; readonly domain: number; readonly endpoint: number }
export interface MapRequest {
  readonly type: 'map'
  readonly domain: number
  readonly virtStart: bigint
  readonly virtEnd: bigint
  readonly physStart: bigint
  readonly flags: number
}
export interface UnmapRequest { readonly type: 'unmap'; readonly domain: number; readonly virtStart: bigint; readonly virtEnd: bigint }
export interface ProbeRequest {
  readonly type: 'probe'
  readonly endpoint: number
  /** Size of the driver's device-writable properties buffer; the driver must make it probe_size. */
  readonly propertiesSize: number | undefined
}
/** A request whose head.type is none of VIRTIO_IOMMU_T_*. */
export interface UnknownRequest { readonly type: 'unknown'; readonly code: number }

export type Request = AttachRequest | DetachRequest | MapRequest | UnmapRequest | ProbeRequest | UnknownRequest

/** What a request did: the next state, how it completed, which clause decided, and PROBE's properties. */
export interface RequestOutcome {
  readonly state: DeviceState
  readonly completion: Completion
  /** The rule that decided the status, in words (for explanations). */
  readonly why: string
  readonly properties: readonly ResvMemProperty[] | undefined
}

const done = (state: DeviceState, status: Status, why: string, properties?: readonly ResvMemProperty[]): RequestOutcome =>
  ({ state, completion: completed(status), why, properties })

// ---- ATTACH ---------------------------------------------------------------------------------------------

/** Whether one of a domain's mappings overlaps one of the endpoint's RESV_MEM regions. */
const resvConflict = (s: DeviceState, d: Domain | undefined, endpoint: number): boolean => {
  if (d === undefined) return false
  const resv = endpointOf(s, endpoint)?.resvMem ?? []
  return d.mappings.some((m) => resv.some((r) => overlaps(r, { start: m.virtStart, end: m.virtEnd })))
}

const domainOutOfRange = (s: DeviceState, id: number): boolean => {
  const r = domainRangeOf(s.config)
  return s.fidelity.domainRange === 'spec' && !within(r, BigInt(id), BigInt(id))
}

/**
 * ATTACH: attach an endpoint to a domain, creating the domain if it doesn't exist; an endpoint in
 * another domain moves, as if DETACH came first ("ATTACH request", device requirements).
 */
export const attach = (s: DeviceState, r: AttachRequest): RequestOutcome => {
  if (r.reserved !== 0 && s.fidelity.attachReserved === 'spec') return done(s, 'INVAL', 'ATTACH with a non-zero reserved field must be rejected')
  // ATTACH_F_BYPASS is a flag the device knows only with VIRTIO_IOMMU_F_BYPASS_CONFIG.
  const known = s.config.bypass !== undefined ? ATTACH_F_BYPASS : 0
  if ((r.flags & ~known) !== 0) return done(s, 'INVAL', `flags 0x${r.flags.toString(16)} has a bit the device does not recognize`)
  // Model's choice: the spec forbids the driver a domain outside domain_range without naming a status.
  if (domainOutOfRange(s, r.domain)) return done(s, 'RANGE', 'domain is outside domain_range')
  if (endpointOf(s, r.endpoint) === undefined) return done(s, 'NOENT', `endpoint ${r.endpoint} doesn't exist`)
  const bypass = (r.flags & ATTACH_F_BYPASS) !== 0
  const current = domainOfEndpoint(s, r.endpoint)
  if (s.fidelity.attachOrder === 'qemu') {
    // QEMU: detach first (freeing an emptied domain, even the requested one), then check and attach.
    const s1 = detachEndpoint(s, r.endpoint)
    const target = s1.domains.get(r.domain)
    if (target !== undefined && target.bypass !== bypass) return done(s1, 'INVAL', inconsistent(target, r.domain))
    return done(join(s1, r.domain, r.endpoint, bypass), 'OK', attached(s1, current, target === undefined))
  }
  const target = s.domains.get(r.domain)
  if (target !== undefined && target.bypass !== bypass) return done(s, 'INVAL', inconsistent(target, r.domain))
  if (current !== undefined && current.id === r.domain) return done(s, 'OK', `endpoint ${r.endpoint} is already attached to domain ${r.domain}`)
  // Model's reading of "properties compatible with the other endpoints": the domain has no mapping
  // over one of the endpoint's reserved regions (which MAP would have refused had it been attached).
  if (s.fidelity.mapChecks === 'spec' && resvConflict(s, target, r.endpoint)) {
    return done(s, 'UNSUPP', `a mapping of domain ${r.domain} overlaps a RESV_MEM region of endpoint ${r.endpoint}`)
  }
  // Moving between domains: as if a DETACH came first.
  const s1 = detachEndpoint(s, r.endpoint)
  return done(join(s1, r.domain, r.endpoint, bypass), 'OK', attached(s1, current, target === undefined))
}

const inconsistent = (target: Domain, id: number): string =>
  `domain ${id} exists and is ${target.bypass ? '' : 'not '}a bypass domain: the BYPASS flag is inconsistent`

/** Attaches a detached endpoint to a domain, creating the domain (with the given bypass kind) if needed. */
const join = (s: DeviceState, id: number, endpoint: number, bypass: boolean): DeviceState => {
  const d = s.domains.get(id)
  const endpoints = [...(d?.endpoints ?? []), endpoint].sort((a, b) => a - b)
  const attachment = new Map(s.attachment).set(endpoint, id)
  return withDomain(s, id, domain(id, d?.bypass ?? bypass, endpoints, d?.mappings ?? []), attachment)
}

const attached = (s1: DeviceState, current: Domain | undefined, created: boolean): string => {
  const moved = current === undefined ? '' : ` (detached from domain ${current.id}${s1.domains.has(current.id) ? '' : ', which ceased to exist'})`
  return `${created ? 'domain created, ' : ''}endpoint attached${moved}`
}

// ---- DETACH ---------------------------------------------------------------------------------------------

/** DETACH: the endpoint leaves its domain; the domain ceases to exist with its last endpoint ("DETACH request"). */
export const detach = (s: DeviceState, r: DetachRequest): RequestOutcome => {
  if (endpointOf(s, r.endpoint) === undefined) return done(s, 'NOENT', `endpoint ${r.endpoint} doesn't exist`)
  if (domainOutOfRange(s, r.domain)) return done(s, 'RANGE', 'domain is outside domain_range')
  const current = domainOfEndpoint(s, r.endpoint)
  // The spec allows (MAY) INVAL here; QEMU and this model use it.
  if (!s.domains.has(r.domain)) return done(s, 'INVAL', `domain ${r.domain} doesn't exist`)
  if (current === undefined || current.id !== r.domain) return done(s, 'INVAL', `endpoint ${r.endpoint} isn't attached to domain ${r.domain}`)
  const s1 = detachEndpoint(s, r.endpoint)
  return done(s1, 'OK', `endpoint detached${s1.domains.has(r.domain) ? '' : `; domain ${r.domain} ceases to exist`}`)
}

// ---- MAP ------------------------------------------------------------------------------------------------

/** Names of MAP flags, e.g. "READ|WRITE". */
export const mapFlagNames = (flags: number): string =>
  [[MAP_F_READ, 'READ'], [MAP_F_WRITE, 'WRITE'], [MAP_F_MMIO, 'MMIO']]
    .filter(([b]) => (flags & (b as number)) !== 0).map(([, n]) => n).join('|') || 'none'

/** MAP: map [virt_start, virt_end] to [phys_start, phys_start + virt_end − virt_start] ("MAP request"). */
export const map = (s: DeviceState, r: MapRequest): RequestOutcome => {
  // MMIO is a flag the device knows only with VIRTIO_IOMMU_F_MMIO.
  const known = MAP_F_READ | MAP_F_WRITE | (s.config.mmio ? MAP_F_MMIO : 0)
  if ((r.flags & ~known) !== 0) return done(s, 'INVAL', `flags 0x${r.flags.toString(16)} has a bit the device does not recognize`)
  if (domainOutOfRange(s, r.domain)) return done(s, 'RANGE', 'domain is outside domain_range')
  const d = s.domains.get(r.domain)
  if (d === undefined) return done(s, 'NOENT', `domain ${r.domain} doesn't exist`)
  if (d.bypass) return done(s, 'INVAL', `domain ${r.domain} is a bypass domain`)
  // Model's choice: an empty range (virt_end < virt_start, which the driver must not send) is INVAL.
  if (r.virtEnd < r.virtStart) return done(s, 'INVAL', 'virt_end is below virt_start')
  if (s.fidelity.mapChecks === 'spec') {
    // "Any mapping request to virtual addresses outside of this range fails": RANGE, the model's choice.
    if (!within(inputRangeOf(s.config), r.virtStart, r.virtEnd)) return done(s, 'RANGE', 'the range is outside input_range')
    const g = granule(s.config)
    if (r.virtStart % g !== 0n) return done(s, 'RANGE', `virt_start is not aligned on the granule 0x${g.toString(16)}`)
    if (r.physStart % g !== 0n) return done(s, 'RANGE', `phys_start is not aligned on the granule 0x${g.toString(16)}`)
    if ((r.virtEnd + 1n) % g !== 0n) return done(s, 'RANGE', `virt_end + 1 is not aligned on the granule 0x${g.toString(16)}`)
    // "SHOULD reject a MAP request that overlaps a RESV_MEM region": INVAL, the model's choice.
    const range = { start: r.virtStart, end: r.virtEnd }
    const resv = d.endpoints.flatMap((e) => endpointOf(s, e)?.resvMem ?? [])
    if (resv.some((x) => overlaps(x, range))) return done(s, 'INVAL', 'the range overlaps a RESV_MEM region of an attached endpoint')
  }
  if (overlapping(d.mappings, r.virtStart, r.virtEnd).length > 0) return done(s, 'INVAL', 'a mapping already exists in the range')
  const m = mapping(r.virtStart, r.virtEnd, r.physStart, r.flags)
  return done(withDomain(s, d.id, domain(d.id, d.bypass, d.endpoints, insert(d.mappings, m))), 'OK', 'mapped')
}

// ---- UNMAP ----------------------------------------------------------------------------------------------

/**
 * UNMAP: remove every mapping inside [virt_start, virt_end]; a mapping only partly inside would be
 * split, which is not supported: RANGE and nothing removed. Unmapped addresses in the range are fine
 * ("UNMAP request").
 */
export const unmap = (s: DeviceState, r: UnmapRequest): RequestOutcome => {
  if (domainOutOfRange(s, r.domain)) return done(s, 'RANGE', 'domain is outside domain_range')
  const d = s.domains.get(r.domain)
  if (d === undefined) return done(s, 'NOENT', `domain ${r.domain} doesn't exist`)
  if (d.bypass) return done(s, 'INVAL', `domain ${r.domain} is a bypass domain`)
  if (r.virtEnd < r.virtStart) return done(s, 'INVAL', 'virt_end is below virt_start')
  const touched = overlapping(d.mappings, r.virtStart, r.virtEnd)
  const firstSplit = touched.findIndex((m) => !covers(r.virtStart, r.virtEnd, m))
  const update = (gone: typeof touched): DeviceState =>
    gone.length === 0 ? s : withDomain(s, d.id, domain(d.id, d.bypass, d.endpoints, remove(d.mappings, gone)))
  if (firstSplit >= 0) {
    const m = touched[firstSplit]!
    const why = `the range would split the mapping [0x${m.virtStart.toString(16)}, 0x${m.virtEnd.toString(16)}]`
    if (s.fidelity.unmapSplit === 'spec') return done(s, 'RANGE', `${why}: nothing removed`)
    const gone = touched.slice(0, firstSplit)
    return done(update(gone), 'RANGE', `${why}: ${gone.length} mapping(s) before it removed (QEMU)`)
  }
  return done(update(touched), 'OK', touched.length === 0 ? 'nothing mapped in the range' : `${touched.length} mapping(s) removed`)
}

// ---- PROBE ----------------------------------------------------------------------------------------------

/** PROBE: the endpoint's properties, here its RESV_MEM regions ("PROBE request"). */
export const probe = (s: DeviceState, r: ProbeRequest): RequestOutcome => {
  const probeSize = s.config.probeSize
  if (probeSize === undefined) return { state: s, completion: NOT_WRITTEN, why: 'VIRTIO_IOMMU_F_PROBE is not offered: buffers returned unwritten', properties: undefined }
  const ep = endpointOf(s, r.endpoint)
  if (ep === undefined) return done(s, 'NOENT', `endpoint ${r.endpoint} doesn't exist`)
  if ((r.propertiesSize ?? probeSize) < probeSize) return done(s, 'INVAL', `the properties buffer is smaller than probe_size (${probeSize})`)
  const props = probeProperties(ep.resvMem)
  // Model's choice, as QEMU: properties that do not fit in probe_size are INVAL.
  if (propertiesBytes(props) > probeSize) return done(s, 'INVAL', `the properties take ${propertiesBytes(props)} bytes, more than probe_size (${probeSize})`)
  return done(s, 'OK', `${props.length} RESV_MEM propert${props.length === 1 ? 'y' : 'ies'}`, props)
}

// ---- any request --------------------------------------------------------------------------------------

/** Completes one request: the device's transition for its type. */
export const handleRequest = (s: DeviceState, r: Request): RequestOutcome => {
  switch (r.type) {
    case 'attach': return attach(s, r)
    case 'detach': return detach(s, r)
    case 'map': return map(s, r)
    case 'unmap': return unmap(s, r)
    case 'probe': return probe(s, r)
    case 'unknown':
      return s.fidelity.unknownType === 'qemu'
        ? done(s, 'UNSUPP', `type ${r.code} is not a request type (QEMU answers UNSUPP)`)
        : { state: s, completion: NOT_WRITTEN, why: `type ${r.code} is not a request type: buffers returned unwritten`, properties: undefined }
  }
}

/** Runs requests in order from a state; returns every outcome (the last one's state is the final state). */
export const handleRequests = (s: DeviceState, rs: readonly Request[]): readonly RequestOutcome[] => {
  const out: RequestOutcome[] = []
  let cur = s
  for (const r of rs) {
    const o = handleRequest(cur, r)
    out.push(o)
    cur = o.state
  }
  return out
}
