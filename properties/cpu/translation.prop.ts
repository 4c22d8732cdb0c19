// The hart's side of translation (src/cpu/translation.ts): the context read from the CSR bits, the
// walk failure mapped to a trap, under either TLB engine. On random VS-over-G page tables with random
// corruptions (properties/mmu/configs.ts), the trap the hart takes — cause, tval, htval, tinst, and the
// GVA bit — or the physical address equals the independent reference of two-stage-reference.ts.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseIsa } from '../../src/cpu/isa.ts'
import { type Csrs, type Hart, PRV_S, PRV_U, hart, resetCsrs } from '../../src/cpu/hart.ts'
import { ENVCFG_ADUE, ENVCFG_PBMTE, MSTATUS_MXR, MSTATUS_SUM } from '../../src/cpu/csr/fields.ts'
import { type Exec, isTrap } from '../../src/cpu/exec.ts'
import { type Trap } from '../../src/cpu/trap.ts'
import { translateOnly } from '../../src/cpu/translation.ts'
import { type HartBus, ramWindow } from '../../src/cpu/bus.ts'
import { specAccel } from '../../src/cpu/accel.ts'
import { type PhysMemory } from '../../src/memory/memory.ts'
import { type Tlb, emptyTlb } from '../../src/mmu/tlb.ts'
import { fastTlb } from '../../src/mmu/engine/tlb.ts'
import { fc, runs } from '../fc.ts'
import { type CtxBits, G_ROOT, buildTwoStage, twoStageConfigArb } from '../mmu/configs.ts'
import { reference } from '../mmu/two-stage-reference.ts'

const ISA = parseIsa('rv64imah_zicsr_svadu_svpbmt')
if (ISA._tag === 'Left') throw new Error(ISA.left)

const bit = (on: boolean, mask: bigint): bigint => (on ? mask : 0n)

/** The CSR file that says what `c` says: SUM/MXR in mstatus and vsstatus, ADUE/PBMTE in menvcfg and henvcfg. */
const csrsOf = (c: CtxBits, vsatp: bigint, hgatp: bigint): Csrs => {
  const r = resetCsrs(ISA.right)
  return {
    ...r, vsatp, hgatp,
    mstatus: r.mstatus | bit(c.hsSum, MSTATUS_SUM) | bit(c.hsMxr, MSTATUS_MXR),
    vsstatus: r.vsstatus | bit(c.vsSum, MSTATUS_SUM) | bit(c.vsMxr, MSTATUS_MXR),
    menvcfg: bit(c.menvAdue, ENVCFG_ADUE) | bit(c.menvPbmte, ENVCFG_PBMTE),
    henvcfg: bit(c.henvAdue, ENVCFG_ADUE) | bit(c.henvPbmte, ENVCFG_PBMTE),
  }
}

/** Translation touches no device: a bus with RAM everywhere and nothing else answering. */
const NO_DEVICES: HartBus<unknown> = {
  ram: ramWindow(0n, 1n << 56n), load: () => undefined, store: () => undefined, wires: (_d, csr) => csr,
}

const execOf = (h: Hart, memory: PhysMemory, tlb: Tlb, svnapot: boolean): Exec => ({
  isa: { ...ISA.right, svnapot }, pc: h.pc, bits: 0, h, memory, tlb,
  rd: 0, rdValue: 0n, logged: undefined, loads: undefined, stores: undefined, wroteInstret: false, wroteCycle: false,
  loggedValues: undefined, bus: NO_DEVICES, devices: undefined, accel: specAccel, firedTriggers: undefined,
  tlbHits: 0, walks: 0, twoStageWalks: 0, lastGpa: undefined, lastPa: 0n, stale: undefined,
})

const showTrap = (r: bigint | Trap): string =>
  isTrap(r)
    ? `cause ${r.cause} tval 0x${r.tval.toString(16)} htval 0x${r.tval2.toString(16)} tinst 0x${r.tinst.toString(16)} gva ${r.gva}`
    : `pa 0x${r.toString(16)}`

test('Hart translation (V=1, Sv39 over Sv39x4): the trap (cause, tval, htval, tinst, GVA) or PA ≡ the reference, under the spec and the fast TLB engine', () => {
  fc.assert(fc.property(twoStageConfigArb, (cfg) => {
    const w = buildTwoStage(cfg)
    const c = cfg.c
    const vsRoot = cfg.vsatpBare ? undefined : (w.ctx.vsatp & ((1n << 44n) - 1n)) << 12n
    const ref = reference(w.memory, c, w.va, vsRoot, cfg.hgatpBare ? undefined : G_ROOT)
    // Every translation with V=1 reports a guest virtual address in tval (H chapter: GVA is set).
    const want = 'pa' in ref.observed
      ? `pa 0x${ref.observed.pa.toString(16)}`
      : `cause ${ref.observed.cause} tval 0x${ref.observed.tval.toString(16)} htval 0x${ref.observed.htval.toString(16)} tinst 0x${ref.observed.tinst.toString(16)} gva true`
    const priv = c.priv === 'U' ? PRV_U : PRV_S
    const h = hart(0n, new Array<bigint>(32).fill(0n), priv, true, csrsOf(c, w.ctx.vsatp, w.ctx.hgatp), undefined, 0n, 0n)
    for (const tlb of [emptyTlb({ sets: 4, ways: 2, replacement: 'lru', flushAll: false }), fastTlb({ sets: 4, ways: 2, replacement: 'lru', flushAll: false })]) {
      const e = execOf(h, w.memory, tlb, c.svnapot)
      const r = translateOnly(e, w.va, c.access, { priv, virt: true }, c.hlvx)
      assert.is(showTrap(r), want, `${tlb.engine === emptyTlb().engine ? 'spec' : 'fast'} engine`)
      // A second identical access is answered the same (from the TLB when the first one succeeded).
      const again = translateOnly(e, w.va, c.access, { priv, virt: true }, c.hlvx)
      assert.is(showTrap(again), want, 'repeated access')
    }
  }), { numRuns: runs(3000) })
})

test.run()
