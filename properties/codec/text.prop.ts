// Law of firstNonUtf8 (src/codec/text.ts) against an independent decoder, V8's TextDecoder in fatal mode:
// bytes are UTF-8 exactly when it decodes them, and when they are not, the prefix before the named offset
// decodes while the prefix through the next byte sequence there does not.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { firstNonUtf8 } from '../../src/codec/text.ts'

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const decodes = (b: Uint8Array): boolean => { try { fatal.decode(b); return true } catch { return false } }

/** Bytes near UTF-8: real text with a few bytes replaced, dropped or inserted (lead and continuation bytes weighted up). */
const nearUtf8 = fc.tuple(
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.array(fc.tuple(fc.nat(), fc.oneof(fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xff }), fc.constantFrom(0xe0, 0xed, 0xf0, 0xf4)), fc.constantFrom('set', 'insert', 'delete')), { maxLength: 3 }),
).map(([s, edits]) => {
  const b = [...new TextEncoder().encode(s)]
  for (const [at, v, op] of edits) {
    const i = b.length === 0 ? 0 : at % (b.length + (op === 'insert' ? 1 : 0))
    if (op === 'set' && b.length > 0) b[i] = v
    else if (op === 'insert') b.splice(i, 0, v)
    else if (op === 'delete') b.splice(i, 1)
  }
  return new Uint8Array(b)
})

test('firstNonUtf8 is undefined exactly when a fatal TextDecoder decodes the bytes, and names the first offset it cannot pass', () => {
  fc.assert(fc.property(fc.oneof(nearUtf8, fc.uint8Array({ maxLength: 12 })), (b) => {
    const at = firstNonUtf8(b)
    if (at === undefined) { assert.ok(decodes(b)); return }
    assert.not.ok(decodes(b))
    assert.ok(decodes(b.subarray(0, at)), `the bytes before offset ${at} are UTF-8`)
    // no sequence starting at `at` is well formed: every prefix of up to four bytes there fails
    for (let n = 1; n <= 4 && at + n <= b.length; n++) assert.not.ok(decodes(b.subarray(at, at + n)), `bytes ${at}..${at + n} are not a sequence`)
  }), { numRuns: runs(2000) })
})

test.run()
