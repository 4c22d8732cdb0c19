// What the step event (and so the JSONL trace) reports for a two-stage access: the guest-virtual,
// guest-physical and physical address of a VS-mode load, and the translation counts of a first access
// (two-stage walks) and of a second one to the same pages (TLB hits). The page tables are written here;
// the expected addresses are worked out from them by hand (Priv. ISA "Sv39"; H "Two-Stage Address
// Translation", Sv39x4).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import { poke } from '../../src/memory/memory.ts'
import { type Machine, withMemory } from '../../src/machine/machine.ts'
import { type Retired } from '../../src/cpu/event.ts'
import { CODE, machineWith, steps } from '../cpu/fixture.ts'
import { encodeTraceLine } from '../../src/trace/jsonl.ts'

// PTE flag bits (Priv. ISA, Sv32/Sv39 PTE format).
const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, A = 64n, D = 128n
const pte = (pa: bigint, flags: bigint): bigint => ((pa >> 12n) << 10n) | flags

const G_ROOT = 0x8010_0000n    // Sv39x4 root: 16 KiB aligned, 2048 entries
const VS_ROOT = 0x8020_0000n   // a guest-physical address, mapped to the same host address by G_ROOT[2]
const VS_L1 = 0x8020_1000n
const VS_L0 = 0x8020_2000n

const withTables = (m: Machine): Machine => {
  const words: [bigint, bigint][] = [
    // G-stage: GPA 0x8000_0000..0xbfff_ffff → the same host addresses (a gigapage; G-stage leaves have U = 1);
    // GPA 0x1_0000_0000 (root index 4) → host 0xc000_0000.
    [G_ROOT + 2n * 8n, pte(0x8000_0000n, V | R | W | X | U | A | D)],
    [G_ROOT + 4n * 8n, pte(0xc000_0000n, V | R | W | U | A | D)],
    // VS-stage: GVA 0x8000_0000 → GPA 0x8000_0000 (identity gigapage for the code); GVA 0x4000_1000
    // (VPN[2] = 1, VPN[1] = 0, VPN[0] = 1) → GPA 0x1_0000_3000 through two table levels.
    [VS_ROOT + 2n * 8n, pte(0x8000_0000n, V | R | W | X | A | D)],
    [VS_ROOT + 1n * 8n, pte(VS_L1, V)],
    [VS_L1 + 0n * 8n, pte(VS_L0, V)],
    [VS_L0 + 1n * 8n, pte(0x1_0000_3000n, V | R | W | A | D)],
    // GVA 0x4000_2000 → GPA 0x1_4000_0000, which no G-stage entry maps (root index 5 is invalid).
    [VS_L0 + 2n * 8n, pte(0x1_4000_0000n, V | R | W | A | D)],
    // The data: GVA 0x4000_1008 = GPA 0x1_0000_3008 = host 0xc000_3008.
    [0xc000_3008n, 0x1122_3344_5566_7788n],
  ]
  const memory = words.reduce((mem, [pa, v]) => poke(mem, phys(pa), 8, v), m.memory)
  return withMemory(m, memory)
}

const SV39 = 8n << 60n
const start = withTables(machineWith([
  0x0085b503, // ld a0, 8(a1)
  0x0085b603, // ld a2, 8(a1)
  0x00073683, // ld a3, 0(a4)
], {
  priv: 1, virt: true, x: { 11: 0x4000_1000n, 14: 0x4000_2000n },
  csr: { hgatp: SV39 | (G_ROOT >> 12n), vsatp: SV39 | (VS_ROOT >> 12n) },
}))
const [first, second, third] = steps(start, 3).map((r) => r.event)

const retired = (ev: unknown): Retired => {
  const r = ev as Retired
  if (r._tag !== 'Retired') throw new Error(`expected a retired instruction, got ${JSON.stringify(ev, (_, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`)
  return r
}

test('a VS-mode load reports its GVA, the GPA after the VS stage, the host PA, the size and the value', () => {
  const ev = retired(first)
  assert.equal(ev.loads, [{ va: 0x4000_1008n, gpa: 0x1_0000_3008n, pa: 0xc000_3008n, size: 8, value: 0x1122_3344_5566_7788n }])
  assert.is(ev.rdValue, 0x1122_3344_5566_7788n)
})

test('the first step walks twice, both two-stage (the fetch of GVA 0x8000_0000 and the load); no TLB hit', () => {
  assert.equal(retired(first).xlate, { tlbHits: 0, walks: 2, twoStageWalks: 2 })
})

test('the second step hits the TLB for its fetch (same page) and its load (same page); no walk', () => {
  const ev = retired(second)
  assert.is(ev.pc, CODE + 4n)
  assert.equal(ev.xlate, { tlbHits: 2, walks: 0, twoStageWalks: 0 })
  assert.equal(ev.loads.map((l) => [l.gpa, l.pa]), [[0x1_0000_3008n, 0xc000_3008n]])
})

test('the trace line of the first step carries priv 1, V, the three addresses and the counts', () => {
  const line = encodeTraceLine(first!, 1)
  assert.ok(line.includes('"priv":1,"v":true,'), line)
  assert.ok(line.includes('"loads":[{"va":"0x0000000040001008","gpa":"0x0000000100003008","pa":"0x00000000c0003008","size":8,"value":"0x1122334455667788"}]'), line)
  assert.ok(line.endsWith('"xlate":{"tlbHits":0,"walks":2,"twoStageWalks":2}}\n'), line)
})

test('a load whose GPA the G-stage does not map: load guest-page fault 21, tval = GVA, tval2 = GPA >> 2, GVA set', () => {
  // medeleg = 0 out of reset, so M-mode takes it (mtval2 = 0x1_4000_0000 >> 2 = 0x5000_0000). tinst = 0 for
  // an explicit load, as Spike writes it (reference hyp_basic README: htinst = 0 after HLV faults).
  const ev = third!
  if (ev._tag !== 'Trapped') throw new Error(ev._tag)
  assert.equal([ev.pc, ev.priv, ev.virt, ev.target], [CODE + 8n, 1, true, 'M'])
  assert.equal(ev.trap, { cause: 21n, tval: 0x4000_2000n, tval2: 0x5000_0000n, tinst: 0n, gva: true })
  // The fetch hits the TLB; the load misses and walks (two-stage) to the fault.
  assert.equal(ev.xlate, { tlbHits: 1, walks: 1, twoStageWalks: 1 })
})

test.run()
