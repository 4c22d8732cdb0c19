// PMP laws: a NAPOT entry and the TOR pair with the same bounds are two encodings of one range, so
// they decide every access alike; the reset state allows every S/U access of any size; and an allowed
// access allows each of its halves (the hart's fetch checks a 32-bit instruction's two parcels at once);
// and the engines' per-page memo (src/memory/engine/pmp.ts) answers every access as the specification does.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { PMP_A, PMP_NA4, PMP_NAPOT, PMP_OFF, PMP_TOR, type Pmp, pmpAllows, pmpAllowsAt, pmpMatch, resetPmp } from '../../src/memory/pmp.ts'
import { pmpAllowsCached } from '../../src/memory/engine/pmp.ts'

const pmpOf = (set: Record<number, readonly [number, bigint]>): Pmp => ({
  pmpcfg: Array.from({ length: 16 }, (_, i) => set[i]?.[0] ?? 0),
  pmpaddr: Array.from({ length: 16 }, (_, i) => set[i]?.[1] ?? 0n),
})

test('NAPOT region ≡ TOR [base, base+size) for every access, mode and permission', () => {
  fc.assert(fc.property(
    fc.integer({ min: 3, max: 40 }),                     // region size 2^k bytes (NAPOT needs ≥ 8)
    fc.bigInt({ min: 0n, max: (1n << 20n) - 1n }),       // which region of that size
    fc.integer({ min: 0, max: 7 }),                      // R W X
    fc.bigInt({ min: 0n, max: (1n << 44n) - 1n }), fc.constantFrom(1, 2, 4, 8),
    fc.constantFrom('fetch' as const, 'load' as const, 'store' as const), fc.constantFrom('M' as const, 'S' as const, 'U' as const),
    (k, n, rwx, addr, size, access, priv) => {
      const sizeBytes = 1n << BigInt(k)
      const base = n * sizeBytes
      // NAPOT: pmpaddr = (base >> 2) | (size/8 − 1); TOR: entry 0 = base (OFF), entry 1 = top.
      const napot = pmpOf({ 0: [PMP_NAPOT | rwx, (base >> 2n) | ((sizeBytes >> 3n) - 1n)] })
      const tor = pmpOf({ 0: [0, base >> 2n], 1: [PMP_TOR | rwx, (base + sizeBytes) >> 2n] })
      // Probe near the region's edges as well as at random.
      for (const pa of [addr, base, base + sizeBytes - BigInt(size), base + sizeBytes, base - 4n].filter((x) => x >= 0n)) {
        assert.is(pmpAllows(napot, pa, size, access, priv), pmpAllows(tor, pa, size, access, priv), `pa 0x${pa.toString(16)} size ${size}`)
      }
    }), { numRuns: runs(500) })
})

test('Spike reset state: every S- and U-mode access is allowed', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 56n) - 16n }), fc.constantFrom(1, 2, 4, 8), fc.constantFrom('fetch' as const, 'load' as const, 'store' as const), fc.constantFrom('S' as const, 'U' as const),
    (pa, size, access, priv) => pmpAllows(resetPmp(), pa, size, access, priv)), { numRuns: runs(300) })
})

test('an allowed 4-byte access at a 2-aligned address allows both of its 2-byte halves (any entries, mode, access)', () => {
  // Entries with random modes, lock and permission bits over a small window, so ranges meet and overlap
  // around the probed addresses, including 4-byte granules split between two entries.
  const entry = fc.tuple(fc.integer({ min: 0, max: 0xff }), fc.bigInt({ min: 0x100n, max: 0x140n }))
  fc.assert(fc.property(
    fc.array(entry, { minLength: 1, maxLength: 6 }), fc.bigInt({ min: 0x1f8n, max: 0x510n }).map((a) => a & ~1n),
    fc.constantFrom('fetch' as const, 'load' as const, 'store' as const), fc.constantFrom('M' as const, 'S' as const, 'U' as const),
    (entries, pa, access, priv) => {
      const pmp = pmpOf(Object.fromEntries(entries.map(([cfg, addr], i) => [i, [cfg & 0x9f, addr] as const])))
      if (!pmpAllows(pmp, pa, 4, access, priv)) return true
      assert.ok(pmpAllows(pmp, pa, 2, access, priv), 'low half')
      assert.ok(pmpAllows(pmp, pa + 2n, 2, access, priv), 'high half')
      return true
    }), { numRuns: runs(2000) })
})

/**
 * The matching rule as the Priv. ISA states it, sector by sector: entry i matches a 4-byte sector when
 * the sector lies in its TOR range, or agrees with pmpaddr << 2 on every bit above the NAPOT/NA4 size.
 */
const matchesSector = (pmp: Pmp, i: number, sector: bigint): boolean => {
  const a = pmp.pmpcfg[i]! & PMP_A
  if (a === PMP_OFF) return false
  const top = pmp.pmpaddr[i]! << 2n
  if (a === PMP_TOR) return (i === 0 ? 0n : pmp.pmpaddr[i - 1]! << 2n) <= sector && sector < top
  const ones = (m: bigint): bigint => { let n = 0n; while (((m >> n) & 1n) === 1n) n++; return n }
  const sizeLog2 = a === PMP_NA4 ? 2n : ones(pmp.pmpaddr[i]!) + 3n      // NAPOT: 2^(3 + trailing ones) bytes
  return sector >> sizeLog2 === top >> sizeLog2
}
const sectorMatch = (pmp: Pmp, pa: bigint, size: number): number | 'partial' | undefined => {
  for (let i = 0; i < 16; i++) {
    const hits: boolean[] = []
    for (let s = pa & ~3n; s < pa + BigInt(size); s += 4n) hits.push(matchesSector(pmp, i, s))
    if (hits.some((h) => h)) return hits.every((h) => h) ? i : 'partial'
  }
  return undefined
}

test('pmpMatch ≡ the sector-by-sector rule: the lowest entry matching any sector decides; partial unless it matches all', () => {
  const entry = fc.tuple(fc.constantFrom(PMP_OFF, PMP_TOR, PMP_NA4, PMP_NAPOT), fc.bigInt({ min: 0x3f0n, max: 0x440n }))
  fc.assert(fc.property(
    fc.array(entry, { minLength: 1, maxLength: 5 }), fc.bigInt({ min: 0xfc0n, max: 0x1110n }), fc.constantFrom(1, 2, 4, 8, 16),
    (entries, pa, size) => {
      const pmp = pmpOf(Object.fromEntries(entries.map(([a, addr], i) => [i, [a | 1, addr] as const])))
      assert.equal(pmpMatch(pmp, pa, size), sectorMatch(pmp, pa, size), `pa 0x${pa.toString(16)} size ${size}`)
    }), { numRuns: runs(1000) })
})

test('the page memo is invisible: any sequence of accesses on a few tables answers as pmpAllowsAt does', () => {
  // Entries around a few pages (some wholly covered, some split inside a page), probed near page edges,
  // alternating between tables so that the memo's last-table and last-page shortcuts are exercised.
  const entry = fc.tuple(
    fc.tuple(fc.constantFrom(PMP_TOR, PMP_NAPOT, PMP_NAPOT, 0x10), fc.nat(7), fc.boolean()).map(([a, rwx, l]) => a | rwx | (l ? 0x80 : 0)),
    fc.oneof(
      fc.bigInt({ min: 0x2_0000n >> 2n, max: 0x2_4000n >> 2n }),                  // TOR tops and NA4 granules
      { weight: 2, arbitrary: fc.nat(3).map((p) => ((0x2_0000n + BigInt(p) * 0x1000n) >> 2n) | 0x1ffn) },    // a NAPOT 4 KiB page
      fc.constant((0x2_0000n >> 2n) | 0x7ffn),                                      // a NAPOT 16 KiB region
    ))
  const table = fc.array(entry, { minLength: 0, maxLength: 4 })
    .map((es) => pmpOf(Object.fromEntries(es.map(([cfg, addr], i) => [i, [cfg, addr] as const]))))
  const access = fc.record({
    t: fc.nat(2), pa: fc.oneof(fc.bigInt({ min: 0x1_fff0n, max: 0x2_4010n }), fc.nat(3).map((p) => 0x2_0000n + BigInt(p) * 0x1000n + 0x800n)),
    len: fc.constantFrom(1, 2, 4, 8),
    op: fc.constantFrom('fetch' as const, 'load' as const, 'load' as const, 'store' as const), priv: fc.constantFrom(0, 1, 3), hlvx: fc.boolean(),
  })
  fc.assert(fc.property(fc.tuple(table, table, table), fc.array(access, { minLength: 1, maxLength: 40 }), (tables, accesses) => {
    for (const a of accesses) {
      const t = tables[a.t]!
      assert.is(pmpAllowsCached(t, a.pa, a.len, a.op, a.priv, a.hlvx), pmpAllowsAt(t, a.pa, a.len, a.op, a.priv, a.hlvx),
        `pa 0x${a.pa.toString(16)} len ${a.len} ${a.op} priv ${a.priv}`)
    }
  }), { numRuns: runs(300) })
})

test.run()
