// The exact-TLB laws (tlb-exact.prop.ts) under two-stage translation: random guest worlds (VS-stage Sv39 or
// Sv48 tables over an Sv39x4 or Sv48x4 G-stage, properties/hypervisor/shadow/riscv-world.ts) and random
// HS-mode programs that reach V=1 through HLV/HLVX/HSV, rewrite VS-stage and G-stage PTEs with plain stores
// (aimed mostly at the leaves the program's own GVAs use), switch vsatp between two roots and ASIDs and
// hgatp between VMIDs 1 and 2, flip SUM/MXR/SPVP, and fence; every fault traps to an M-mode handler that
// skips the instruction.
// 1. H chapter, "Hypervisor Memory-Management Fence Instructions": a G-stage PTE store followed by
//    HFENCE.GVMA for its guest-physical address (or all), for every VMID that may cache it, and a VS-stage
//    PTE store (or any HSV: it may hit the guest's tables) followed by HFENCE.VVMA for every VMID, leave no
//    old translation usable. Such a program cannot tell an exact TLB (any shape) from Spike's: the same
//    commit log, final hart and memory.
// 2. `--report-stale` lists exactly the V=1 accesses whose PA differs from a fresh two-stage walk (the
//    readable `translate`, run here on the memory before each step, for HLVX with its execute rule).
// (G-stage leaves of the guest's own table pages are left alone: which fence covers a VS-stage walk that
// went through a moved table page is a choice of tlb.ts this law does not state.)
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys, virt } from '../../src/bits/address.ts'
import { isLeft } from '../../src/bits/either.ts'
import { poke, pokeBytes } from '../../src/memory/memory.ts'
import { type Machine, withMemory, withTlbConfig } from '../../src/machine/machine.ts'
import { foldSteps } from '../../src/machine/run.ts'
import { type StepEvent } from '../../src/cpu/event.ts'
import { contextFor } from '../../src/cpu/translation.ts'
import { translate } from '../../src/mmu/translate.ts'
import { type TlbConfig, spikeTlbConfig } from '../../src/mmu/tlb.ts'
import { commitLine } from '../../src/trace/commit-log.ts'
import { differingPages } from '../../src/hypervisor/redundancy/same-state.ts'
import { CODE, isa, machineWith } from '../../spec/cpu/fixture.ts'
import { fc, runs } from '../fc.ts'
import { arbExact } from './tlb-exact-world.ts'
import {
  type World, G_ROOT, GUEST, ROOTS, ROOTS48, WINDOW_VA, gFlags, gL0, gStagePtes, guestPtes, l0Entry, l1Entry, pte, tablesHpa, vsL0, worldArb,
} from '../hypervisor/shadow/riscv-world.ts'

const ISA = isa('rv64imac_zicsr_zifencei_zicntr_h_svadu')
const HANDLER = CODE + 0x4000n
const HANDLER_CODE = [0x341_02ff3, 0x004f8f93, 0x341f9073, 0x30200073]   // csrr x31,mepc; addi x31,x31,4; csrw mepc,x31; mret

// Encodings (unprivileged and privileged ISA, H chapter).
const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0
const HLV = { d: 0x36 << 5, w: 0x34 << 5, wuX: (0x34 << 5) | 3, b: 0x30 << 5 }
const hlv = (sel: number, rd: number, rs1: number): number => r(sel >> 5, sel & 31, rs1, 4, rd, 0x73)
const hsv = (f7: number, rs2: number, rs1: number): number => r(f7, rs2, rs1, 4, 0, 0x73)
const hfenceVvma = (rs1: number, rs2: number): number => r(0x11, rs2, rs1, 0, 0, 0x73)
const hfenceGvma = (rs1: number, rs2: number): number => r(0x31, rs2, rs1, 0, 0, 0x73)
const sd = (rs2: number, rs1: number): number => r(0, rs2, rs1, 3, 0, 0x23)
const csrrw = (n: number, rs1: number): number => ((n << 20) | (rs1 << 15) | (1 << 12) | 0x73) >>> 0
const csrrx = (f3: number, n: number, rs1: number): number => ((n << 20) | (rs1 << 15) | (f3 << 12) | 0x73) >>> 0
const HGATP = 0x680, VSATP = 0x280

// Registers set before the run. PTE_ADDR[i] is a PTE's host address; GPA4[i] the guest-physical address
// (>> 2) its G-stage leaf maps, when it is one; HGATP_OF[v-1] is hgatp with VMID v, VMID_REG[v-1] holds v.
const VA_REGS = [1, 2, 3, 4], PTE_ADDR = [6, 7, 8, 9], GPA4 = [5, 20, 23, 24], PTE_VAL = [10, 11, 12, 13], VSATP_REGS = [14, 15]
const MASKS: readonly [number, number][] = [[0x200, 16], [0x600, 17], [0x100, 18]]   // vsstatus SUM|MXR, hstatus SPVP, sstatus MXR
const ASID = 19, DATA = [21, 22], HGATP_OF = [26, 27], VMID_REG = [28, 29], RD = [25, 30]

/** One step of a program before it is lowered to instructions (the fences it needs depend on the case's registers). */
type Op =
  | { readonly t: 'hlv'; readonly sel: number; readonly rd: number; readonly va: number }
  | { readonly t: 'hsv'; readonly f7: number; readonly data: number; readonly va: number }
  | { readonly t: 'pte'; readonly i: number; readonly v: number }
  | { readonly t: 'vvma'; readonly va: number; readonly asid: boolean }
  | { readonly t: 'gvma'; readonly i: number | undefined; readonly vmid: number | undefined }
  | { readonly t: 'vsatp'; readonly k: number }
  | { readonly t: 'hgatp' }
  | { readonly t: 'mask'; readonly set: boolean; readonly which: number }

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs)
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('hlv' as const), sel: pick([HLV.d, HLV.w, HLV.wuX, HLV.b]), rd: pick(RD), va: fc.nat(3) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('hsv' as const), f7: pick([0x37, 0x35]), data: pick(DATA), va: fc.nat(3) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('pte' as const), i: fc.nat(3), v: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('vvma' as const), va: fc.integer({ min: -1, max: 3 }), asid: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('gvma' as const), i: fc.option(fc.nat(3), { nil: undefined }), vmid: fc.option(fc.nat(1), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('vsatp' as const), k: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'hgatp' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('mask' as const), set: fc.boolean(), which: fc.nat(2) }) },
)

/** A GVA: in the ranges the world's tables map, in the guest's window onto its own tables, or anywhere. */
const gva = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.nat(1), fc.nat(1), fc.nat(3), fc.nat(511)).map(([a, b, c, o]) => (BigInt(a) << 30n) | (BigInt(b) << 21n) | (BigInt(c) << 12n) | (BigInt(o) << 3n)) },
  { weight: 2, arbitrary: fc.nat(0xbfff).map((o) => WINDOW_VA + (BigInt(o) & ~7n)) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => v & ~7n) },
)
/** A G-stage leaf slot of a data page (j, p): its host address and the guest-physical address it maps. */
const gSlot = (j: number, p: number): { addr: bigint; gpa: bigint } => {
  const index = (j === 0 ? 256 : 0) + p
  return { addr: gL0(j) + BigInt(index) * 8n, gpa: GUEST + (BigInt(j) << 21n) + (BigInt(index) << 12n) }
}
/** A PTE to rewrite when the program's GVAs give none: a VS-stage table entry or a G-stage data leaf. */
const strayPte = fc.oneof(
  { weight: 2, arbitrary: fc.nat(0x1ff).map((i) => ({ addr: tablesHpa(GUEST + 0x2000n + BigInt(i) * 8n), gpa: undefined })) },
  { weight: 1, arbitrary: fc.nat(0x7ff).map((i) => ({ addr: tablesHpa(vsL0(0)) + BigInt(i) * 8n, gpa: undefined })) },
  { weight: 2, arbitrary: fc.tuple(fc.nat(7), fc.nat(15)).map(([j, p]) => gSlot(j, p)) },
)
const gLeaf = fc.tuple(fc.nat(7), fc.nat(15), gFlags).map(([j, p, f]) => pte(0x9200_0000n + (BigInt(j) << 21n) + (BigInt(p) << 12n), f))

interface Case { readonly w: World; readonly ops: readonly Op[]; readonly regs: Readonly<Record<number, bigint>>; readonly spvp: boolean; readonly asid: number }

const hgatpOf = (w: World, vmid: number): bigint => (BigInt(w.levels === 3 ? 8 : 9) << 60n) | (BigInt(vmid) << 44n) | (G_ROOT >> 12n)
const vsatpOf = (w: World, k: number, asid: number): bigint => (BigInt(w.levels === 3 ? 8 : 9) << 60n) | (BigInt(asid) << 44n) | ((w.levels === 4 ? ROOTS48[k]! : ROOTS[k]!) >> 12n)

/** Host pages a GVA can reach (4 KiB G-stage leaves at 0x9200_0000, 2 MiB ones at 0x9100_0000), each dword naming its page: a stale read shows. */
const DATA_PAGES: readonly (readonly [bigint, Uint8Array])[] = [0x9100_0000n, 0x9200_0000n].flatMap((space) =>
  Array.from({ length: 8 }, (_, j) => [0n, ...(j === 0 ? [0x10_0000n] : [])].flatMap((off) => Array.from({ length: 16 }, (_, p) => {
    const at = space + (BigInt(j) << 21n) + off + (BigInt(p) << 12n)
    const bytes = new Uint8Array(4096)
    const view = new DataView(bytes.buffer)
    for (let i = 0; i < 512; i++) view.setBigUint64(i * 8, (at << 8n) | BigInt(i), true)
    return [at, bytes] as const
  }))).flat())

/** The machine of a case before its program: HS-mode, the world in host memory, vsatp and hgatp (VMID 1) set. */
const machineOf = (c: Case, program: readonly number[]): Machine => {
  const adue = c.w.adue ? 1n << 61n : 0n
  const m0 = machineWith([...program, 0x0000_0013], {
    isa: ISA, priv: 1, virt: false, x: c.regs,
    csr: {
      mtvec: HANDLER, menvcfg: adue, henvcfg: adue, hgatp: hgatpOf(c.w, 1), vsatp: vsatpOf(c.w, 0, c.asid),
      hstatus: (2n << 32n) | (c.spvp ? 1n << 8n : 0n),
      vsstatus: (2n << 32n) | (c.w.sum ? 1n << 18n : 0n) | (c.w.mxr ? 1n << 19n : 0n),
    },
  })
  const entries = [...gStagePtes(c.w), ...guestPtes(c.w).map(([gpa, v]): [bigint, bigint] => [tablesHpa(gpa), v])]
  const data = DATA_PAGES.reduce((m, [a, bytes]) => pokeBytes(m, phys(a), bytes), pokeBytes(m0.memory, phys(HANDLER), new Uint8Array(new Uint32Array(HANDLER_CODE).buffer)))
  const memory = entries.reduce((m, [a, v]) => poke(m, phys(a), 8, v), data)
  return withMemory(m0, memory)
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  w: worldArb,
  ops: fc.array(opArb, { minLength: 10, maxLength: 40 }),
  vas: fc.array(gva, { minLength: 16, maxLength: 16 }),
  aim: fc.array(fc.tuple(fc.nat(4), fc.boolean()), { minLength: 4, maxLength: 4 }),
  stray: fc.array(strayPte, { minLength: 4, maxLength: 4 }),
  vals: fc.array(fc.oneof(l0Entry, l1Entry, gLeaf, fc.constant(0n)), { minLength: 4, maxLength: 4 }),
  asid: fc.nat(3),
  data: fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 2, maxLength: 2 }),
  spvp: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
}).map((g) => {
  const regs: Record<number, bigint> = { [ASID]: BigInt(g.asid), [VSATP_REGS[0]!]: 0n, [VSATP_REGS[1]!]: 0n }
  const c0: Case = { w: g.w, ops: g.ops, regs, spvp: g.spvp, asid: g.asid }
  regs[VSATP_REGS[0]!] = vsatpOf(g.w, 0, g.asid)
  regs[VSATP_REGS[1]!] = vsatpOf(g.w, 1, g.asid + 1)
  regs[16] = (1n << 18n) | (1n << 19n); regs[17] = 1n << 8n; regs[18] = 1n << 19n
  HGATP_OF.forEach((x, v) => { regs[x] = hgatpOf(g.w, v + 1) }); VMID_REG.forEach((x, v) => { regs[x] = BigInt(v + 1) })
  PTE_VAL.forEach((x, i) => { regs[x] = g.vals[i]! })
  DATA.forEach((x, i) => { regs[x] = g.data[i]! })
  // The GVAs: those of the sixteen drawn that translate at the start first (most accesses then reach memory).
  const m = machineOf(c0, [])
  const ctx = contextFor(m.hart.csr, ISA, g.spvp ? 1 : 0, true)
  const start = (va: bigint) => translate(m.memory, ctx, { va: virt(va), access: 'load' }).result
  const vas = [...g.vas.filter((va) => !isLeft(start(va))), ...g.vas.filter((va) => isLeft(start(va)))]
  VA_REGS.forEach((x, i) => { regs[x] = vas[i]! })
  // Aim the PTE stores at the leaves the GVAs use at the start: the VS-stage leaf, or the G-stage leaf of a
  // data page (not of one of the guest's table pages); otherwise at a stray PTE.
  PTE_ADDR.forEach((x, i) => {
    const [k, vsLeaf] = g.aim[i]!
    const t = k < 4 ? start(vas[k]!) : undefined
    const leaf = t === undefined || isLeft(t) ? undefined : vsLeaf ? t.right.first : t.right.gstage
    const tablePage = leaf !== undefined && !vsLeaf && leaf.inBase < GUEST + 0x10_0000n
    const target = leaf === undefined || tablePage ? g.stray[i]! : { addr: leaf.pteAddr as bigint, gpa: vsLeaf ? undefined : leaf.inBase }
    regs[x] = target.addr
    regs[GPA4[i]!] = (target.gpa ?? 0n) >> 2n
  })
  return c0
})

/**
 * The program of a case: each op as instructions; with `fenced`, each PTE store followed by the fences that
 * cover it (HFENCE.GVMA by its GPA or all, for all VMIDs at once or each; HFENCE.VVMA for both VMIDs, hgatp
 * switched there and back), and each HSV by HFENCE.VVMA for both VMIDs. The VMID is tracked as the program
 * runs (no instruction here that changes hgatp can trap).
 */
const lower = (c: Case, fenced: boolean, choices: readonly boolean[]): number[] => {
  let vmid = 1
  let n = 0
  const coin = (): boolean => choices[n++ % choices.length]!
  const vvmaEveryVmid = (): number[] => [hfenceVvma(0, 0), csrrw(HGATP, HGATP_OF[2 - vmid]!), hfenceVvma(0, 0), csrrw(HGATP, HGATP_OF[vmid - 1]!)]
  return c.ops.flatMap((op): number[] => {
    switch (op.t) {
      case 'hlv': return [hlv(op.sel, op.rd, VA_REGS[op.va]!)]
      case 'hsv': return [hsv(op.f7, op.data, VA_REGS[op.va]!), ...(fenced ? vvmaEveryVmid() : [])]
      case 'pte': {
        const store = sd(PTE_VAL[op.v]!, PTE_ADDR[op.i]!)
        if (!fenced) return [store]
        if (c.regs[GPA4[op.i]!] === 0n) return [store, ...vvmaEveryVmid()]
        const rs1 = coin() ? GPA4[op.i]! : 0
        return coin() ? [store, hfenceGvma(rs1, 0)] : [store, hfenceGvma(rs1, VMID_REG[0]!), hfenceGvma(rs1, VMID_REG[1]!)]
      }
      case 'vvma': return [hfenceVvma(op.va < 0 ? 0 : VA_REGS[op.va]!, op.asid ? ASID : 0)]
      case 'gvma': return [hfenceGvma(op.i === undefined ? 0 : GPA4[op.i]!, op.vmid === undefined ? 0 : VMID_REG[op.vmid]!)]
      case 'vsatp': return [csrrw(VSATP, VSATP_REGS[op.k]!)]
      case 'hgatp': vmid = 3 - vmid; return [csrrw(HGATP, HGATP_OF[vmid - 1]!)]
      case 'mask': { const [csr, reg] = MASKS[op.which]!; return [csrrx(op.set ? 2 : 3, csr, reg)] }
    }
  })
}

const programArb = (fenced: boolean) => fc.tuple(caseArb, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }))
  .map(([c, choices]) => ({ c, program: lower(c, fenced, choices) }))

const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString(16) : v)

/** The commit log and final hart of a run under `config`, and its final machine (memory compared by contents). */
const runUnder = (c: Case, program: readonly number[], config: TlbConfig): { text: string; machine: Machine } => {
  let text = ''
  const out = foldSteps(withTlbConfig(machineOf(c, program), config), { maxSteps: 3 * program.length + 8 }, { event: (ev) => { text += commitLine(ev) } })
  return { text: text + JSON.stringify(out.machine.hart, big), machine: out.machine }
}

const sameRun = (c: Case, program: readonly number[], config: TlbConfig): boolean => {
  const a = runUnder(c, program, config), b = runUnder(c, program, spikeTlbConfig)
  return a.text === b.text && differingPages(a.machine.memory, b.machine.memory).length === 0
}

test('law 1 (two-stage): with covering HFENCE.GVMA/HFENCE.VVMA after every PTE store and HSV, --tlb exact (any shape) runs exactly as Spike\'s TLB', () => {
  fc.assert(fc.property(programArb(true), arbExact(false), ({ c, program }, config) => sameRun(c, program, config)), { numRuns: runs(100) })
})

test('law 1 (two-stage) is not vacuous: without the fences some program runs differently under --tlb exact', () => {
  let differ = 0
  fc.assert(fc.property(programArb(false), arbExact(false), ({ c, program }, config) => {
    if (!sameRun(c, program, config)) differ++
  }), { numRuns: runs(60) })
  assert.ok(differ > 0, 'no unfenced program told the two TLBs apart')
})

const HLVX_WU = hlv(HLV.wuX, 0, 0) & ~((31 << 15) | (31 << 7))
interface Access { readonly pc: bigint; readonly access: string; readonly va: bigint; readonly pa: bigint }
const key = (a: Access): string => `${a.pc.toString(16)} ${a.access} ${a.va.toString(16)} ${a.pa.toString(16)}`

test('law 2 (two-stage): --report-stale lists exactly the V=1 accesses whose PA differs from a fresh two-stage walk of the memory before the step', () => {
  let reportedAny = 0
  fc.assert(fc.property(programArb(false), fc.oneof(arbExact(true), fc.constant({ ...spikeTlbConfig, reportStale: true })), ({ c, program }, config) => {
    const m0 = withTlbConfig(machineOf(c, program), config)
    let before = m0
    const reported: string[] = [], expected: string[] = []
    const onEvent = (ev: StepEvent): void => {
      if (ev._tag === 'Waiting') return
      for (const s of ev.stale ?? []) reported.push(key({ pc: s.pc, access: s.access, va: s.va, pa: s.stalePa }))
      if (ev._tag !== 'Retired' || ev.priv === 3) return
      const hlvx = (ev.bits & ~((31 << 15) | (31 << 7))) === HLVX_WU
      const spvp = (before.hart.csr.hstatus >> 8n) & 1n
      const ctx = contextFor(before.hart.csr, ISA, Number(spvp) as 0 | 1, true)
      const accesses = [...ev.loads.map((l) => ({ ...l, access: 'load' as const })), ...ev.stores.map((s) => ({ ...s, access: 'store' as const }))]
      for (const a of accesses.filter((x) => x.gpa !== undefined)) {
        const fresh = translate(before.memory, ctx, { va: virt(a.va), access: a.access, hlvx }).result
        if (isLeft(fresh) || (fresh.right.pa as bigint) !== a.pa) expected.push(key({ pc: ev.pc, access: a.access, va: a.va, pa: a.pa }))
      }
    }
    foldSteps(m0, { maxSteps: 3 * program.length + 8 }, { event: onEvent, machine: (after) => { before = after } })
    if (reported.length > 0) reportedAny++
    assert.equal(reported, expected)
  }), { numRuns: runs(100) })
  assert.ok(reportedAny > 0, 'no program produced a stale answer')
})

test.run()
