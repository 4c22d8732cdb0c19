// Laws of the architectural TLB (`--tlb exact`, TlbConfig.exact) and of the stale-answer report
// (`--report-stale`), on random S-mode programs under Sv39 that load and store through four data pages,
// rewrite those pages' leaf PTEs (remaps, a read-only page, an invalid PTE), fence, make system calls
// (ECALL to M-mode and back) and rewrite satp.
// 1. Priv. ISA, "Supervisor Memory-Management Fence Instruction": after a PTE store followed by an
//    SFENCE.VMA covering it, no hart may use the old translation. So a program that fences every
//    page-table write cannot tell an exact TLB (any size, any replacement) from Spike's: same commit log,
//    same final hart and memory.
// 2. `--report-stale` reports exactly the accesses whose TLB answer differs from a fresh walk: checked
//    against the readable walker (`translate`) run by this file on the memory before each step.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { phys, virt } from '../../src/bits/address.ts'
import { isLeft } from '../../src/bits/either.ts'
import { peek } from '../../src/memory/memory.ts'
import { withTlbConfig } from '../../src/machine/machine.ts'
import { foldSteps } from '../../src/machine/run.ts'
import { type StepEvent } from '../../src/cpu/event.ts'
import { PRV_S } from '../../src/cpu/hart.ts'
import { contextFor } from '../../src/cpu/translation.ts'
import { translate } from '../../src/mmu/translate.ts'
import { type TlbConfig, spikeTlbConfig } from '../../src/mmu/tlb.ts'
import { commitLine } from '../../src/trace/commit-log.ts'
import { DATA, ISA, L0, arbExact, arbProgram, machineOf } from './tlb-exact-world.ts'

// ---- running ------------------------------------------------------------------------------------------

const STEPS = 200
const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString(16) : v)

/** The commit log, the final hart and the data and page-table memory of a run under `config`. */
const observed = (program: readonly number[], config: TlbConfig): string => {
  let log = ''
  const r = foldSteps(withTlbConfig(machineOf(program), config), { maxSteps: STEPS }, { event: (ev) => { log += commitLine(ev) } })
  const words: bigint[] = []
  for (let a = L0; a < L0 + 32n; a += 8n) words.push(peek(r.machine.memory, phys(a), 8))
  for (let a = DATA; a < DATA + 0x4000n; a += 8n) words.push(peek(r.machine.memory, phys(a), 8))
  return log + JSON.stringify([r.machine.hart, words], big)
}

test('law 1: with a covering SFENCE.VMA after every page-table write, --tlb exact (any shape) runs exactly as Spike\'s TLB', () => {
  fc.assert(fc.property(arbProgram(true), arbExact(false), (program, config) =>
    observed(program, config) === observed(program, spikeTlbConfig)), { numRuns: runs(120) })
})

test('law 1 is not vacuous: without the fences some program runs differently under --tlb exact', () => {
  let differ = 0
  fc.assert(fc.property(arbProgram(false), arbExact(false), (program, config) => {
    if (observed(program, config) !== observed(program, spikeTlbConfig)) differ++
    return true
  }), { numRuns: runs(60) })
  assert.ok(differ > 0, 'no unfenced program told the two TLBs apart')
})

interface Access { readonly pc: bigint; readonly access: string; readonly va: bigint; readonly pa: bigint }
const key = (a: Access): string => `${a.pc.toString(16)} ${a.access} ${a.va.toString(16)} ${a.pa.toString(16)}`

test('law 2: --report-stale lists exactly the accesses whose PA differs from a fresh walk of the memory before the step', () => {
  let reportedAny = 0
  fc.assert(fc.property(arbProgram(false), fc.oneof(arbExact(true), fc.constant({ ...spikeTlbConfig, reportStale: true })), (program, config) => {
    const m0 = withTlbConfig(machineOf(program), config)
    let before = m0
    const reported: string[] = []
    const expected: string[] = []
    const onEvent = (ev: StepEvent): void => {
      if (ev._tag === 'Waiting') return
      for (const s of ev.stale ?? []) reported.push(key({ pc: s.pc, access: s.access, va: s.va, pa: s.stalePa }))
      if (ev._tag !== 'Retired') return
      const ctx = contextFor(before.hart.csr, ISA, PRV_S, false)
      const accesses = [...ev.loads.map((l) => ({ ...l, access: 'load' })), ...ev.stores.map((w) => ({ ...w, access: 'store' }))]
      for (const a of accesses) {
        const fresh = translate(before.memory, ctx, { va: virt(a.va), access: a.access as 'load' | 'store' }).result
        if (isLeft(fresh) || (fresh.right.pa as bigint) !== a.pa) expected.push(key({ pc: ev.pc, access: a.access, va: a.va, pa: a.pa }))
      }
    }
    foldSteps(m0, { maxSteps: STEPS }, { event: onEvent, machine: (after) => { before = after } })
    if (reported.length > 0) reportedAny++
    assert.equal(reported, expected)
  }), { numRuns: runs(120) })
  assert.ok(reportedAny > 0, 'no program produced a stale answer')
})

test.run()
