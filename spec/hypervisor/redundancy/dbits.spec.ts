// Dirty tracking from G-stage D bits (src/hypervisor/redundancy/dirty-bits.ts), clause by clause, with the
// H extension's rules for the G-stage D bit it rests on (Priv. ISA, H chapter, "Guest Physical Address
// Translation": G-stage leaves follow the Sv39/48/57 PTE rules, A and D included; Svadu chapter:
// menvcfg.ADUE enables hardware A/D updating for the G-stage; without it — Svade — a store through a
// leaf with D = 0 faults). Machines: golden/redundancy/dguest.elf stopped at its first guest store, and
// golden/programs/hvdemo.elf (Svade).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../../src/bits/address.ts'
import { type Machine, withHart, withMemory } from '../../../src/machine/machine.ts'
import { withCsrs, withX } from '../../../src/cpu/hart.ts'
import { ENVCFG_ADUE } from '../../../src/cpu/csr/fields.ts'
import { foldSteps } from '../../../src/machine/run.ts'
import { changedPages, peek, poke, pokeBytes } from '../../../src/memory/memory.ts'
import { amoType, encode } from '../../../src/cpu/decode/index.ts'
import { FLAG_D, PTE_D } from '../../../src/mmu/pte.ts'
import { entries } from '../../../src/mmu/tlb.ts'
import { armDirtyBits, dirtyPages, gStageLeaves } from '../../../src/hypervisor/redundancy/dirty-bits.ts'
import { decodeHgatp } from '../../../src/mmu/atp.ts'
import { differingPages } from '../../../src/hypervisor/redundancy/same-state.ts'
import { loadGolden, loadRedundancyGolden } from './programs.ts'

// dguest's layout (dguest.S; addresses from its symbol table): the G-stage's level-0 table gl0 at
// 0x8000_9000 (entry 0 the code leaf, entries 1–4 the data pages at host 0x8000_a000 …), the level-1
// table gl1 at 0x8000_8000 (entry 1 the 2 MiB leaf → host 0x8040_0000).
const GL0 = 0x8000_9000n, GL1 = 0x8000_8000n
const CODE_LEAF = GL0, DATA0_LEAF = GL0 + 8n, SUPER_LEAF = GL1 + 8n
const DATA0 = 0x8000a, SUPER0 = 0x80400

/** Steps `m` until `until` holds of the machine (at most `limit` steps). */
const runUntil = (m: Machine, until: (m: Machine) => boolean, limit = 1000): Machine => {
  let cur = m
  for (let i = 0; i < limit && !until(cur); i++) cur = foldSteps(cur, { maxSteps: 1 }).machine
  if (!until(cur)) throw new Error('condition never met')
  return cur
}
const pteAt = (m: Machine, a: bigint): bigint => peek(m.memory, phys(a), 8)
/** dguest once the guest runs (V = 1), before its first store. */
const inGuest = runUntil(loadRedundancyGolden('dguest', 'rv64imah_zicsr_svadu'), (m) => m.hart.virt)
/** …and after its first store (to data page 0), which filled the TLB entry used for it. */
const afterStore = runUntil(inGuest, (m) => changedPages(inGuest.memory, m.memory).includes(DATA0))

test('G-stage leaves: the tracker finds every valid leaf of hgatp\'s Sv39x4 table (a 16 KiB root of 2048 entries), with its host pages', () => {
  const g = decodeHgatp(inGuest.hart.csr.hgatp)!
  const leaves = gStageLeaves(inGuest.memory, g.scheme!, g.ppn, false)
  // Depth first: gl1[0] → gl0's leaves, then gl1[1], the 2 MiB leaf.
  assert.equal(leaves.map((l) => [l.pteAddr, l.gpa, l.hostPn, l.pages]), [
    [CODE_LEAF, 0x8000_0000n, 0x80003, 1],
    [DATA0_LEAF, 0x8000_1000n, 0x8000a, 1], [DATA0_LEAF + 8n, 0x8000_2000n, 0x8000b, 1],
    [DATA0_LEAF + 16n, 0x8000_3000n, 0x8000c, 1], [DATA0_LEAF + 24n, 0x8000_4000n, 0x8000d, 1],
    [SUPER_LEAF, 0x8020_0000n, SUPER0, 512],
  ])
})

test('arming clears D in every writable G-stage leaf and in no other PTE; a leaf without W (the guest\'s code) is left alone', () => {
  const { machine, tracker } = armDirtyBits(inGuest)
  assert.is(tracker.unarmed, undefined)
  assert.equal(tracker.armed.map((l) => l.pteAddr), [DATA0_LEAF, DATA0_LEAF + 8n, DATA0_LEAF + 16n, DATA0_LEAF + 24n, SUPER_LEAF])
  for (const l of tracker.armed) {
    assert.is(pteAt(inGuest, l.pteAddr) & PTE_D, PTE_D)
    assert.is(pteAt(machine, l.pteAddr), pteAt(inGuest, l.pteAddr) & ~PTE_D)
  }
  assert.is(pteAt(machine, CODE_LEAF), pteAt(inGuest, CODE_LEAF))
  assert.equal([...changedPages(inGuest.memory, machine.memory)].sort((a, b) => a - b), [Number(GL1 >> 12n), Number(GL0 >> 12n)])
  assert.is(inGuest.hart, machine.hart)                     // nothing else of the machine changes
})

test('Svadu (menvcfg.ADUE = 1): a guest store through a G-stage leaf with D = 0 completes and the hart sets D in the leaf', () => {
  const armed = armDirtyBits(inGuest).machine
  const stored = runUntil(armed, (m) => changedPages(armed.memory, m.memory).includes(DATA0))
  assert.is(pteAt(stored, DATA0_LEAF) & PTE_D, PTE_D)
  assert.ok(stored.hart.virt)
  const d = dirtyPages(armDirtyBits(inGuest).tracker, armed.memory, stored.memory)
  assert.equal(d.byDBits, [DATA0])
  assert.equal(d.unseen, [])
})

test('Svade (menvcfg.ADUE = 0): the same store through a leaf with D = 0 is a store/AMO guest-page fault (cause 23, taken in M here: dguest delegates only ECALL), so the tracker arms nothing', () => {
  const svade = withHart(inGuest, withCsrs(inGuest.hart, { ...inGuest.hart.csr, menvcfg: inGuest.hart.csr.menvcfg & ~ENVCFG_ADUE }))
  const cleared = withMemory(svade, poke(svade.memory, phys(DATA0_LEAF), 8, pteAt(svade, DATA0_LEAF) & ~PTE_D))
  const faulted = runUntil(cleared, (m) => !m.hart.virt)
  assert.is(faulted.hart.csr.mcause, 23n)
  assert.is(faulted.hart.csr.mtval2, 0x8000_1000n >> 2n)
  const { machine, tracker } = armDirtyBits(svade)
  assert.is(tracker.unarmed, 'svade')
  assert.equal(tracker.armed, [])
  assert.is(machine, svade)
})

test('hgatp Bare: there is no G-stage to arm', () => {
  const m = loadGolden('hvdemo', 'rv64imah_zicsr_svadu')
  const { machine, tracker } = armDirtyBits(withHart(m, withCsrs(m.hart, { ...m.hart.csr, menvcfg: ENVCFG_ADUE })))
  assert.is(tracker.unarmed, 'bare')
  assert.is(machine.memory, m.memory)
})

test('a cached translation must not grant a store past a cleared D: the TLB entry built from the leaf loses D, a load still hits, the next store walks again and sets D', () => {
  const cachedD = entries(afterStore.tlb).filter((e) => e.gstage?.pteAddr === DATA0_LEAF)
  assert.ok(cachedD.length > 0 && cachedD.every((e) => (e.gFlags & FLAG_D) !== 0))
  const armed = armDirtyBits(afterStore).machine
  const now = entries(armed.tlb).filter((e) => e.gstage?.pteAddr === DATA0_LEAF)
  assert.is(now.length, cachedD.length)
  assert.ok(now.every((e) => (e.gFlags & FLAG_D) === 0))
  // Entries built from other leaves, and every other flag, are untouched.
  assert.equal(now.map((e) => e.gFlags | FLAG_D), cachedD.map((e) => e.gFlags))
  assert.equal(entries(armed.tlb).filter((e) => e.gstage?.pteAddr !== DATA0_LEAF), entries(afterStore.tlb).filter((e) => e.gstage?.pteAddr !== DATA0_LEAF))
  // The guest stores to data page 0 again: the walk sets D in memory (the hart cannot skip it on a hit).
  const again = runUntil(armed, (m) => (pteAt(m, DATA0_LEAF) & PTE_D) !== 0n || changedPages(armed.memory, m.memory).includes(DATA0), 200)
  assert.is(pteAt(again, DATA0_LEAF) & PTE_D, PTE_D)
})

test('a failing SC sets D all the same (it translates as a store before it checks its reservation, as Spike\'s check_load_reservation does): D bits may name a page nobody wrote', () => {
  const armed = armDirtyBits(inGuest)
  // sc.d x31, x12, (x5) with x5 = data page 0's GPA and no reservation, then ECALL.
  const code = new Uint8Array(8)
  new DataView(code.buffer).setUint32(0, encode(amoType('sc.d', 31, 5, 12, false, false)) >>> 0, true)
  new DataView(code.buffer).setUint32(4, 0x73, true)
  const m0 = withHart(withMemory(armed.machine, pokeBytes(armed.machine.memory, phys(0x8000_3000n), code)), withX(armed.machine.hart, 5, 0x8000_1000n))
  const m1 = foldSteps(m0, { maxSteps: 1 }).machine
  assert.is(m1.hart.x[31], 1n)                                // failed
  assert.is(pteAt(m1, DATA0_LEAF) & PTE_D, PTE_D)
  const d = dirtyPages(armed.tracker, m0.memory, m1.memory)
  assert.equal(d.byDBits, [])                                 // the page holds no data: nothing to copy
  assert.equal(d.dirtyLeaves.map((l) => l.pteAddr), [DATA0_LEAF])
})

test('a superpage leaf found dirty stands for its pages that hold data: D bits have the leaf\'s granularity', () => {
  const armed = armDirtyBits(afterStore)
  const m = runUntil(armed.machine, (x) => changedPages(armed.machine.memory, x.memory).includes(SUPER0))
  const d = dirtyPages(armed.tracker, armed.machine.memory, m.memory)
  assert.equal(d.dirtyLeaves.map((l) => l.pteAddr), [SUPER_LEAF])
  assert.equal(d.byDBits, [SUPER0])
  // Another page of the superpage written outside the G-stage (as the hypervisor could): the leaf is
  // dirty, so D bits name it too — what a 2 MiB D bit can tell.
  const more = withMemory(m, poke(m.memory, phys(0x8040_5000n), 8, 1n))
  assert.equal(dirtyPages(armed.tracker, armed.machine.memory, more.memory).byDBits, [SUPER0, SUPER0 + 5])
})

test('what D bits cannot see comes from the versions: pages outside the armed leaves, pages under them written otherwise than through the G-stage, leaves the program rewrote', () => {
  const armed = armDirtyBits(inGuest)
  const base = armed.machine.memory
  // The hypervisor (V = 0) writes data page 1 and a page of its own; the guest wrote nothing.
  const written = poke(poke(base, phys(0x8000_b010n), 8, 7n), phys(0x8000_2000n), 8, 7n)
  const d = dirtyPages(armed.tracker, base, written)
  assert.equal(d.byDBits, [])
  assert.equal(d.unseen, [0x8000b])
  assert.equal(d.untracked, [0x80002])
  assert.equal(d.pages, [0x80002, 0x8000b])
  // The program points data leaf 0 at another page: that leaf is no longer trusted, its old page is untracked.
  const remapped = poke(base, phys(DATA0_LEAF), 8, (0x80020n << 10n) | (pteAt(armed.machine, DATA0_LEAF) & 0x3ffn))
  const r = dirtyPages(armed.tracker, base, poke(remapped, phys(0x8000_a000n), 8, 1n))
  assert.equal(r.untracked, [0x80009, 0x8000a])
  assert.equal(r.unseen, [])
})

test('stepping is unchanged by the tracker where the program cannot tell: the same commits from the armed machine as from the unarmed one', () => {
  const a = foldSteps(inGuest, { maxSteps: 60 }), b = foldSteps(armDirtyBits(inGuest).machine, { maxSteps: 60 })
  assert.is(a.steps, b.steps)
  assert.is(a.machine.hart.pc, b.machine.hart.pc)
  assert.equal(a.machine.hart.x, b.machine.hart.x)
  // Memory by contents: the same. In 60 steps (5 rounds) the guest stored through every armed leaf, so the
  // hart set each D again and even the G-stage tables are as the untracked run has them.
  assert.equal(differingPages(a.machine.memory, b.machine.memory), [])
  // After 8 steps the guest has stored through data page 0 at most: the other leaves still read D = 0.
  const a8 = foldSteps(inGuest, { maxSteps: 8 }), b8 = foldSteps(armDirtyBits(inGuest).machine, { maxSteps: 8 })
  assert.is(a8.machine.hart.pc, b8.machine.hart.pc)
  assert.equal([...differingPages(a8.machine.memory, b8.machine.memory)].sort((x, y) => x - y), [Number(GL1 >> 12n), Number(GL0 >> 12n)])
})

test.run()
