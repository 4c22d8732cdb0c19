// Shadow ≡ nested on the hart (issue 15, RISC-V format): for random guest worlds (riscv-world.ts: VS-stage
// Sv39/Sv48 tables over Sv39x4/Sv48x4, A/D clear or set, Svadu on or off) and random programs, a run with
// `--guest-translation shadow` gives the same events (each retired instruction with its loads and stores
// as VA, GPA and PA; every trap with cause, tval, htval, tinst), the same hart and the same memory as the
// two-stage walk. Every fault traps to an M-mode handler that skips the instruction. A program runs in
// one of three settings, which between them reach every kind of V=1 translation:
//   hs     HS-mode reaching V=1 through HLV/HLVX/HSV (as VS or VU by hstatus.SPVP), writing the guest's and
//          the G-stage's PTEs with plain stores, storing through the guest's own mapping of its tables,
//          fencing (HFENCE.VVMA, HFENCE.GVMA with and without operands), switching vsatp between two roots
//          and ASIDs, flipping SUM/MXR;
//   guest  the guest itself at V=1 (VS or VU), its code fetched through the guest's tables (a 1 GiB VS leaf
//          of random R/X/U/A over a G-stage leaf onto the code): loads, stores, AMOs and LR/SC, stores to
//          its own tables through its window, SFENCE.VMA (= HFENCE.VVMA at V=1), satp (= vsatp) writes and
//          SUM/MXR flips in sstatus (= vsstatus);
//   mprv   M-mode with mstatus.MPRV = 1 and MPV = 1 (MPP = S or U), so its loads, stores, AMOs and LR/SC
//          translate as V=1 (Priv. ISA §"Memory Privilege in mstatus Register"; H §"Hypervisor Load and Store
//          Instructions" for MPV), turning MPRV off and on and re-arming MPP/MPV after its own traps
//          (a trap from M sets MPP = M, MPV = 0), writing PTEs, fencing, switching vsatp.
// (The events' TLB counts are left out: a shadow walk is not a two-stage walk.) A coverage check sees each
// setting reach the shadow with the access kinds it is for.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../../src/bits/address.ts'
import { peek, pokeBytes } from '../../../src/memory/memory.ts'
import { type Machine, withMemory, withTlb } from '../../../src/machine/machine.ts'
import { foldSteps } from '../../../src/machine/run.ts'
import { type StepEvent } from '../../../src/cpu/event.ts'
import { type GuestWalker, defaultTlbConfig, emptyTlb, spikeTlbConfig, withGuest } from '../../../src/mmu/tlb.ts'
import { ShadowVmm } from '../../../src/hypervisor/shadow/hart.ts'
import { CODE, isa, machineWith } from '../../../spec/cpu/fixture.ts'
import { fc, runs } from '../../fc.ts'
import { type World, A, G_L2, G_ROOT, GUEST, R, ROOTS, ROOTS48, U, V, WINDOW_VA, X, gL0, guestPtes, hostMemory, l0Entry, l1Entry, likely, pte, tablesHpa, vsL0, worldArb } from './riscv-world.ts'

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
const SW = (rs2: number, rs1: number) => rType(0, rs2, rs1, 2, 0, 0x23)
const LD = (rd: number, rs1: number) => ((rs1 << 15) | (3 << 12) | (rd << 7) | 0x03) >>> 0
const LW = (rd: number, rs1: number) => ((rs1 << 15) | (2 << 12) | (rd << 7) | 0x03) >>> 0
// A extension: funct5 in funct7[6:2] (aq = rl = 0), width in funct3 (2: .W, 3: .D).
const amo = (f5: number, f3: number) => (rd: number, rs2: number, rs1: number) => rType(f5 << 2, rs2, rs1, f3, rd, 0x2f)
const AMOADD_D = amo(0x00, 3), AMOSWAP_W = amo(0x01, 2), AMOOR_D = amo(0x08, 3), LR_D = (rd: number, _: number, rs1: number) => amo(0x02, 3)(rd, 0, rs1), SC_D = amo(0x03, 3)
const SFENCE_VMA = (rs1: number, rs2: number) => rType(0x09, rs2, rs1, 0, 0, 0x73)
const ECALL = 0x0000_0073
const csr = (f3: number) => (n: number, rs1: number) => (((n << 20) | (rs1 << 15) | (f3 << 12) | 0x73) >>> 0)
const CSRRW = csr(1), CSRRS = csr(2), CSRRC = csr(3)
// The M-mode handler: mepc += 4 (every instruction here is 4 bytes), mret.
const HANDLER_CODE = [0x341_02ff3, 0x004f8f93, 0x341f9073, 0x30200073]   // csrr x31,mepc; addi x31,x31,4; csrw mepc,x31; mret

// Registers the program reads (set before the run), and the ones its loads write (x25..x30).
const VA_REGS = [1, 2, 3, 4], PTE_ADDR = [6, 7, 8, 9], PTE_VAL = [10, 11, 12, 13], VSATP = [14, 15]
const MASK_STATUS = 16, MASK_SPVP = 17, MASK_MXR = 18, ASID = 19, GPA4 = 20, DATA = [21, 22]
// mprv: mstatus.MPRV; MPP's two bits; what re-arms MPRV with MPV = 1 and MPP = S or U.
const MASK_MPRV = 23, MASK_MPP = 24, ARM = 5
const MPRV = 1n << 17n, MPV = 1n << 39n, MPP_S = 1n << 11n

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs)
const rd = fc.integer({ min: 25, max: 30 })
const one = (a: fc.Arbitrary<number>): fc.Arbitrary<readonly number[]> => a.map((w) => [w])
/** A load, store, AMO or LR/SC at one of the VAs (plain instructions: translated at V=1 in the guest and mprv settings). */
const dataAccess: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(pick([LD, LW]), rd, pick(VA_REGS)).map(([f, d, s]) => f(d, s)) },
  { weight: 3, arbitrary: fc.tuple(pick([SD, SW]), pick(DATA), pick(VA_REGS)).map(([f, v, s]) => f(v, s)) },
  { weight: 3, arbitrary: fc.tuple(pick([AMOADD_D, AMOSWAP_W, AMOOR_D, LR_D, SC_D]), rd, pick(DATA), pick(VA_REGS)).map(([f, d, v, s]) => f(d, v, s)) },
)
/** The guest setting: the guest's own instructions at V=1. */
const guestInsn: fc.Arbitrary<readonly number[]> = fc.oneof(
  { weight: 10, arbitrary: one(dataAccess) },
  { weight: 2, arbitrary: one(fc.tuple(pick([0, ...VA_REGS]), pick([0, ASID])).map(([a, b]) => SFENCE_VMA(a, b))) },
  { weight: 2, arbitrary: one(pick(VSATP).map((r) => CSRRW(0x180, r))) },
  { weight: 2, arbitrary: fc.constant([ECALL]) },
  { weight: 1, arbitrary: one(fc.tuple(pick([CSRRS, CSRRC]), pick([MASK_STATUS, MASK_MXR])).map(([f, r]) => f(0x100, r))) },
)
/** The mprv setting: M-mode with MPRV, its own physical PTE stores when MPRV is off, and the re-arming pair. */
const mprvInsn: fc.Arbitrary<readonly number[]> = fc.oneof(
  { weight: 10, arbitrary: one(dataAccess) },
  { weight: 2, arbitrary: one(fc.tuple(pick(PTE_VAL), pick(PTE_ADDR)).map(([v, a]) => SD(v, a))) },
  { weight: 2, arbitrary: one(pick([CSRRS, CSRRC]).map((f) => f(0x300, MASK_MPRV))) },
  { weight: 2, arbitrary: fc.constant([CSRRC(0x300, MASK_MPP), CSRRS(0x300, ARM)]) },
  { weight: 2, arbitrary: one(fc.tuple(pick([0, ...VA_REGS]), pick([0, ASID])).map(([a, b]) => HFENCE_VVMA(a, b))) },
  { weight: 1, arbitrary: one(pick([0, GPA4]).map((a) => HFENCE_GVMA(a, 0))) },
  { weight: 2, arbitrary: one(pick(VSATP).map((r) => CSRRW(0x280, r))) },
  { weight: 2, arbitrary: fc.constant([ECALL]) },
  { weight: 1, arbitrary: one(fc.tuple(pick([CSRRS, CSRRC]), pick<[number, number]>([[0x200, MASK_STATUS], [0x300, MASK_MXR]])).map(([f, [n, r]]) => f(n, r))) },
)

const insn: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(pick([HLV_D, HLV_W, HLVX_WU, HLV_B]), rd, pick(VA_REGS)).map(([f, d, s]) => f(d, s)) },
  { weight: 4, arbitrary: fc.tuple(pick([HSV_D, HSV_W]), pick(DATA), pick(VA_REGS)).map(([f, v, s]) => f(v, s)) },
  { weight: 3, arbitrary: fc.tuple(pick(PTE_VAL), pick(PTE_ADDR)).map(([v, a]) => SD(v, a)) },
  { weight: 2, arbitrary: fc.tuple(pick([0, ...VA_REGS]), pick([0, ASID])).map(([a, b]) => HFENCE_VVMA(a, b)) },
  { weight: 1, arbitrary: pick([0, GPA4]).map((a) => HFENCE_GVMA(a, 0)) },
  { weight: 2, arbitrary: pick(VSATP).map((r) => CSRRW(0x280, r)) },
  { weight: 1, arbitrary: fc.tuple(pick([CSRRS, CSRRC]), pick<[number, number]>([[0x200, MASK_STATUS], [0x600, MASK_SPVP], [0x100, MASK_MXR]])).map(([f, [n, r]]) => f(n, r)) },
)

/** A GVA: one the world's tables may map, a page of the guest's tables through its own window (anywhere, or at a PTE in use), or a stray one. */
const gva = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 511 }))
    .map(([a, b, c, o]) => (BigInt(a) << 30n) | (BigInt(b) << 21n) | (BigInt(c) << 12n) | (BigInt(o) << 3n)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xbfff }).map((o) => WINDOW_VA + (BigInt(o) & ~7n)) },
  // … one of the PTEs the world's tables use (the first eight of each table page), through that window
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 7 })).map(([t, i]) => WINDOW_VA + BigInt(t) * 0x1000n + BigInt(i) * 8n) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => v & ~7n) },
)
/** Where an HS store writes a PTE: the guest's tables (at their host-physical place) or the G-stage's leaves. */
const pteAddr = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0x1ff }).map((i) => tablesHpa(GUEST + 0x2000n + BigInt(i) * 8n)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x7ff }).map((i) => tablesHpa(vsL0(0)) + BigInt(i) * 8n) },
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 7 })).map(([t, i]) => tablesHpa(GUEST + BigInt(t) * 0x1000n + BigInt(i) * 8n)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 15 })).map(([j, p]) => gL0(j) + BigInt((j === 0 ? 256 : 0) + p) * 8n) },
)

/** The guest-virtual address, through the window onto the guest's tables, of the last PTE the walk of `va` reads. */
const windowAtPte = (w: World, va: bigint): bigint => WINDOW_VA + (lastPte(w, va) - GUEST)
/** The guest-physical address of the last PTE the walk of `va` from the first root reads. */
const lastPte = (w: World, va: bigint): bigint => {
  const ptes = new Map(guestPtes(w))
  let table = w.levels === 4 ? ROOTS48[0] : ROOTS[0]
  let at = table
  for (let level = w.levels - 1; level >= 0; level--) {
    at = table + ((va >> BigInt(12 + 9 * level)) & 0x1ffn) * 8n
    const d = ptes.get(at) ?? 0n
    if ((d & V) === 0n || (d & (R | X)) !== 0n) break
    table = (d >> 10n) << 12n
  }
  return at
}

type Setting = 'hs' | 'guest' | 'mprv'

interface Case {
  readonly setting: Setting
  readonly w: World
  readonly program: readonly number[]
  readonly regs: Readonly<Record<number, bigint>>
  /** The guest's privilege: VU (hs: hstatus.SPVP = 0; guest: the hart's; mprv: MPP = U) or VS. */
  readonly spvp: boolean
  /** guest: the flags of the guest's 1 GiB leaf over its code. */
  readonly codeFlags: bigint
  /** The hart's TLB: Spike's (flushed at traps, xRET, fences, translation CSR writes) or exact (kept until a covering fence: `--tlb exact`). */
  readonly exactTlb: boolean
}

/** The guest setting's code: the program at host CODE, GPA 0xC000_0000 (a G-stage 1 GiB leaf, R X U), GVA CODE_GVA (VS root entry 254). */
const CODE_GPA = 0xc000_0000n, CODE_GVA = 0x3f_8000_0000n
const BASE_MSTATUS = machineWith([], { isa: ISA }).hart.csr.mstatus
const codeFlags = fc.record({ r: likely(13), x: likely(14), uFlip: likely(2), a: likely(14) })

const programOf = (setting: Setting): fc.Arbitrary<readonly number[]> =>
  setting === 'hs' ? fc.array(insn, { minLength: 10, maxLength: 40 })
    : fc.array(setting === 'guest' ? guestInsn : mprvInsn, { minLength: 10, maxLength: 36 }).map((units) => units.flat())

export const caseArb = (settings: readonly Setting[] = ['hs', 'guest', 'mprv']): fc.Arbitrary<Case> => fc.constantFrom(...settings).chain((setting) => fc.record({
  setting: fc.constant(setting),
  w: worldArb,
  program: programOf(setting),
  code: codeFlags,
  vas: fc.array(gva, { minLength: 4, maxLength: 4 }),
  link: likely(8),
  exactTlb: fc.boolean(),
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
  regs[MASK_MPRV] = MPRV
  regs[MASK_MPP] = 3n << 11n
  regs[ARM] = MPRV | MPV | (c.spvp ? MPP_S : 0n)
  // Often the last VA is the first one's own last PTE, through the guest's window onto its tables, and the
  // last PTE address is its host-physical place: a store or AMO there changes what the shadow holds for the first.
  const vas = c.link ? [...c.vas.slice(0, 3), windowAtPte(c.w, c.vas[0]!)] : c.vas
  VA_REGS.forEach((r, i) => { regs[r] = vas[i]! })
  const addrs = c.link ? [...c.addrs.slice(0, 3), tablesHpa(lastPte(c.w, c.vas[0]!))] : c.addrs
  PTE_ADDR.forEach((r, i) => { regs[r] = addrs[i]! })
  PTE_VAL.forEach((r, i) => { regs[r] = c.vals[i]! })
  DATA.forEach((r, i) => { regs[r] = c.data[i]! })
  const u = c.spvp !== c.code.uFlip ? 0n : U
  return { setting: c.setting, w: c.w, program: c.program, regs, spvp: c.spvp, exactTlb: c.exactTlb, codeFlags: V | (c.code.r ? R : 0n) | (c.code.x || !c.code.r ? X : 0n) | u | (c.code.a ? A : 0n) }
}))

/**
 * The machine of a case: the world in memory, vsatp and hgatp set, traps to the M-mode handler; the hart
 * in HS-mode at CODE (hs), at V=1 at CODE_GVA (guest), or in M-mode at CODE with MPRV and MPV set (mprv).
 */
const machineOf = (c: Case): Machine => {
  const adue = c.w.adue ? 1n << 61n : 0n
  const guestPriv: 0 | 1 = c.spvp ? 1 : 0
  const start = c.setting === 'hs' ? { priv: 1 as const, virt: false, pc: CODE }
    : c.setting === 'guest' ? { priv: guestPriv, virt: true, pc: CODE_GVA }
      : { priv: 3 as const, virt: false, pc: CODE }
  const m0 = machineWith([...c.program, 0x0000_0013], {
    isa: ISA, ...start, x: c.regs,
    csr: {
      mtvec: HANDLER, menvcfg: adue, henvcfg: adue,
      hgatp: (BigInt(c.w.levels === 3 ? 8 : 9) << 60n) | (1n << 44n) | (G_ROOT >> 12n),
      vsatp: c.regs[VSATP[0]!]!, hstatus: (2n << 32n) | (c.spvp ? 1n << 8n : 0n),
      vsstatus: (2n << 32n) | (c.w.sum ? 1n << 18n : 0n) | (c.w.mxr ? 1n << 19n : 0n),
      ...(c.setting === 'mprv' ? { mstatus: BASE_MSTATUS | c.regs[ARM]! } : {}),
    },
  })
  const handler = new Uint8Array(new Uint32Array(HANDLER_CODE).buffer)
  let memory = pokeBytes(m0.memory, phys(HANDLER), handler)
  const world = hostMemory(c.w)
  for (const [gpa] of guestPtes(c.w)) memory = pokeBytes(memory, phys(tablesHpa(gpa)), bytesAt(world, tablesHpa(gpa)))
  for (let a = G_ROOT; a < gL0(8); a += 8n) { const v = peek(world, phys(a), 8); if (v !== 0n) memory = pokeBytes(memory, phys(a), le64(v)) }
  if (c.setting === 'guest') {
    // The code: a G-stage 1 GiB leaf GPA 0xC000_0000 → host 0x8000_0000 (CODE), and in both guest roots a
    // 1 GiB leaf GVA CODE_GVA → GPA 0xC000_0000 with the case's flags.
    memory = pokeBytes(memory, phys((c.w.levels === 3 ? G_ROOT : G_L2) + 3n * 8n), le64(pte(CODE, V | R | X | U | A)))
    for (const root of ROOTS) memory = pokeBytes(memory, phys(tablesHpa(root + 254n * 8n)), le64(pte(CODE_GPA, c.codeFlags)))
  }
  const m1 = withMemory(m0, memory)
  // Not Spike's PTE cache (mmu/pte-cache.ts): the shadow VMM answers as the architectural two-stage walk does.
  return withTlb(m1, emptyTlb(c.exactTlb ? { ...defaultTlbConfig, exact: true } : { ...spikeTlbConfig, pteCache: false }))
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

for (const setting of ['hs', 'guest', 'mprv'] as const) {
  test(`hart (${setting}): --guest-translation shadow gives the events, hart and memory of the two-stage walk`, () => {
    fc.assert(fc.property(caseArb([setting]), (c) => {
      const d = shadowDiffers(c)
      if (d !== undefined) throw new Error(d)
    }), { numRuns: runs(setting === 'hs' ? 60 : 150) })
  })
}

/** A guest walker that notes the access of every V=1 miss it is asked for, then asks the walker it wraps. */
class Spy implements GuestWalker {
  readonly name: string
  constructor(readonly inner: GuestWalker, readonly seen: { access: string }[]) { this.name = inner.name }
  walk(...args: Parameters<GuestWalker['walk']>): ReturnType<GuestWalker['walk']> {
    this.seen.push({ access: args[2].access })
    const w = this.inner.walk(...args)
    return { outcome: w.outcome, walker: new Spy(w.walker, this.seen) }
  }
  wrote(pa: bigint, size: number): GuestWalker { return new Spy(this.inner.wrote(pa, size), this.seen) }
  fenced(f: Parameters<GuestWalker['fenced']>[0]): GuestWalker { return new Spy(this.inner.fenced(f), this.seen) }
}

/** Per kind of step, the shadow's V=1 misses over 30 sampled cases of a setting (a test's own tally). */
export const reached = (setting: Setting): Record<string, number> => {
  const tally: Record<string, number> = {}
  const add = (k: string) => { tally[k] = (tally[k] ?? 0) + 1 }
  for (const c of fc.sample(caseArb([setting]), { numRuns: 30, seed: 1 })) {
    const m = machineOf(c)
    const seen: { access: string }[] = []
    foldSteps(withTlb(m, withGuest(m.tlb, new Spy(new ShadowVmm(), seen))), { maxSteps: 3 * c.program.length + 4 }, {
      event: (ev) => {
        const opcode = ev._tag === 'Retired' || ev._tag === 'Trapped' ? (ev.bits ?? 0) & 0x7f : -1
        const kind = opcode === 0x2f ? 'amo' : opcode === 0x03 ? 'load' : opcode === 0x23 ? 'store' : opcode === 0x73 ? 'system' : 'other'
        const where = ev._tag === 'Retired' || ev._tag === 'Trapped' ? `${ev.priv}${ev.virt ? 'v' : ''}` : '-'
        for (const s of seen.splice(0)) add(s.access === 'fetch' ? `fetch at ${where}` : `${kind} at ${where}`)
      },
    })
  }
  return tally
}

test('hart: each setting reaches the shadow with the accesses it is for (not a vacuous law)', () => {
  const hs = reached('hs'), guest = reached('guest'), mprv = reached('mprv')
  const sum = (t: Record<string, number>, f: (k: string) => boolean) => Object.entries(t).filter(([k]) => f(k)).reduce((n, [, v]) => n + v, 0)
  // hs: HLV/HLVX/HSV (SYSTEM opcode) from HS (priv 1, V = 0).
  assert.ok(sum(hs, (k) => k === 'system at 1') > 30, `hs: ${JSON.stringify(hs)}`)
  // guest: fetches at V=1, and AMOs (incl. LR/SC) at V=1, as VS and as VU.
  assert.ok(sum(guest, (k) => k === 'fetch at 1v') > 30 && sum(guest, (k) => k === 'fetch at 0v') > 10, `guest fetches: ${JSON.stringify(guest)}`)
  assert.ok(sum(guest, (k) => k.startsWith('amo at ') && k.endsWith('v')) > 20, `guest AMOs: ${JSON.stringify(guest)}`)
  // mprv: loads, stores and AMOs made in M-mode (priv 3) that translate at V=1.
  for (const kind of ['load', 'store', 'amo']) assert.ok(sum(mprv, (k) => k === `${kind} at 3`) > 10, `mprv ${kind}: ${JSON.stringify(mprv)}`)
})

test.run()
