// Decoding the workload CSV, the task CSV and the host JSON: defaults, and one clear error per
// kind of bad input naming its line and field.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseWorkloadCsv } from '../../src/alloc/workload.ts'
import { parseGpuCsv } from '../../src/alloc/gpu-workload.ts'
import { decodeAllocHost, decodeGpuHost } from '../../src/alloc/host.ts'
import { esxDefaults } from '../../src/alloc/esx.ts'

const err = <E, A>(r: { _tag: 'Left'; left: E } | { _tag: 'Right'; right: A }): E | null => (r._tag === 'Left' ? r.left : null)

test('workload: the three required columns, defaults active = demand, weight 1, min 0, max = peak demand', () => {
  const r = parseWorkloadCsv('epoch,vm,demand_kib\n0,a,10\n0,b,5\n1,a,30\n1,b,7\n')
  if (r._tag === 'Left') throw new Error(r.left)
  assert.equal(r.right.vms, [{ id: 'a', weight: 1, minKib: 0, maxKib: 30 }, { id: 'b', weight: 1, minKib: 0, maxKib: 7 }])
  assert.equal(Array.from(r.right.demandKib), [10, 5, 30, 7])
  assert.equal(Array.from(r.right.activeKib), [10, 5, 30, 7])
})

test('workload: optional columns in any order after the required ones', () => {
  const r = parseWorkloadCsv('epoch,vm,demand_kib,max_kib,weight,active_kib,min_kib\n0,a,10,100,2,4,8\n')
  if (r._tag === 'Left') throw new Error(r.left)
  assert.equal(r.right.vms, [{ id: 'a', weight: 2, minKib: 8, maxKib: 100 }])
  assert.equal(Array.from(r.right.activeKib), [4])
})

test('workload: errors name the line and the field', () => {
  assert.is(err(parseWorkloadCsv('epoch,vm,demand\n')), "workload: line 1: column 3 must be 'demand_kib', got 'demand'")
  assert.is(err(parseWorkloadCsv('epoch,vm,demand_kib,colour\n')), "workload: line 1: unknown column 'colour' (expected active_kib, weight, min_kib, max_kib)")
  assert.is(err(parseWorkloadCsv('epoch,vm,demand_kib\n0,a,1.5\n')), "workload: line 2: demand_kib: expected a non-negative integer, got '1.5'")
  assert.is(err(parseWorkloadCsv('epoch,vm,demand_kib\n0,a\n')), 'workload: line 2: expected 3 fields, got 2')
  assert.is(err(parseWorkloadCsv('epoch,vm,demand_kib,weight\n0,a,1,0\n')), "workload: line 2: weight: expected a positive number, got '0'")
  assert.is(err(parseWorkloadCsv('epoch,vm,demand_kib,weight\n0,a,1,1\n1,a,1,2\n')), "workload: line 3: weight: vm 'a' had weight 1, now 2")
  assert.is(err(parseWorkloadCsv('epoch,vm,demand_kib\n0,a,1\n0,a,2\n')), "workload: line 3: vm 'a' already has a row for epoch 0")
  assert.is(err(parseWorkloadCsv('epoch,vm,demand_kib\n0,a,1\n1,b,2\n')), "workload: vm 'a' has no row for epoch 1")
  assert.is(err(parseWorkloadCsv('epoch,vm,demand_kib,min_kib,max_kib\n0,a,1,9,5\n')), "workload: vm 'a': min_kib 9 exceeds max_kib 5")
  assert.is(err(parseWorkloadCsv('')), 'workload: empty file, expected a header line')
})

test('host: capacity alone takes every policy default; unknown keys and bad values are named', () => {
  const r = decodeAllocHost({ capacityKib: 1024 })
  if (r._tag === 'Left') throw new Error(r.left)
  assert.equal(r.right.esx, esxDefaults)
  assert.is(err(decodeAllocHost({})), 'host: capacityKib: missing (the host\'s memory in KiB)')
  assert.is(err(decodeAllocHost({ capacityKib: 1.5 })), 'host: capacityKib: expected a positive integer (KiB), got 1.5')
  assert.is(err(decodeAllocHost({ capacityKib: 1, esx: { tau: 1 } })), 'host: esx.tau: expected a number in [0, 1), got 1')
  assert.is(err(decodeAllocHost({ capacityKib: 1, esx: { tua: 0.5 } })), 'host: esx.tua: unknown parameter (known: tau, samplePages, fastGain, slowGain, sharesPerWeight)')
  assert.is(err(decodeAllocHost({ capacityKib: 1, capacity: 2 })), 'host: capacity: unknown field (known: capacityKib, esx, balloon, squeeze, arAco, blocks, cloudsim)')
  assert.is(err(decodeAllocHost({ capacityKib: 1, arAco: { order: 4, window: 5 } })), 'host: arAco.window: must be at least order + 2 = 6')
})

test('gpu tasks and host: decoded with defaults and named errors', () => {
  const r = parseGpuCsv('vm,arrival_s,mem_kib,work_s\nx,0,10,5\ny,1.5,20,2\nx,2,30,1\n')
  if (r._tag === 'Left') throw new Error(r.left)
  assert.equal(r.right.vms, [{ id: 'x', weight: 1 }, { id: 'y', weight: 1 }])
  assert.equal(r.right.tasks[2], { vm: 0, arrivalS: 2, memKib: 30, workS: 1 })
  assert.is(err(parseGpuCsv('vm,arrival_s,mem_kib,work_s\nx,0,10,0\n')), "tasks: line 2: work_s: expected a positive number, got '0'")
  assert.is(err(decodeGpuHost({ gpuMemKib: [] })), 'host: gpuMemKib: expected a non-empty array of GPU memory sizes in KiB, got []')
  const h = decodeGpuHost({ gpuMemKib: [16] })
  assert.equal(h._tag === 'Right' ? h.right.pcieKibPerSec : 0, 12 * 1024 * 1024)
})

test.run()
