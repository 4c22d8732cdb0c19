// virtio-balloon (VIRTIO 1.2 §5.5 "Traditional Memory Balloon Device"): the host writes the
// target balloon size `num_pages` into the config space; the guest inflates or deflates and
// reports what it has done in `actual`. Both count 4 KiB pages. Pages given to the balloon are
// the host's only once the guest acknowledges them; deflating hands pages back to the guest.
import { clamp, fillByWeight, type AllocEvent, type Policy } from './model.ts'

/** The balloon page size: virtio-balloon counts in 4 KiB units whatever the guest page size. */
export const BALLOON_PAGE_KIB = 4

export type BalloonParams = {
  /** Extra memory granted above the observed demand, as a fraction (0.1 = 10 %). */
  readonly headroom: number
  /** Pages a guest driver inflates or deflates per epoch before acknowledging (its speed). */
  readonly ackPagesPerEpoch: number
}

export const balloonDefaults: BalloonParams = { headroom: 0.1, ackPagesPerEpoch: 262_144 /* 1 GiB */ }

/** The device's two config-space fields per VM (both in 4 KiB pages). */
export type BalloonState = { readonly numPages: readonly number[]; readonly actual: readonly number[] }

/** Memory a guest holds: its configured size (max) minus the acknowledged balloon. */
export const heldKib = (maxKib: number, actualPages: number): number => Math.max(0, maxKib - actualPages * BALLOON_PAGE_KIB)

/**
 * One epoch: choose each VM's target size (demand + headroom between min and max, fitted into the
 * capacity by weight), write `num_pages` = the balloon that leaves that much, then let the guest
 * drivers move `actual` towards `num_pages`. Inflations are acknowledged first; deflations may
 * only use memory that is free after them, so Σ held ≤ capacity at every point.
 */
export const balloonPolicy = (params: BalloonParams = balloonDefaults): Policy<BalloonState> => ({
  name: 'balloon',
  init: (host) => {
    // boot: each guest starts with the balloon that leaves its static reservation
    const start = fillByWeight(host.capacityKib, host.vms.map((v) => v.weight), host.vms.map((v) => v.minKib), host.vms.map((v) => v.maxKib))
    const actual = host.vms.map((v, i) => Math.ceil((v.maxKib - start[i]!) / BALLOON_PAGE_KIB))
    return { numPages: actual, actual }
  },
  step: (s0, host, obs) => {
    const n = host.vms.length
    const vms = host.vms
    const desired = vms.map((v, i) => clamp(Math.ceil(obs.demandKib[i]! * (1 + params.headroom)), v.minKib, v.maxKib))
    const target = fillByWeight(host.capacityKib, vms.map((v) => v.weight), vms.map((v) => v.minKib), desired)
    // num_pages: the balloon size that leaves at most the target (rounded to whole pages)
    const numPages = vms.map((v, i) => Math.ceil((v.maxKib - target[i]!) / BALLOON_PAGE_KIB))
    const events: AllocEvent[] = []
    for (let i = 0; i < n; i++) if (numPages[i] !== s0.numPages[i]) events.push({ _tag: 'BalloonRequest', vm: i, numPages: numPages[i]! })
    let free = host.capacityKib
    for (let i = 0; i < n; i++) free -= heldKib(vms[i]!.maxKib, s0.actual[i]!)
    const actual = s0.actual.slice()
    // inflate first: the guest gives pages up, and only acknowledged pages become free
    for (let i = 0; i < n; i++) {
      if (numPages[i]! > actual[i]!) {
        const before = heldKib(vms[i]!.maxKib, actual[i]!)
        actual[i] = Math.min(numPages[i]!, actual[i]! + params.ackPagesPerEpoch)
        free += before - heldKib(vms[i]!.maxKib, actual[i]!)
        events.push({ _tag: 'BalloonAck', vm: i, actualPages: actual[i]! })
      }
    }
    // then deflate, within what is free
    for (let i = 0; i < n; i++) {
      if (numPages[i]! < actual[i]!) {
        const maxKib = vms[i]!.maxKib
        const before = heldKib(maxKib, actual[i]!)
        const byRate = Math.max(numPages[i]!, actual[i]! - params.ackPagesPerEpoch)
        const byFree = actual[i]! - Math.floor(Math.max(0, free) / BALLOON_PAGE_KIB)
        const next = Math.max(byRate, byFree)
        if (next < actual[i]!) {
          actual[i] = next
          free -= heldKib(maxKib, next) - before
          events.push({ _tag: 'BalloonAck', vm: i, actualPages: next })
        }
        if (next > numPages[i]!) events.push({ _tag: 'Denied', vm: i, kib: (next - numPages[i]!) * BALLOON_PAGE_KIB })
      }
    }
    return { state: { numPages, actual }, targets: vms.map((v, i) => heldKib(v.maxKib, actual[i]!)), events }
  },
})
