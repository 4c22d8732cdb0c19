// The first-divergence finder (src/trace/check.ts) on hand-built pairs of logs: the model's commit
// lines against a DUT's.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ModelEnd, diffCommits, firstDivergence } from '../../src/trace/check.ts'
import { parseSpikeLine, type CommitLine } from '../../src/trace/spike-log.ts'

function* modelOf(lines: readonly string[], end: ModelEnd = { reason: 'exit', steps: lines.length }): Generator<string, ModelEnd, undefined> {
  yield* lines
  return end
}
const check = (model: readonly string[], dut: readonly string[], end?: ModelEnd) => firstDivergence(modelOf(model, end), dut[Symbol.iterator]())

const A = 'core   0: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000'
const B = 'core   0: 3 0x0000000000001004 (0x02028593) x11 0x0000000000001020'
const C = 'core   0: 3 0x000000000000100c (0x0182b283) x5  0x0000000080000000 mem 0x0000000000001018'

const commit = (line: string): CommitLine => {
  const r = parseSpikeLine(line)
  if (r._tag === 'Left' || r.right._tag !== 'Commit') throw new Error(line)
  return r.right
}

test('identical logs: no divergence, N = the model\'s retired instructions', () => {
  assert.equal(check([A, B, C], [A, B, C]), { _tag: 'NoDivergence', instructions: 3, end: { reason: 'exit', steps: 3 } })
})

test('a DUT log that goes on after the model exits (Spike spinning after tohost) is no divergence', () => {
  assert.equal(check([A, B], [A, B, C, C, C]), { _tag: 'NoDivergence', instructions: 2, end: { reason: 'exit', steps: 2 } })
})

test('a DUT log that ends early is reported with the next expected line', () => {
  assert.equal(check([A, B, C], [A, B]), { _tag: 'LogEnded', instructions: 2, expected: C })
})

test('an empty DUT log ends after 0 instructions', () => {
  assert.equal(check([A], []), { _tag: 'LogEnded', instructions: 0, expected: A })
})

test('one register value differs: the instruction number, the DUT line, the pc and the x item', () => {
  const bad = 'core   0: 3 0x0000000000001004 (0x02028593) x11 0x0000000000001024'
  assert.equal(check([A, B, C], [A, bad, C]), {
    _tag: 'Divergence', instruction: 2, dutLine: 2, pc: '0x0000000000001004',
    diffs: [{ item: 'x11', expected: '0x0000000000001020', found: '0x0000000000001024' }], expected: B, found: bad,
  })
})

test('lines spike -l adds are skipped: instruction numbers count commit lines, DUT line numbers count all', () => {
  const bad = 'core   0: 3 0x000000000000100c (0x0182b283) x5  0x0000000080000000 mem 0x0000000000001010'
  const dut = [
    'core   0: 0x0000000000001000 (0x00000297) auipc   t0, 0x0', A,
    'core   0: >>>>  _start', 'core   0: 0x0000000000001004 (0x02028593) addi    a1, t0, 32', B,
    'core   0: exception trap_load_page_fault, epc 0x0000000000001008', 'core   0:           tval 0x0000000000000000',
    'core   0: 0x000000000000100c (0x0182b283) ld      t0, 24(t0)', bad,
  ]
  const r = check([A, B, C], dut)
  assert.equal(r._tag === 'Divergence' && [r.instruction, r.dutLine, r.diffs], [3, 9, [{ item: 'mem', expected: '0x0000000000001018', found: '0x0000000000001010' }]])
})

test('the same items with other spacing or a carriage return agree', () => {
  assert.equal(check([A], ['core   0: 3 0x0000000000001000 (0x00000297)   x5 0x0000000000001000 \r'])._tag, 'NoDivergence')
})

test('a line that is not Spike\'s format is a bad line with its number', () => {
  assert.equal(check([A, B], [A, 'garbage']), { _tag: 'BadLine', dutLine: 2, message: 'expected a Spike log line starting "core   0: "' })
})

test('a line of another hart is a bad line: the model has one hart', () => {
  assert.equal(check([A], ['core   1: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000']),
    { _tag: 'BadLine', dutLine: 1, message: 'core 1: the model has one hart (core 0)' })
})

test('the model stopping at its step limit is no divergence, with that reason', () => {
  assert.equal(check([A], [A, B], { reason: 'limit', steps: 1 }), { _tag: 'NoDivergence', instructions: 1, end: { reason: 'limit', steps: 1 } })
})

test('diff: a different pc, privilege and instruction are each named', () => {
  assert.equal(diffCommits(commit(A), commit('core   0: 1 0x0000000000001002 (0x00000293) x5  0x0000000000001000')), [
    { item: 'priv', expected: '3', found: '1' },
    { item: 'pc', expected: '0x0000000000001000', found: '0x0000000000001002' },
    { item: 'insn', expected: '0x00000297', found: '0x00000293' },
  ])
})

test('diff: a missing register write and an extra CSR write', () => {
  const found = 'core   0: 3 0x0000000000001000 (0x00000297) c768_mstatus 0x0000000a00000000'
  assert.equal(diffCommits(commit(A), commit(found)), [
    { item: 'x5', expected: '0x0000000000001000', found: undefined },
    { item: 'c768_mstatus', expected: undefined, found: '0x0000000a00000000' },
  ])
})

test('diff: the second memory access of an AMO is named mem[2]; store data width counts', () => {
  const amo = 'core   0: 3 0x00000000800003c0 (0x00b4b62f) x12 0x0000000000000005 mem 0x0000000080003020 mem 0x0000000080003020 0xfffffffffffffffc'
  const narrow = 'core   0: 3 0x00000000800003c0 (0x00b4b62f) x12 0x0000000000000005 mem 0x0000000080003020 mem 0x0000000080003020 0xfffffffc'
  assert.equal(diffCommits(commit(amo), commit(narrow)), [
    { item: 'mem[2]', expected: '0x0000000080003020 0xfffffffffffffffc', found: '0x0000000080003020 0xfffffffc' },
  ])
})

test('diff: a store and a load to the same address differ (data present or not)', () => {
  assert.equal(diffCommits(commit('core   0: 3 0x0000000000001000 (0x00a2b023) mem 0x0000000000002000 0x0000000000000001'),
    commit('core   0: 3 0x0000000000001000 (0x00a2b023) mem 0x0000000000002000')),
  [{ item: 'mem', expected: '0x0000000000002000 0x0000000000000001', found: '0x0000000000002000' }])
})

/** The DUT's lines as an iterator that counts how many were read. */
const counted = (lines: readonly string[]): { readonly it: Iterator<string>; readonly read: () => number } => {
  let read = 0
  function* gen(): Generator<string> { for (const l of lines) { read++; yield l } }
  return { it: gen(), read: () => read }
}

test('the DUT log is not read past the first divergence', () => {
  const dut = counted([B.replace('0x02028593', '0x02028513'), 'garbage'])
  assert.is(firstDivergence(modelOf([B, B]), dut.it)._tag, 'Divergence')
  assert.is(dut.read(), 1)
})

test("the DUT log is not read past the model's last instruction", () => {
  const dut = counted([A, 'garbage'])
  assert.is(firstDivergence(modelOf([A]), dut.it)._tag, 'NoDivergence')
  assert.is(dut.read(), 1)
})

test.run()
