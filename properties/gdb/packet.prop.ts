// Laws of the remote protocol's transport (GDB manual, "Remote Protocol" › "Overview"): the streaming
// decoder finds exactly the packets (and acknowledgments) that were framed, however the byte stream is cut
// into chunks; and it never throws, whatever bytes arrive.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { type DecoderState, type WireEvent, MAX_PACKET, decode, framePacket, initialDecoder } from '../../src/gdb/packet.ts'

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0))

/** Any byte string, the special bytes # $ } * and 0x03 made frequent. */
const arbPayload = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x23, 0x24, 0x7d, 0x2a, 0x03)), { maxLength: 300 })
  .map((a) => String.fromCharCode(...a))

type Item = { readonly kind: 'packet'; readonly data: string } | { readonly kind: 'ack' } | { readonly kind: 'nack' }
const arbItem: fc.Arbitrary<Item> = fc.oneof(
  { weight: 4, arbitrary: arbPayload.map((data): Item => ({ kind: 'packet', data })) },
  fc.constant<Item>({ kind: 'ack' }), fc.constant<Item>({ kind: 'nack' }))

const wire = (it: Item): string => (it.kind === 'packet' ? framePacket(it.data) : it.kind === 'ack' ? '+' : '-')
const expected = (it: Item): WireEvent => (it.kind === 'packet' ? { _tag: 'Packet', data: it.data } : it.kind === 'ack' ? { _tag: 'Ack' } : { _tag: 'Nack' })

/** The stream fed in chunks cut at the given points. */
const feed = (stream: Uint8Array, cuts: readonly number[]): { state: DecoderState; events: WireEvent[] } => {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
  let state = initialDecoder
  const events: WireEvent[] = []
  let from = 0
  for (const p of [...points, stream.length]) {
    const r = decode(state, stream.subarray(from, p))
    state = r.state
    events.push(...r.events)
    from = p
  }
  return { state, events }
}

test('the decoder recovers every framed packet and acknowledgment from any chunking of the stream', () => {
  fc.assert(fc.property(fc.array(arbItem, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), (items, cuts) => {
    const stream = bytes(items.map(wire).join(''))
    const r = feed(stream, cuts)
    assert.equal(r.events, items.map(expected))
    assert.is(r.state.phase, 'idle')
  }), { numRuns: runs(300) })
})

test('the decoder never throws on random bytes and its state stays bounded', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 20 }), (stream, cuts) => {
    const r = feed(stream, cuts)
    assert.ok(r.state.raw.length <= MAX_PACKET)
    for (const e of r.events) assert.ok(['Packet', 'BadChecksum', 'TooLong', 'Ack', 'Nack', 'Interrupt'].includes(e._tag))
  }), { numRuns: runs(300) })
})

test.run()
