// Pages far apart in one memory (memory.ts's page trie, fan-out 32): a trie of height 8 or more (page
// numbers from 2^35, addresses from 2^47) keeps every page at its own place. Level 7's slot is bits 35..39 of
// the key, not bits 3..7 (a 32-bit shift by 35 would take the count mod 32).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import { emptyMemory, peek, poke, writtenPages } from '../../src/memory/memory.ts'
import { memoryMap } from '../../src/memory/memory-map.ts'

const built = memoryMap([{ name: 'ram', base: 0x8000_0000n, size: 0x8000_0000n, kind: 'ram' }])
if (typeof built === 'string') throw new Error(built)

test('a page at 2^47 and a page at 0x8000 (page 8) are two pages: neither store overwrites the other', () => {
  const high = phys(1n << 47n), low = phys(0x8000n)
  const m = poke(poke(emptyMemory(built), high, 8, 0x1111n), low, 8, 0x2222n)
  assert.is(peek(m, high, 8), 0x1111n)
  assert.is(peek(m, low, 8), 0x2222n)
  assert.equal([...writtenPages(m)].sort((a, b) => a - b), [8, 2 ** 35])
})

test.run()
