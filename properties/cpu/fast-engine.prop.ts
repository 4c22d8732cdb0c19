// The block compiler behind `run` (src/machine/engine/run.ts) ≡ the fold of `step`, on programs built to reach
// the engine's hard cases: stores into the code being run (self-modifying code), stores to HTIF tohost
// (exit, console, system calls served at a chunk end), Spike chunk ends with mtime ticks and a timer
// interrupt becoming pending, traps in the middle of a block (misaligned and out-of-RAM accesses, PMP
// refusals), mcountinhibit, compressed instructions with C and M switched off and on in misa, and runs
// split into many calls of random lengths.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { pageAtMemo as pageAt } from '../../src/memory/engine/page-views.ts'
import { foldSteps } from '../../src/machine/run.ts'
import { runFast } from '../../src/machine/engine/run.ts'
import { FAR, arbEngineMachine, render } from './engine-arbitraries.ts'

const sizes = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 25, size: 'max' })

// ---- laws -------------------------------------------------------------------------------------------

test('run (block compiler) ≡ fold of step: self-modifying code, tohost, chunk ends, traps, PMP, counters, RVC', () => {
  fc.assert(fc.property(arbEngineMachine, fc.integer({ min: 1, max: 3000 }), (m, n) => {
    const fast = runFast(m, { maxSteps: n })
    const slow = foldSteps(m, { maxSteps: n })
    return fast.steps === slow.steps && fast.reason === slow.reason && render(fast.machine) === render(slow.machine)
  }), { numRuns: runs(300) })
})

test('run split into calls of random lengths ≡ one fold of step', () => {
  fc.assert(fc.property(arbEngineMachine, sizes, (m, lengths) => {
    let cur = m, total = 0
    for (const n of lengths) {
      if (cur.htif.exitCode !== undefined) break
      const r = runFast(cur, { maxSteps: n })
      cur = r.machine
      total += r.steps
    }
    const slow = foldSteps(m, { maxSteps: total })
    return slow.steps === total && render(cur) === render(slow.machine)
  }), { numRuns: runs(150) })
})

test('run never copies a page it does not store to: untouched pages stay the same objects', () => {
  fc.assert(fc.property(arbEngineMachine, fc.integer({ min: 1, max: 2000 }), (m, n) => {
    const out = runFast(m, { maxSteps: n }).machine
    const far = Number(FAR >> 12n)
    return pageAt(out.memory, far) === pageAt(m.memory, far)
  }), { numRuns: runs(100) })
})

test('the machine given to run is left unchanged', () => {
  fc.assert(fc.property(arbEngineMachine, fc.integer({ min: 1, max: 2000 }), (m, n) => {
    const before = render(m)
    runFast(m, { maxSteps: n })
    assert.is(render(m), before)
  }), { numRuns: runs(60) })
})

test.run()
