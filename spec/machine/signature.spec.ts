// The signature dump (src/machine/signature.ts) as riscv-isa-sim's fesvr/htif.cc writes it at exit:
// `granularity` bytes to a line, each line from its highest byte down to its lowest in two lower-case hex
// digits, the bytes of the last line past end_signature written as 00. Expected texts worked by hand.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import { none } from 'fp-ts/lib/Option.js'
import { emptyMemory, pokeBytes } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'
import { type Elf } from '../../src/elf/elf.ts'
import { ramAtDramBase } from '../../src/machine/machine.ts'
import { SPIKE_SIGNATURE_GRANULARITY, signatureRegion, signatureText } from '../../src/machine/signature.ts'

const BASE = 0x8000_2000n
const memory = pokeBytes(emptyMemory(defaultMemoryMap), phys(BASE), Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0x05, 0xa0, 0xb1, 0xc2, 0xd3]))

const elfWith = (symbols: Record<string, bigint>): Elf => ({
  entry: 0x8000_0000n, flags: 0, segments: [], tohost: none, fromhost: none,
  symbols: new Map(Object.entries(symbols).map(([name, value]) => [name, { name, value, size: 0n, type: 0, bind: 1, shndx: 1 }])),
})

test('htif.cc: the default granularity is 16 bytes to a line', () => {
  assert.is(SPIKE_SIGNATURE_GRANULARITY, 16)
})

test('htif.cc: a line is its group of bytes from the highest address down (a little-endian word at granularity 4)', () => {
  assert.is(signatureText(memory, { begin: BASE, length: 8n }, 4), '04030201\nc2b1a005\n')
})

test('htif.cc: bytes of the last line beyond end_signature print as 00, at the line\'s high end', () => {
  // 5 bytes at granularity 4: the second line holds byte 4 (0x05) and three padding bytes above it.
  assert.is(signatureText(memory, { begin: BASE, length: 5n }, 4), '04030201\n00000005\n')
})

test('htif.cc: granularity 16 puts a whole 9-byte region on one line, padded above', () => {
  assert.is(signatureText(memory, { begin: BASE, length: 9n }, 16), '00000000000000d3c2b1a00504030201\n')
})

test('htif.cc: granularity 1 writes one byte per line, in address order', () => {
  assert.is(signatureText(memory, { begin: BASE + 4n, length: 3n }, 1), '05\na0\nb1\n')
})

test('htif.cc: an odd granularity (3) groups bytes in threes', () => {
  assert.is(signatureText(memory, { begin: BASE, length: 7n }, 3), '030201\na00504\n0000b1\n')
})

test('never-written RAM reads as zero in the signature', () => {
  assert.is(signatureText(memory, { begin: BASE + 0x100n, length: 4n }, 4), '00000000\n')
})

test('an empty region (end_signature = begin_signature) writes nothing', () => {
  assert.is(signatureText(memory, { begin: BASE, length: 0n }, 4), '')
})

test('htif.cc load_symbols: the region runs from begin_signature up to, not including, end_signature', () => {
  const r = signatureRegion(elfWith({ begin_signature: BASE, end_signature: BASE + 20n }), ramAtDramBase(0x1000_0000n))
  assert.equal(r, { _tag: 'Right', right: { begin: BASE, length: 20n } })
})

test('a missing symbol, an end below the beginning, or a region outside RAM is an error', () => {
  const ram = ramAtDramBase(0x1000_0000n)
  assert.is(signatureRegion(elfWith({ begin_signature: BASE }), ram)._tag, 'Left')
  assert.is(signatureRegion(elfWith({ begin_signature: BASE, end_signature: BASE - 4n }), ram)._tag, 'Left')
  // RAM ends at 0x9000_0000: a region reaching past it is refused, one ending exactly there is not.
  assert.is(signatureRegion(elfWith({ begin_signature: 0x8fff_fff0n, end_signature: 0x9000_0004n }), ram)._tag, 'Left')
  assert.is(signatureRegion(elfWith({ begin_signature: 0x8fff_fff0n, end_signature: 0x9000_0000n }), ram)._tag, 'Right')
})

test.run()
