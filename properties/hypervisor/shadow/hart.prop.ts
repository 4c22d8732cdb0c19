// Shadow ≡ nested on the hart (issue 15, RISC-V format): for random guest worlds (riscv-world.ts: VS-stage
// Sv39/Sv48 tables over Sv39x4/Sv48x4, A/D clear or set, Svadu on or off) and random HS-mode programs that
// reach V=1 translation through HLV/HLVX/HSV (as VS or VU by hstatus.SPVP), write the guest's and the
// G-stage's PTEs with plain stores, store through the guest's own mapping of its tables, fence
// (HFENCE.VVMA, HFENCE.GVMA with and without operands), switch vsatp between two roots and ASIDs, and flip
// SUM/MXR — every fault trapping to an M-mode handler that skips the instruction — a run with
// `--guest-translation shadow` gives the same events (each retired instruction with its loads and stores
// as VA, GPA and PA; every trap with cause, tval, htval, tinst), the same hart and the same memory as the
// two-stage walk. (The events' TLB counts are left out: a shadow walk is not a two-stage walk.)
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../../src/bits/address.ts'
import { peek, pokeBytes } from '../../../src/memory/memory.ts'
import { type Machine, withMemory, withTlb } from '../../../src/machine/machine.ts'
import { foldSteps } from '../../../src/machine/run.ts'
import { type StepEvent } from '../../../src/cpu/event.ts'
import { withGuest } from '../../../src/mmu/tlb.ts'
import { ShadowVmm } from '../../../src/hypervisor/shadow/hart.ts'
import { CODE, isa, machineWith } from '../../../spec/cpu/fixture.ts'
import { fc, runs } from '../../fc.ts'
import { type World, G_ROOT, GUEST, ROOTS, ROOTS48, WINDOW_VA, gL0, guestPtes, hostMemory, l0Entry, l1Entry, tablesHpa, vsL0, worldArb } from './riscv-world.ts'

const ISA = isa('rv64imac_zicsr_zifencei_zicntr_h_svadu')
const HANDLER = CODE + 0x4000n

// Hand-assembled instructions (RISC-V unprivileged and privileged ISA encodings).
const rType = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0
const hlv = (f7: number, sel: number) => (rd: number, rs1: number) => rType(f7, sel, rs1, 4, rd, 0x73)
const HLV_D = hlv(0x36, 0), HLV_W = hlv(0x34, 0), HLVX_WU = hlv(0x34, 3), HLV_B = hlv(0x30, 0)
const hsv = (f7: number) => (rs2: number, rs1: number) => rType(f7, rs2, rs1, 4, 0, 0x73)
const HSV_D = hsv(0x37), HSV_W = hsv(0x35)
const HFENCE_VVMA = (rs1: number, rs2: number) => rType(0x11, rs2, rs1, 0, 0, 0x73)
const HFENCE_GVMA = (rs1: number, rs2: number) => rType(0x31, rs2, rs1, 0, 0, 0x73)
const SD = (rs2: number, rs1: number) => rType(0, rs2, rs1, 3, 0, 0x23)
const csr = (f3: number) => (n: number, rs1: number) => (((n << 20) | (rs1 << 15) | (f3 << 12) | 0x73) >>> 0)
const CSRRW = csr(1), CSRRS = csr(2), CSRRC = csr(3)
// The M-mode handler: mepc += 4 (every instruction here is 4 bytes), mret.
const HANDLER_CODE = [0x341_02ff3, 0x004f8f93, 0x341f9073, 0x30200073]   // csrr x31,mepc; addi x31,x31,4; csrw mepc,x31; mret

// Registers the program reads (set before the run), and the ones its loads write (x25..x30).
const VA_REGS = [1, 2, 3, 4], PTE_ADDR = [6, 7, 8, 9], PTE_VAL = [10, 11, 12, 13], VSATP = [14, 15]
const MASK_STATUS = 16, MASK_SPVP = 17, MASK_MXR = 18, ASID = 19, GPA4 = 20, DATA = [21, 22]

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs)
const rd = fc.integer({ min: 25, max: 30 })
const insn: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(pick([HLV_D, HLV_W, HLVX_WU, HLV_B]), rd, pick(VA_REGS)).map(([f, d, s]) => f(d, s)) },
  { weight: 4, arbitrary: fc.tuple(pick([HSV_D, HSV_W]), pick(DATA), pick(VA_REGS)).map(([f, v, s]) => f(v, s)) },
  { weight: 3, arbitrary: fc.tuple(pick(PTE_VAL), pick(PTE_ADDR)).map(([v, a]) => SD(v, a)) },
  { weight: 2, arbitrary: fc.tuple(pick([0, ...VA_REGS]), pick([0, ASID])).map(([a, b]) => HFENCE_VVMA(a, b)) },
  { weight: 1, arbitrary: pick([0, GPA4]).map((a) => HFENCE_GVMA(a, 0)) },
  { weight: 2, arbitrary: pick(VSATP).map((r) => CSRRW(0x280, r)) },
  { weight: 1, arbitrary: fc.tuple(pick([CSRRS, CSRRC]), pick<[number, number]>([[0x200, MASK_STATUS], [0x600, MASK_SPVP], [0x100, MASK_MXR]])).map(([f, [n, r]]) => f(n, r)) },
)

/** A GVA: one the world's tables may map, a page of the guest's tables through its own window, or a stray one. */
const gva = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 511 }))
    .map(([a, b, c, o]) => (BigInt(a) << 30n) | (BigInt(b) << 21n) | (BigInt(c) << 12n) | (BigInt(o) << 3n)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xbfff }).map((o) => WINDOW_VA + (BigInt(o) & ~7n)) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => v & ~7n) },
)
/** Where an HS store writes a PTE: the guest's tables (at their host-physical place) or the G-stage's leaves. */
const pteAddr = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0x1ff }).map((i) => tablesHpa(GUEST + 0x2000n + BigInt(i) * 8n)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x7ff }).map((i) => tablesHpa(vsL0(0)) + BigInt(i) * 8n) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 15 })).map(([j, p]) => gL0(j) + BigInt((j === 0 ? 256 : 0) + p) * 8n) },
)

interface Case { readonly w: World; readonly program: readonly number[]; readonly regs: Readonly<Record<number, bigint>>; readonly spvp: boolean }

const caseArb: fc.Arbitrary<Case> = fc.record({
  w: worldArb,
  program: fc.array(insn, { minLength: 10, maxLength: 40 }),
  vas: fc.array(gva, { minLength: 4, maxLength: 4 }),
  addrs: fc.array(pteAddr, { minLength: 4, maxLength: 4 }),
  vals: fc.array(fc.oneof(l0Entry, l1Entry), { minLength: 4, maxLength: 4 }),
  asid: fc.integer({ min: 0, max: 3 }),
  data: fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 2, maxLength: 2 }),
  spvp: fc.boolean(),
}).map((c) => {
  const root = (a: number) => (c.w.levels === 4 ? ROOTS48[a]! : ROOTS[a]!)
  const vsatp = (a: number, asid: number) => (BigInt(c.w.levels === 3 ? 8 : 9) << 60n) | (BigInt(asid) << 44n) | (root(a) >> 12n)
  const regs: Record<number, bigint> = {
    [MASK_STATUS]: (1n << 18n) | (1n << 19n), [MASK_SPVP]: 1n << 8n, [MASK_MXR]: 1n << 19n, [ASID]: BigInt(c.asid), [GPA4]: (GUEST + 0x20_0000n) >> 2n,
    [VSATP[0]!]: vsatp(0, c.asid), [VSATP[1]!]: vsatp(1, c.asid + 1),
  }
  VA_REGS.forEach((r, i) => { regs[r] = c.vas[i]! })
  PTE_ADDR.forEach((r, i) => { regs[r] = c.addrs[i]! })
  PTE_VAL.forEach((r, i) => { regs[r] = c.vals[i]! })
  DATA.forEach((r, i) => { regs[r] = c.data[i]! })
  return { w: c.w, program: c.program, regs, spvp: c.spvp }
})

/** The machine of a case: HS-mode at CODE, the world in memory, vsatp and hgatp set, traps to the M-mode handler. */
const machineOf = (c: Case): Machine => {
  const adue = c.w.adue ? 1n << 61n : 0n
  const m0 = machineWith([...c.program, 0x0000_0013], {
    isa: ISA, priv: 1, virt: false, x: c.regs,
    csr: {
      mtvec: HANDLER, menvcfg: adue, henvcfg: adue,
      hgatp: (BigInt(c.w.levels === 3 ? 8 : 9) << 60n) | (1n << 44n) | (G_ROOT >> 12n),
      vsatp: c.regs[VSATP[0]!]!, hstatus: (2n << 32n) | (c.spvp ? 1n << 8n : 0n),
      vsstatus: (2n << 32n) | (c.w.sum ? 1n << 18n : 0n) | (c.w.mxr ? 1n << 19n : 0n),
    },
  })
  const handler = new Uint8Array(new Uint32Array(HANDLER_CODE).buffer)
  let memory = pokeBytes(m0.memory, phys(HANDLER), handler)
  const world = hostMemory(c.w)
  for (const [gpa] of guestPtes(c.w)) memory = pokeBytes(memory, phys(tablesHpa(gpa)), bytesAt(world, tablesHpa(gpa)))
  for (let a = G_ROOT; a < gL0(8); a += 8n) { const v = peek(world, phys(a), 8); if (v !== 0n) memory = pokeBytes(memory, phys(a), le64(v)) }
  return withMemory(m0, memory)
}
const le64 = (v: bigint): Uint8Array => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v, true); return b }
const bytesAt = (m: ReturnType<typeof hostMemory>, a: bigint): Uint8Array => le64(peek(m, phys(a), 8))

const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v)
const withoutCounts = (ev: StepEvent): unknown => ({ ...ev, xlate: undefined })

/** Events (without TLB counts), the final hart and the memory the case can touch, as text, one line per step. */
const runOf = (m: Machine, steps: number): string[] => {
  const out: string[] = []
  const r = foldSteps(m, { maxSteps: steps }, { event: (ev) => { out.push(JSON.stringify(withoutCounts(ev), big)) } })
  out.push(JSON.stringify(r.machine.hart, big))
  const words: string[] = []
  for (const base of [tablesHpa(GUEST), G_ROOT, 0xf001_0000n]) for (let a = base; a < base + 0xc000n; a += 8n) words.push(peek(r.machine.memory, phys(a), 8).toString(16))
  for (const j of [0, 1, 2, 3]) for (let a = 0x9200_0000n + (BigInt(j) << 21n); a < 0x9200_0000n + (BigInt(j) << 21n) + 0x1_0000n; a += 8n) words.push(peek(r.machine.memory, phys(a), 8).toString(16))
  out.push(words.join(','))
  return out
}

/** The first line where the nested and the shadow run differ, or undefined. */
export const shadowDiffers = (c: Case, vmm: ShadowVmm = new ShadowVmm()): string | undefined => {
  const m = machineOf(c)
  const steps = 3 * c.program.length + 4
  const nested = runOf(m, steps)
  const shadow = runOf(withTlb(m, withGuest(m.tlb, vmm)), steps)
  const i = nested.findIndex((line, k) => line !== shadow[k])
  return i < 0 ? undefined : `line ${i}:\n nested ${nested[i]}\n shadow ${shadow[i]}`
}

test('hart: --guest-translation shadow gives the events, hart and memory of the two-stage walk', () => {
  fc.assert(fc.property(caseArb, (c) => {
    const d = shadowDiffers(c)
    if (d !== undefined) throw new Error(d)
  }), { numRuns: runs(60) })
})

test('hart: the runs do reach V=1 translation through the shadow (not a vacuous law)', () => {
  const samples = fc.sample(caseArb, { numRuns: 20, seed: 1 })
  let filled = 0
  for (const c of samples) {
    const m = machineOf(c)
    const r = foldSteps(withTlb(m, withGuest(m.tlb, new ShadowVmm())), { maxSteps: 3 * c.program.length })
    const vmm = r.machine.tlb.guest as ShadowVmm
    filled += vmm.stats.misses
  }
  assert.ok(filled > 20, `only ${filled} V=1 misses in 20 samples`)
})

test.run()
