// Static allocation: every VM holds a fixed reservation for the whole run — the baseline the
// Xen AR/ACO paper and every operator compare dynamic policies against.
import { fillByWeight, type Policy } from './model.ts'

export type StaticState = { readonly reservation: readonly number[] }

/**
 * The reservation is each VM's maximum when they all fit; otherwise the capacity shared in
 * proportion to weight, each VM between its min and max (`fillByWeight`). It never changes.
 */
export const staticPolicy: Policy<StaticState> = {
  name: 'static',
  init: (host) => ({
    reservation: fillByWeight(
      host.capacityKib,
      host.vms.map((v) => v.weight),
      host.vms.map((v) => v.minKib),
      host.vms.map((v) => v.maxKib),
    ),
  }),
  step: (state) => ({ state, targets: state.reservation, events: [] }),
}
