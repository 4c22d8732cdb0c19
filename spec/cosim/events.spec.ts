// The co-simulation protocol's event lines (issue 18's contract): each kind decoded with hex strings for
// 64-bit values, and every malformed line refused with the field that is wrong.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeEvent, encodeEvent, encodeReply } from '../../src/cosim/index.ts'

const ok = (line: string): unknown => {
  const r = decodeEvent(line)
  if (r._tag === 'Left') throw new Error(r.left)
  return r.right
}
const bad = (line: string): string => {
  const r = decodeEvent(line)
  if (r._tag === 'Right') throw new Error(`accepted: ${line}`)
  return r.left
}

test('retire: pc, insn, and rd/value together', () => {
  assert.equal(ok('{"event":"retire","pc":"0x80000000","insn":"0x00000297","rd":5,"value":"0x80000000"}'),
    { event: 'retire', pc: 0x8000_0000n, insn: 0x297, rd: 5, value: 0x8000_0000n })
  assert.equal(ok('{"event":"retire","pc":"0x1010","insn":"0x00028067"}'), { event: 'retire', pc: 0x1010n, insn: 0x28067 })
})

test('retire: rd without value (or value without rd) is refused', () => {
  assert.match(bad('{"event":"retire","pc":"0x0","insn":"0x0","rd":5}'), 'field value')
  assert.match(bad('{"event":"retire","pc":"0x0","insn":"0x0","value":"0x1"}'), 'field rd')
})

test('trap, access, fetch, mip, csr, write, nmi, debug_req decode', () => {
  assert.equal(ok('{"event":"trap","pc":"0x8000002c","cause":"0x8000000000000007","tval":"0x0"}'),
    { event: 'trap', pc: 0x8000_002cn, cause: (1n << 63n) | 7n, tval: 0n })
  assert.equal(ok('{"event":"access","pc":"0x100c","va":"0x1018","pa":"0x1018","size":8,"store":false,"value":"0x80000000"}'),
    { event: 'access', pc: 0x100cn, va: 0x1018n, pa: 0x1018n, size: 8, store: false, value: 0x8000_0000n })
  assert.equal(ok('{"event":"fetch","pc":"0x1000","pa":"0x1000"}'), { event: 'fetch', pc: 0x1000n, pa: 0x1000n })
  assert.equal(ok('{"event":"mip","value":"0x800"}'), { event: 'mip', value: 0x800n })
  assert.equal(ok('{"event":"csr","csr":2818,"value":"0x10"}'), { event: 'csr', csr: 0xb02, value: 0x10n })
  assert.equal(ok('{"event":"write","pa":"0x80001000","size":4,"value":"0xdeadbeef"}'), { event: 'write', pa: 0x8000_1000n, size: 4, value: 0xdead_beefn })
  assert.equal(ok('{"event":"nmi"}'), { event: 'nmi' })
  assert.equal(ok('{"event":"debug_req"}'), { event: 'debug_req' })
})

test('64-bit values are hex strings: a JSON number is refused, naming the field', () => {
  assert.match(bad('{"event":"fetch","pc":4096,"pa":"0x1000"}'), 'field pc: expected a 64-bit hex string')
})

test('an unknown field, a missing field, an unknown kind and malformed JSON are refused', () => {
  assert.match(bad('{"event":"fetch","pc":"0x0","pa":"0x0","priv":3}'), 'field priv: unknown field')
  assert.match(bad('{"event":"trap","pc":"0x0","cause":"0x2"}'), 'field tval: missing')
  assert.match(bad('{"event":"step"}'), 'field event: expected one of "retire"')
  assert.match(bad('{"event":'), 'malformed JSON')
  assert.match(bad('[1]'), 'expected an event object')
})

test('an access or write value wider than its size is refused; sizes are 1, 2, 4 or 8', () => {
  assert.match(bad('{"event":"write","pa":"0x80000000","size":1,"value":"0x100"}'), 'does not fit in 1 bytes')
  assert.match(bad('{"event":"write","pa":"0x80000000","size":3,"value":"0x1"}'), 'field size')
})

test('events and replies encode in the contract\'s field order, hex as 16 digits', () => {
  assert.is(encodeEvent({ event: 'retire', pc: 0x1000n, insn: 0x297, rd: 5, value: 0x1000n }),
    '{"event":"retire","pc":"0x0000000000001000","insn":"0x00000297","rd":5,"value":"0x0000000000001000"}')
  assert.is(encodeReply({ ok: false, index: 3, field: 'pa', dut: '0x1', model: '0x2', explain: ['x'] }),
    '{"ok":false,"index":3,"field":"pa","dut":"0x1","model":"0x2","explain":["x"]}')
})

test.run()
