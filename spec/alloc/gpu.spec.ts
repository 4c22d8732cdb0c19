// GPU memory policies under oversubscription: hand-worked two- and three-task cases.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runGpu, type GpuTask } from '../../src/alloc/gpu.ts'

const vms = [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }]
const two: GpuTask[] = [
  { vm: 0, arrivalS: 0, memKib: 60, workS: 10 },
  { vm: 1, arrivalS: 0, memKib: 60, workS: 10 },
]
const oneGpu = { gpuMemKib: [100], pcieKibPerSec: 10 }

test('fcfs: the second 60-KiB task waits for the first on a 100-KiB GPU → slowdowns 1 and 2', () => {
  const r = runGpu('fcfs', oneGpu, vms, two)
  assert.equal(r.metrics.slowdown, [1, 2])
  assert.is(r.metrics.completionS, 20)
  // Jain over throughputs (1, 1/2): (1.5)² / (2 · 1.25) = 0.9
  assert.ok(Math.abs(r.metrics.fairness - 0.9) < 1e-12)
  // 60 KiB resident for 20 s on 100 KiB
  assert.ok(Math.abs(r.metrics.memUtilization - 0.6) < 1e-12)
})

test('share-swap: 50 KiB each on the GPU, 10 KiB each swapped at 10 KiB/s → speed 1/2, shared by 2 → 40 s', () => {
  const r = runGpu('share-swap', oneGpu, vms, two)
  assert.equal(r.metrics.slowdown, [4, 4])
  assert.is(r.metrics.fairness, 1)
})

test('static: equal 50-KiB slices; a 60-KiB task is out of memory, and a VM with no finished task has no slowdown', () => {
  const r = runGpu('static', oneGpu, vms, two)
  assert.is(r.metrics.outOfMemory, 2)
  assert.equal(r.metrics.slowdown, [null, null])
})

test('static: a task that fits its slice runs, isolated from the other VM', () => {
  const r = runGpu('static', oneGpu, vms, [{ vm: 0, arrivalS: 0, memKib: 40, workS: 10 }, { vm: 1, arrivalS: 0, memKib: 60, workS: 10 }])
  assert.equal(r.outcomes[0], { _tag: 'Done', gpu: 0, startS: 0, finishS: 10, migrated: false })
  assert.equal(r.outcomes[1], { _tag: 'OutOfMemory' })
})

test('migrate: the task that does not fit its home GPU moves to the free one, paying 60 KiB / 10 KiB/s = 6 s', () => {
  const same: GpuTask[] = [{ vm: 0, arrivalS: 0, memKib: 60, workS: 10 }, { vm: 0, arrivalS: 0, memKib: 60, workS: 10 }]
  const r = runGpu('migrate', { gpuMemKib: [100, 100], pcieKibPerSec: 10 }, vms, same)
  assert.equal(r.outcomes[1], { _tag: 'Done', gpu: 1, startS: 0, finishS: 16, migrated: true })
  assert.is(r.metrics.migrations, 1)
})

test('fcfs: a small later task does not overtake a blocked earlier one', () => {
  const three: GpuTask[] = [
    { vm: 0, arrivalS: 0, memKib: 60, workS: 10 },
    { vm: 1, arrivalS: 1, memKib: 60, workS: 10 },
    { vm: 0, arrivalS: 2, memKib: 30, workS: 10 },
  ]
  const r = runGpu('fcfs', oneGpu, vms, three)
  const start = r.outcomes.map((o) => (o._tag === 'Done' ? o.startS : -1))
  // the 30-KiB task would fit beside the first (90 ≤ 100) but waits behind the second until 10 s
  assert.equal(start, [0, 10, 10])
})

test.run()
