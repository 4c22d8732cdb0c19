// The 64-bit helpers every subsystem uses: extraction, sign extension and wrap-around follow the
// two's-complement conventions of the RISC-V unprivileged ISA ("Integer Computational Instructions").
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bits, sext, u64, s64, hex } from '../src/bits/bits.ts'

test('bits[hi:lo] extracts an inclusive field', () => {
  assert.is(bits(0xabcdn, 11, 4), 0xbcn)
  assert.is(bits(0x8000_0000_0000_0000n, 63, 63), 1n)
})

test('sign extension of a 12-bit immediate 0x800 gives -2048 as an XLEN value', () => {
  assert.is(sext(0x800n, 12), 0xffff_ffff_ffff_f800n)
  assert.is(sext(0x7ffn, 12), 0x7ffn)
})

test('arithmetic wraps modulo 2^64 and reinterprets as signed', () => {
  assert.is(u64(-1n), 0xffff_ffff_ffff_ffffn)
  assert.is(u64((1n << 64n) + 5n), 5n)
  assert.is(s64(0xffff_ffff_ffff_fffen), -2n)
})

test('hex prints Spike-style 16-digit lower-case values', () => {
  assert.is(hex(0x80000000n), '0x0000000080000000')
})

test.run()
