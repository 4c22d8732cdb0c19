// Persistent memory at scale. Checked 8-byte store + load pairs per second with 1 MiB touched (the
// baseline) and with 1 GiB touched (all 262 144 pages really written first), at random addresses inside
// the touched range; the share of each series' time spent in garbage collection; and the resident memory
// per touched 4 KiB page (process.memoryUsage().rss after a full GC). Goals: rate ratio ≤ 1.5, ≤ 4.5 KiB
// per page. Printed, never asserted. Run: npm run bench memory. A version is threaded from round to round,
// as a hart threads its state: the version a round started from is not held (see memory.ts on what
// holding old versions costs). bench/memory/README.md has the V8 experiment behind the design.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { PerformanceObserver } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { isLeft } from 'fp-ts/lib/Either.js'
import { phys } from '../src/bits/address.ts'
import { emptyMemory, load, poke, pokeBytes, store, type PhysMemory } from '../src/memory/memory.ts'
import { defaultMemoryMap, SPIKE_RAM_BASE } from '../src/memory/memory-map.ts'
import { u64ToNumber } from '../src/memory/address-number.ts'

const N = Number(process.env['BENCH_N'] ?? 100_000)
const MiB = 1 << 20
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Memory with every 4 KiB page of [RAM base, RAM base + bytes) written: one 8-byte word each, or in full. */
const touched = (bytes: number, full = false): PhysMemory => {
  let m = emptyMemory(defaultMemoryMap)
  const block = new Uint8Array(MiB).map((_, i) => i * 7)
  if (full) for (let at = 0; at < bytes; at += MiB) m = pokeBytes(m, phys(SPIKE_RAM_BASE + BigInt(at)), block)
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

/** CPU seconds (user + system, every thread of the process) since `from` (a process.cpuUsage()). */
const cpuSince = (from: NodeJS.CpuUsage): number => { const d = process.cpuUsage(from); return (d.user + d.system) / 1e6 }

/**
 * Store then load at each of n addresses, threading the memory version: the CPU seconds taken (the machine
 * is shared, so wall time would measure the other processes too), the wall seconds, and the last version.
 */
const storeLoad = (m0: PhysMemory, addrs: readonly bigint[], n: number): [number, number, PhysMemory] => {
  const c0 = process.cpuUsage()
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
  return [cpuSince(c0), Number(process.hrtime.bigint() - t0) / 1e9, m]
}

// Garbage-collection time, from the entries V8 reports (delivered two tasks later: `settle` lets them in).
let gcMs = 0
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration }).observe({ entryTypes: ['gc'] })
const immediate = (): Promise<void> => new Promise((r) => setImmediate(r))
const settle = async (): Promise<void> => { await immediate(); await immediate() }

const ROUNDS = 5
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const rssAfterGc = (): number => { gc(); gc(); return process.memoryUsage().rss }

// In a fresh process of its own (so that memory freed by the rounds is not counted): the resident memory
// per page of 256 MiB written in full (loaded with pokeBytes, then a store into each page, as a hart does).
const perPage = (bytes: number, pages: number): string => `${(bytes / pages / 1024).toFixed(2)} KiB`
// In a fresh process of its own too: the same loop over a flat, mutable Int32Array of 1 MiB and of 1 GiB (no
// versions, no trie, no arena: the least any memory can do), so that the ratio this machine gives even that is
// printed beside memvirt's. The loop keeps the harness's own work (bigint addresses from an array, a BigInt
// value per store, read back into a bigint and compared) and drops only the memory.
if (process.argv[2] === 'flat') {
  const resident = (bytes: number): Int32Array => {
    const words = new Int32Array(bytes / 4)
    for (let k = 0; k < words.length; k += 1024) words[k] = 1          // every page resident, as touched() makes them
    return words
  }
  const flat = (words: Int32Array, addrs: readonly bigint[], n: number): number => {
    const word = new BigUint64Array(1), half = new Int32Array(word.buffer)
    const c0 = process.cpuUsage()
    for (let i = 0; i < n; i++) {
      const at = (u64ToNumber(addrs[i % addrs.length]!) - Number(SPIKE_RAM_BASE)) / 4
      word[0] = BigInt(i)
      words[at] = half[0]!; words[at + 1] = half[1]!                   // the store
      half[0] = words[at]!; half[1] = words[at + 1]!                   // the load
      if (word[0] !== BigInt(i)) throw new Error('load did not read the store back')
    }
    return n / cpuSince(c0)
  }
  const rates = { small: [] as number[], big: [] as number[] }
  const smallAddrs = offsets(MiB, 65_536), bigAddrs = offsets(1024 * MiB, 65_536)
  const small1 = resident(MiB), big1 = resident(1024 * MiB)
  flat(small1, smallAddrs, 50_000)                                      // warm-up
  for (let r = 0; r < ROUNDS; r++) { rates.small.push(flat(small1, smallAddrs, N)); rates.big.push(flat(big1, bigAddrs, N)) }
  const [small, big] = [median(rates.small), median(rates.big)]
  console.log(`the same loop over a flat mutable Int32Array (no versions; own process): 1 MiB ${(small / 1e6).toFixed(2)}, 1 GiB ` +
    `${(big / 1e6).toFixed(2)} M pairs per CPU second, ratio ${(small / big).toFixed(2)}; 1 GiB adds ${(1e9 / big - 1e9 / small).toFixed(0)} ns a pair`)
  process.exit(0)
}
if (process.argv[2] === 'full') {
  const rss = rssAfterGc()
  const heap = process.memoryUsage().heapTotal
  const full = touched(256 * MiB, true)
  console.log(`RSS per touched 4 KiB page, 256 MiB written in full: ${perPage(rssAfterGc() - rss, full.pages)} (goal ≤ 4.5 KiB)`)
  // What that figure holds: the arena's words (the pages, and the records and chunks the stores replaced),
  // and V8's own heap, which grows with the allocation rate (mostly its young generation), not per page.
  console.log(`  of which the arena ${perPage(4 * full.arena.used, full.pages)} and V8's heap ${((process.memoryUsage().heapTotal - heap) / MiB).toFixed(1)} MiB (${perPage(process.memoryUsage().heapTotal - heap, full.pages)})`)
  process.exit(0)
}

// Three series, medians over rounds (the machine is shared): 1 MiB alone (the baseline); then, once
// 1 GiB is resident, 1 GiB and 1 MiB in alternating rounds. 1 MiB with 1 GiB resident separates what
// grows with the touched range per access from what grows with the process's live heap (GC, caches).
console.log(`${ROUNDS} rounds of ${N} store+load pairs per series, 8-byte accesses at random aligned addresses; node ${process.version}`)
const rss0 = rssAfterGc()
let small = touched(MiB)
const smallAddrs = offsets(MiB, 65_536)
const bigAddrs = offsets(1024 * MiB, 65_536)
small = storeLoad(small, smallAddrs, 50_000)[2]                       // warm-up
type Series = { rates: number[]; gcShare: number[] }
const series = (): Series => ({ rates: [], gcShare: [] })
const alone = series(), big = series(), resident = series()
/** One round of a series: its rate and GC share. */
const round = async (s: Series, m: PhysMemory, addrs: readonly bigint[]): Promise<PhysMemory> => {
  await settle()
  const gc0 = gcMs
  const [cpu, wall, out] = storeLoad(m, addrs, N)
  await settle()
  s.rates.push(N / cpu)
  s.gcShare.push((gcMs - gc0) / 1000 / wall)       // GC pauses are wall time: their share of the round's wall time
  return out
}
for (let r = 0; r < ROUNDS; r++) small = await round(alone, small, smallAddrs)
const rssSmall = rssAfterGc()
const c0 = process.cpuUsage()
let large = touched(1024 * MiB)
const setup = cpuSince(c0)
const rssLarge = rssAfterGc()
console.log(`(writing one word into each of the ${large.pages} pages of 1 GiB took ${setup.toFixed(1)} s CPU; 1 MiB: ${small.pages} pages)`)
large = storeLoad(large, bigAddrs, 50_000)[2]
for (let r = 0; r < ROUNDS; r++) {
  large = await round(big, large, bigAddrs)
  small = await round(resident, small, smallAddrs)
}
const show = (label: string, s: Series): string =>
  `${label.padEnd(32)} ${(median(s.rates) / 1e6).toFixed(3).padStart(7)} M store+load pairs per CPU second, GC ${(100 * median(s.gcShare)).toFixed(0).padStart(2)} %  (medians; rounds ${s.rates.map((x) => (x / 1e6).toFixed(2)).join(' ')})`
console.log(show('1 MiB touched (baseline)', alone))
console.log(show('1 GiB touched', big))
console.log(show('1 MiB touched, 1 GiB resident', resident))
const ratio = median(alone.rates) / median(big.rates)
console.log(`1 MiB / 1 GiB rate ratio: ${ratio.toFixed(2)}   (goal ≤ 1.5: ${ratio <= 1.5 ? 'met' : 'not met'}); ` +
  `with 1 GiB resident in both: ${(median(resident.rates) / median(big.rates)).toFixed(2)}; 1 GiB adds ` +
  `${(1e9 / median(big.rates) - 1e9 / median(alone.rates)).toFixed(0)} ns a pair`)
// Medians leave out the rounds that contain a compaction (every ~262 000 stores at 1 GiB); over all rounds:
const overall = (s: Series): number => s.rates.length / s.rates.reduce((t, r) => t + 1 / r, 0)
console.log(`over all rounds (compactions included): ${(overall(alone) / 1e6).toFixed(3)} vs ${(overall(big) / 1e6).toFixed(3)} M pairs per CPU second, ratio ${(overall(alone) / overall(big)).toFixed(2)}`)
// Resident memory per touched page: the 1 GiB above (one word written into each page, then the rounds' stores).
console.log(`RSS per touched 4 KiB page, 1 GiB with a word written per page: ${perPage(rssLarge - rssSmall, large.pages)}` +
  ` (goal ≤ 4.5 KiB); whole process over 1 GiB + 1 MiB: ${perPage(rssAfterGc() - rss0, large.pages + small.pages)}`)
for (const mode of ['full', 'flat']) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), mode], { stdio: 'inherit' })
  if (child.status !== 0) process.exitCode = 1
}
