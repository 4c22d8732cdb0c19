// Decoding the workload CSV, the task CSV and the host JSON: defaults, and one clear error per
// kind of bad input naming its line and field.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseWorkloadCsv } from '../../src/alloc/workload.ts'
import { parseGpuCsv } from '../../src/alloc/gpu-workload.ts'
import { decodeAllocHost, decodeGpuHost, parseAllocHost, parseGpuHost } from '../../src/alloc/host.ts'
import { type DecodeError, describeError } from '../../src/codec/errors.ts'
import { esxDefaults } from '../../src/alloc/esx.ts'

const fieldErr = <A>(r: { _tag: 'Left'; left: DecodeError } | { _tag: 'Right'; right: A }): string | null => (r._tag === 'Left' ? describeError(r.left) : null)

test('workload: the three required columns, defaults active = demand, weight 1, min 0, max = peak demand', () => {
  const r = parseWorkloadCsv('epoch,vm,demand_kib\n0,a,10\n0,b,5\n1,a,30\n1,b,7\n')
  if (r._tag === 'Left') throw new Error(describeError(r.left))
  assert.equal(r.right.vms, [{ id: 'a', weight: 1, minKib: 0, maxKib: 30 }, { id: 'b', weight: 1, minKib: 0, maxKib: 7 }])
  assert.equal(Array.from(r.right.demandKib), [10, 5, 30, 7])
  assert.equal(Array.from(r.right.activeKib), [10, 5, 30, 7])
})

test('workload: optional columns in any order after the required ones', () => {
  const r = parseWorkloadCsv('epoch,vm,demand_kib,max_kib,weight,active_kib,min_kib\n0,a,10,100,2,4,8\n')
  if (r._tag === 'Left') throw new Error(describeError(r.left))
  assert.equal(r.right.vms, [{ id: 'a', weight: 2, minKib: 8, maxKib: 100 }])
  assert.equal(Array.from(r.right.activeKib), [4])
})

test('workload: errors name the line and the field', () => {
  assert.is(fieldErr(parseWorkloadCsv('epoch,vm,demand\n')), "1: column 3 must be 'demand_kib', got 'demand'")
  assert.is(fieldErr(parseWorkloadCsv('epoch,vm,demand_kib,colour\n')), "1: unknown column 'colour' (expected active_kib, weight, min_kib, max_kib)")
  assert.is(fieldErr(parseWorkloadCsv('epoch,vm,demand_kib\n0,a,1.5\n')), "2: demand_kib: expected an integer from 0 to 2^40, got '1.5'")
  assert.is(fieldErr(parseWorkloadCsv('epoch,vm,demand_kib\n0,a\n')), '2: expected 3 fields, got 2')
  assert.is(fieldErr(parseWorkloadCsv('epoch,vm,demand_kib,weight\n0,a,1,0\n')), "2: weight: expected a number in (0, 1000000], got '0'")
  assert.is(fieldErr(parseWorkloadCsv('epoch,vm,demand_kib,weight\n0,a,1,1\n1,a,1,2\n')), "3: weight: vm 'a' had weight 1, now 2")
  assert.is(fieldErr(parseWorkloadCsv('epoch,vm,demand_kib\n0,a,1\n0,a,2\n')), "3: vm 'a' already has a row for epoch 0")
  assert.is(fieldErr(parseWorkloadCsv('epoch,vm,demand_kib\n0,a,1\n1,b,2\n')), "vm 'a' has no row for epoch 1")
  assert.is(fieldErr(parseWorkloadCsv('epoch,vm,demand_kib,min_kib,max_kib\n0,a,1,9,5\n')), "vm 'a': min_kib 9 exceeds max_kib 5")
  assert.is(fieldErr(parseWorkloadCsv('')), 'empty file, expected a header line')
})

test('host: capacity alone takes every policy default; unknown keys and bad values are named', () => {
  const r = decodeAllocHost({ capacityKib: 1024 })
  if (r._tag === 'Left') throw new Error(describeError(r.left))
  assert.equal(r.right.esx, esxDefaults)
  assert.is(fieldErr(decodeAllocHost({})), 'field capacityKib: missing (expected an integer from 1 to 2^40)')
  assert.is(fieldErr(decodeAllocHost({ capacityKib: 1.5 })), 'field capacityKib: expected an integer from 1 to 2^40, got 1.5')
  assert.is(fieldErr(decodeAllocHost({ capacityKib: 1, esx: { tau: 1 } })), 'field esx.tau: expected a number in [0, 1), got 1')
  assert.is(fieldErr(decodeAllocHost({ capacityKib: 1, esx: { tua: 0.5 } })), 'field esx.tua: unknown field (known: tau, samplePages, fastGain, slowGain, sharesPerWeight)')
  assert.is(fieldErr(decodeAllocHost({ capacityKib: 1, capacity: 2 })), 'field capacity: unknown field (known: capacityKib, esx, balloon, squeeze, arAco, blocks, cloudsim)')
  assert.is(fieldErr(decodeAllocHost({ capacityKib: 1, arAco: { order: 4, window: 5 } })), 'field arAco.window: must be at least order + 2 = 6')
})

test('host: keys every JS object has are unknown keys, not prototype lookups (issue 13 #7)', () => {
  for (const key of ['__proto__', 'hasOwnProperty', 'toString', 'constructor']) {
    assert.is(fieldErr(parseAllocHost(`{"capacityKib": 1, "${key}": 1}`)), `field ${key}: unknown field (known: capacityKib, esx, balloon, squeeze, arAco, blocks, cloudsim)`, key)
    assert.is(fieldErr(parseAllocHost(`{"capacityKib": 1, "esx": {"${key}": {}}}`)), `field esx.${key}: unknown field (known: tau, samplePages, fastGain, slowGain, sharesPerWeight)`, key)
    assert.is(fieldErr(parseGpuHost(`{"gpuMemKib": [1], "${key}": 1}`)), `field ${key}: unknown field (known: gpuMemKib, pcieKibPerSec)`, key)
  }
})

test('host: every numeric parameter has a range, so no run is endless and no figure NaN (issue 13 #10)', () => {
  assert.is(fieldErr(decodeAllocHost({ capacityKib: 1, esx: { samplePages: 1e12 } })), 'field esx.samplePages: expected an integer from 0 to 10000, got 1000000000000')
  assert.is(fieldErr(decodeAllocHost({ capacityKib: 1, arAco: { iterations: 1e9 } })), 'field arAco.iterations: expected an integer from 1 to 500, got 1000000000')
  assert.is(fieldErr(decodeAllocHost({ capacityKib: 1, cloudsim: { cloudletsPerVm: 1e9 } })), 'field cloudsim.cloudletsPerVm: expected an integer from 1 to 1000, got 1000000000')
  assert.is(fieldErr(decodeGpuHost({ gpuMemKib: [1], pcieKibPerSec: 1e-300 })), 'field pcieKibPerSec: expected a number in [1, 2^40], got 1e-300')
  assert.is(fieldErr(decodeAllocHost({ capacityKib: 2 ** 40 + 1 })), 'field capacityKib: expected an integer from 1 to 2^40, got 1099511627777')
  assert.is(fieldErr(decodeAllocHost({ capacityKib: 1, cloudsim: { hosts: [{ pes: 0 }] } })), 'field cloudsim.hosts[0].pes: expected an integer from 1 to 1024, got 0')
})

test('host: malformed or too deeply nested JSON is located by line and column (issue 13 #4, #10)', () => {
  // line 2 is ' "esx": {"tau": .5}}': the '.' is its 17th character
  assert.is(fieldErr(parseAllocHost('{"capacityKib": 1,\n "esx": {"tau": .5}}')), '2:17: malformed JSON: expected a value (object, list, string, number, true, false or null)')
  assert.is(fieldErr(parseGpuHost('['.repeat(5000))), '1:65: malformed JSON: expected at most 64 nested lists and objects')
})

test('workload: a stray huge epoch is a range error or a missing row, never a huge allocation', () => {
  assert.is(fieldErr(parseWorkloadCsv('epoch,vm,demand_kib\n0,a,1\n9007199254740991,a,1\n')), "3: epoch: expected an integer from 0 to 1000000, got '9007199254740991'")
  assert.is(fieldErr(parseWorkloadCsv('epoch,vm,demand_kib\n0,a,1\n1000000,b,1\n')), "vm 'a' has no row for epoch 1")
})

test('gpu tasks and host: decoded with defaults and named errors', () => {
  const r = parseGpuCsv('vm,arrival_s,mem_kib,work_s\nx,0,10,5\ny,1.5,20,2\nx,2,30,1\n')
  if (r._tag === 'Left') throw new Error(describeError(r.left))
  assert.equal(r.right.vms, [{ id: 'x', weight: 1 }, { id: 'y', weight: 1 }])
  assert.equal(r.right.tasks[2], { vm: 0, arrivalS: 2, memKib: 30, workS: 1 })
  assert.is(fieldErr(parseGpuCsv('vm,arrival_s,mem_kib,work_s\nx,0,10,0\n')), "2: work_s: expected a number in (0, 1000000000], got '0'")
  assert.is(fieldErr(decodeGpuHost({ gpuMemKib: [] })), 'field gpuMemKib: expected at least 1 entry, got an empty list')
  const h = decodeGpuHost({ gpuMemKib: [16] })
  assert.equal(h._tag === 'Right' ? h.right.pcieKibPerSec : 0, 12 * 1024 * 1024)
})

test.run()
