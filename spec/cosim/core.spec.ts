// The co-simulation core, one clause per behaviour: (model state, DUT event) → (model state, verdict).
// Expected values come from Spike's boot ROM (riscv/sim.cc: auipc t0; addi a1, t0, 32; csrr a0, mhartid;
// ld t0, 24(t0); jr t0), from instructions encoded by hand, and from Spike's recorded streams.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type CosimOptions, type CosimState, type DutEvent, type Reply, cosimRun, cosimStep, startCosim,
} from '../../src/cosim/index.ts'
import { withMemory } from '../../src/machine/machine.ts'
import { peek, poke } from '../../src/memory/memory.ts'
import { phys } from '../../src/bits/address.ts'
import { loadGoldenProgram } from '../../golden/programs/load.ts'
import { traceOf } from '../../golden/cosim/mutations.ts'

const fresh = (options: Partial<CosimOptions> = {}): CosimState => startCosim(loadGoldenProgram('traps', 'rv64ima_zicsr').machine, options)
const BOOT: readonly DutEvent[] = traceOf('traps').filter((e) => e.event !== 'fetch').slice(0, 6)   // the boot ROM: 5 retires and the ld's access
const after = (s: CosimState, events: readonly DutEvent[]): CosimState => {
  const r = cosimRun(s, events)
  assert.ok(r.replies.every((x) => x.ok), JSON.stringify(r.replies))
  return r.state
}
const reply = (s: CosimState, e: DutEvent): Reply => cosimStep(s, e).reply
const field = (r: Reply): string | undefined => (!r.ok && 'field' in r ? r.field : undefined)

test('a retired instruction equal to the model\'s (pc, bits, rd, value) matches', () => {
  assert.equal(reply(fresh(), { event: 'retire', pc: 0x1000n, insn: 0x297, rd: 5, value: 0x1000n }), { ok: true })
})

test('a retire at another pc is a pc mismatch naming the model\'s next pc', () => {
  const r = reply(fresh(), { event: 'retire', pc: 0x1004n, insn: 0x297, rd: 5, value: 0x1000n })
  assert.equal(r, { ok: false, index: 0, field: 'pc', dut: '0x0000000000001004', model: '0x0000000000001000', explain: ['the model\'s next instruction is at pc 0x0000000000001000'] })
})

test('other instruction bits, another rd, and a missing register write are each named', () => {
  assert.is(field(reply(fresh(), { event: 'retire', pc: 0x1000n, insn: 0x293, rd: 5, value: 0x1000n })), 'insn')
  assert.is(field(reply(fresh(), { event: 'retire', pc: 0x1000n, insn: 0x297, rd: 6, value: 0x1000n })), 'rd')
  const none = reply(fresh(), { event: 'retire', pc: 0x1000n, insn: 0x297 })
  assert.is(field(none), 'rd')
  assert.ok(!none.ok && 'field' in none && none.dut === null && none.model === 5)
})

test('a wrong value names both values and the instruction that wrote it', () => {
  const r = reply(fresh(), { event: 'retire', pc: 0x1000n, insn: 0x297, rd: 5, value: 0x1001n })
  assert.ok(!r.ok && 'field' in r)
  assert.equal([r.field, r.dut, r.model], ['value', '0x0000000000001001', '0x0000000000001000'])
  assert.match(r.explain[0]!, 'auipc t0,0x0')
})

test('the index counts every event from 0', () => {
  const r = cosimRun(fresh(), [...BOOT, { event: 'retire', pc: 0x8000_0000n, insn: 0, rd: 1, value: 0n }])
  const last = r.replies.at(-1)!
  assert.ok(!last.ok && last.index === 6)
})

test('an access is checked against the last retired instruction\'s: VA, size, PA, value', () => {
  const s = after(fresh(), BOOT.slice(0, 4))                            // up to the ld's retire
  const a = BOOT[4] as Extract<DutEvent, { event: 'access' }>
  assert.equal(reply(s, a), { ok: true })
  assert.is(field(reply(s, { ...a, pa: 0x2018n })), 'pa')
  assert.is(field(reply(s, { ...a, value: 1n })), 'value')
  assert.is(field(reply(s, { ...a, size: 4, value: 0n })), 'size')
  assert.is(field(reply(s, { ...a, va: 0x1010n })), 'va')
  assert.is(field(reply(s, { ...a, store: true })), 'access')            // the ld makes no store
  assert.is(field(reply(s, { ...a, pc: 0x1008n })), 'pc')
})

test('an access before any instruction retired has no model counterpart', () => {
  const r = reply(fresh(), BOOT[4]!)
  assert.ok(!r.ok && 'field' in r && r.field === 'access' && r.model === null)
})

test('a second load reported for a one-load instruction is one access too many', () => {
  const s = after(fresh(), BOOT.slice(0, 5))
  assert.is(field(reply(s, BOOT[4]!)), 'access')
})

test('fetch: in M-mode the PA is the pc (untranslated); another PA is explained', () => {
  assert.equal(reply(fresh(), { event: 'fetch', pc: 0x1000n, pa: 0x1000n }), { ok: true })
  const r = reply(fresh(), { event: 'fetch', pc: 0x1000n, pa: 0x2000n })
  assert.ok(!r.ok && 'field' in r && r.field === 'pa')
  assert.match(r.explain.join('\n'), 'untranslated')
  assert.is(field(reply(fresh(), { event: 'fetch', pc: 0x1004n, pa: 0x1004n })), 'pc')
})

test('fetch under Sv39: the PA of the model\'s translation of pc (sv39\'s U code at VA 0x4000_6000)', () => {
  const es = traceOf('sv39')
  const r = cosimRun(startCosim(loadGoldenProgram('sv39', 'rv64ima_zicsr').machine), es.slice(0, es.findIndex((e) => e.event === 'retire' && e.pc === 0x4000_6000n)))
  assert.ok(r.replies.every((x) => x.ok))
  const v = reply(r.state, { event: 'fetch', pc: 0x4000_6000n, pa: 0x1234_5000n })
  assert.ok(!v.ok && 'field' in v && v.field === 'pa')
  assert.match(v.explain.join('\n'), 'S-stage')
  assert.equal(reply(r.state, { event: 'fetch', pc: 0x4000_6000n, pa: BigInt(v.model as string) }), { ok: true })
})

test('nmi and debug_req are refused as unsupported; the request still counts', () => {
  const r = cosimStep(fresh(), { event: 'nmi' })
  assert.ok(!r.reply.ok && 'error' in r.reply && /not supported/.test(r.reply.error))
  assert.is(r.state.index, 1)
  const d = reply(fresh(), { event: 'debug_req' })
  assert.ok(!d.ok && 'error' in d && /debug mode/.test(d.error))
})

test('csr: minstret, mcycle and time take the DUT\'s value; other CSRs are refused', () => {
  const s = cosimStep(fresh(), { event: 'csr', csr: 0xb02, value: 1000n }).state
  assert.is(s.machine.hart.instret, 1000n)
  assert.is(cosimStep(fresh(), { event: 'csr', csr: 0xb00, value: 7n }).state.machine.hart.cycle, 7n)
  assert.is(cosimStep(fresh(), { event: 'csr', csr: 0xc01, value: 9n }).state.machine.hart.csr.time, 9n)
  const r = reply(fresh(), { event: 'csr', csr: 0x300, value: 0n })
  assert.ok(!r.ok && 'error' in r)
})

test('write: a backdoor write changes RAM; outside RAM it is refused', () => {
  const s = cosimStep(fresh(), { event: 'write', pa: 0x8000_3000n, size: 4, value: 0xdead_beefn }).state
  assert.is(peek(s.machine.memory, phys(0x8000_3000n), 4), 0xdead_beefn)
  const r = reply(fresh(), { event: 'write', pa: 0x1018n, size: 8, value: 0n })
  assert.ok(!r.ok && 'error' in r && /not in the model's RAM/.test(r.error))
})

test('mip: the lines the DUT drives replace MSIP/MTIP/SEIP/MEIP/SGEIP and stay after steps', () => {
  const s0 = cosimStep(fresh(), { event: 'mip', value: 0x800n }).state
  assert.is(s0.machine.hart.csr.mip & 0x800n, 0x800n)
  assert.is(s0.machine.hart.csr.mip & 0x80n, 0n)                        // MTIP: not driven now
  const s1 = after(s0, BOOT)
  assert.is(s1.machine.hart.csr.mip & 0x800n, 0x800n)
})

test('the old state stays valid: the same event from it gives the same reply', () => {
  const s = fresh()
  const a = cosimStep(s, BOOT[0]!)
  const b = cosimStep(s, BOOT[0]!)
  assert.equal(a.reply, b.reply)
  assert.is(s.index, 0)
  assert.is(s.machine.hart.pc, 0x1000n)
})

// ---- implementation-defined choices ---------------------------------------------------------------------

test('misaligned: split performs what the ISA (without zicclsm) would trap on; trap refuses Spike\'s zicclsm stream', () => {
  const es = traceOf('misaligned')                                     // recorded with rv64ima_zicsr_zicclsm
  const base = loadGoldenProgram('misaligned', 'rv64ima_zicsr').machine
  assert.ok(cosimRun(startCosim(base, { misaligned: 'split' }), es).replies.every((x) => x.ok))
  const trapped = cosimRun(startCosim(base), es).replies.at(-1)!
  assert.ok(!trapped.ok && 'field' in trapped && trapped.field === 'event' && trapped.model === 'trap')
  assert.match(trapped.explain[0]!, 'misaligned')
})

test('A/D: fault (Svade) traps where Spike\'s Svadu walker updated; hardware updates where Spike faulted', () => {
  const svadu = traceOf('svadu')
  const f = cosimRun(startCosim(loadGoldenProgram('svadu', 'rv64ima_zicsr_svadu').machine, { adUpdate: 'fault' }), svadu).replies.at(-1)!
  assert.ok(!f.ok && 'field' in f && f.field === 'event' && f.dut === 'retire' && f.model === 'trap')
  assert.match(f.explain.join('\n'), 'Svade')
  const sv39 = traceOf('sv39')
  const h = cosimRun(startCosim(loadGoldenProgram('sv39', 'rv64ima_zicsr').machine, { adUpdate: 'hardware' }), sv39).replies.at(-1)!
  assert.ok(!h.ok && 'field' in h && h.field === 'event' && h.dut === 'trap' && h.model === 'retire')
})

test('interrupts: model timing agrees with Spike\'s stream; an early interrupt is a cause mismatch', () => {
  const es = traceOf('interrupts')
  const m = loadGoldenProgram('interrupts', 'rv64ima_zicsr_zicntr').machine
  assert.ok(cosimRun(startCosim(m, { interrupts: 'model' }), es).replies.every((x) => x.ok))
  const t = es.findIndex((e) => e.event === 'trap' && e.cause === ((1n << 63n) | 7n))
  const retires = es.slice(0, t).flatMap((e, k) => (e.event === 'retire' ? [k] : []))
  const i = retires[retires.length - 2]!
  const early = [...es.slice(0, i), { ...es[t]!, pc: (es[i] as Extract<DutEvent, { event: 'retire' }>).pc } as DutEvent]
  const r = cosimRun(startCosim(m, { interrupts: 'model' }), early).replies.at(-1)!
  assert.ok(!r.ok && 'field' in r && r.field === 'cause' && r.model === null && r.index === i)
})

test('interrupts dut: an interrupt not pending is refused with the interrupt state', () => {
  const r = cosimRun(fresh(), [...BOOT, { event: 'trap', pc: 0x8000_0000n, cause: (1n << 63n) | 11n, tval: 0n }]).replies.at(-1)!
  assert.ok(!r.ok && 'field' in r && r.field === 'cause' && r.model === null)
  assert.match(r.explain.join('\n'), 'no interrupt is both pending and enabled')
})

test('interrupts dut: a pending, enabled interrupt the DUT takes at any boundary is accepted', () => {
  // MEIP driven by the DUT, mie.MEIE and mstatus.MIE set by hand: the DUT may take it before any instruction.
  const s0 = after(fresh(), BOOT)
  const m = s0.machine
  const h = { ...m.hart, csr: { ...m.hart.csr, mie: 0x800n, mstatus: m.hart.csr.mstatus | 8n } }
  const s1: CosimState = { ...s0, machine: { ...m, hart: h } }
  const s2 = cosimStep(s1, { event: 'mip', value: 0x800n }).state
  assert.equal(reply(s2, { event: 'trap', pc: 0x8000_0000n, cause: (1n << 63n) | 11n, tval: 0n }), { ok: true })
  assert.is(field(reply(s2, { event: 'trap', pc: 0x8000_0000n, cause: (1n << 63n) | 7n, tval: 0n })), 'cause')
})

test('PMP granularity 4096: pmpaddr of an OFF entry reads with its low 10 bits clear', () => {
  // addi t0, zero, 0x7ff; csrw pmpaddr1, t0; csrr t1, pmpaddr1 — at the ELF entry 0x8000_0000.
  const m0 = loadGoldenProgram('traps', 'rv64ima_zicsr').machine
  const code = [0x7ff0_0293, 0x3b12_9073, 0x3b10_2373]
  const m = withMemory(m0, code.reduce((mem, w, i) => poke(mem, phys(0x8000_0000n + BigInt(4 * i)), 4, BigInt(w)), m0.memory))
  const run = (g: bigint, read: bigint): Reply => cosimRun(startCosim(m, { pmpGranularity: g }), [...BOOT,
    { event: 'retire', pc: 0x8000_0000n, insn: code[0]!, rd: 5, value: 0x7ffn },
    { event: 'retire', pc: 0x8000_0004n, insn: code[1]! },
    { event: 'retire', pc: 0x8000_0008n, insn: code[2]!, rd: 6, value: read }]).replies.at(-1)!
  assert.equal(run(4096n, 0x400n), { ok: true })
  assert.equal(run(4n, 0x7ffn), { ok: true })
  assert.is(field(run(4n, 0x400n)), 'value')
})

// forgot_fence (golden/programs): S-mode reads VA 0x4000_0000 (page0 at PA 0x8000_3000 holds 0xaaaa), remaps
// it to page1 (PA 0x8000_4000, 0xbbbb) without SFENCE.VMA, reads into a1, takes an ECALL round trip, reads
// into a2, fences, reads into a3. Until the fence both values are legal; Spike's TLB (flushed on the trap)
// gives a1 = 0xaaaa (stale), a2 = 0xbbbb; an architectural TLB keeps page0: a2 = 0xaaaa.
const forgot = (): DutEvent[] => traceOf('forgot_fence')
const ffMachine = () => loadGoldenProgram('forgot_fence', 'rv64ima_zicsr').machine
const loadOf = (es: readonly DutEvent[], rd: number): number => es.findIndex((e) => e.event === 'retire' && e.rd === rd && e.insn === (0x43003 | (rd << 7)))
/** The stream of a DUT that read `value` from `pa` into register rd (the retire and its access changed). */
const readAs = (es: readonly DutEvent[], rd: number, value: bigint, pa: bigint): DutEvent[] => {
  const i = loadOf(es, rd)
  return es.map((e, k) => (k === i && e.event === 'retire' ? { ...e, value } : k === i + 1 && e.event === 'access' ? { ...e, value, pa } : e))
}

test('tlb exact: Spike\'s stream of forgot_fence (stale a1, fresh a2) is legal, and so are the architectural TLB\'s (stale a2) and a TLB-less DUT\'s (fresh a1)', () => {
  const ok = (es: readonly DutEvent[]): boolean => cosimRun(startCosim(ffMachine(), { tlb: 'exact' }), es).replies.every((x) => x.ok)
  assert.ok(ok(forgot()))
  assert.ok(ok(readAs(forgot(), 12, 0xaaaan, 0x8000_3000n)))
  assert.ok(ok(readAs(forgot(), 11, 0xbbbbn, 0x8000_4000n)))
})

test('tlb spike: only Spike\'s choices; the architectural TLB\'s stale a2 is a value mismatch at its load', () => {
  const es = readAs(forgot(), 12, 0xaaaan, 0x8000_3000n)
  const r = cosimRun(startCosim(ffMachine()), es).replies.at(-1)!
  assert.ok(!r.ok && 'field' in r && r.field === 'value' && r.index === loadOf(es, 12) && r.model === '0x000000000000bbbb')
})

test('tlb exact: after the fence only the new mapping is legal (a3 = 0xaaaa is a mismatch)', () => {
  const es = readAs(forgot(), 13, 0xaaaan, 0x8000_3000n)
  const r = cosimRun(startCosim(ffMachine(), { tlb: 'exact' }), es).replies.at(-1)!
  assert.ok(!r.ok && 'field' in r && r.field === 'value' && r.index === loadOf(es, 13))
})

test('tlb exact: a PA that is neither the stale nor the fresh one is explained with the stale entry and its fence', () => {
  const es = forgot()
  const i = loadOf(es, 11) + 1                                   // a1's access: the model answers from the stale entry
  const bad = es.map((e, k) => (k === i && e.event === 'access' ? { ...e, pa: 0x8000_5000n } : e))
  const r = cosimRun(startCosim(ffMachine(), { tlb: 'exact' }), bad).replies.at(-1)!
  assert.ok(!r.ok && 'field' in r && r.field === 'pa' && r.index === i)
  assert.match(r.explain.join('\n'), 'stale entry (PA 0x0000000080003000); a fresh walk gives PA 0x0000000080004000; sfence.vma (VA 0x0000000040000000')
})

test('tlb exact: where both pages hold the same value, the access\'s PA tells which translation the DUT used', () => {
  // A backdoor write makes page1 hold 0xaaaa too: a1 = 0xaaaa either way, and its access names page1 (fresh).
  const es = forgot()
  const i = loadOf(es, 11) + 1
  const stream: DutEvent[] = [{ event: 'write', pa: 0x8000_4000n, size: 8, value: 0xaaaan }, ...es.slice(0, i + 1).map((e, k) => (k === i && e.event === 'access' ? { ...e, pa: 0x8000_4000n } : e))]
  const exact = cosimRun(startCosim(ffMachine(), { tlb: 'exact' }), stream)
  assert.ok(exact.replies.every((x) => x.ok), JSON.stringify(exact.replies.at(-1)))
  const spike = cosimRun(startCosim(ffMachine()), stream).replies.at(-1)!
  assert.ok(!spike.ok && 'field' in spike && spike.field === 'pa' && spike.model === '0x0000000080003000')
})

test('tlb exact: every recorded Spike stream still matches', () => {
  for (const name of ['traps', 'sv39', 'hyp', 'svadu', 'interrupts', 'spike_tlb'] as const) {
    const isa = { traps: 'rv64ima_zicsr', sv39: 'rv64ima_zicsr', hyp: 'rv64imah_zicsr', svadu: 'rv64ima_zicsr_svadu', interrupts: 'rv64ima_zicsr_zicntr', spike_tlb: 'rv64ima_zicsr' }[name]
    const r = cosimRun(startCosim(loadGoldenProgram(name, isa).machine, { tlb: 'exact' }), traceOf(name)).replies
    assert.ok(r.every((x) => x.ok), `${name}: ${JSON.stringify(r.at(-1))}`)
  }
})

test.run()
