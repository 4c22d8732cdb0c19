// Laws of `step` over random instruction streams and random start states (privilege, V, registers,
// delegation): x0 stays 0; a step that traps changes nothing but pc, privilege/V and the trap CSRs
// (and the TLB, which is not architectural, plus what the end of a Spike chunk does: the reservation
// is dropped, the timer advances time and mip.MTIP); step is deterministic and never modifies its input.
// (Memory: these start states have translation off and no hardware-misaligned accesses, so a trapping
// instruction cannot have made the page-table A/D updates or partial stores Spike keeps; memory must
// be the very same object.)
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { type Csrs } from '../../src/cpu/hart.ts'
import { type Machine } from '../../src/machine/machine.ts'
import { step } from '../../src/machine/step.ts'
import { arbMachine } from '../../spec/cpu/arbitraries.ts'

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
        const va = a.csr[k], vb = b.csr[k]
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
  JSON.stringify([r.machine.hart, r.event, r.machine.htif], (_, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))

test('step is deterministic and leaves its input unchanged', () => {
  fc.assert(fc.property(arbMachine, (m) => {
    const before = JSON.stringify(m.hart, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
    const first = trace(m, 6).map(({ r }) => render(r))
    const second = trace(m, 6).map(({ r }) => render(r))
    const after = JSON.stringify(m.hart, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
    return before === after && first.length === second.length && first.every((s, i) => s === second[i])
  }), { numRuns: runs(200) })
})

test('the arbitraries reach both outcomes: some steps retire and some trap', () => {
  const kinds = new Set<string>()
  fc.assert(fc.property(arbMachine, (m) => { for (const { r } of trace(m, 4)) kinds.add(r.event._tag); return true }), { numRuns: runs(100) })
  assert.ok(kinds.has('Retired') && kinds.has('Trapped'))
})

test.run()
