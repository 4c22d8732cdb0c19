// The fast translation path equals the readable specification: whenever translateFast answers, its
// whole outcome — PA, GPA, leaves, page size, every trail step with its explanation, the reference
// count, and the (unchanged) memory — is what translateSpec gives. It may decline (undefined) any case.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft } from 'fp-ts/lib/Either.js'
import { fc, runs } from '../fc.ts'
import { guestVirt, virt } from '../../src/bits/address.ts'
import { translateFast } from '../../src/mmu/engine/fast-walk.ts'
import { translateSpec, type WalkOutcome } from '../../src/mmu/translate.ts'
import type { StageLeaf } from '../../src/mmu/walk.ts'
import { buildTwoStage, twoStageConfigArb, type Mutation } from './configs.ts'

const leaf = (l: StageLeaf | undefined) =>
  l === undefined ? undefined : { stage: l.stage, inBase: l.inBase, outBase: l.outBase, level: l.level, pte: l.pte, pageBits: l.pageBits, pteAddr: l.pteAddr as bigint }

const normal = (o: WalkOutcome) => ({
  result: isLeft(o.result)
    ? { fault: o.result.left }
    : { pa: o.result.right.pa as bigint, gpa: o.result.right.gpa as bigint | undefined, pageBits: o.result.right.pageBits, first: leaf(o.result.right.first), gstage: leaf(o.result.right.gstage) },
  refs: o.refs,
  trail: o.trail.map((t) => ({ stage: t.stage, purpose: t.purpose, op: t.op, level: t.level, pteAddr: t.pteAddr, pte: t.pte, decision: t.decision })),
})

// The shared worlds corrupt PTEs rarely (most walks should succeed). Half of the runs here corrupt
// exactly one PTE of an otherwise well-formed world (A/D preset, canonical GVA, tables in RAM), so each
// early-exit condition of the fast path meets a walk where only that condition is wrong.
const NONE = { m: 'none' as Mutation, bit: 54, ppn: 0n }
const oneCorruption = fc.tuple(
  twoStageConfigArb,
  fc.nat(14),                                      // which PTE: 0–2 the VS levels, 3 + 3k + level the G paths
  fc.record({
    m: fc.constantFrom<Mutation>('clearV', 'wNoR', 'reservedBit', 'nBit', 'pbmt1', 'pbmt3', 'adu', 'ppnOutside', 'ppnPlusOne', 'ppnRandom', 'flipKind'),
    bit: fc.integer({ min: 54, max: 60 }),
    ppn: fc.bigInt({ min: 0n, max: (1n << 44n) - 1n }),
  }),
).map(([cfg, which, mu]) => ({
  ...cfg, adPreset: true, nonCanonical: false, hostOutside: -1,
  vsMut: [0, 1, 2].map((i) => (which === i ? mu : NONE)),
  gMut: [0, 1, 2, 3].map((k) => [0, 1, 2].map((l) => (which === 3 + 3 * k + l ? mu : NONE))),
}))
const worlds = fc.oneof(twoStageConfigArb, oneCorruption)

test('translateFast ≡ translateSpec wherever the fast path answers (two-stage and single-stage worlds)', () => {
  let answered = 0
  let total = 0
  fc.assert(fc.property(worlds, fc.boolean(), (cfg, single) => {
    // A single-stage world: the same tables with hgatp Bare, used as satp tables with V=0.
    const world = buildTwoStage(single ? { ...cfg, hgatpBare: true, vsatpBare: false } : cfg)
    const ctx = single ? { ...world.ctx, virt: false, satp: world.ctx.vsatp, vsatp: 0n } : world.ctx
    const req = { va: single ? virt(world.va) : guestVirt(world.va), access: cfg.c.access, hlvx: cfg.c.hlvx && !single }
    total++
    const fast = translateFast(world.memory, ctx, req)
    if (fast === undefined) return
    answered++
    const spec = translateSpec(world.memory, ctx, req)
    assert.equal(normal(fast), normal(spec))
    assert.ok(fast.memory === world.memory && spec.memory === world.memory, 'the fast path never writes memory')
  }), { numRuns: runs(1500) })
  // Not vacuous: the generator's worlds are mostly well formed, so the fast path must answer often.
  assert.ok(answered > total / 20, `fast path answered only ${answered} of ${total} cases`)
  if (process.env.MEMVIRT_DEBUG) console.log(`fast path answered ${answered} of ${total}`)
})

test.run()
