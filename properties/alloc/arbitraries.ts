// Arbitrary small workloads and hosts for the allocation properties: the host always holds
// every VM's minimum (the shell rejects hosts that do not).
import { fc } from '../fc.ts'
import type { Workload } from '../../src/alloc/model.ts'

export type Case = { readonly capacityKib: number; readonly workload: Workload; readonly seed: number }

const vmArb = fc.record({
  weight: fc.integer({ min: 1, max: 4 }),
  minKib: fc.integer({ min: 0, max: 4000 }),
  span: fc.integer({ min: 0, max: 8000 }),
})

export const arbCase: fc.Arbitrary<Case> = fc
  .record({
    vms: fc.array(vmArb, { minLength: 1, maxLength: 6 }),
    epochs: fc.integer({ min: 1, max: 16 }),
    slack: fc.integer({ min: 0, max: 30000 }),
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
  })
  .chain(({ vms, epochs, slack, seed }) =>
    fc.array(fc.tuple(fc.integer({ min: 0, max: 14000 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: vms.length * epochs, maxLength: vms.length * epochs })
      .map((cells): Case => {
        const specs = vms.map((v, i) => ({ id: `v${i}`, weight: v.weight, minKib: v.minKib, maxKib: v.minKib + v.span }))
        const capacityKib = Math.max(1, specs.reduce((s, v) => s + v.minKib, 0) + slack)
        return {
          capacityKib,
          seed,
          workload: {
            vms: specs,
            epochs,
            demandKib: Float64Array.from(cells, ([d]) => d),
            activeKib: Float64Array.from(cells, ([d, f]) => Math.round(d * f)),
          },
        }
      }))
