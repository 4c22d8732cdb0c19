// Spike's -m decoder (src/cli/spike-args.ts): whatever base:size pairs are given, the regions are sorted,
// do not overlap, are whole pages, and cover exactly the pages the pairs touch (spike.cc widens each pair
// to whole pages and merges overlapping ones).
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { parseMemLayout } from '../../src/cli/spike-args.ts'

const PAGE = 0x1000n

const pageSet = (rs: readonly { base: bigint; size: bigint }[]): Set<bigint> => {
  const s = new Set<bigint>()
  for (const r of rs) for (let p = r.base / PAGE; p < (r.base + r.size + PAGE - 1n) / PAGE; p++) s.add(p)
  return s
}

test('-m base:size,…: sorted, disjoint, page-aligned regions covering exactly the pages the pairs touch', () => {
  const pair = fc.tuple(fc.bigInt({ min: 0n, max: 0x40_0000n }), fc.bigInt({ min: 1n, max: 0x8000n }))
  fc.assert(fc.property(fc.array(pair, { minLength: 1, maxLength: 5 }), (pairs) => {
    const r = parseMemLayout(pairs.map(([b, s]) => `0x${b.toString(16)}:0x${s.toString(16)}`).join(','))
    if (r._tag === 'Left') return false
    const out = r.right.ram
    for (let i = 0; i < out.length; i++) {
      if (out[i]!.base % PAGE !== 0n || out[i]!.size % PAGE !== 0n || out[i]!.size === 0n) return false
      if (i > 0 && out[i - 1]!.base + out[i - 1]!.size > out[i]!.base) return false
    }
    const asked = pageSet(pairs.map(([base, size]) => ({ base: base - base % PAGE, size: size + base % PAGE })))
    const got = pageSet(out)
    return asked.size === got.size && [...asked].every((p) => got.has(p))
  }), { numRuns: runs(300) })
})

test.run()
