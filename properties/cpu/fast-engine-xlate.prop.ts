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
import { type Machine, withTlbConfig } from '../../src/machine/machine.ts'
import { foldSteps } from '../../src/machine/run.ts'
import { runFast } from '../../src/machine/engine/run.ts'
import { pageAtMemo } from '../../src/memory/engine/page-views.ts'
import { arbExactXlateMachine, arbHighVaMachine, arbRemapMachine, arbStaleTlbMachine, arbXlateMachine, renderXlate } from './engine-xlate-arbitraries.ts'
import { DATA, ROOT, arbExact, arbProgram, machineOf } from './tlb-exact-world.ts'
import { commitLine } from '../../src/trace/commit-log.ts'
import { CommitLogWriter } from '../../src/trace/engine/commit-log-writer.ts'

const sizes = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 12, size: 'max' })

/** Does `run` for n steps from m end where the fold of `step` ends (as `render` shows machines)? */
const sameAsFold = (m: Machine, n: number, render: (m: Machine) => string = renderXlate): boolean => {
  const fast = runFast(m, { maxSteps: n })
  const slow = foldSteps(m, { maxSteps: n })
  return fast.steps === slow.steps && fast.reason === slow.reason && render(fast.machine) === render(slow.machine)
}

/** renderXlate plus the exact-TLB world's page tables and data pages. */
const renderWorld = (m: Machine): string => renderXlate(m) + [ROOT, ROOT + 0x1000n, ROOT + 0x2000n, DATA, DATA + 0x1000n, DATA + 0x2000n, DATA + 0x3000n].map((a) => {
  const dv = pageAtMemo(m.memory, Number(a >> 12n))
  return dv === undefined ? '0' : Buffer.from(dv.buffer, dv.byteOffset, 4096).toString('hex')
}).join(',')

test('run (block compiler, translation on) ≡ fold of step: hart, memory and TLB', () => {
  fc.assert(fc.property(arbXlateMachine, fc.integer({ min: 1, max: 2000 }), (m, n) => sameAsFold(m, n)), { numRuns: runs(250) })
})

// The TLB as a program leaves it after switching ASIDs, after global leaves, and after PTE rewrites without
// a fence that a later access upgrades (arbStaleTlbMachine): a fill must drop every matching entry, and a
// block must stop fetching once its code's entry was replaced by one for another page.
test('run (translation on) from a TLB with stale, global, other-ASID and redirected entries ≡ fold of step', () => {
  fc.assert(fc.property(arbStaleTlbMachine, fc.integer({ min: 1, max: 1000 }), (m, n) => sameAsFold(m, n)), { numRuns: runs(200) })
})

// Walks the engine makes again after a replacement are recalled from the walk memo (mmu/engine/walk-memo.ts)
// when the PTEs they read are unchanged: programs that rewrite data pages' PTEs without a fence on TLBs too
// small for their pages (arbRemapMachine) must see the new PTEs in every walk made after the old entry left.
test('run (translation on) re-walking pages whose PTEs changed without a fence ≡ fold of step', () => {
  fc.assert(fc.property(arbRemapMachine, fc.integer({ min: 1, max: 2000 }), (m, n) => sameAsFold(m, n)), { numRuns: runs(150) })
})

// Virtual addresses at or above 2^52 as unsigned numbers (the high half of Sv39/48/57; kernel addresses):
// blocks hold such a pc as a negative number and compute each load's and store's page on the 32-bit halves
// of the register (block.ts, VA_LIMIT), so they run there; Sv57's outermost code is left to step.
test('run (translation on) with every VA in the top of the address space ≡ fold of step', () => {
  fc.assert(fc.property(arbHighVaMachine, fc.integer({ min: 1, max: 2000 }), (m, n) => sameAsFold(m, n)), { numRuns: runs(200) })
})

// Logging blocks (--log-commits) print each access's VA from a number: they leave accesses at or above 2^53 to
// step, but run code at high pcs (printed from the unsigned value).
test('a logged run under translation (low and high VAs) writes the commit log of the fold of step', () => {
  fc.assert(fc.property(fc.oneof(arbXlateMachine, arbHighVaMachine), fc.integer({ min: 1, max: 2000 }), (m, n) => {
    const lines: string[] = []
    const slow = foldSteps(m, { maxSteps: n }, { event: (ev) => lines.push(commitLine(ev)) })
    const parts: string[] = []
    const writer = new CommitLogWriter((b, k) => parts.push(Buffer.from(b.subarray(0, k)).toString('latin1')))
    const fast = runFast(m, { maxSteps: n }, { commits: writer })
    writer.flush()
    return fast.steps === slow.steps && parts.join('') === lines.join('') && renderXlate(fast.machine) === renderXlate(slow.machine)
  }), { numRuns: runs(120) })
})

// `--tlb exact` (TlbConfig.exact): entries outlive traps, MRET and CSR writes, only covering fences and
// replacement remove them; the engine mirrors such a TLB as it does Spike's. On the general machines (their
// M-mode handler's traps and MRETs keep the entries), and on the exact-TLB laws' S-mode programs (PTE
// rewrites with and without a fence, system calls, satp rewrites: stale entries kept across them).
test('run with an exact TLB (--tlb exact) ≡ fold of step: hart, memory and TLB', () => {
  fc.assert(fc.property(arbExactXlateMachine, fc.integer({ min: 1, max: 2000 }), (m, n) => sameAsFold(m, n)), { numRuns: runs(150) })
  fc.assert(fc.property(fc.boolean().chain(arbProgram), arbExact(false), fc.integer({ min: 1, max: 300 }),
    (program, config, n) => sameAsFold(withTlbConfig(machineOf(program), config), n, renderWorld)), { numRuns: runs(150) })
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
