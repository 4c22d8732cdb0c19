// The transport of GDB's remote protocol, clause by clause (GDB manual, "Remote Protocol"). Checksums are
// worked by hand: the sum of the data bytes modulo 256, as two lower-case hex digits.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MAX_PACKET, checksum, decode, escapeBinary, framePacket, initialDecoder, unescapeBinary, type WireEvent } from '../../src/gdb/packet.ts'

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0))
const events = (s: string): WireEvent[] => decode(initialDecoder, bytes(s)).events

test('"Overview": a packet is $data#cs, cs the data bytes summed modulo 256 as two hex digits ($OK#9a)', () => {
  assert.is(checksum('OK'), 0x4f + 0x4b)
  assert.is(framePacket('OK'), '$OK#9a')
  assert.is(framePacket(''), '$#00')
  // "g": 0x67
  assert.is(framePacket('g'), '$g#67')
})

test('"Overview": the checksum is modulo 256 (four "z" = 4 × 0x7a = 0x1e8 → e8)', () => {
  assert.is(framePacket('zzzz'), '$zzzz#e8')
  // bytes above 0x7f count in full: 0x80 + 0x01 = 0x81
  assert.is(framePacket('\x80\x01'), '$\x80\x01#81')
})

test('"Overview" (binary data): # $ } * are sent as } then the byte XOR 0x20, and the checksum covers the escaped bytes', () => {
  assert.is(escapeBinary('a#b$c}d*'), 'a}\x03b}\x04c}]d}\x0a')
  assert.is(unescapeBinary('a}\x03b}\x04c}]d}\x0a'), 'a#b$c}d*')
  // '}' (0x7d) + 0x03 = 0x80
  assert.is(framePacket('#'), '$}\x03#80')
})

test('"Packet Acknowledgment": + and - between packets are acknowledgments', () => {
  assert.equal(events('+-'), [{ _tag: 'Ack' }, { _tag: 'Nack' }])
})

test('"Interrupts": the byte 0x03 outside a packet is an interrupt request; inside binary data it is data', () => {
  assert.equal(events('\x03'), [{ _tag: 'Interrupt' }])
  const x = 'X80000000,1:\x03'
  assert.equal(events(`$${x}#${checksum(x).toString(16).padStart(2, '0')}`), [{ _tag: 'Packet', data: x }])
})

test('"Overview": a packet with a wrong checksum is reported, for the receiver to answer -', () => {
  assert.equal(events('$OK#00'), [{ _tag: 'BadChecksum', data: 'OK' }])
  assert.equal(events('$OK#zz'), [{ _tag: 'BadChecksum', data: 'OK' }])
})

test('"Overview": the decoder unescapes binary data and accepts upper-case checksum digits', () => {
  assert.equal(events('$}\x03#80'), [{ _tag: 'Packet', data: '#' }])
  assert.equal(events('$zzzz#E8'), [{ _tag: 'Packet', data: 'zzzz' }])
})

test('bytes between packets are noise; a $ inside a packet starts it again', () => {
  assert.equal(events('junk$OK#9a'), [{ _tag: 'Packet', data: 'OK' }])
  assert.equal(events('$garb$OK#9a'), [{ _tag: 'Packet', data: 'OK' }])
})

test('"General Query Packets" (qSupported PacketSize): a packet longer than PacketSize is discarded whole', () => {
  const long = 'a'.repeat(MAX_PACKET + 1)
  assert.equal(events(`$${long}#${checksum(long).toString(16).padStart(2, '0')}$OK#9a`), [{ _tag: 'TooLong' }, { _tag: 'Packet', data: 'OK' }])
  const fits = 'a'.repeat(MAX_PACKET)
  assert.is(events(`$${fits}#${checksum(fits).toString(16).padStart(2, '0')}`)[0]!._tag, 'Packet')
})

test('the decoder is streaming: a packet split byte by byte (m1000,4: 0x6d+0x31+3×0x30+0x2c+0x34 = 0x18e → 8e) is found once, at its last byte', () => {
  let state = initialDecoder
  const seen: WireEvent[][] = []
  for (const b of bytes('$m1000,4#8e')) {
    const r = decode(state, Uint8Array.of(b))
    state = r.state
    seen.push(r.events)
  }
  assert.equal(seen.slice(0, -1).flat(), [])
  assert.equal(seen[seen.length - 1], [{ _tag: 'Packet', data: 'm1000,4' }])
})

test.run()
