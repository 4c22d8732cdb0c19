// The per-page PMP answer (src/memory/pmp.ts, pmpPageFlags): what a fast-engine block may do on a RAM
// page without asking PMP access by access. The engine memoises it per PMP table and (page, privilege)
// (src/memory/engine/pmp.ts), so the laws check both that the answer is sound and that the memo is invisible.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { PAGE_FETCH, PAGE_LOAD, PAGE_STORE, type Pmp, PMP_IMPLEMENTED, pmpAllowsAt as pmpAllows, pmpPageFlags } from '../../src/memory/pmp.ts'
import { pmpPageFlagsCached } from '../../src/memory/engine/pmp.ts'

const BASE = 0x8000_0000n

/** Up to 4 entries of any mode, RWX and lock, with addresses around the first few pages of RAM. */
const arbPmp = fc.array(
  fc.tuple(
    fc.constantFrom(0x00, 0x08, 0x10, 0x18).chain((a) => fc.tuple(fc.constant(a), fc.nat(7), fc.boolean())).map(([a, rwx, l]) => a | rwx | (l ? 0x80 : 0)),
    fc.oneof(
      fc.bigInt({ min: BASE >> 2n, max: (BASE + 0x4000n) >> 2n }),            // granule addresses (TOR tops, NA4)
      fc.nat(4).map((p) => ((BASE + BigInt(p) * 0x1000n) >> 2n) | 0x1ffn),     // a NAPOT 4 KiB page
      fc.nat(3).map((p) => ((BASE + BigInt(p) * 0x2000n) >> 2n) | 0x3ffn),     // a NAPOT 8 KiB region
      fc.constant((1n << 54n) - 1n),                                           // everything
    ),
  ),
  { minLength: 0, maxLength: 4 },
)

/** A PMP table with those entries (the others OFF), in fresh arrays (so no memo made for another table applies). */
const csrsWith = (entries: readonly (readonly [number, bigint])[]): Pmp => ({
  pmpcfg: Array.from({ length: PMP_IMPLEMENTED }, (_, i) => entries[i]?.[0] ?? 0),
  pmpaddr: Array.from({ length: PMP_IMPLEMENTED }, (_, i) => entries[i]?.[1] ?? 0n),
})

const arbQueries = fc.array(fc.tuple(fc.constantFrom(0, 1, 3), fc.nat(5)), { minLength: 1, maxLength: 12 })

test('a page flag is set only if PMP allows that access in every 4-byte granule of the page', () => {
  fc.assert(fc.property(arbPmp, arbQueries, (entries, queries) => {
    const c = csrsWith(entries)
    return queries.every(([priv, p]) => {
      const base = BASE + BigInt(p) * 0x1000n
      const flags = pmpPageFlags(c, priv, base)
      for (const [bit, access] of [[PAGE_LOAD, 'load'], [PAGE_STORE, 'store'], [PAGE_FETCH, 'fetch']] as const) {
        if ((flags & bit) === 0) continue
        for (let o = 0n; o < 0x1000n; o += 4n) if (!pmpAllows(c, base + o, 4, access, priv)) return false
      }
      return true
    })
  }), { numRuns: runs(300) })
})

test('the memo is invisible: any sequence of (privilege, page) queries on one table answers as a fresh table does', () => {
  fc.assert(fc.property(arbPmp, arbQueries, (entries, queries) => {
    const c = csrsWith(entries)
    return queries.every(([priv, p]) => {
      const base = BASE + BigInt(p) * 0x1000n
      return pmpPageFlagsCached(c, priv, base) === pmpPageFlags(csrsWith(entries), priv, base)
    })
  }), { numRuns: runs(500) })
})

test.run()
