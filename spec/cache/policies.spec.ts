// Hand-worked traces, one clause of each policy's definition per test. Expected hit/miss patterns
// and victims were worked out on paper from the policy's rules (libCacheSim's code, as quoted in
// each src/cache/policies/*.ts header), not taken from this implementation.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { withAdmission } from '../../src/cache/admission.ts'
import type { Policy, PolicyName } from '../../src/cache/policy.ts'
import { nextAccesses, pure } from '../../src/cache/simulate.ts'
import { persistent } from '../../src/cache/store.ts'
import { xxh64Low32 } from '../../src/cache/policies/wtinylfu.ts'

type Run = { pattern: string; evicted: number[][]; resident: number[] }

const run = (p: Policy<unknown>, capacity: number, ids: readonly number[]): Run => {
  const next = nextAccesses(ids)
  let s = p.init(capacity)
  let pattern = ''
  const evicted: number[][] = []
  ids.forEach((id, i) => {
    const a = p.access(s, { id, next: next[i] as number })
    s = a.state
    pattern += a.hit ? 'H' : 'M'
    evicted.push([...a.evicted])
  })
  return { pattern, evicted, resident: [...p.resident(s)].sort((a, b) => a - b) }
}
const on = (name: PolicyName, capacity: number, ids: readonly number[]): Run => run(pure(name), capacity, ids)

test('LRU: a hit moves the object to the head, the tail is evicted', () => {
  const r = on('lru', 3, [1, 2, 3, 1, 4, 2])
  assert.is(r.pattern, 'MMMHMM')
  assert.equal(r.evicted[4], [2]) // 1 was refreshed, so 2 is least recent
  assert.equal(r.evicted[5], [3])
  assert.equal(r.resident, [1, 2, 4])
})

test('byte-sized LRU: evict from the tail until the newcomer fits; an object larger than the cache is not cached', () => {
  // capacity 10 bytes: A=6, B=3 (9 held); C=4 needs 13 > 10 → evict A (7 held); B hits;
  // D=11 > 10 is a miss that evicts nothing and is not inserted; C still hits
  const p = pure('lru')
  const sizes: Record<number, number> = { 1: 6, 2: 3, 3: 4, 4: 11 }
  let s = p.init(10)
  const steps = [1, 2, 3, 2, 4, 3].map((id) => {
    const a = p.access(s, { id, next: Infinity, size: sizes[id] as number })
    s = a.state
    return [a.hit ? 'H' : 'M', [...a.evicted]] as const
  })
  assert.equal(steps, [['M', []], ['M', []], ['M', [1]], ['H', []], ['M', []], ['H', []]])
})

test('FIFO: a hit does not protect the object, insertion order decides', () => {
  const r = on('fifo', 3, [1, 2, 3, 1, 4, 1])
  assert.is(r.pattern, 'MMMHMM')
  assert.equal(r.evicted[4], [1])
})

test('CLOCK: a referenced tail object gets a second chance at the head', () => {
  const r = on('clock', 3, [1, 2, 3, 1, 4, 5])
  assert.is(r.pattern, 'MMMHMM')
  assert.equal(r.evicted[4], [2]) // 1 had its bit set: cleared and moved to the head
  assert.equal(r.evicted[5], [3])
  assert.equal(r.resident, [1, 4, 5])
})

test('LFU: the least frequently used object is evicted', () => {
  const r = on('lfu', 2, [1, 1, 2, 3])
  assert.is(r.pattern, 'MHMM')
  assert.equal(r.evicted[3], [2])
})

test('LFU: among equal counts the least recently accessed goes first', () => {
  // counts are 2 and 2; 2 reached its count at step 3, 1 at step 4
  const r = on('lfu', 2, [1, 2, 2, 1, 3])
  assert.equal(r.evicted[4], [2])
})

test('ARC: a B1 ghost hit raises p, so REPLACE then takes T2’s tail', () => {
  // 1 1 → T2=[1]; 2 → T1=[2]; 3: |T1|=1 > p=0, 2 goes to B1; 2 again: p := 1, and |T1| = 1 is
  // not > p, so the victim is 1 from T2 (with p still 0 it would have been 3 from T1).
  const r = on('arc', 2, [1, 1, 2, 3, 2])
  assert.is(r.pattern, 'MHMMM')
  assert.equal(r.evicted[3], [2])
  assert.equal(r.evicted[4], [1])
  assert.equal(r.resident, [2, 3])
})

test('ARC: a B2 ghost hit lowers p, so REPLACE takes T1’s tail', () => {
  // continuing: 1 is in B2; p := max(1 − 1, 0) = 0, |T1| = 1 > 0, victim 3 from T1
  const r = on('arc', 2, [1, 1, 2, 3, 2, 1])
  assert.is(r.pattern, 'MHMMMM')
  assert.equal(r.evicted[5], [3])
  assert.equal(r.resident, [1, 2])
})

test('2Q: A1in is FIFO, its overflow goes to A1out, and an A1out hit enters Am', () => {
  // c = 4: Kin = 1, Kout = 2, Am = 3
  const r = on('twoq', 4, [1, 2, 3, 4, 5, 1, 1, 3])
  assert.is(r.pattern, 'MMMMMMHH')
  assert.equal(r.evicted[4], [1]) // A1in holds 4 > Kin: its tail 1 moves to A1out
  assert.equal(r.evicted[5], [2]) // 1 found in A1out: a miss that enters Am; A1in gives up 2
  assert.equal(r.resident, [1, 3, 4, 5])
})

test('2Q: as in libCacheSim, a cache below 4 objects (Kin = 0) admits nothing', () => {
  assert.is(on('twoq', 3, [1, 1, 1]).pattern, 'MMM')
})

test('S3-FIFO: the small queue’s tail with count ≥ 2 is promoted to main, the next one evicted to the ghost', () => {
  const fill = Array.from({ length: 20 }, (_, i) => i + 1)
  const r = on('s3fifo', 20, [...fill, 1, 1, 21])
  assert.is(r.pattern, 'M'.repeat(20) + 'HHM')
  assert.equal(r.evicted[22], [2]) // 1 (count 2) moved to main; 2 (count 0) evicted
  assert.ok(r.resident.includes(1))
})

test('S3-FIFO: a ghost hit is a miss that goes straight into main', () => {
  const fill = Array.from({ length: 20 }, (_, i) => i + 1)
  const r = on('s3fifo', 20, [...fill, 1, 1, 21, 2, 2])
  assert.is(r.pattern.slice(20), 'HHMMH')
  assert.equal(r.evicted[23], [3]) // making room for 2 evicts the small queue's tail 3
  assert.ok(r.resident.includes(2) && r.resident.includes(1))
})

test('S3-FIFO: as in libCacheSim, caches below 20 objects (small queue < 2) hold nothing', () => {
  assert.is(on('s3fifo', 19, [1, 1, 1]).pattern, 'MMM')
})

test('SIEVE: the hand clears visited bits on its way and resumes where it stopped', () => {
  // 1 2 3 → [3 2 1]; 1 hit; 4: hand at tail 1 (visited → cleared), moves to 2, evicts it and
  // rests on 3; 5: the hand evicts 3, not the tail 1 that FIFO-reinsertion would take
  const r = on('sieve', 3, [1, 2, 3, 1, 4, 5])
  assert.is(r.pattern, 'MMMHMM')
  assert.equal(r.evicted[4], [2])
  assert.equal(r.evicted[5], [3])
  assert.equal(r.resident, [1, 4, 5])
})

test('SIEVE: the hand wraps from the head back to the tail', () => {
  // after 1 2 3 1 4: [4 3 1], hand on 3; 3 and 4 hit; 5: hand clears 3, then 4 (the head),
  // wraps to the tail 1 (cleared before) and evicts it
  const r = on('sieve', 3, [1, 2, 3, 1, 4, 3, 4, 5])
  assert.is(r.pattern, 'MMMHMHHM')
  assert.equal(r.evicted[7], [1])
})

test('LIRS: a re-referenced non-resident HIR block becomes LIR and the bottom LIR is demoted', () => {
  // c = 3: LIR limit 2, resident-HIR limit max(1, ⌊0.03⌋) = 1. 1 2 LIR; 3 resident HIR;
  // 4 evicts HIR 3 (stays in S, non-resident); 3 again: LIR 1 is demoted to Q, which first
  // evicts resident HIR 4; 3 becomes LIR.
  const r = on('lirs', 3, [1, 2, 3, 4, 3])
  assert.is(r.pattern, 'MMMMM')
  assert.equal(r.evicted[3], [3])
  assert.equal(r.evicted[4], [4])
  assert.equal(r.resident, [1, 2, 3])
})

test('LIRS (libCacheSim quirk, kept for identical counts): a cache of 2 ends up holding 3 objects', () => {
  // Expected values from libCacheSim cachesim (commit aa0fc40) on `13 30 30 13 0 X`, size 2:
  // miss ratio 0.5000 for each X in {0, 13, 30}, i.e. 3 misses and the sixth request hits.
  for (const x of [0, 13, 30]) assert.is(on('lirs', 2, [13, 30, 30, 13, 0, x]).pattern.split('M').length - 1, 3)
})

test('W-TinyLFU sketch hash: low 32 bits of XXH64 of the 8-byte id, as libCacheSim computes them', () => {
  // expected values printed by a C program using libCacheSim's own xxhash.h (seeds 0x12345678, 0x12344321)
  assert.equal([xxh64Low32(0, 0x12345678), xxh64Low32(0, 0x12344321)], [972412019, 3092930169])
  assert.equal([xxh64Low32(12345, 0x12345678), xxh64Low32(12345, 0x12344321)], [3790860778, 3071800597])
  assert.equal([xxh64Low32(2 ** 53 - 1, 0x12345678), xxh64Low32(2 ** 53 - 1, 0x12344321)], [2995553344, 530047734])
})

test('W-TinyLFU: as in libCacheSim, a cache below 100 objects (window ⌊0.01·c⌋ = 0) admits nothing', () => {
  assert.is(on('wtinylfu', 99, [1, 1, 1]).pattern, 'MMM')
  assert.is(on('wtinylfu', 100, [1, 1, 1]).pattern, 'MHH')
})

test('Belady: the object requested furthest in the future is evicted', () => {
  // at step 3, 1 is next needed at index 4 and 2 at index 3
  const r = on('belady', 2, [1, 2, 3, 2, 1])
  assert.equal(r.evicted[2], [1])
  assert.is(r.pattern, 'MMMHM')
})

test('QBic front: a missed block is admitted only at the threshold count within the window', () => {
  const front = withAdmission(persistent, pure('lru'), { window: 4, threshold: 2 })
  // 1 (count 1: not admitted) 1 (count 2: admitted) 2 3 (count 1 each) 2 (window 1 2 3 2: count 2) 1 (hit)
  const r = run(front, 2, [1, 1, 2, 3, 2, 1])
  assert.is(r.pattern, 'MMMMMH')
  assert.equal(r.resident, [1, 2])
})

test('QBic front: requests older than the window no longer count', () => {
  const front = withAdmission(persistent, pure('lru'), { window: 2, threshold: 2 })
  // third request: the window is [2, 1], 1 counts once; fourth: [1, 1] admits it
  assert.is(run(front, 2, [1, 2, 1, 1, 1]).pattern, 'MMMMH')
})

test.run()
