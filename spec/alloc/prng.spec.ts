// xoshiro128** and SplitMix64 against published reference outputs.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Cursor, fromState, nextU32, seeded, splitmix64 } from '../../src/alloc/prng.ts'

test('SplitMix64 seeded with 1234567 gives the Rosetta Code reference sequence', () => {
  // Rosetta Code "Pseudo-random numbers/Splitmix64" (the values of Vigna's splitmix64.c)
  const want = [6457827717110365317n, 3203168211198807973n, 9817491932198370423n, 4593380528125082431n, 16408922859458223821n]
  let st = 1234567n
  for (const w of want) {
    const [out, next] = splitmix64(st)
    assert.is(out, w)
    st = next
  }
})

test('xoshiro128** matches the C reference outputs and states (edorfaus/xoshiro-6502 test data)', () => {
  // test-rom/testdata.asm: seed words, then after each draw the output and the state
  let p = fromState(0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0)
  const outputs = [0xf1391922, 0x6fe53806, 0xa5be2840, 0xf510ee70]
  const states = [
    [0x72410269, 0xef382c52, 0x2e43bec7, 0x62432f20],
    [0xff3a011b, 0xb33a90fc, 0x2c5a18ae, 0xd81b946b],
    [0x941b058c, 0x605a8949, 0xa641e1b5, 0x0824bb59],
    [0xfc65379c, 0x52006d70, 0x87487639, 0xf1908343],
  ]
  for (let i = 0; i < 4; i++) {
    const [u, q] = nextU32(p)
    assert.is(u, outputs[i])
    assert.equal([q.s0, q.s1, q.s2, q.s3], states[i])
    p = q
  }
})

test('a draw leaves the old state valid: drawing twice from it gives the same number', () => {
  const p = seeded(7)
  assert.is(nextU32(p)[0], nextU32(p)[0])
})

test('a cursor draws the same sequence as the pure chain and closes on the same state', () => {
  let p = seeded(42)
  const c = new Cursor(p)
  for (let i = 0; i < 10; i++) {
    const [u, q] = nextU32(p)
    assert.is(c.u32(), u)
    p = q
  }
  assert.equal(c.close(), p)
})

test('different seeds give different streams', () => {
  assert.is.not(nextU32(seeded(1))[0], nextU32(seeded(2))[0])
})

test.run()
