// Translation is a pure function: it never mutates its inputs, it is deterministic, and the only
// change it makes to memory is setting A (and, for stores, D) in PTEs it reports writing, only where
// hardware A/D updating (Svadu: menvcfg.ADUE for S- and G-stage, henvcfg.ADUE for VS-stage) is on,
// and never to a PTE whose own checks failed (Priv. ISA, "Virtual Address Translation Process"
// steps 3–9; H chapter: the A/D store to a VS PTE is an implicit store for the G-stage).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isDeepStrictEqual } from 'node:util'
import { isLeft } from 'fp-ts/lib/Either.js'
import { guestVirt, phys, virt } from '../../src/bits/address.ts'
import { type PhysMemory, emptyMemory, pageAt, peek, withPages, writtenPages } from '../../src/memory/memory.ts'
import { translate, type TranslationContext, type WalkOutcome } from '../../src/mmu/translate.ts'
import { fc, runs } from '../fc.ts'
import { type TwoStageConfig, A, D, R, V, W, X, buildTwoStage, twoStageConfigArb, type World } from './configs.ts'

/**
 * Every materialised 4 KiB page of a memory version, by page number (`writtenPages`, read with `pageAt`:
 * the same view for the same unchanged page); checks the count against `pages` so an enumeration that
 * missed pages would fail loudly instead of hiding differences.
 */
const pagesOf = (m: PhysMemory): Map<number, DataView> => {
  const out = new Map<number, DataView>()
  for (const pn of writtenPages(m)) out.set(pn, pageAt(m, pn)!)
  assert.is(out.size, m.pages, 'page enumeration sees every materialised page')
  return out
}

/**
 * A memory version as what it holds (map, page count, each page's bytes by page number): the version
 * object itself also holds its place among its memory's versions (memory.ts), which reading it may move.
 */
const contents = (m: PhysMemory): unknown =>
  ({ map: m.map, pages: m.pages, bytes: [...pagesOf(m)].map(([pn, v]) => [pn, new Uint8Array(v.buffer, v.byteOffset, 4096).slice()]) })
/**
 * A fresh memory with the same contents, sharing nothing with `m` (not even its arena: a structuredClone
 * would copy the whole arena, which every version of one memory shares).
 */
const freshCopy = (m: PhysMemory): PhysMemory =>
  withPages(emptyMemory(structuredClone(m.map)), [...pagesOf(m)].map(([pn, v]) => [pn, new DataView(new Uint8Array(v.buffer, v.byteOffset, 4096).slice().buffer)] as const))
/** An outcome with its memory as `contents`. */
const outcome = (o: WalkOutcome): unknown => ({ ...o, memory: contents(o.memory) })

/** 8-byte words that differ between two memory versions: address → [before, after]. */
const wordDiff = (before: PhysMemory, after: PhysMemory): Map<bigint, [bigint, bigint]> => {
  const diff = new Map<bigint, [bigint, bigint]>()
  const a = pagesOf(before)
  const b = pagesOf(after)
  for (const pn of new Set([...a.keys(), ...b.keys()])) {
    const pa = a.get(pn)
    const pb = b.get(pn)
    if (pa === pb) continue                        // shared structure: the same immutable page
    for (let off = 0; off < 4096; off += 8) {
      const x = pa?.getBigUint64(off, true) ?? 0n
      const y = pb?.getBigUint64(off, true) ?? 0n
      if (x !== y) diff.set(BigInt(pn) * 4096n + BigInt(off), [x, y])
    }
  }
  return diff
}

/**
 * Single-stage worlds too: the same tables with V=0, satp = the VS root, tables at GPA = PA. In
 * half the worlds A/D bits are left to the walker (random A/D, both ADUE on) so that writes happen.
 */
const worldArb: fc.Arbitrary<{ cfg: TwoStageConfig; w: World }> = fc.tuple(twoStageConfigArb, fc.boolean(), fc.boolean()).map(([cfg0, single, adHeavy]) => {
  const cfg1 = adHeavy ? { ...cfg0, adPreset: false, c: { ...cfg0.c, menvAdue: true, henvAdue: true } } : cfg0
  const cfg = single ? { ...cfg1, hgatpBare: true } : cfg1
  const w = buildTwoStage(cfg)
  return { cfg, w: single ? { ...w, ctx: { ...w.ctx, virt: false, satp: w.ctx.vsatp, vsatp: 0n } } : w }
})

const run = (w: World, cfg: TwoStageConfig, memory = w.memory, ctx = w.ctx): WalkOutcome =>
  translate(memory, ctx, { va: ctx.virt ? guestVirt(w.va) : virt(w.va), access: cfg.c.access, hlvx: cfg.c.hlvx })

const adueOf = (ctx: TranslationContext, stage: 'S' | 'VS' | 'G'): boolean => (stage === 'VS' ? ctx.henvcfg.adue : ctx.menvcfg.adue)

test('translation never mutates its inputs: memory contents and the context deep-equal their snapshots', () => {
  fc.assert(fc.property(worldArb, ({ cfg, w }) => {
    const memSnapshot = contents(w.memory)
    const ctxSnapshot = structuredClone(w.ctx)
    const out = run(w, cfg)
    assert.ok(isDeepStrictEqual(contents(w.memory), memSnapshot), 'input memory unchanged')
    assert.ok(isDeepStrictEqual(w.ctx, ctxSnapshot), 'context unchanged')
    // The old version still reads as before even where the new one differs.
    for (const [addr, [before]] of wordDiff(w.memory, out.memory)) assert.is(peek(w.memory, phys(addr), 8), before)
  }), { numRuns: runs(2000) })
})

test('the only memory changes are A/D bits set in PTEs the trail reports writing, where ADUE allows, never in a PTE that failed its checks', () => {
  let withWrites = 0
  fc.assert(fc.property(worldArb, ({ cfg, w }) => {
    const out = run(w, cfg)
    const diff = wordDiff(w.memory, out.memory)
    const writes = out.trail.filter((t) => t.op === 'write')
    if (diff.size > 0) withWrites++
    for (const [addr, [before, after]] of diff) {
      // Only A and D, only 0 → 1, and the PTE must be a leaf that passed step 3 (V=1, not W without R).
      const set = after & ~before
      assert.is(before & ~after, 0n, `0x${addr.toString(16)}: no bit cleared`)
      assert.is(set & ~(A | D), 0n, `0x${addr.toString(16)}: only A/D set`)
      assert.ok((after & V) !== 0n && (after & (R | X)) !== 0n && !((after & R) === 0n && (after & W) !== 0n), 'written PTE is a valid leaf')
      const step = [...writes].reverse().find((t) => (t.pteAddr as bigint) === addr)
      if (step === undefined) return assert.unreachable(`0x${addr.toString(16)} changed but the trail reports no write there`)
      assert.is(step.pte, after, 'the trail shows the value written')
      assert.ok(adueOf(w.ctx, step.stage), `${step.stage}-stage A/D write with ADUE off`)
      // D only for a store: the access itself, or a G-stage leaf under a VS PTE's A/D store.
      if ((set & D) !== 0n) assert.ok(cfg.c.access === 'store' || step.purpose === 'vs-pte-write', 'D set without a store')
    }
    // Every reported write happened, with the value the trail shows (last write per address wins).
    for (const t of writes) assert.ok(diff.has(t.pteAddr), `trail write at 0x${(t.pteAddr as bigint).toString(16)} left no change`)
    if (!w.ctx.menvcfg.adue && !w.ctx.henvcfg.adue) assert.ok(out.memory === w.memory, 'no ADUE: memory returned as is')
    // A fault decided by a PTE's own checks (steps 3–8, or Svade) ends the walk there: that PTE is not written.
    const last = out.trail[out.trail.length - 1]
    if (isLeft(out.result) && out.result.left._tag !== 'AccessFault' && last !== undefined && last.op === 'read' && out.result.left.level >= 0) {
      assert.is(diff.get(last.pteAddr)?.[1] ?? last.pte, last.pte, 'faulting PTE keeps the value read')
    }
  }), { numRuns: runs(3000) })
  assert.ok(runs(3000) < 3000 || withWrites > 150, `only ${withWrites} runs made A/D writes`)
})

test('determinism: the same inputs (also as fresh copies) give deep-equal outcomes', () => {
  fc.assert(fc.property(worldArb, ({ cfg, w }) => {
    const first = run(w, cfg)
    const again = run(w, cfg)
    const copies = run(w, cfg, freshCopy(w.memory), structuredClone(w.ctx))
    assert.ok(isDeepStrictEqual(outcome(first), outcome(again)), 'same objects, same outcome')
    assert.ok(isDeepStrictEqual(outcome(first), outcome(copies)), 'copied inputs, same outcome')
  }), { numRuns: runs(1500) })
})

test.run()
