// RISC-V IOMMU spec v1.0, "Command-Queue (CQ)", the ATS command (ATS.INVAL, ATS.PRGR) and IOFENCE.C's
// ordering: an ATS.INVAL sends an "Invalidation Request" and completes when the device's "Invalidation
// Completion" arrives or a timeout expires; the IOMMU may go on fetching commands meanwhile; an IOFENCE.C
// does not complete before every earlier command has; a timeout is reported by the next IOFENCE.C as
// cqcsr.cmd_to. The ITAG pool (two) is the C model's choice.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { encodeCommand, type Command } from '../../src/iommu/commands.ts'
import { resetIommu } from '../../src/iommu/iommu.ts'
import { type Event, type Step, runSteps } from '../../src/iommu/steps.ts'
import { CQ, OFF, ddtp, ram, word } from './fixtures.ts'

const setup: readonly Step[] = [
  { op: 'write-register', offset: OFF.ddtp, size: 8, value: ddtp(2) },
  { op: 'write-register', offset: OFF.cqb, size: 8, value: 3n | ((CQ >> 12n) << 10n) },
  { op: 'write-register', offset: OFF.cqcsr, size: 4, value: 1n },
]
const cmd = (c: Command): Step => ({ op: 'command', words: encodeCommand(c) })
const inval = (rid: number, payload = 0x4000_0000n, pv = false, pid = 0): Command => ({ kind: 'ATS.INVAL', pid, pv, dsv: false, rid, dseg: 0, payload })
const fence = (data: number): Command => ({ kind: 'IOFENCE.C', av: true, wsi: false, pr: false, pw: false, data, addr: 0x8072_0000n })
const run = (steps: readonly Step[]): ReturnType<typeof runSteps> => runSteps(resetIommu(EXAMPLE_CAPABILITIES), ram, [...setup, ...steps])
const messages = (events: readonly Event[]): unknown[] => events.flatMap((e) => (e.op === 'ats-message' ? [e.message] : []))

test('ATS.PRGR sends a "Page Request Group Response" to RID with the command\'s PAYLOAD, with a PASID when PV = 1; cqh advances', () => {
  const r = run([cmd({ kind: 'ATS.PRGR', pid: 9, pv: true, dsv: true, rid: 0x123, dseg: 2, payload: 0x0000_1005_0000_0000n })])
  assert.equal(messages(r.events), [{ message: 'page-request-group-response', origin: 'command', rid: 0x123, dsv: true, dseg: 2, pv: true, pid: 9, tag: 0, payload: 0x0000_1005_0000_0000n }])
  assert.is(r.iommu.regs.cqh, 1n)
})

test('ATS.INVAL sends an "Invalidation Request" (ITAG 0 first) and the queue goes on fetching commands while it is outstanding', () => {
  const r = run([cmd(inval(5)), cmd({ kind: 'IODIR.INVAL_DDT', pid: 0, dv: false, did: 0 })])
  assert.equal(messages(r.events), [{ message: 'invalidation-request', origin: 'command', rid: 5, dsv: false, dseg: 0, pv: false, pid: 0, tag: 0, payload: 0x4000_0000n }])
  assert.is(r.iommu.regs.cqh, 2n)
})

test('IOFENCE.C after an outstanding ATS.INVAL waits (cqh stays on it, no DATA stored) until the completion, then completes', () => {
  const waiting = run([cmd(inval(5)), cmd(fence(0x77))])
  assert.is(waiting.iommu.regs.cqh, 1n); assert.is(word(waiting.memory, 0x8072_0000n), 0n)
  const done = run([cmd(inval(5)), cmd(fence(0x77)), { op: 'invalidation-completion', rid: 5, itags: 1, cc: 1 }])
  assert.is(done.iommu.regs.cqh, 2n); assert.is(word(done.memory, 0x8072_0000n), 0x77n)
})

test('A timed-out ATS.INVAL: the next IOFENCE.C sets cqcsr.cmd_to and stays at cqh; after software clears cmd_to it completes', () => {
  const r = run([cmd(inval(5)), cmd(fence(0x77)), { op: 'ats-timeout', itags: 1 }])
  assert.is((r.iommu.regs.cqcsr >> 9n) & 1n, 1n); assert.is(r.iommu.regs.cqh, 1n); assert.is(word(r.memory, 0x8072_0000n), 0n)
  const r2 = run([cmd(inval(5)), cmd(fence(0x77)), { op: 'ats-timeout', itags: 1 }, { op: 'write-register', offset: OFF.cqcsr, size: 4, value: 1n | (1n << 9n) }])
  assert.is(r2.iommu.regs.cqh, 2n); assert.is(word(r2.memory, 0x8072_0000n), 0x77n)
})

test('A completion counts responses: the ITAG frees when the count reaches CC (a request answered in two parts)', () => {
  const half = run([cmd(inval(5)), cmd(fence(1)), { op: 'invalidation-completion', rid: 5, itags: 1, cc: 2 }])
  assert.is(half.iommu.regs.cqh, 1n)
  const whole = run([cmd(inval(5)), cmd(fence(1)), { op: 'invalidation-completion', rid: 5, itags: 1, cc: 2 }, { op: 'invalidation-completion', rid: 5, itags: 1, cc: 2 }])
  assert.is(whole.iommu.regs.cqh, 2n)
})

test('A completion for an ITAG not outstanding, or from another requester, is unexpected and changes nothing', () => {
  const r = run([cmd(inval(5)), cmd(fence(1)), { op: 'invalidation-completion', rid: 6, itags: 1, cc: 1 }, { op: 'invalidation-completion', rid: 5, itags: 2, cc: 1 }])
  assert.equal(r.events.flatMap((e) => (e.op === 'invalidation-completion' ? [e.expected] : [])), [false, false])
  assert.is(r.iommu.regs.cqh, 1n)
})

test('With both ITAGs outstanding a third ATS.INVAL is held: cqh moves past it, the queue stalls, and a completion sends it with the freed ITAG', () => {
  const held = run([cmd(inval(5)), cmd(inval(6)), cmd(inval(7)), cmd(fence(1))])
  assert.equal(messages(held.events).map((m) => (m as { tag: number }).tag), [0, 1])
  assert.is(held.iommu.regs.cqh, 3n)
  const freed = run([cmd(inval(5)), cmd(inval(6)), cmd(inval(7)), cmd(fence(1)), { op: 'invalidation-completion', rid: 6, itags: 2, cc: 1 }])
  assert.equal(messages(freed.events).map((m) => [(m as { rid: number }).rid, (m as { tag: number }).tag]), [[5, 0], [6, 1], [7, 1]])
  // The fence after it now waits for ITAGs 0 and 1.
  assert.is(freed.iommu.regs.cqh, 3n)
})

test.run()
