// The walker for any master (src/mmu/walk.ts): one clause per `WalkFailure` case, each named by the
// step of the Priv. ISA's "Virtual Address Translation Process" it comes from (two-stage cases: H
// chapter, "Two-Stage Address Translation"), and the hart's mapping of failures to trap values (H
// chapter, "Trap Value Registers", "Transformed Instruction or Pseudoinstruction for mtinst or htinst").
// The stages are built by hand as data, as a device's translation unit would build them.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js'
import { phys } from '../../src/bits/address.ts'
import { peek, type PhysMemory } from '../../src/memory/memory.ts'
import { SV39, SV39X4 } from '../../src/mmu/atp.ts'
import { translationFault } from '../../src/mmu/faults.ts'
import {
  type GStageParams, type StageLeaf, type StageParams, type WalkFailure,
  allowAll, newSession, walk, walkGuestPhysical,
} from '../../src/mmu/walk.ts'
import { ram, put, makePte, PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A, PTE_D } from './fixtures.ts'

// Sv39 tables: VA 0x4000_1234 has vpn[2] = 1, vpn[1] = 0, vpn[0] = 1, offset 0x234.
const ROOT = 0x8010_0000n, L1 = 0x8010_1000n, L0 = 0x8010_2000n, DATA = 0x8040_0000n
const VA = 0x4000_1234n
const RWAD = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
const path = (leaf: bigint): PhysMemory => put(ram, [[ROOT + 8n, makePte(L1, PTE_V)], [L1, makePte(L0, PTE_V)], [L0 + 8n, leaf]])

/** An S-stage as data: Sv39 at ROOT, S-mode load, SUM = MXR = 0, Svade, no Svpbmt/Svnapot. */
const sStage = (over: Partial<StageParams> = {}): StageParams => ({
  stage: 'S', purpose: 'translate', scheme: SV39, root: ROOT, adue: false, pbmte: false, napot: false,
  access: 'load', hlvx: false, permission: { kind: 'first', priv: 'S', sum: false, mxr: false, virt: false },
  tables: undefined, ...over,
})

const run = (mem: PhysMemory, p: StageParams, input: bigint, check = allowAll) => {
  const s = newSession(mem, check)
  return { r: walk(s, p, input), s }
}

const failure = (r: Either<WalkFailure, StageLeaf>): WalkFailure => {
  if (isRight(r)) assert.unreachable(`expected a failure, got a leaf at level ${r.right.level}`)
  return (r as { left: WalkFailure }).left
}

const is = (f: WalkFailure, tag: WalkFailure['_tag'], stage: string, level: number): void => {
  assert.is(f._tag, tag)
  assert.is(f.stage, stage, 'stage')
  assert.is(f.level, level, 'level')
}

test('the walk succeeds: steps 1–8 give the leaf, and the output address is the leaf PPN with the VA offset', () => {
  const { r } = run(path(makePte(DATA, RWAD)), sStage(), VA)
  assert.ok(isRight(r))
  if (isRight(r)) { assert.is(r.right.level, 0); assert.is(r.right.outBase, DATA) }
})

test('before step 1 (Sv39): bits 63:39 of the VA must all equal bit 38 → AddressOutOfRange (S, level −1), no PTE read', () => {
  const { r, s } = run(path(makePte(DATA, RWAD)), sStage(), 0x40_0000_0000n)   // bit 38 = 1, bits 63:39 = 0
  const f = failure(r)
  is(f, 'AddressOutOfRange', 'S', -1)
  assert.is(f.addr, 0x40_0000_0000n)
  assert.is(s.refs, 0)
})

test('before step 1 (Sv39x4): a GPA with any of bits 63:41 set → AddressOutOfRange (G, level −1)', () => {
  const g: GStageParams = { scheme: SV39X4, root: 0x8020_0000n, adue: false, pbmte: false, napot: false, mxr: false }
  const s = newSession(ram, allowAll)
  const r = walkGuestPhysical(s, g, 1n << 41n, 'load', false, 'final')
  assert.ok(isLeft(r))
  if (isLeft(r)) { is(r.left, 'AddressOutOfRange', 'G', -1); assert.is(r.left.addr, 1n << 41n) }
  // Bit 40 alone is inside Sv39x4's 41-bit guest-physical space: the walk starts (and reads the root).
  const inside = walkGuestPhysical(newSession(ram, allowAll), g, 1n << 40n, 'load', false, 'final')
  assert.ok(isLeft(inside) && inside.left._tag === 'InvalidPte')
})

test('step 2: a PTE address outside every RAM region violates PMA → PteAccess (read, PMA) at the root level', () => {
  const f = failure(run(ram, sStage({ root: 0x1000_0000n }), VA).r)
  is(f, 'PteAccess', 'S', 2)
  if (f._tag === 'PteAccess') { assert.is(f.op, 'read'); assert.is(f.check, 'PMA'); assert.is(f.pa, 0x1000_0008n) }
})

test('step 2: PMP denying the PTE read → PteAccess (read, PMP)', () => {
  const denyL1 = (pa: bigint) => pa < L1 || pa >= L1 + 0x1000n
  const f = failure(run(path(makePte(DATA, RWAD)), sStage(), VA, (pa) => denyL1(pa)).r)
  is(f, 'PteAccess', 'S', 1)
  if (f._tag === 'PteAccess') assert.is(f.check, 'PMP')
})

test('step 3: V=0 → InvalidPte', () => {
  is(failure(run(path(makePte(DATA, RWAD & ~PTE_V)), sStage(), VA).r), 'InvalidPte', 'S', 0)
})

test('step 3: W=1 with R=0, bits 60:54, PBMT without PBMTE, PBMT=3, N without Svnapot → ReservedEncoding, each named', () => {
  const cases: [bigint, Partial<StageParams>, string][] = [
    [makePte(DATA, PTE_V | PTE_W | PTE_A | PTE_D), {}, 'write-without-read'],
    [makePte(DATA, RWAD) | (1n << 54n), {}, 'reserved-bits'],
    [makePte(DATA, RWAD) | (1n << 61n), {}, 'pbmt-disabled'],
    [makePte(DATA, RWAD) | (3n << 61n), { pbmte: true }, 'pbmt-reserved'],
    [makePte(DATA, RWAD) | (1n << 63n), {}, 'napot-unimplemented'],
  ]
  for (const [leaf, over, rule] of cases) {
    const f = failure(run(path(leaf), sStage(over), VA).r)
    is(f, 'ReservedEncoding', 'S', 0)
    if (f._tag === 'ReservedEncoding') assert.is(f.rule, rule)
  }
  // A pointer (R=W=X=0) with A set: D, A and U are reserved on non-leaf PTEs.
  const f = failure(run(put(ram, [[ROOT + 8n, makePte(L1, PTE_V | PTE_A)]]), sStage(), VA).r)
  is(f, 'ReservedEncoding', 'S', 2)
  if (f._tag === 'ReservedEncoding') assert.is(f.rule, 'pointer-attributes')
})

test('step 4: a pointer PTE at level 0 (i would go below 0) → NoLeaf', () => {
  is(failure(run(path(makePte(DATA, PTE_V)), sStage(), VA).r), 'NoLeaf', 'S', 0)
})

test('step 5: a U-mode access to a U=0 leaf → Permission (the step-5 rule is data: here priv U)', () => {
  const f = failure(run(path(makePte(DATA, RWAD)), sStage({ permission: { kind: 'first', priv: 'U', sum: false, mxr: false, virt: false } }), VA).r)
  is(f, 'Permission', 'S', 0)
  // The G-stage rule: every access is a U-mode access, so a G-stage leaf needs U=1.
  const g = failure(run(path(makePte(DATA, RWAD)), sStage({ stage: 'G', scheme: SV39X4, permission: { kind: 'G', mxr: false } }), VA).r)
  is(g, 'Permission', 'G', 0)
})

test('step 6: a level-1 leaf with ppn[0] ≠ 0 is a misaligned superpage → MisalignedSuperpage (level 1)', () => {
  const mem = put(ram, [[ROOT + 8n, makePte(L1, PTE_V)], [L1, makePte(DATA + 0x1000n, RWAD)]])
  is(failure(run(mem, sStage(), VA).r), 'MisalignedSuperpage', 'S', 1)
})

test('step 7 (Svade): A=0 → NeedsAccessedDirty A; a store to a D=0 leaf → NeedsAccessedDirty D', () => {
  const a = failure(run(path(makePte(DATA, RWAD & ~PTE_A)), sStage(), VA).r)
  is(a, 'NeedsAccessedDirty', 'S', 0)
  if (a._tag === 'NeedsAccessedDirty') assert.is(a.missing, 'A')
  const d = failure(run(path(makePte(DATA, RWAD & ~PTE_D)), sStage({ access: 'store' }), VA).r)
  if (d._tag === 'NeedsAccessedDirty') assert.is(d.missing, 'D')
  else assert.unreachable(d._tag)
})

test('step 7 (Svadu): the A/D store must pass PMP too → PteAccess (write, PMP), and memory keeps the old PTE', () => {
  const mem = path(makePte(DATA, RWAD & ~PTE_A))
  const { r, s } = run(mem, sStage({ adue: true }), VA, (_pa, _n, op) => op === 'read')
  const f = failure(r)
  is(f, 'PteAccess', 'S', 0)
  if (f._tag === 'PteAccess') assert.is(f.op, 'write')
  assert.is(peek(s.memory, phys(L0 + 8n), 8), makePte(DATA, RWAD & ~PTE_A))
})

// Two-stage: VS tables at guest-physical addresses; the G-stage maps GPA 0x8000_0000.. by one gigapage
// (Sv39x4 root[2]) and nothing else.
const G_ROOT = 0x8100_0000n
const GALL = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
const gStage: GStageParams = { scheme: SV39X4, root: G_ROOT, adue: false, pbmte: false, napot: false, mxr: false }
const vsStage = (over: Partial<StageParams> = {}): StageParams =>
  sStage({ stage: 'VS', permission: { kind: 'first', priv: 'S', sum: false, mxr: false, virt: true }, tables: gStage, ...over })

test('two-stage step 2: the G-stage translation of a VS-stage PTE address fails → ImplicitAccess (read) of that VS level, wrapping the G-stage failure at the PTE\'s GPA', () => {
  // The VS root sits at GPA 0x4000_0000, which the G-stage does not map (root[1] invalid).
  const mem = put(ram, [[G_ROOT + 2n * 8n, makePte(0x8000_0000n, GALL)]])
  const f = failure(run(mem, vsStage({ root: 0x4000_0000n }), VA).r)
  is(f, 'ImplicitAccess', 'VS', 2)
  if (f._tag === 'ImplicitAccess') {
    assert.is(f.op, 'read')
    is(f.failure, 'InvalidPte', 'G', 2)
    assert.is(f.failure.addr, 0x4000_0008n)                     // the PTE's GPA: root + vpn[2]·8
  }
})

test('two-stage step 7: the A/D store of a VS-stage PTE needs G-stage write permission → ImplicitAccess (write) with a G-stage Permission failure', () => {
  // GPA 0x8000_0000.. is mapped read/execute only by the G-stage; the VS leaf lacks A and Svadu is on.
  const gRx = PTE_V | PTE_R | PTE_X | PTE_U | PTE_A | PTE_D
  const mem = put(path(makePte(DATA, RWAD & ~PTE_A)), [[G_ROOT + 2n * 8n, makePte(0x8000_0000n, gRx)]])
  const f = failure(run(mem, vsStage({ adue: true }), VA).r)
  is(f, 'ImplicitAccess', 'VS', 0)
  if (f._tag === 'ImplicitAccess') { assert.is(f.op, 'write'); is(f.failure, 'Permission', 'G', 2) }
})

// ---- the hart's mapping -----------------------------------------------------------------------------

test('hart mapping: a page-table failure of the S/VS-stage is a page fault (load 13) with tval = the VA, htval = htinst = 0', () => {
  const f = translationFault(failure(run(path(makePte(DATA, RWAD & ~PTE_V)), sStage(), VA).r), 'load', VA)
  assert.equal([f.cause, f.tval, f.htval, f.tinst, f.implicit], [13n, VA, 0n, 0n, false])
})

test('hart mapping: a PMA/PMP failure on a PTE access is an access fault of the original access type (store 7)', () => {
  const f = translationFault(failure(run(ram, sStage({ root: 0x1000_0000n, access: 'store' }), VA).r), 'store', VA)
  assert.equal([f.cause, f.tval, f.htval, f.tinst, f.implicit], [7n, VA, 0n, 0n, true])
})

test('hart mapping: an implicit VS-PTE read failing in the G-stage is a guest-page fault of the original access (fetch 20), htval = PTE GPA >> 2, htinst = 0x3000', () => {
  const mem = put(ram, [[G_ROOT + 2n * 8n, makePte(0x8000_0000n, GALL)]])
  const f = translationFault(failure(run(mem, vsStage({ root: 0x4000_0000n, access: 'fetch' }), VA).r), 'fetch', VA)
  assert.equal([f.cause, f.tval, f.htval, f.tinst, f.implicit], [20n, VA, 0x4000_0008n >> 2n, 0x3000n, true])
})

test('hart mapping: the implicit A/D write of a VS PTE failing in the G-stage → htinst = 0x3020 (load 21)', () => {
  const gRx = PTE_V | PTE_R | PTE_X | PTE_U | PTE_A | PTE_D
  const mem = put(path(makePte(DATA, RWAD & ~PTE_A)), [[G_ROOT + 2n * 8n, makePte(0x8000_0000n, gRx)]])
  const f = translationFault(failure(run(mem, vsStage({ adue: true }), VA).r), 'load', VA)
  assert.equal([f.cause, f.htval, f.tinst], [21n, (L0 + 8n) >> 2n, 0x3020n])
})

test('hart mapping: a failure of the G-stage on the final GPA is a guest-page fault with htval = GPA >> 2 and htinst = 0 (store 23)', () => {
  // GPA 0x1234_5678: root[0] of the G-stage is invalid.
  const r = walkGuestPhysical(newSession(ram, allowAll), gStage, 0x1234_5678n, 'store', false, 'final')
  if (!isLeft(r)) return assert.unreachable('expected a G-stage failure')
  const f = translationFault(r.left, 'store', 0x4000_5678n)
  assert.equal([f.cause, f.tval, f.htval, f.tinst, f.implicit], [23n, 0x4000_5678n, 0x1234_5678n >> 2n, 0n, false])
})

test.run()
