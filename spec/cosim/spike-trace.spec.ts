// The converter of Spike's log (spike -l --log-commits --dc=1:1:8 --log-cache-miss) into DUT events. The
// log lines are written by hand in Spike's formats (riscv/execute.cc commit_log_print_insn, processor.cc
// take_trap, cachesim.cc's miss line); instructions encoded by hand.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadSize, spikeFetches, spikeTraceEvents } from '../../src/cosim/index.ts'

const LOG = [
  'core   0: >>>>  _start',
  'core   0: 0x0000000080000000 (0x00053503) ld      a0, 0(a0)',
  'D$ read miss 0x80001230',
  'core   0: 1 0x0000000080000000 (0x00053503) x10 0x1122334455667788 mem 0x0000000040000230',
  'core   0: 0x0000000080000004 (0x00452583) lw      a1, 4(a0)',
  'core   0: 1 0x0000000080000004 (0x00452583) x11 0xffffffff80000000 mem 0x0000000040000234',
  'D$ write miss 0x80001238',
  'core   0: 1 0x0000000080000008 (0x00b53423) mem 0x0000000040000238 0xffffffff80000000',
  'D$ read miss 0x80001230',
  'core   0: 1 0x000000008000000c (0x00053003) mem 0x0000000040000230',
  'core   0: 0x0000000080000010 (0x00053503) ld      a0, 0(a0)',
  'core   0: exception trap_load_page_fault, epc 0x0000000080000010',
  'core   0:           tval 0x0000000040000000',
  'core   0: exception interrupt #7, epc 0x0000000080000014',
  'core   0: 3 0x0000000080000014 (0x4501) x10 0x0000000000000000',
  'D$ write miss 0x80001000',
  'core   0: 3 0x0000000080000016 (0x01f2b023) mem 0x0000000080001000 0x0000000000000001',
  'core   0: 3 0x000000008000001a (0x0000006f)',
].join('\n')

test('retire, access (PA from the D$ miss line or, on a hit, the last line), trap, tval, interrupt; ends at the exit store', () => {
  const r = spikeTraceEvents(LOG, 0x8000_1000n)
  assert.ok(r._tag === 'Right')
  assert.equal(r.right, [
    { event: 'retire', pc: 0x8000_0000n, insn: 0x53503, rd: 10, value: 0x1122_3344_5566_7788n },
    { event: 'access', pc: 0x8000_0000n, va: 0x4000_0230n, pa: 0x8000_1230n, size: 8, store: false, value: 0x1122_3344_5566_7788n },
    { event: 'retire', pc: 0x8000_0004n, insn: 0x452583, rd: 11, value: 0xffff_ffff_8000_0000n },
    // a hit: same 8-byte line as the access before, the low 3 bits from the VA; the value is the loaded word
    { event: 'access', pc: 0x8000_0004n, va: 0x4000_0234n, pa: 0x8000_1234n, size: 4, store: false, value: 0x8000_0000n },
    { event: 'retire', pc: 0x8000_0008n, insn: 0xb53423 },
    { event: 'access', pc: 0x8000_0008n, va: 0x4000_0238n, pa: 0x8000_1238n, size: 8, store: true, value: 0xffff_ffff_8000_0000n },
    // a load into x0: its value is not in the log, so no access event (its miss line is used up)
    { event: 'retire', pc: 0x8000_000cn, insn: 0x53003 },
    { event: 'trap', pc: 0x8000_0010n, cause: 13n, tval: 0x4000_0000n },
    { event: 'trap', pc: 0x8000_0014n, cause: (1n << 63n) | 7n, tval: 0n },
    { event: 'retire', pc: 0x8000_0014n, insn: 0x4501, rd: 10, value: 0n },
    { event: 'retire', pc: 0x8000_0016n, insn: 0x1f2b023 },
    { event: 'access', pc: 0x8000_0016n, va: 0x8000_1000n, pa: 0x8000_1000n, size: 8, store: true, value: 1n },
  ])
})

test('a line that is not Spike\'s is an error naming the line', () => {
  const r = spikeTraceEvents('core   0: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000\nhello\n', 0x8000_1000n)
  assert.equal(r, { _tag: 'Left', left: { line: 2, message: 'not a line of Spike\'s log: "hello"' } })
})

test('a D$ miss that no access of the instruction explains is an error', () => {
  const r = spikeTraceEvents('D$ read miss 0x80000000\ncore   0: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000\n', 0x8000_1000n)
  assert.ok(r._tag === 'Left' && r.left.line === 1)
})

test('an access whose PA neither a miss line nor the last line gives is an error', () => {
  const r = spikeTraceEvents('core   0: 3 0x0000000080000000 (0x00053503) x10 0x0000000000000001 mem 0x0000000040000230\n', 0x8000_1000n)
  assert.ok(r._tag === 'Left' && /physical address/.test(r.left.message))
})

test('fetches: the PA from the I$ miss before the -l line, or on a hit the last line with the pc\'s low bits; given to the converter, one fetch event before each -l line\'s instruction', () => {
  const FETCH_LOG = [
    'I$ read miss 0x80003000',
    'core   0: >>>>  user',
    'core   0: 0x0000000040006000 (0x00000297) auipc   t0, 0x0',
    'core   0: 0x0000000040006004 (0x00000297) auipc   t0, 0x0',
    'I$ read miss 0x80003008',
    'core   0: 0x0000000040006008 (0x00000297) auipc   t0, 0x0',
  ].join('\n')
  const f = spikeFetches(FETCH_LOG)
  assert.equal(f, { _tag: 'Right', right: [{ pc: 0x4000_6000n, pa: 0x8000_3000n }, { pc: 0x4000_6004n, pa: 0x8000_3004n }, { pc: 0x4000_6008n, pa: 0x8000_3008n }] })
  const log = 'core   0: 0x0000000040006000 (0x00000297) auipc   t0, 0x0\ncore   0: 0 0x0000000040006000 (0x00000297) x5  0x0000000040006000\n'
  const r = spikeTraceEvents(log, 0x8000_1000n, f._tag === 'Right' ? f.right : [])
  assert.equal(r, { _tag: 'Right', right: [{ event: 'fetch', pc: 0x4000_6000n, pa: 0x8000_3000n }, { event: 'retire', pc: 0x4000_6000n, insn: 0x297, rd: 5, value: 0x4000_6000n }] })
  assert.ok(spikeFetches('core   0: 0x0000000040006000 (0x00000297) auipc   t0, 0x0\n')._tag === 'Left')     // no miss and no line before
  const other = spikeTraceEvents(log, 0x8000_1000n, [{ pc: 0x4000_6004n, pa: 0x8000_3004n }])
  assert.ok(other._tag === 'Left' && /fetch run/.test(other.left.message))
})

test('load sizes from the encoding: LOAD funct3, AMO .w/.d, C loads, HLV funct7', () => {
  assert.equal([0x00050503, 0x00051503, 0x00052503, 0x00053503, 0x00054503, 0x00055503, 0x00056503].map(loadSize), [1, 2, 4, 8, 1, 2, 4])
  assert.is(loadSize(0x00b4b62f), 8)          // amoadd.d
  assert.is(loadSize(0x4004a8af), 4)          // amoor.w
  assert.is(loadSize(0x6008), 8)              // c.ld a0, 0(s0)
  assert.is(loadSize(0x4108), 4)              // c.lw
  assert.is(loadSize(0x6c0545f3), 8)          // hlv.d (funct7 0x36)
  assert.is(loadSize(0x640545f3), 2)          // hlv.h (funct7 0x32)
  assert.is(loadSize(0x00000297), undefined)  // auipc
})

test.run()
