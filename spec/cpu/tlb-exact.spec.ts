// The hart under an architectural TLB (`--tlb exact`, TlbConfig.exact) and the stale-answer report
// (`--report-stale`), on golden/programs/forgot_fence.S: S-mode reads VA 0x4000_0000 (page0), points its
// leaf at page1 without a fence, reads (a1), makes a system call (ECALL to M and MRET back), reads (a2),
// executes SFENCE.VMA VA, x0 and reads (a3).
// Priv. ISA, "Supervisor Memory-Management Fence Instruction": the implicit reads of the page tables an
// access makes may be answered by an older read (a TLB) until an SFENCE.VMA covering the address orders
// the PTE store; traps and xRET order nothing. So a1 and a2 may each be page0's or page1's value, and
// a3 must be page1's. Spike flushes at the trap (a2 = page1); an exact TLB keeps the entry (a2 = page0).
// The pcs below are worked from the source: kernel + 56 is `ld a1`, kernel + 80 is `ld a2` (rv64ima: no
// compressed instructions; `li` of 0xaaaa and `la` are two instructions each).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Machine, withTlbConfig } from '../../src/machine/machine.ts'
import { foldSteps } from '../../src/machine/run.ts'
import { run } from '../../src/machine/engine/run.ts'
import { type StaleTranslation, type StepEvent } from '../../src/cpu/event.ts'
import { type TlbConfig, defaultExactShape, exactTlbConfig, spikeTlbConfig } from '../../src/mmu/tlb.ts'
import { PRV_S } from '../../src/cpu/hart.ts'
import { loadGoldenProgram } from '../../golden/programs/load.ts'

const { elf, machine: m0 } = loadGoldenProgram('forgot_fence', 'rv64ima_zicsr')
const sym = (name: string): bigint => elf.symbols.get(name)!.value
const KERNEL = sym('kernel'), PAGE0 = sym('page0'), PAGE1 = sym('page1')
const VA = 0x4000_0000n

const exact = (report = false): TlbConfig => {
  const c = exactTlbConfig(defaultExactShape, report)
  if (typeof c === 'string') throw new Error(c)
  return c
}

const runWith = (config: TlbConfig): { m: Machine; events: StepEvent[]; stale: StaleTranslation[] } => {
  const events: StepEvent[] = []
  const r = foldSteps(withTlbConfig(m0, config), { maxSteps: 10_000 }, { event: (ev) => { events.push(ev) } })
  const stale = events.flatMap((ev) => (ev._tag !== 'Waiting' && ev.stale !== undefined ? ev.stale : []))
  return { m: r.machine, events, stale }
}
const reg = (m: Machine, name: 'a1' | 'a2' | 'a3'): bigint => m.hart.x[{ a1: 11, a2: 12, a3: 13 }[name]]!

test('Spike\'s TLB (the default): a1 stale (no flush point before it), a2 fresh (flushed at the trap), a3 fresh; exit 0', () => {
  const r = runWith(spikeTlbConfig)
  assert.is(r.m.htif.exitCode, 0)
  assert.equal([reg(r.m, 'a1'), reg(r.m, 'a2'), reg(r.m, 'a3')], [0xaaaan, 0xbbbbn, 0xbbbbn])
})

test('--tlb exact: traps and xRET order nothing, so a2 is still page0\'s value; the fence makes a3 page1\'s; exit 0', () => {
  const r = runWith(exact())
  assert.is(r.m.htif.exitCode, 0)
  assert.equal([reg(r.m, 'a1'), reg(r.m, 'a2'), reg(r.m, 'a3')], [0xaaaan, 0xaaaan, 0xbbbbn])
})

test('--tlb exact: `run` (the engine entry point) gives the same machine as the step fold', () => {
  const fast = run(withTlbConfig(m0, exact()), { maxSteps: 10_000 })
  const slow = foldSteps(withTlbConfig(m0, exact()), { maxSteps: 10_000 })
  assert.equal(fast.machine.hart, slow.machine.hart)
  assert.is(fast.steps, slow.steps)
})

const staleLoad = (pc: bigint): StaleTranslation => ({
  va: VA, stalePa: PAGE0, staleGpa: undefined, fresh: { _tag: 'Translated', pa: PAGE1, gpa: undefined },
  fence: { insn: 'sfence.vma', va: VA, asid: 0n }, pc, access: 'load', priv: PRV_S, virt: false,
})

test('--report-stale under --tlb exact: exactly the two reads before the fence, page0 for page1, SFENCE.VMA VA, ASID 0', () => {
  assert.equal(runWith(exact(true)).stale, [staleLoad(KERNEL + 56n), staleLoad(KERNEL + 80n)])
})

test('--report-stale under Spike\'s TLB: only the read before the trap (the trap flushed the rest)', () => {
  assert.equal(runWith({ ...spikeTlbConfig, reportStale: true }).stale, [staleLoad(KERNEL + 56n)])
})

test('--report-stale changes nothing else: the same events (less their stale lists) and the same machine', () => {
  const plain = runWith(exact())
  const reported = runWith(exact(true))
  const strip = (ev: StepEvent): StepEvent =>
    ev._tag === 'Waiting' || ev.stale === undefined ? ev : Object.fromEntries(Object.entries(ev).filter(([k]) => k !== 'stale')) as unknown as StepEvent
  assert.equal(reported.events.map(strip), plain.events)
  assert.equal(reported.m.hart, plain.m.hart)
})

test('the exact TLB\'s shape: 64 entries, 4 ways → 16 sets, LRU by default; impossible shapes are refused with the reason', () => {
  assert.equal(exact(), { sets: 16, ways: 4, replacement: 'lru', flushAll: false, exact: true })
  assert.is(exactTlbConfig({ entries: 48, ways: 4, replacement: 'lru' }), '48 entries / 4 ways = 12 sets, not a power of two')
  assert.is(exactTlbConfig({ entries: 6, ways: 4, replacement: 'fifo' }), '6 entries cannot be split into sets of 4 ways')
  assert.equal(exactTlbConfig({ entries: 8, ways: 8, replacement: 'fifo' }), { sets: 1, ways: 8, replacement: 'fifo', flushAll: false, exact: true })
})

test.run()
