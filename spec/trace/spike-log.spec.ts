// Reading Spike's log lines (src/trace/spike-log.ts). The lines are written by hand in the formats of
// riscv-isa-sim's execute.cc (commit_log_print_insn, the -l fetch line, the >>>> label) and
// processor.cc (take_trap), as they appear in /work/shared/reference/logs/*.trace.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type CommitLine, parseSpikeLine } from '../../src/trace/spike-log.ts'

const ok = (line: string) => {
  const r = parseSpikeLine(line)
  if (r._tag === 'Left') throw new Error(`refused: ${r.left}`)
  return r.right
}
const commit = (line: string): CommitLine => {
  const l = ok(line)
  if (l._tag !== 'Commit') throw new Error(`not a commit line: ${l._tag}`)
  return l
}
const refused = (line: string): string => {
  const r = parseSpikeLine(line)
  return r._tag === 'Left' ? r.left : 'accepted'
}

test('a commit line with a register write: priv, pc, insn and one x item', () => {
  assert.equal(ok('core   0: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000'), {
    _tag: 'Commit', hart: 0, priv: '3', pc: '0x0000000000001000', insn: '0x00000297',
    items: [{ name: 'x5', values: ['0x0000000000001000'] }],
  })
})

test('a commit line with no items (a jump through x0)', () => {
  assert.equal(ok('core   0: 3 0x0000000000001010 (0x00028067)'), {
    _tag: 'Commit', hart: 0, priv: '3', pc: '0x0000000000001010', insn: '0x00028067', items: [],
  })
})

test('a load: the x item, then mem with the address only', () => {
  assert.equal(commit('core   0: 3 0x000000000000100c (0x0182b283) x5  0x0000000080000000 mem 0x0000000000001018').items, [
    { name: 'x5', values: ['0x0000000080000000'] }, { name: 'mem', values: ['0x0000000000001018'] },
  ])
})

test('an AMO: the load mem item, then the store mem item with its data', () => {
  assert.equal(commit('core   0: 3 0x00000000800003c0 (0x00b4b62f) x12 0x0000000000000005 mem 0x0000000080003020 mem 0x0000000080003020 0xfffffffffffffffc').items, [
    { name: 'x12', values: ['0x0000000000000005'] }, { name: 'mem', values: ['0x0000000080003020'] },
    { name: 'mem', values: ['0x0000000080003020', '0xfffffffffffffffc'] },
  ])
})

test('a CSR write item is named c<number>_<name>; a compressed instruction has 4 digits', () => {
  const l = ok('core   0: 1 0x0000000080002004 (0x4505) c768_mstatus 0x0000000a00000080')
  assert.equal(l._tag === 'Commit' && [l.insn, l.items], ['0x4505', [{ name: 'c768_mstatus', values: ['0x0000000a00000080'] }]])
})

test('a store of one byte keeps its two-digit data', () => {
  const l = ok('core   0: 0 0x0000000040408000 (0x00a28023) mem 0x0000000040400000 0x5a')
  assert.equal(l._tag === 'Commit' && l.items, [{ name: 'mem', values: ['0x0000000040400000', '0x5a'] }])
})

test('hex digits are read in lower case', () => {
  const l = ok('core   0: 3 0x000000008000ABCD (0x00A28023) mem 0x00000000DEAD0000 0xFF')
  assert.equal(l._tag === 'Commit' && [l.pc, l.insn, l.items[0]?.values], ['0x000000008000abcd', '0x00a28023', ['0x00000000dead0000', '0xff']])
})

test('the lines spike -l adds are recognised: fetch with disassembly, label, exception, tval', () => {
  assert.is(ok('core   0: 0x0000000000001000 (0x00000297) auipc   t0, 0x0')._tag, 'Fetch')
  assert.is(ok('core   0: >>>>  _start')._tag, 'Label')
  assert.is(ok('core   0: exception trap_load_guest_page_fault, epc 0x0000000080002410')._tag, 'Exception')
  assert.is(ok('core   0: exception interrupt #7, epc 0x0000000080000040')._tag, 'Exception')
  assert.is(ok('core   0:           tval 0x0000000100002010')._tag, 'Tval')
})

test('an empty line (or one with a carriage return) is blank', () => {
  assert.is(ok('')._tag, 'Blank')
  assert.is(ok('\r')._tag, 'Blank')
})

test('a carriage return at the end of a commit line is not part of its last value', () => {
  const l = ok('core   0: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000\r')
  assert.equal(l._tag === 'Commit' && l.items, [{ name: 'x5', values: ['0x0000000000001000'] }])
})

test('the hart number is read from the core prefix', () => {
  assert.is(ok('core   1: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000').hart, 1)
})

test('a line without the core prefix is refused', () => {
  assert.is(refused('3 0x0000000000001000 (0x00000297)'), 'expected a Spike log line starting "core   0: "')
  assert.is(refused('\x7fELF\x02\x01\x01'), 'expected a Spike log line starting "core   0: "')
})

test('a core line of no known kind is refused', () => {
  assert.match(refused('core   0: hello'), /^expected a commit line/)
  assert.match(refused('core   0: 3 0x1000 0x00000297'), /^expected a commit line/)
})

test('an item without its value, a value without an item, a store with three values are refused', () => {
  assert.is(refused('core   0: 3 0x0000000000001000 (0x00000297) x5'), 'item "x5" has 0 values (expected 1)')
  assert.is(refused('core   0: 3 0x0000000000001000 (0x00000297) 0x5'), 'a value 0x5 that follows no item name')
  assert.is(refused('core   0: 3 0x0000000000001000 (0x00000297) mem 0x1 0x2 0x3'), 'item "mem" has 3 values (expected 1 or 2)')
})

test.run()
