// Laws of `step` over random instruction streams and random start states (privilege, V, registers,
// delegation): x0 stays 0; a step that traps changes nothing but pc, privilege/V and the trap CSRs
// (and the TLB, which is not architectural, plus what the end of a Spike chunk does: the reservation
// is dropped, the timer advances time and mip.MTIP); step is deterministic and never modifies its input.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { type Csrs, type Priv } from '../../src/cpu/hart.ts'
import { CSR, csrWrite } from '../../src/cpu/csr/access.ts'
import { type Machine, machine } from '../../src/machine/machine.ts'
import { step } from '../../src/cpu/step.ts'
import { CODE, RV64IMAC_H, machineWith } from '../../spec/cpu/fixture.ts'

// Instruction words: fully random, or a random operand pattern under an interesting opcode/funct set.
const OPCODES = [0x03, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x2f, 0x33, 0x37, 0x3b, 0x63, 0x67, 0x6f, 0x73]
const arbWord = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.tuple(fc.constantFrom(...OPCODES), fc.integer({ min: 0, max: 0x1ff_ffff })).map(([op, rest]) => ((rest << 7) | op) >>> 0),
  // SYSTEM with a CSR number from the implemented ranges and rd/rs1 in a0..a5
  fc.tuple(fc.constantFrom(0x100, 0x104, 0x141, 0x180, 0x200, 0x300, 0x302, 0x305, 0x341, 0x600, 0x602, 0x680, 0xc00, 0xb02, 0x3a0, 0x3b0),
    fc.integer({ min: 1, max: 7 }), fc.integer({ min: 10, max: 15 }), fc.integer({ min: 0, max: 15 }))
    .map(([csr, f3, rd, rs1]) => ((csr << 20) | (rs1 << 15) | ((f3 === 4 ? 1 : f3) << 12) | (rd << 7) | 0x73) >>> 0),
)
// Register values: random, or addresses near the code (so loads, stores and AMOs reach RAM).
const arbReg = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: CODE, max: CODE + 0x2000n }))
const arbMode = fc.constantFrom<[Priv, boolean]>([3, false], [1, false], [0, false], [1, true], [0, true])

const arbMachine = fc.record({
  words: fc.array(arbWord, { minLength: 1, maxLength: 6 }),
  regs: fc.array(arbReg, { minLength: 31, maxLength: 31 }),
  mode: arbMode,
  medeleg: fc.bigInt({ min: 0n, max: (1n << 24n) - 1n }),
  hedeleg: fc.bigInt({ min: 0n, max: (1n << 16n) - 1n }),
}).map(({ words, regs, mode, medeleg, hedeleg }): Machine => {
  const x: Record<number, bigint> = {}
  regs.forEach((v, i) => { x[i + 1] = v })
  const m = machineWith(words, { priv: mode[0], virt: mode[1], x, csr: { mtvec: CODE, stvec: CODE, vstvec: CODE } })
  // delegation through the legalizing writes, as software would set it
  let h = csrWrite(m.hart, RV64IMAC_H, CSR.medeleg, medeleg).hart
  h = csrWrite(h, RV64IMAC_H, CSR.hedeleg, hedeleg).hart
  return machine(m.isa, m.options, h, m.memory, m.tlb, m.htif, m.platform)
})

/** Runs n steps, returning every (before, after, event). */
const trace = (m: Machine, n: number) => {
  const out: { before: Machine; r: ReturnType<typeof step> }[] = []
  let cur = m
  for (let i = 0; i < n && cur.htif.exitCode === undefined; i++) {
    const r = step(cur)
    out.push({ before: cur, r })
    cur = r.machine
  }
  return out
}

test('x0 reads 0 after every step', () => {
  fc.assert(fc.property(arbMachine, (m) => trace(m, 8).every(({ r }) => r.machine.hart.x[0] === 0n)), { numRuns: runs(300) })
})

// The CSR fields trap entry may write; every other field must be unchanged by a trapping step.
const TRAP_CSRS: ReadonlySet<keyof Csrs> = new Set<keyof Csrs>([
  'mstatus', 'mepc', 'mcause', 'mtval', 'mtval2', 'mtinst',
  'sepc', 'scause', 'stval', 'htval', 'htinst', 'hstatus',
  'vsstatus', 'vsepc', 'vscause', 'vstval',
])
// mstatus/vsstatus bits trap entry may change: SIE, MIE, SPIE, MPIE, SPP, MPP, GVA, MPV.
const STACK_BITS = (1n << 1n) | (1n << 3n) | (1n << 5n) | (1n << 7n) | (1n << 8n) | (3n << 11n) | (1n << 38n) | (1n << 39n)
// hstatus bits trap entry may change: GVA, SPV, SPVP.
const HSTATUS_TRAP_BITS = (1n << 6n) | (1n << 7n) | (1n << 8n)

test('a trapping step changes nothing but pc, privilege/V and the trap CSRs', () => {
  fc.assert(fc.property(arbMachine, (m) => {
    for (const { before, r } of trace(m, 8)) {
      if (r.event._tag !== 'Trapped') continue
      const a = before.hart, b = r.machine.hart
      if (r.machine.memory !== before.memory) return false
      if (b.x.some((v, i) => v !== a.x[i])) return false
      if (b.instret !== a.instret || b.cycle !== a.cycle || (b.reservation !== undefined && b.reservation !== a.reservation)) return false
      for (const k of Object.keys(a.csr) as (keyof Csrs)[]) {
        if (k === 'pmpcfg' || k === 'pmpaddr') { if (a.csr[k] !== b.csr[k]) return false; continue }
        if (k === 'time') continue                                   // the chunk's timer tick
        if (k === 'triggers') {                                      // a trigger that fired records hit (bit 20)
          if (a.csr.triggers.some(([t1, t2], i) => ((t1 ^ b.csr.triggers[i]![0]) & ~(1n << 20n)) !== 0n || t2 !== b.csr.triggers[i]![1])) return false
          continue
        }
        if (k === 'mip') { if ((a.csr.mip ^ b.csr.mip) & ~(1n << 7n)) return false; continue }   // MTIP follows mtime
        const va = a.csr[k] as bigint, vb = b.csr[k] as bigint
        if (!TRAP_CSRS.has(k)) { if (va !== vb) return false; continue }
        if (k === 'mstatus' || k === 'vsstatus') { if ((va ^ vb) & ~STACK_BITS) return false }
        if (k === 'hstatus') { if ((va ^ vb) & ~HSTATUS_TRAP_BITS) return false }
      }
    }
    return true
  }), { numRuns: runs(300) })
})

/** A structural rendering of what a step produced (bigints as text), for equality checks. */
const render = (r: ReturnType<typeof step>): string =>
  JSON.stringify([r.machine.hart, r.event, r.machine.htif], (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))

test('step is deterministic and leaves its input unchanged', () => {
  fc.assert(fc.property(arbMachine, (m) => {
    const before = JSON.stringify(m.hart, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
    const first = trace(m, 6).map(({ r }) => render(r))
    const second = trace(m, 6).map(({ r }) => render(r))
    const after = JSON.stringify(m.hart, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
    return before === after && first.length === second.length && first.every((s, i) => s === second[i])
  }), { numRuns: runs(200) })
})

test('the arbitraries reach both outcomes: some steps retire and some trap', () => {
  const kinds = new Set<string>()
  fc.assert(fc.property(arbMachine, (m) => { for (const { r } of trace(m, 4)) kinds.add(r.event._tag); return true }), { numRuns: runs(100) })
  assert.ok(kinds.has('Retired') && kinds.has('Trapped'))
})

test.run()
