// The run summary (src/machine/summary.ts), the fold `memvirt demo` prints, on hand-made step events:
// modes per the H chapter §"Privilege Modes", guest-physical addresses per §"Trap Value Registers"
// (htval = GPA >> 2), cause names per the Priv. ISA mcause table and the H chapter's cause table.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Retired, type StepEvent, type Trapped, type TranslationCounts, NO_TRANSLATIONS } from '../../src/cpu/event.ts'
import { type Priv } from '../../src/cpu/hart.ts'
import { type TrapTarget, INTERRUPT_BIT, trap } from '../../src/cpu/trap.ts'
import {
  addEvent, causeName, emptySummary, isGuestPageFault, modeOf, retiredTotal, summarize, tlbHitRate, trapsByCause,
  trapsInOrder,
} from '../../src/machine/summary.ts'

const xl = (tlbHits: number, walks: number, twoStageWalks: number): TranslationCounts => ({ tlbHits, walks, twoStageWalks })

const retired = (priv: Priv, virt: boolean, xlate: TranslationCounts = NO_TRANSLATIONS): Retired => ({
  _tag: 'Retired', pc: 0x8000_0000n, bits: 0x13, length: 4, priv, virt, rd: 0, rdValue: 0n, csrs: [], loads: [], stores: [], xlate,
})

const trapped = (cause: bigint, tval: bigint, tval2: bigint, priv: Priv, virt: boolean, target: TrapTarget, xlate: TranslationCounts = NO_TRANSLATIONS): Trapped => ({
  _tag: 'Trapped', pc: 0x8000_0098n, bits: 0x00b53023, priv, virt, trap: trap(cause, tval, true, tval2), target, xlate,
})

const waiting: StepEvent = { _tag: 'Waiting', pc: 0x8000_0100n }

test('H §"Privilege Modes": priv 3 is M; priv 1 is HS with V = 0 and VS with V = 1; priv 0 is U or VU', () => {
  assert.equal([modeOf(3, false), modeOf(1, false), modeOf(1, true), modeOf(0, false), modeOf(0, true)], ['M', 'HS', 'VS', 'U', 'VU'])
})

test('each retired instruction counts once, in the mode it ran in', () => {
  const s = summarize([retired(3, false), retired(1, false), retired(1, true), retired(1, true), retired(0, true)])
  assert.equal(s.retired, { M: 1, HS: 1, VS: 2, U: 0, VU: 1 })
  assert.is(retiredTotal(s), 5)
  assert.is(s.steps, 5)
})

test('a trap is a step but not a retired instruction; a WFI wait is a step and nothing else', () => {
  const s = summarize([retired(1, true), trapped(10n, 0n, 0n, 1, true, 'HS'), waiting])
  assert.is(s.steps, 3)
  assert.is(retiredTotal(s), 1)
  assert.is(s.trapCount, 1)
})

test('H §"Trap Value Registers": a guest-page fault records GPA = htval << 2 (htval drops the low two bits)', () => {
  // A store to GVA 0x4000_1004 whose GPA is 0x8010_1004: htval = 0x8010_1004 >> 2 = 0x2004_0401.
  const s = summarize([trapped(23n, 0x4000_1004n, 0x2004_0401n, 1, true, 'HS')])
  const [t] = trapsInOrder(s)
  assert.is(t?.gpa, 0x8010_1004n)
  assert.is(t?.tval, 0x4000_1004n)
  assert.is(t?.from, 'VS')
  assert.is(t?.target, 'HS')
  assert.is(t?.step, 1)
})

test('a trap that is not a guest-page fault has no GPA, even with a nonzero tval2', () => {
  const s = summarize([trapped(13n, 0x4000_0000n, 0x1234n, 1, true, 'VS')])
  assert.is(trapsInOrder(s)[0]?.gpa, undefined)
})

test('guest-page faults are causes 20, 21 and 23 only (H cause table)', () => {
  assert.equal([12n, 13n, 15n, 20n, 21n, 22n, 23n].filter(isGuestPageFault), [20n, 21n, 23n])
})

test('traps come back oldest first, numbered by the step that took them', () => {
  const s = summarize([retired(1, true), trapped(23n, 1n, 0n, 1, true, 'HS'), retired(1, false), trapped(21n, 2n, 0n, 1, true, 'HS')])
  assert.equal(trapsInOrder(s).map((t) => [t.step, t.cause]), [[2, 23n], [4, 21n]])
})

test('traps by cause: grouped by cause and target, in order of first occurrence', () => {
  const s = summarize([
    trapped(23n, 0n, 0n, 1, true, 'HS'), trapped(13n, 0n, 0n, 1, true, 'VS'), trapped(23n, 0n, 0n, 1, true, 'HS'),
    trapped(13n, 0n, 0n, 1, false, 'HS'), trapped(10n, 0n, 0n, 1, true, 'HS'),
  ])
  assert.equal(trapsByCause(s), [
    { cause: 23n, target: 'HS', count: 2 }, { cause: 13n, target: 'VS', count: 1 },
    { cause: 13n, target: 'HS', count: 1 }, { cause: 10n, target: 'HS', count: 1 },
  ])
})

test('translation counts are summed over retired and trapped steps', () => {
  const s = summarize([retired(1, true, xl(1, 1, 1)), retired(1, false, xl(2, 0, 0)), trapped(23n, 0n, 0n, 1, true, 'HS', xl(1, 1, 1)), waiting])
  assert.equal(s.xlate, { tlbHits: 4, walks: 2, twoStageWalks: 2 })
})

test('TLB hit rate = hits / (hits + walks): 6 hits and 2 walks are 0.75; nothing translated has no rate', () => {
  assert.is(tlbHitRate(summarize([retired(1, true, xl(6, 2, 2))])), 0.75)
  assert.is(tlbHitRate(summarize([retired(3, false)])), undefined)
})

test('addEvent leaves the summary it was given unchanged (a new summary per step)', () => {
  const s1 = addEvent(emptySummary, retired(1, true, xl(1, 0, 0)))
  const s2 = addEvent(s1, trapped(21n, 0n, 4n, 1, true, 'HS', xl(0, 1, 1)))
  assert.is(s1.steps, 1)
  assert.is(s1.trapCount, 0)
  assert.is(s1.traps, undefined)
  assert.equal(s1.xlate, { tlbHits: 1, walks: 0, twoStageWalks: 0 })
  assert.is(s2.traps?.tail, s1.traps)
  assert.is(emptySummary.steps, 0)
})

test('cause names as the spec tables give them, interrupts by their code', () => {
  assert.is(causeName(23n), 'store/AMO guest-page fault')
  assert.is(causeName(21n), 'load guest-page fault')
  assert.is(causeName(20n), 'instruction guest-page fault')
  assert.is(causeName(10n), 'environment call from VS-mode')
  assert.is(causeName(22n), 'virtual instruction')
  assert.is(causeName(INTERRUPT_BIT | 7n), 'machine timer interrupt')
  assert.is(causeName(INTERRUPT_BIT | 6n), 'virtual supervisor timer interrupt')
  assert.is(causeName(14n), 'exception 14')
})

test.run()
