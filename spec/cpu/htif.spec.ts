// Spike's HTIF from the host side (fesvr/htif.cc, syscall.cc, device.cc): tohost commands served when a
// chunk ends; exit; proxied write/exit/unknown system calls; the console device; fromhost answers.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import { emptyMemory, peek, poke, pokeBytes } from '../../src/memory/memory.ts'
import { defaultMachineOptions, platformMap } from '../../src/machine/machine.ts'
import { type Htif, htif, serviceHtif as serve, exitCommand } from '../../src/machine/htif.ts'
import { ramPort } from '../../src/machine/dma.ts'
import { ramWindow } from '../../src/cpu/bus.ts'
import { SPIKE_RAM_BASE, SPIKE_RAM_SIZE } from '../../src/memory/memory-map.ts'

const TOHOST = 0x8000_1000n, FROMHOST = 0x8000_1040n, BLOCK = 0x8000_2000n
/** The host reaches RAM through the identity port, as on Spike's platform. */
const serviceHtif = (m: typeof mem0, h: Htif) => serve(m, h, ramPort(ramWindow(SPIKE_RAM_BASE, SPIKE_RAM_SIZE)))
const empty = htif(TOHOST, FROMHOST, undefined, [], [])
const mem0 = emptyMemory(platformMap(defaultMachineOptions))
const withTohost = (v: bigint) => poke(mem0, phys(TOHOST), 8, v)
const block = (m: typeof mem0, words: bigint[]) => words.reduce((acc, w, i) => poke(acc, phys(BLOCK + BigInt(8 * i)), 8, w), m)

test('exit command: device 0, command 0, payload bit 0 set; code = payload >> 1', () => {
  assert.is(exitCommand(1n), 0)
  assert.is(exitCommand((21n << 1n) | 1n), 21)
  assert.is(exitCommand((1n << 56n) | 1n), undefined)          // the console device, not an exit
})

test('the host clears tohost after reading a command', () => {
  const r = serviceHtif(withTohost(3n), empty)
  assert.is(r.htif.exitCode, 1)
  assert.is(peek(r.memory, phys(TOHOST), 8), 0n)
})

test('write(1, buf, len): the bytes are output, the block receives len, fromhost receives 1', () => {
  let m = block(withTohost(BLOCK), [64n, 1n, 0x8000_3000n, 3n])
  m = pokeBytes(m, phys(0x8000_3000n), new TextEncoder().encode('abc'))
  const r = serviceHtif(m, empty)
  assert.is(new TextDecoder().decode(r.htif.output[0]!.bytes), 'abc')
  assert.is(peek(r.memory, phys(BLOCK), 8), 3n)
  assert.is(peek(r.memory, phys(FROMHOST), 8), 1n)
})

test('an answer waits while fromhost is not zero', () => {
  const m = poke(block(withTohost(BLOCK), [64n, 1n, 0x8000_3000n, 0n]), phys(FROMHOST), 8, 7n)
  const r = serviceHtif(m, empty)
  assert.is(peek(r.memory, phys(FROMHOST), 8), 7n)
  assert.equal(r.htif.pending, [1n])
})

test('an unknown system call is answered with -ENOSYS (-38)', () => {
  const r = serviceHtif(block(withTohost(BLOCK), [999n]), empty)
  assert.is(peek(r.memory, phys(BLOCK), 8), BigInt.asUintN(64, -38n))
})

test('exit(code) as a system call (93) ends the run with that code', () => {
  assert.is(serviceHtif(block(withTohost(BLOCK), [93n, 5n]), empty).htif.exitCode, 5)
})

test('the console device (1), command 1, prints the low byte of the payload', () => {
  const r = serviceHtif(withTohost((1n << 56n) | (1n << 48n) | 0x41n), empty)
  assert.is(r.htif.output[0]!.bytes[0], 0x41)
})

test.run()
