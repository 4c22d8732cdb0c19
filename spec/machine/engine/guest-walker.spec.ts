// The fast engine and a guest walker (`memvirt run --guest-translation shadow`, src/hypervisor/shadow/):
// the walker must hear of every store the hart makes (its write-protect of page-table pages) and answer
// every V=1 miss, which compiled blocks do not report, so `run` with a walker on the TLB is the step fold.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { withTlb } from '../../../src/machine/machine.ts'
import { withGuest } from '../../../src/mmu/tlb.ts'
import { foldStepsFast, run } from '../../../src/machine/engine/run.ts'
import { ShadowVmm } from '../../../src/hypervisor/shadow/hart.ts'
import { loadGoldenProgram } from '../../../golden/programs/load.ts'

const hex = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v)

test('run with a guest walker on the TLB: the hart and the walker\'s counts of the step fold (hvdemo under shadow tables)', () => {
  const m0 = loadGoldenProgram('hvdemo', 'rv64imah_zicsr').machine
  const m = withTlb(m0, withGuest(m0.tlb, new ShadowVmm()))
  const fast = run(m, { maxSteps: 50_000 })
  const fold = foldStepsFast(m, { maxSteps: 50_000 })
  assert.is(fast.steps, fold.steps)
  assert.is(JSON.stringify(fast.machine.hart, hex), JSON.stringify(fold.machine.hart, hex))
  assert.equal((fast.machine.tlb.guest as ShadowVmm).stats, (fold.machine.tlb.guest as ShadowVmm).stats)
})

test.run()
