// W-TinyLFU (Einziger, Friedman & Manes, TOS '17) as libCacheSim WTinyLFU.c codes it, defaults
// `main-cache=SLRU, window-size=0.01`:
//  - a window LRU of ⌊0.01·c⌋ objects takes every new object; the main cache is an SLRU of the
//    remaining c − w objects with two segments sized 1:4 (libCacheSim `seg-size=1:4`), probation
//    first: a hit moves an object up a segment (or to the head of the top one), and an over-full
//    segment demotes its tail to the one below;
//  - the frequency sketch is libCacheSim's minimal-increment counting Bloom filter: entries = c − w,
//    error 0.001, so ⌈ln2 · bpe⌉ = 10 hashes over ⌈bpe · (c − w)⌉ counters (bpe = −ln 0.001 / ln²2),
//    indices (a + i·b) mod counters with a, b the low 32 bits of XXH64 of the 8-byte id under
//    seeds 0x12345678 and 0x12344321; an add increments all 10 counters; every 32·(c − w) main
//    hits all counters are halved. Inserts, main hits and every window victim considered add;
//  - to make room, window victims move into main while it has room; once main is full a window
//    victim replaces main's victim (the tail of the lowest non-empty segment) only if its
//    estimate is strictly larger, else the window victim is evicted;
//  - as in libCacheSim, nothing is admitted unless the window holds at least one object (c ≥ 100)
//    and the probation segment at least one.
// The sketch hashes the trace's own ids (`Req.origin`), which `simulate` keeps when it renumbers.
import { access, param, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

// ---- XXH64 of one little-endian 64-bit word (the only input size libCacheSim hashes here) ----
const P1 = 0x9e3779b185ebca87n
const P2 = 0xc2b2ae3d27d4eb4fn
const P3 = 0x165667b19e3779f9n
const P4 = 0x85ebca77c2b2ae63n
const P5 = 0x27d4eb2f165667c5n
const MASK = 0xffffffffffffffffn
const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & MASK

/** The low 32 bits of XXH64(the 8 bytes of `id`, seed), as libCacheSim's `unsigned int` keeps. */
export const xxh64Low32 = (id: number, seed: number): number => {
  let h = (BigInt(seed) + P5 + 8n) & MASK
  const k = (rotl((BigInt(id) * P2) & MASK, 31n) * P1) & MASK
  h ^= k
  h = (rotl(h, 27n) * P1 + P4) & MASK
  h ^= h >> 33n
  h = (h * P2) & MASK
  h ^= h >> 29n
  h = (h * P3) & MASK
  h ^= h >> 32n
  return Number(h & 0xffffffffn)
}

// The same function in 32-bit halves, without BigInt (≈50× faster); properties/cache/wtinylfu.prop.ts
// checks it against `xxh64Low32` above. A 64-bit value is (hi, lo), both uint32.
// A 64-bit result goes to r: r[0] the high half, r[1] the low half (a scratch pair local to one hash).
type Pair = [number, number]
// (ah,al)·(bh,bl) mod 2^64 into r
const mul = (r: Pair, ah: number, al: number, bh: number, bl: number): void => {
  const a0 = al & 0xffff
  const a1 = al >>> 16
  const b0 = bl & 0xffff
  const b1 = bl >>> 16
  const p00 = a0 * b0
  const p01 = a0 * b1
  const p10 = a1 * b0
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff)
  r[1] = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0
  const high = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)
  r[0] = (high + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0
}
const add = (r: Pair, ah: number, al: number, bh: number, bl: number): void => {
  const l = al + bl
  r[1] = l >>> 0
  r[0] = (ah + bh + (l > 0xffffffff ? 1 : 0)) >>> 0
}
const rotl64 = (r: Pair, h: number, l: number, k: number): void => {
  // k in 1..31
  r[0] = ((h << k) | (l >>> (32 - k))) >>> 0
  r[1] = ((l << k) | (h >>> (32 - k))) >>> 0
}
const P1H = 0x9e3779b1, P1L = 0x85ebca87
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f
const P3H = 0x165667b1, P3L = 0x9e3779f9
const P4H = 0x85ebca77, P4L = 0xc2b2ae63
const P5H = 0x27d4eb2f, P5L = 0x165667c5

/** `xxh64Low32` without BigInt. */
export const xxh64Low32Fast = (id: number, seed: number): number => {
  const idH = Math.floor(id / 4294967296) >>> 0
  const idL = id >>> 0
  const r: Pair = [0, 0]
  // h = seed + P5 + 8
  add(r, 0, seed >>> 0, P5H, P5L)
  add(r, r[0], r[1], 0, 8)
  let hh = r[0]
  let hl = r[1]
  // k = rotl(id · P2, 31) · P1
  mul(r, idH, idL, P2H, P2L)
  rotl64(r, r[0], r[1], 31)
  mul(r, r[0], r[1], P1H, P1L)
  hh = (hh ^ r[0]) >>> 0
  hl = (hl ^ r[1]) >>> 0
  // h = rotl(h, 27) · P1 + P4
  rotl64(r, hh, hl, 27)
  mul(r, r[0], r[1], P1H, P1L)
  add(r, r[0], r[1], P4H, P4L)
  hh = r[0]
  hl = r[1]
  // avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32
  hl = (hl ^ (hh >>> 1)) >>> 0
  mul(r, hh, hl, P2H, P2L)
  hh = r[0]
  hl = r[1]
  hl = (hl ^ ((hl >>> 29) | (hh << 3))) >>> 0
  hh = (hh ^ (hh >>> 29)) >>> 0
  mul(r, hh, hl, P3H, P3L)
  hh = r[0]
  hl = r[1]
  return (hl ^ hh) >>> 0
}

/**
 * The counter of hash i: (a + i·b) mod 2^32 mod n, in unsigned 32-bit arithmetic as libCacheSim's
 * `unsigned int`s. Written with a division rather than `%`, which on values ≥ 2^31 is a slow
 * floating-point remainder in V8; exact because u < 2^32 and n < 2^31.
 */
export const slot = (a: number, b: number, i: number, n: number): number => {
  const u = (a + Math.imul(i, b)) >>> 0
  return u - Math.floor(u / n) * n
}

/** The two XXH64 seeds whose low 32-bit halves index the sketch (libCacheSim's). */
export const SEED0 = 0x12345678
export const SEED1 = 0x12344321

/** The window, the main cache, its two segments and the sketch, for one capacity (objects). */
export type Sizes = {
  readonly capacity: number
  readonly window: number
  readonly main: number
  readonly seg: readonly [number, number]
  readonly counters: number
  readonly hashes: number
  readonly decayEvery: number
}

type WState<S, T, C> = {
  readonly window: S
  readonly probation: S
  readonly protected: S
  /** The sketch's counters. */
  readonly cbf: C
  /** Per id (renumbered) the two 32-bit hashes of its original id. */
  readonly hashA: T
  readonly hashB: T
  /** Main-cache hits since the last halving. */
  readonly hits: number
  readonly sizes: Sizes
}

/** How a capacity divides among window, probation and protected, and how large the sketch is. */
export const sizesOf = (capacity: number, windowRatio: number): Sizes => {
  const window = Math.trunc(capacity * windowRatio)
  const main = capacity - window
  // minimalIncrementCBF_init(entries = main, error = 0.001)
  const bpe = -Math.log(0.001) / 0.480453013918201
  const hashes = Math.ceil(0.693147180559945 * bpe)
  let counters = Math.min(Math.ceil(bpe * main), 2147483647)
  if (counters < hashes) counters = hashes * 2
  return {
    capacity, window, main,
    seg: [Math.trunc((1 / 5) * main), Math.trunc((4 / 5) * main)],
    counters, hashes, decayEvery: 32 * main,
  }
}

const make = <S, T, C>(st: Store<S, T, C>, windowRatio: number): Policy<WState<S, T, C>> => {
  const { seq, tab, counters } = st
  // The working copy of one access: a fresh record, updated in place within that access only.
  type W = { window: S; probation: S; protected: S; cbf: C; hashA: T; hashB: T; hits: number; evicted: number[] }
  const sketch = (w: W, sz: Sizes, id: number, add: boolean): number => {
    const a = tab.get(w.hashA, id) as number
    const b = tab.get(w.hashB, id) as number
    let min = Infinity
    for (let i = 0; i < sz.hashes; i++) min = Math.min(min, counters.get(w.cbf, slot(a, b, i, sz.counters)))
    if (add) {
      for (let i = 0; i < sz.hashes; i++) w.cbf = counters.inc(w.cbf, slot(a, b, i, sz.counters))
      return min + 1
    }
    return min
  }
  // SLRU_to_evict / SLRU_evict: the tail of the lowest non-empty segment.
  const mainVictim = (w: W): number | undefined => seq.tail(w.probation) ?? seq.tail(w.protected)
  const mainEvict = (w: W): void => {
    const v = seq.tail(w.probation)
    if (v !== undefined) w.probation = seq.remove(w.probation, v)
    else {
      const p = seq.tail(w.protected) as number
      w.protected = seq.remove(w.protected, p)
      w.evicted.push(p)
      return
    }
    w.evicted.push(v)
  }
  const mainSize = (w: W): number => seq.size(w.probation) + seq.size(w.protected)
  // SLRU_insert: the first segment with room, else evict until main has room and use probation.
  const mainInsert = (w: W, sz: Sizes, id: number): void => {
    if (seq.size(w.probation) + 1 <= sz.seg[0]) w.probation = seq.pushHead(w.probation, id)
    else if (seq.size(w.protected) + 1 <= sz.seg[1]) w.protected = seq.pushHead(w.protected, id)
    else {
      while (mainSize(w) + 1 > sz.main) mainEvict(w)
      w.probation = seq.pushHead(w.probation, id)
    }
  }
  const result = (w: W, sz: Sizes, hit: boolean): Access<WState<S, T, C>> =>
    access({ window: w.window, probation: w.probation, protected: w.protected, cbf: w.cbf, hashA: w.hashA, hashB: w.hashB, hits: w.hits, sizes: sz }, hit, w.evicted)

  return {
    name: 'wtinylfu',
    init: (capacity) => ({
      window: seq.empty(), probation: seq.empty(), protected: seq.empty(),
      cbf: counters.empty(sizesOf(capacity, windowRatio).counters), hashA: tab.empty(), hashB: tab.empty(), hits: 0, sizes: sizesOf(capacity, windowRatio),
    }),
    access: (s0, r, admit = true): Access<WState<S, T, C>> => {
      const sz = s0.sizes
      const id = r.id
      const w: W = { window: s0.window, probation: s0.probation, protected: s0.protected, cbf: s0.cbf, hashA: s0.hashA, hashB: s0.hashB, hits: s0.hits, evicted: [] }
      if (tab.get(w.hashA, id) === undefined) {
        const origin = r.origin ?? id
        w.hashA = tab.set(w.hashA, id, xxh64Low32Fast(origin, SEED0))
        w.hashB = tab.set(w.hashB, id, xxh64Low32Fast(origin, SEED1))
      }
      // WTinyLFU_find: the window LRU and the SLRU both see the request.
      const inWindow = seq.has(w.window, id)
      if (inWindow) w.window = seq.pushHead(seq.remove(w.window, id), id)
      let inMain = false
      if (seq.has(w.protected, id)) {
        inMain = true
        w.protected = seq.pushHead(seq.remove(w.protected, id), id)
      } else if (seq.has(w.probation, id)) {
        inMain = true
        // SLRU_promote_to_next_seg, then SLRU_cool while the top segment is over its size
        w.probation = seq.remove(w.probation, id)
        w.protected = seq.pushHead(w.protected, id)
        while (seq.size(w.protected) > sz.seg[1]) {
          const t = seq.tail(w.protected) as number
          w.protected = seq.remove(w.protected, t)
          w.probation = seq.pushHead(w.probation, t)
          while (seq.size(w.probation) > sz.seg[0]) mainEvict(w)
        }
      }
      if (inMain) {
        sketch(w, sz, id, true)
        w.hits++
        if (w.hits >= sz.decayEvery) {
          w.hits = 0
          w.cbf = counters.halve(w.cbf)
        }
      }
      if (inWindow || inMain) return result(w, sz, true)
      // WTinyLFU_can_insert
      if (!admit || 1 > sz.capacity || 1 > sz.window || 1 > sz.main || 1 > sz.seg[0]) return result(w, sz, false)
      while (seq.size(w.window) + mainSize(w) + 1 > sz.capacity) {
        // WTinyLFU_evict
        let done = false
        while (!done) {
          const v = seq.tail(w.window)
          if (v === undefined) {
            mainEvict(w)
            break
          }
          if (mainSize(w) + 1 <= sz.main) {
            mainInsert(w, sz, v)
            w.window = seq.remove(w.window, v)
          } else {
            const mv = mainVictim(w) as number
            if (sketch(w, sz, v, false) > sketch(w, sz, mv, false)) {
              mainEvict(w)
              w.window = seq.remove(w.window, v)
              mainInsert(w, sz, v)
            } else {
              w.window = seq.remove(w.window, v)
              w.evicted.push(v)
              done = true
            }
          }
          sketch(w, sz, v, true)
        }
      }
      w.window = seq.pushHead(w.window, id)
      sketch(w, sz, id, true)
      return result(w, sz, false)
    },
    resident: (s) => [...seq.toArray(s.window), ...seq.toArray(s.probation), ...seq.toArray(s.protected)],
    contains: (s, id) => seq.has(s.window, id) || seq.has(s.probation, id) || seq.has(s.protected, id),
  }
}

export const wtinylfu: PolicyDef = {
  name: 'wtinylfu',
  defaults: { 'window-size': 0.01 },
  // the window is a part of the cache
  ranges: { 'window-size': { min: 0, max: 1 } },
  make: (st, params) => make(st, param(params, wtinylfu.defaults, 'window-size')),
}
