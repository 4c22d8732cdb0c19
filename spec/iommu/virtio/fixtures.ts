// Test fixtures for the virtio-iommu spec tests: a device with chosen features and endpoints, and a
// way to run requests and read back the statuses and mappings, written with the spec's numbers.
import type { DeviceConfig } from '../../../src/iommu/virtio/config.ts'
import { deviceConfig } from '../../../src/iommu/virtio/config.ts'
import { type DeviceState, resetDevice } from '../../../src/iommu/virtio/device.ts'
import { type Fidelity, SPEC } from '../../../src/iommu/virtio/options.ts'
import { type Request, type RequestOutcome, handleRequest } from '../../../src/iommu/virtio/requests.ts'

/** MAP flags, literal from the spec's #defines. */
export const READ = 1, WRITE = 2, MMIO = 4

/** A device after reset with endpoints 8 and 9 (no reserved regions), 4 KiB pages; override what a test needs. */
export const device = (over: Partial<DeviceConfig> = {}, fidelity: Fidelity = SPEC): DeviceState =>
  resetDevice(deviceConfig({ endpoints: [{ id: 8, resvMem: [] }, { id: 9, resvMem: [] }], ...over }), fidelity)

export const attachReq = (endpoint: number, domain: number, flags = 0, reserved = 0): Request => ({ type: 'attach', domain, endpoint, flags, reserved })
export const detachReq = (endpoint: number, domain: number): Request => ({ type: 'detach', domain, endpoint })
export const mapReq = (domain: number, virtStart: bigint, virtEnd: bigint, physStart: bigint, flags = READ | WRITE): Request =>
  ({ type: 'map', domain, virtStart, virtEnd, physStart, flags })
export const unmapReq = (domain: number, virtStart: bigint, virtEnd: bigint): Request => ({ type: 'unmap', domain, virtStart, virtEnd })

/** Runs requests in order; returns the final state and each status ('-' for a request left unwritten). */
export const run = (s: DeviceState, rs: readonly Request[]): { state: DeviceState; statuses: string[]; outcomes: RequestOutcome[] } => {
  const statuses: string[] = []
  const outcomes: RequestOutcome[] = []
  let cur = s
  for (const r of rs) {
    const o = handleRequest(cur, r)
    outcomes.push(o)
    statuses.push(o.completion.written ? o.completion.status : '-')
    cur = o.state
  }
  return { state: cur, statuses, outcomes }
}

/** The mappings of a domain as [start, end] pairs (numbers, for readable assertions). */
export const ranges = (s: DeviceState, domain: number): [number, number][] =>
  (s.domains.get(domain)?.mappings ?? []).map((m) => [Number(m.virtStart), Number(m.virtEnd)])
