// run ≡ the fold of step (issue 4): the faster engine behind `run` (src/machine/engine/run.ts) gives the same hart,
// memory, platform state and HTIF state as stepping one instruction at a time, for random programs and
// start states (modes, delegation, Spike chunk lengths), and however the run is split into calls.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { phys } from '../../src/bits/address.ts'
import { peek } from '../../src/memory/memory.ts'
import { type Machine } from '../../src/machine/machine.ts'
import { foldSteps } from '../../src/machine/run.ts'
import { runFast } from '../../src/machine/engine/run.ts'
import { CODE } from '../../spec/cpu/fixture.ts'
import { arbLoopMachine, arbProgramMachine } from '../../spec/cpu/arbitraries.ts'

const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v)

/** Everything architectural about a machine, as text: hart, platform, HTIF, and the memory near the code. */
const render = (m: Machine): string => {
  const words: string[] = []
  for (let a = CODE - 0x1000n; a < CODE + 0x3000n; a += 8n) words.push(peek(m.memory, phys(a), 8).toString(16))
  return JSON.stringify([m.hart, m.platform, m.devices.clint, m.htif], big) + words.join(',')
}

const arbAny = fc.oneof(arbProgramMachine, arbLoopMachine, arbLoopMachine)

test('run (fast engine) ≡ fold of step, step for step', () => {
  fc.assert(fc.property(arbAny, fc.integer({ min: 1, max: 300 }), (m, n) => {
    const fast = runFast(m, { maxSteps: n })
    const slow = foldSteps(m, { maxSteps: n })
    return fast.steps === slow.steps && render(fast.machine) === render(slow.machine)
  }), { numRuns: runs(200) })
})

test('run split into two calls ≡ one fold of step', () => {
  fc.assert(fc.property(arbAny, fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 150 }), (m, k, n) => {
    const first = runFast(m, { maxSteps: k })
    const second = runFast(first.machine, { maxSteps: n })
    const slow = foldSteps(m, { maxSteps: first.steps + second.steps })
    return render(second.machine) === render(slow.machine)
  }), { numRuns: runs(150) })
})

test.run()
