// Bare ≡ identity: with no translation in force the address is the physical address, no PTE is read
// and memory is untouched (Priv. ISA: satp.MODE = Bare; M-mode is never translated; H chapter: with
// V=1 "either stage of translation can be effectively disabled by zeroing vsatp or hgatp").
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { guestVirt, phys, virt } from '../../src/bits/address.ts'
import { peek } from '../../src/memory/memory.ts'
import { translate, type WalkOutcome } from '../../src/mmu/translate.ts'
import { fc, runs } from '../fc.ts'
import { buildTwoStage, ctxBitsArb, mutationArb, observe, show, translationContext, twoStageConfigArb } from './configs.ts'

const anyAddr = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const u64 = (bitsWide: number): fc.Arbitrary<bigint> => fc.bigInt({ min: 0n, max: (1n << BigInt(bitsWide)) - 1n })

/** The identity outcome: PA = the input address, nothing read, the same memory object back. */
const isIdentity = (o: WalkOutcome, addr: bigint, memory: unknown): void => {
  assert.is(show(observe(o.result)), show({ pa: addr }))
  assert.equal(o.trail.length, 0, 'no PTE reads')
  assert.is(o.refs, 0)
  assert.ok(o.memory === memory, 'memory returned as is')
}

// A populated memory (random page tables) so that an accidental walk would find something to read.
const worldArb = twoStageConfigArb.map(buildTwoStage)

test('satp.MODE = Bare (any ASID and PPN bits), V=0, U- or S-mode: PA = VA for every VA and access', () => {
  fc.assert(fc.property(worldArb, ctxBitsArb, anyAddr, u64(16), u64(44), (w, c, va, asid, ppn) => {
    const ctx = translationContext(c, { satp: (asid << 44n) | ppn })
    isIdentity(translate(w.memory, ctx, { va: virt(va), access: c.access, hlvx: c.hlvx }), va, w.memory)
  }), { numRuns: runs(1000) })
})

test('M-mode is never translated, whatever satp holds (Sv39/48/57 with any root)', () => {
  fc.assert(fc.property(worldArb, ctxBitsArb, anyAddr, fc.constantFrom(8n, 9n, 10n), u64(16), u64(44), (w, c, va, mode, asid, ppn) => {
    const ctx = translationContext(c, { priv: 'M', satp: (mode << 60n) | (asid << 44n) | ppn })
    isIdentity(translate(w.memory, ctx, { va: virt(va), access: c.access }), va, w.memory)
  }), { numRuns: runs(1000) })
})

test('V=1 with vsatp and hgatp both Bare: PA = GVA (any ASID/VMID and PPN bits)', () => {
  fc.assert(fc.property(worldArb, ctxBitsArb, anyAddr, u64(16), u64(14), u64(44), (w, c, gva, asid, vmid, ppn) => {
    const ctx = translationContext(c, { virt: true, vsatp: (asid << 44n) | ppn, hgatp: (vmid << 44n) | ppn })
    isIdentity(translate(w.memory, ctx, { va: guestVirt(gva), access: c.access, hlvx: c.hlvx }), gva, w.memory)
  }), { numRuns: runs(1000) })
})

test('V=1 with hgatp Bare ≡ V=0 with satp = vsatp, SUM from vsstatus, MXR = either, envcfg = henvcfg', () => {
  // VS PTEs corrupted more often than in the two-stage world: every step-3 check must map across.
  const arb = fc.tuple(twoStageConfigArb, fc.array(mutationArb(6), { minLength: 3, maxLength: 3 }))
    .map(([cfg, vsMut]) => ({ ...cfg, vsMut, hgatpBare: true, vsatpBare: false }))
  fc.assert(fc.property(arb, (cfg) => {
    const w = buildTwoStage(cfg)
    const c = cfg.c
    const single = translationContext(c, {
      virt: false, satp: w.ctx.vsatp,
      mstatus: { sum: c.vsSum, mxr: c.vsMxr || c.hsMxr },
      menvcfg: { adue: c.henvAdue, pbmte: c.henvPbmte },
    })
    const two = translate(w.memory, w.ctx, { va: guestVirt(w.va), access: c.access, hlvx: c.hlvx })
    const one = translate(w.memory, single, { va: virt(w.va), access: c.access, hlvx: c.hlvx })
    assert.is(show(observe(two.result)), show(observe(one.result)))
    assert.is(two.refs, one.refs)
    for (const a of w.words) assert.is(peek(two.memory, phys(a), 8), peek(one.memory, phys(a), 8), `A/D writes alike at 0x${a.toString(16)}`)
  }), { numRuns: runs(1000) })
})

test.run()
