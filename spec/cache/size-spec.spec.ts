// Cache sizes as libCacheSim's cachesim takes them (its conv_size_str_to_byte_ul: units are powers of 1024,
// any case, with or without B; and fractions of the working set). Expected values worked by hand.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseSizeSpec, resolveSize } from '../../src/cache/size-spec.ts'

const count = (text: string): number | undefined => {
  const r = parseSizeSpec(text)
  return r._tag === 'Right' && r.right._tag === 'Count' ? r.right.value : undefined
}

test('a plain count is that many objects (or bytes with --obj-size)', () => {
  assert.is(count('1000'), 1000)
})

test('binary units: 64KiB = 65 536, 1GiB = 1gb = 1G = 2^30, 2TB = 2·2^40; case and the B do not matter', () => {
  assert.is(count('64KiB'), 65_536)
  assert.is(count('64k'), 65_536)
  for (const g of ['1GiB', '1gb', '1G', '1g']) assert.is(count(g), 1_073_741_824, g)
  assert.is(count('2TB'), 2 * 1_099_511_627_776)
  assert.is(count('3M'), 3 * 1_048_576)
})

test('a fraction in (0, 1) is that share of the working set, rounded down, at least 1', () => {
  const f = parseSizeSpec('0.1')
  assert.equal(f, { _tag: 'Right', right: { _tag: 'Fraction', value: 0.1 } })
  if (f._tag === 'Right') {
    assert.is(resolveSize(f.right, 3000), 300)
    assert.is(resolveSize(f.right, 5), 1)          // 0.5 rounds down to 0: at least 1
  }
  assert.is(parseSizeSpec('.25')._tag, 'Right')
})

test('refused: 0, 1.5, negative, units of fractions, unknown units, empty', () => {
  for (const bad of ['0', '1.5', '-3', '0.5GiB', '10XB', '', '1e3', '0x10', '0KiB']) assert.is(parseSizeSpec(bad)._tag, 'Left', bad)
})

test.run()
