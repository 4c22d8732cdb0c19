// CloudSim semantics of the makespan model (CloudletSchedulerTimeShared, VmAllocationPolicySimple).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { makespan, placeVms, timeSharedFinishTimes } from '../../src/alloc/cloudsim.ts'

test('two 10 000-MI cloudlets time-shared on one 1000-MIPS PE both finish at 20 s', () => {
  // each gets 1000/2 = 500 MIPS: 10 000 / 500 = 20 s
  assert.equal(timeSharedFinishTimes({ pes: 1, mips: 1000, ramKib: 0 }, [10_000, 10_000], [1, 1]), [20, 20])
})

test('a 5 000-MI and a 10 000-MI cloudlet on one PE finish at 10 s and 15 s', () => {
  // both at 500 MIPS until the short one ends at 10 s (5 000 MI done each); the long one then
  // runs alone at 1000 MIPS for its remaining 5 000 MI: 5 s more
  assert.equal(timeSharedFinishTimes({ pes: 1, mips: 1000, ramKib: 0 }, [5_000, 10_000], [1, 1]), [10, 15])
})

test('on a 2-PE VM two cloudlets do not share: each finishes at length/mips', () => {
  assert.equal(timeSharedFinishTimes({ pes: 2, mips: 1000, ramKib: 0 }, [10_000, 10_000], [1, 1]), [10, 10])
})

test('VmAllocationPolicySimple puts each VM on the host with the most free PEs', () => {
  const hosts = [{ pes: 2, mipsPerPe: 1000, ramKib: 100 }, { pes: 4, mipsPerPe: 1000, ramKib: 100 }]
  const vm = { pes: 1, mips: 1000, ramKib: 10 }
  // free PEs 2,4 → host 1; 2,3 → host 1; 2,2 → host 0 (tie to the lower index); 1,2 → host 1
  assert.equal(placeVms(hosts, [vm, vm, vm, vm]), [1, 1, 0, 1])
})

test('RamProvisionerSimple: a VM whose RAM does not fit the chosen host goes to the next', () => {
  const hosts = [{ pes: 1, mipsPerPe: 1000, ramKib: 100 }, { pes: 4, mipsPerPe: 1000, ramKib: 5 }]
  assert.equal(placeVms(hosts, [{ pes: 1, mips: 1000, ramKib: 50 }]), [0])
  assert.equal(placeVms(hosts, [{ pes: 1, mips: 1000, ramKib: 500 }]), [null])
})

test('makespan is the latest cloudlet finish; unplaced VMs are reported', () => {
  const r = makespan([{ pes: 1, mipsPerPe: 1000, ramKib: 10 }], [{ pes: 1, mips: 1000, ramKib: 10 }, { pes: 1, mips: 1000, ramKib: 10 }],
    [{ vm: 0, lengthMi: 10_000, pes: 1 }, { vm: 0, lengthMi: 10_000, pes: 1 }, { vm: 1, lengthMi: 1, pes: 1 }])
  assert.equal(r, { makespan: 20, unplacedVms: [1] })
})

test.run()
