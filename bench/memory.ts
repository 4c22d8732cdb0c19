// Persistent memory: checked 8-byte store + load pairs per second with 1 MiB touched (the baseline)
// and with 1 GiB touched (all 262 144 pages really written first), at random addresses inside the
// touched range. A store copies one page and the trie path above it, so the cost should barely grow
// with the touched size (goal: ratio ≤ 1.5). Printed, never asserted. Run: npm run bench memory
import { isLeft } from 'fp-ts/lib/Either.js'
import { phys } from '../src/bits/address.ts'
import { emptyMemory, load, poke, store, type PhysMemory } from '../src/memory/memory.ts'
import { defaultMemoryMap, SPIKE_RAM_BASE } from '../src/memory/memory-map.ts'

const N = Number(process.env['BENCH_N'] ?? 100_000)
const MiB = 1 << 20

/** Memory with every 4 KiB page of [RAM base, RAM base + bytes) written once. */
const touched = (bytes: number): PhysMemory => {
  let m = emptyMemory(defaultMemoryMap)
  for (let p = 0; p < bytes / 4096; p++) m = poke(m, phys(SPIKE_RAM_BASE + BigInt(p) * 4096n), 8, BigInt(p))
  return m
}

/** A fixed pseudo-random sequence of 8-byte-aligned offsets below `bytes` (xorshift32, seeded). */
const offsets = (bytes: number, count: number): bigint[] => {
  let x = 0x9e3779b9
  return Array.from({ length: count }, () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0
    return SPIKE_RAM_BASE + BigInt((x % (bytes / 8)) * 8)
  })
}

/** Store then load at each of n addresses, threading the memory version; returns the seconds taken. */
const storeLoad = (m0: PhysMemory, addrs: readonly bigint[], n: number): number => {
  const t0 = process.hrtime.bigint()
  let m = m0
  for (let i = 0; i < n; i++) {
    const a = phys(addrs[i % addrs.length]!)
    const s = store(m, a, 8, BigInt(i))
    if (isLeft(s)) throw new Error('store outside RAM')
    m = s.right
    const l = load(m, a, 8)
    if (isLeft(l) || l.right !== BigInt(i)) throw new Error('load did not read the store back')
  }
  return Number(process.hrtime.bigint() - t0) / 1e9
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

// Three series, medians over rounds (the machine is shared): 1 MiB alone (the baseline); then, once
// 1 GiB is resident, 1 GiB and 1 MiB in alternating rounds. 1 MiB with 1 GiB resident separates what
// grows with the touched range per access (the trie path: same height here) from what grows with the
// process's live heap (GC, allocator, caches).
const ROUNDS = 5
console.log(`${ROUNDS} rounds of ${N} store+load pairs per series, 8-byte accesses at random aligned addresses; node ${process.version}`)
const small = touched(MiB)
const smallAddrs = offsets(MiB, 65_536)
const bigAddrs = offsets(1024 * MiB, 65_536)
storeLoad(small, smallAddrs, 50_000)                                  // warm-up
const rates = { alone: [] as number[], big: [] as number[], resident: [] as number[] }
for (let r = 0; r < ROUNDS; r++) rates.alone.push(N / storeLoad(small, smallAddrs, N))
const t0 = process.hrtime.bigint()
const big = touched(1024 * MiB)
console.log(`(writing all ${big.pages} pages of 1 GiB took ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s; trie height ${big.height}; 1 MiB: ${small.pages} pages, height ${small.height})`)
storeLoad(big, bigAddrs, 50_000)
for (let r = 0; r < ROUNDS; r++) {
  rates.big.push(N / storeLoad(big, bigAddrs, N))
  rates.resident.push(N / storeLoad(small, smallAddrs, N))
}
const show = (label: string, xs: readonly number[]): string =>
  `${label.padEnd(36)} ${(median(xs) / 1e6).toFixed(3).padStart(7)} M store+load pairs/s  (median; rounds ${xs.map((x) => (x / 1e6).toFixed(2)).join(' ')})`
console.log(show('1 MiB touched (baseline)', rates.alone))
console.log(show('1 GiB touched', rates.big))
console.log(show('1 MiB touched, 1 GiB resident', rates.resident))
const ratio = median(rates.alone) / median(rates.big)
console.log(`1 MiB / 1 GiB rate ratio: ${ratio.toFixed(2)}   (goal ≤ 1.5: ${ratio <= 1.5 ? 'met' : 'not met'}); ` +
  `with 1 GiB resident in both: ${(median(rates.resident) / median(rates.big)).toFixed(2)}`)
