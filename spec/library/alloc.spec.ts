// memvirt/alloc, the README's example: static allocation of a 7 GiB host to two VMs whose maxima (4 GiB
// each) do not both fit. Hand-worked with the rule of fillByWeight (src/alloc/model.ts): every VM gets its
// floor first (1 GiB each, 5 GiB left); the rest is shared 2 : 1, which would give vm-a 10/3 GiB more,
// past its 4 GiB maximum: vm-a is capped at 4 GiB and the 2 GiB left go to vm-b, 3 GiB in all. Both epochs
// get the same reservation (static never changes it).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readme, readmeBlock } from './readme-block.ts'
// --- README example begins
import { simulate, staticPolicy, type Workload } from '../../src/alloc/index.ts'

const GiB = 1024 * 1024                                    // in KiB
const workload: Workload = {
  vms: [{ id: 'vm-a', weight: 2, minKib: 1 * GiB, maxKib: 4 * GiB },
        { id: 'vm-b', weight: 1, minKib: 1 * GiB, maxKib: 4 * GiB }],
  epochs: 2,
  demandKib: Float64Array.from([3 * GiB, 3 * GiB, 3 * GiB, 3 * GiB]),   // epoch-major: [e0 vm-a, e0 vm-b, e1 …]
  activeKib: Float64Array.from([2 * GiB, 2 * GiB, 2 * GiB, 2 * GiB]),
}
const result = simulate(staticPolicy, 7 * GiB, workload, 1)
const firstEpoch = result.epochs[0]?.alloc                 // [4 GiB, 3 GiB] in KiB
// --- README example ends

test('memvirt/alloc: static shares a short capacity by weight between min and max, and never changes it', () => {
  assert.equal(firstEpoch, [4 * GiB, 3 * GiB])
  assert.equal(result.epochs[1]?.alloc, [4 * GiB, 3 * GiB])
})
test('the README shows this example as written here', () => {
  assert.ok(readme().includes(readmeBlock(new URL(import.meta.url))))
})
test.run()
