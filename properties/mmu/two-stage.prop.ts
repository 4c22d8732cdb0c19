// Two-stage translation ≡ a VS-stage walk over the guest-physical view composed with a G-stage walk.
// The reference (two-stage-reference.ts) is written from the Priv. ISA text and shares no code with
// src/mmu/walk.ts.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { guestVirt, phys } from '../../src/bits/address.ts'
import { peek } from '../../src/memory/memory.ts'
import { translate } from '../../src/mmu/translate.ts'
import { fc, runs } from '../fc.ts'
import { G_ROOT, buildTwoStage, observe, show, twoStageConfigArb } from './configs.ts'
import { type Kind, reference } from './two-stage-reference.ts'

test('Sv39 over Sv39x4: translate ≡ the reference VS-walk-over-G composition (PA or cause, tval, htval, tinst; refs; walk trail; A/D writes)', () => {
  const seen = new Map<Kind, number>()
  const numRuns = runs(10000)
  fc.assert(fc.property(twoStageConfigArb, (cfg) => {
    const w = buildTwoStage(cfg)
    const vsRoot = cfg.vsatpBare ? undefined : (w.ctx.vsatp & ((1n << 44n) - 1n)) << 12n
    const ref = reference(w.memory, cfg.c, w.va, vsRoot, cfg.hgatpBare ? undefined : G_ROOT)
    const out = translate(w.memory, w.ctx, { va: guestVirt(w.va), access: cfg.c.access, hlvx: cfg.c.hlvx })
    seen.set(ref.kind, (seen.get(ref.kind) ?? 0) + 1)
    assert.is(show(observe(out.result)), show(ref.observed), `outcome (reference: ${ref.kind})`)
    assert.is(out.refs, ref.refs, 'memory references')
    // The walk trail lists the same PTE accesses in the same order (a refused access as its last step).
    const show1 = (op: string, pa: bigint, v: bigint | undefined): string => `${op} 0x${pa.toString(16)}${v === undefined ? '' : ` = 0x${v.toString(16)}`}`
    assert.equal(
      out.trail.map((t, i) => show1(t.op, t.pteAddr, ref.accesses[i]?.value === undefined ? undefined : t.pte)),
      ref.accesses.map((a) => show1(a.op, a.pa, a.value)), 'walk trail')
    for (const a of w.words) assert.is(peek(out.memory, phys(a), 8), peek(ref.memory, phys(a), 8), `PTE word at 0x${a.toString(16)}`)
  }), { numRuns })
  // The law is only as good as its coverage: every outcome kind must have been reached.
  const kinds: Kind[] = ['success', 'success with A/D writes', 'VS page fault', 'VS non-canonical GVA', 'guest-page fault: final GPA',
    'guest-page fault: GPA too wide', 'guest-page fault: VS PTE read (0x3000)', 'guest-page fault: VS PTE A/D write (0x3020)',
    'access fault: VS PTE', 'access fault: G PTE']
  console.log('  two-stage outcome distribution:', [...seen].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k}: ${n}`).join(', '))
  if (numRuns >= 10000) for (const k of kinds) assert.ok((seen.get(k) ?? 0) > 0, `no run reached "${k}"`)
})

test.run()
