// ARMv7 scenario fields have the architecture's widths (ARM ARM DDI 0406C): virtual addresses, TTBCR, DACR
// and CONTEXTIDR are 32 bits, TTBR0/TTBR1 64 (LPAE), a write stores a 32-bit word, and a memory word's value
// fits its size. A wider value is one error naming the field; before, it was cut to 32 bits where used (a VA
// 0x4_0201_e308 printed whole but faulted as DFAR 0x0201e308: found by reviewing the fuzzer's accepted runs).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeArmScenario } from '../../src/cli/translate-armv7.ts'
import { describeError } from '../../src/codec/errors.ts'

const decode = (s: unknown): string => { const r = decodeArmScenario(s); return r._tag === 'Right' ? 'ok' : describeError(r.left) }
const scenario = (over: Record<string, unknown>): unknown => ({ registers: {}, events: [{ va: '0x4020_4000', access: 'read' }], ...over })

test('a virtual address is 32 bits: 0x4_0201_e308 is an error naming events[0].va; 0xffff_ffff is accepted', () => {
  assert.match(decode(scenario({ events: [{ va: '0x4020_1e308', access: 'write' }] })), /^field events\[0\]\.va: 0x4020_1e308 does not fit in 32 bits$/)
  assert.is(decode(scenario({ events: [{ va: '0xffff_ffff', access: 'read' }] })), 'ok')
})

test('TTBCR, DACR and CONTEXTIDR are 32-bit registers; TTBR0 is 64 bits wide (LPAE)', () => {
  assert.match(decode(scenario({ registers: { ttbcr: '0x1_0000_0000' } })), /^field registers\.ttbcr: 0x1_0000_0000 does not fit in 32 bits$/)
  assert.match(decode(scenario({ registers: { dacr: '0x1_0000_0001' } })), /^field registers\.dacr: /)
  assert.match(decode(scenario({ registers: { contextidr: '0x1_0000_0000' } })), /^field registers\.contextidr: /)
  assert.is(decode(scenario({ registers: { ttbr0: '0x0001_0000_8000_0000' } })), 'ok')
})

test('a write stores a 32-bit word: a 33-bit value is an error naming events[0].value', () => {
  assert.match(decode(scenario({ events: [{ va: '0x0', access: 'write', value: '0x1_0000_0000' }] })), /^field events\[0\]\.value: /)
})

test('a memory word\'s value fits its size: 0x1_0000_0000 is an error at size 4 (the default), fine at size 8', () => {
  assert.is(decode(scenario({ memory: [{ addr: '0x8000_0000', value: '0x1_0000_0000' }] })), 'field memory[0].value: 0x100000000 does not fit in 4 bytes (size 4)')
  assert.is(decode(scenario({ memory: [{ addr: '0x8000_0000', value: '0x1_0000_0000', size: 8 }] })), 'ok')
})

test.run()
