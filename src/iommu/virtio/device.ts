// The virtio-iommu device as pure state: its configuration, the domains (each with its endpoints,
// bypass flag and mappings) and which domain each endpoint is attached to. Virtio 1.3, "IOMMU device":
// "Device initialization" (after reset no endpoint is attached) and "Device operations" (bypass mode).
import type { DeviceConfig, EndpointDescription } from './config.ts'
import type { Mappings } from './mappings.ts'
import { type Fidelity, SPEC } from './options.ts'

/** A domain: an address space shared by the endpoints attached to it. */
export interface Domain {
  readonly id: number
  /** Created by ATTACH with VIRTIO_IOMMU_ATTACH_F_BYPASS: its endpoints are in bypass mode, it has no mappings. */
  readonly bypass: boolean
  /** The endpoints attached to it, ascending; never empty (a domain ceases to exist with its last endpoint). */
  readonly endpoints: readonly number[]
  readonly mappings: Mappings
}

export interface DeviceState {
  readonly config: DeviceConfig
  readonly fidelity: Fidelity
  /** Domains that exist, by ID. */
  readonly domains: ReadonlyMap<number, Domain>
  /** endpoint ID → the ID of the domain it is attached to (absent: not attached). */
  readonly attachment: ReadonlyMap<number, number>
}

const deviceState = (config: DeviceConfig, fidelity: Fidelity, domains: ReadonlyMap<number, Domain>, attachment: ReadonlyMap<number, number>): DeviceState =>
  ({ config, fidelity, domains, attachment })

/** The device after reset: no domain, no endpoint attached. */
export const resetDevice = (config: DeviceConfig, fidelity: Fidelity = SPEC): DeviceState =>
  deviceState(config, fidelity, new Map(), new Map())

/** The platform's description of an endpoint, or undefined when the endpoint doesn't exist. */
export const endpointOf = (s: DeviceState, id: number): EndpointDescription | undefined => s.config.endpoints.find((e) => e.id === id)

/** The domain an endpoint is attached to, if any. */
export const domainOfEndpoint = (s: DeviceState, endpoint: number): Domain | undefined => {
  const d = s.attachment.get(endpoint)
  return d === undefined ? undefined : s.domains.get(d)
}

/** A state with one domain replaced (or removed when `d` is undefined) and the attachments given. */
export const withDomain = (s: DeviceState, id: number, d: Domain | undefined, attachment: ReadonlyMap<number, number> = s.attachment): DeviceState => {
  const domains = new Map(s.domains)
  if (d === undefined) domains.delete(id)
  else domains.set(id, d)
  return deviceState(s.config, s.fidelity, domains, attachment)
}

export const domain = (id: number, bypass: boolean, endpoints: readonly number[], mappings: Mappings): Domain =>
  ({ id, bypass, endpoints, mappings })

/**
 * Bypass mode ("Device operations"): an endpoint not attached to a domain is in bypass mode when
 * BYPASS_CONFIG is offered and the config field bypass is 1, or the legacy BYPASS feature is
 * negotiated; an endpoint attached to a bypass domain is in bypass mode.
 */
export const inBypassMode = (s: DeviceState, endpoint: number): boolean => {
  const d = domainOfEndpoint(s, endpoint)
  if (d !== undefined) return d.bypass
  return s.config.bypass === true || s.config.legacyBypass
}

/**
 * Detaches an endpoint from its domain (a no-op when it is not attached); the domain ceases to exist
 * once its last endpoint is gone, mappings and all ("DETACH request").
 */
export const detachEndpoint = (s: DeviceState, endpoint: number): DeviceState => {
  const d = domainOfEndpoint(s, endpoint)
  if (d === undefined) return s
  const attachment = new Map(s.attachment)
  attachment.delete(endpoint)
  const rest = d.endpoints.filter((e) => e !== endpoint)
  return withDomain(s, d.id, rest.length === 0 ? undefined : domain(d.id, d.bypass, rest, d.mappings), attachment)
}
