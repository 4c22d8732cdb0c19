// Persistent memory: checked 8-byte store + load pairs per second with 1 MiB touched (the baseline)
// and with 1 GiB touched (all 262 144 pages really written first), at random addresses inside the
// touched range. A store copies one page and the trie path above it, so the cost should barely grow
// with the touched size (goal: ratio ≤ 1.5). Printed, never asserted. Run: npm run bench memory
import { isLeft } from 'fp-ts/lib/Either.js'
import { phys } from '../src/bits/address.ts'
import { emptyMemory, load, poke, store, type PhysMemory } from '../src/memory/memory.ts'
import { defaultMemoryMap, SPIKE_RAM_BASE } from '../src/memory/memory-map.ts'

const N = Number(process.env['BENCH_N'] ?? 300_000)
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

/** Store then load at each address, threading the memory version; returns pairs per second. */
const storeLoad = (label: string, m0: PhysMemory, addrs: readonly bigint[]): number => {
  const pass = (n: number): number => {
    let m = m0
    let sum = 0
    for (let i = 0; i < n; i++) {
      const a = phys(addrs[i % addrs.length]!)
      const s = store(m, a, 8, BigInt(i))
      if (isLeft(s)) throw new Error('store outside RAM')
      m = s.right
      const l = load(m, a, 8)
      if (isLeft(l) || l.right !== BigInt(i)) throw new Error('load did not read the store back')
      sum += m.pages
    }
    return sum
  }
  pass(Math.min(N, 50_000))                       // warm-up
  const t0 = process.hrtime.bigint()
  pass(N)
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  const r = N / s
  console.log(`${label.padEnd(40)} ${(r / 1e6).toFixed(3).padStart(8)} M store+load pairs/s  (${m0.pages} pages touched, trie height ${m0.height})`)
  return r
}

console.log(`${N} store+load pairs per size, 8-byte accesses at random 8-byte-aligned addresses; node ${process.version}`)
const small = storeLoad('1 MiB touched (baseline)', touched(MiB), offsets(MiB, 65_536))
const t0 = process.hrtime.bigint()
const gib = touched(1024 * MiB)
console.log(`(writing all 262144 pages of 1 GiB took ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s)`)
const big = storeLoad('1 GiB touched', gib, offsets(1024 * MiB, 65_536))
console.log(`1 MiB / 1 GiB rate ratio: ${(small / big).toFixed(2)}   (goal ≤ 1.5: ${small / big <= 1.5 ? 'met' : 'not met'})`)
