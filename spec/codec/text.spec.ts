// Text inputs must be UTF-8 (RFC 3629; RFC 8259 §8.1 requires it of JSON exchanged between systems).
// `firstNonUtf8` names where a file stops being UTF-8; the sequences below are the RFC's well-formed
// table worked by hand: the byte that cannot start or continue a sequence is the one named.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { firstNonUtf8, utf8Text } from '../../src/codec/text.ts'

const at = (...bytes: number[]): number | undefined => firstNonUtf8(new Uint8Array(bytes))

test('RFC 3629 §4: ASCII and well-formed 2-, 3- and 4-byte sequences are UTF-8 (é C3 A9, € E2 82 AC, U+1D11E F0 9D 84 9E, U+10FFFF F4 8F BF BF)', () => {
  assert.is(at(0x7b, 0x7d), undefined)
  assert.is(at(0x22, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9d, 0x84, 0x9e, 0xf4, 0x8f, 0xbf, 0xbf, 0x22), undefined)
  assert.is(at(), undefined)
})

test('RFC 3629 §3: FE, FF and F5…FF never appear; a lone continuation byte (80…BF) starts nothing', () => {
  assert.is(at(0x22, 0xff, 0x22), 1)
  assert.is(at(0x61, 0xfe), 1)
  assert.is(at(0xf5, 0x80, 0x80, 0x80), 0)
  assert.is(at(0x61, 0x62, 0x80), 2)
})

test('RFC 3629 §3, §10: overlong forms are not UTF-8 (C0 AF and E0 80 AF both spell "/"; F0 80 80 AF too)', () => {
  assert.is(at(0x41, 0xc0, 0xaf), 1)
  assert.is(at(0xc1, 0xbf), 0)
  assert.is(at(0xe0, 0x80, 0xaf), 0)
  assert.is(at(0xf0, 0x80, 0x80, 0xaf), 0)
})

test('RFC 3629 §3: surrogates (ED A0 80 = U+D800) and code points past U+10FFFF (F4 90 80 80) are not UTF-8', () => {
  assert.is(at(0x20, 0xed, 0xa0, 0x80), 1)
  assert.is(at(0xed, 0x9f, 0xbf), undefined)                // U+D7FF, the last before the surrogates
  assert.is(at(0xf4, 0x90, 0x80, 0x80), 0)
})

test('a sequence cut short (E2 82 at the end, or E2 followed by ASCII) stops the text at its first byte', () => {
  assert.is(at(0x61, 0xe2, 0x82), 1)
  assert.is(at(0xe2, 0x41, 0x42), 0)
  assert.is(at(0xf0, 0x9d, 0x84), 0)
})

test('utf8Text: the text of UTF-8 bytes, or the offset where they stop being UTF-8 (never U+FFFD in their place)', () => {
  assert.equal(utf8Text(new Uint8Array([0x7b, 0xc3, 0xa9, 0x7d])), { _tag: 'Right', right: '{é}' })
  assert.equal(utf8Text(new Uint8Array([0x22, 0xff, 0x22])), { _tag: 'Left', left: { offset: 1 } })
  // a byte-order mark is kept, as JSON.parse would see it (and the JSON parser refuses it at 1:1)
  assert.equal(utf8Text(new Uint8Array([0xef, 0xbb, 0xbf, 0x31])), { _tag: 'Right', right: '\ufeff1' })
})

test.run()
