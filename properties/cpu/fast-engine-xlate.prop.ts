// The block compiler under address translation (issue 19: src/machine/engine/run.ts, src/cpu/engine/,
// src/mmu/engine/tlb-mirror.ts) ≡ the fold of `step`: S- and U-mode under Sv39/48/57, VS and VU under
// vsatp over an Sv39x4/Sv48x4 G-stage, M-mode with MPRV; random page tables with invalid leaves, missing
// permissions, A/D clear (left to step, which updates them or faults), aliases and a megapage; page-table
// entries rewritten without a fence (the stale translation must be served exactly as step's TLB serves
// it), SFENCE.VMA, faults in the middle of a block, code written through an alias and the code page
// itself remapped; TLBs that replace on nearly every fill (LRU and FIFO). Compared: hart, platform,
// memory and the TLB itself, entry by entry in set order.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { foldSteps } from '../../src/machine/run.ts'
import { runFast } from '../../src/machine/engine/run.ts'
import { arbStaleTlbMachine, arbXlateMachine, renderXlate } from './engine-xlate-arbitraries.ts'

const sizes = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 12, size: 'max' })

test('run (block compiler, translation on) ≡ fold of step: hart, memory and TLB', () => {
  fc.assert(fc.property(arbXlateMachine, fc.integer({ min: 1, max: 2000 }), (m, n) => {
    const fast = runFast(m, { maxSteps: n })
    const slow = foldSteps(m, { maxSteps: n })
    return fast.steps === slow.steps && fast.reason === slow.reason && renderXlate(fast.machine) === renderXlate(slow.machine)
  }), { numRuns: runs(250) })
})

// The TLB as a program leaves it after switching ASIDs, after global leaves, and after PTE rewrites without
// a fence that a later access upgrades (arbStaleTlbMachine): a fill must drop every matching entry, and a
// block must stop fetching once its code's entry was replaced by one for another page.
test('run (translation on) from a TLB with stale, global, other-ASID and redirected entries ≡ fold of step', () => {
  fc.assert(fc.property(arbStaleTlbMachine, fc.integer({ min: 1, max: 1000 }), (m, n) => {
    const fast = runFast(m, { maxSteps: n })
    const slow = foldSteps(m, { maxSteps: n })
    return fast.steps === slow.steps && fast.reason === slow.reason && renderXlate(fast.machine) === renderXlate(slow.machine)
  }), { numRuns: runs(200) })
})

test('run under translation split into calls of random lengths ≡ one fold of step', () => {
  fc.assert(fc.property(arbXlateMachine, sizes, (m, lengths) => {
    let cur = m, total = 0
    for (const n of lengths) {
      const r = runFast(cur, { maxSteps: n })
      cur = r.machine
      total += r.steps
    }
    const slow = foldSteps(m, { maxSteps: total })
    return slow.steps === total && renderXlate(cur) === renderXlate(slow.machine)
  }), { numRuns: runs(120) })
})

test.run()
