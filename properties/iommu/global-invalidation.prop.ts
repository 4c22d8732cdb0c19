// Law of the IOMMU's invalidation commands (RISC-V IOMMU spec v1.0, "Command-Queue": IOTINVAL.VMA,
// IOTINVAL.GVMA and their operand tables, IOFENCE.C): for software that follows every page-table store
// with its covering invalidation and a fence, replacing one of those invalidations by a global one
// changes nothing observable after the fence — the same responses, IOMMU stores and fault records, under
// every cache policy. A covering invalidation drops everything the store made stale, so a narrow one is as
// good as a global one; a narrow command that drops too little makes the two runs differ.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import type { CachePolicy } from '../../src/iommu/caches.ts'
import { type Command, encodeCommand } from '../../src/iommu/commands.ts'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { DEFAULT_OPTIONS, resetIommu } from '../../src/iommu/iommu.ts'
import { runSteps, type Step } from '../../src/iommu/steps.ts'
import { eventJson } from '../../src/cli/iommu.ts'
import { phys } from '../../src/bits/address.ts'
import { emptyMemory, poke, type PhysMemory } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'
import { makePte, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '../../src/mmu/pte.ts'

// Device 3 (a guest's, GSCID 1): Sv39 first stage (PSCID 3) over Sv39x4. Its G-stage root at G0, tables
// at G0 + 0x4000 (L1) and + 0x5000 (L0). Guest-physical layout: the first-stage tables at GPA 0x0–0x2fff
// (SPA G0 + 0x1_0000…), data pages at GPA 0x10_0000 + t·4 KiB (SPA G0 + 0x20_0000 + t·4 KiB).
// Device 9 (the host's): Sv39 only (PSCID 9), tables at H0, data pages from H0 + 0x10_0000.
const G0 = 0x8100_0000n, H0 = 0x8200_0000n
const DDT = 0x8010_0000n, FQ = 0x8070_0000n, CQ = 0x8071_0000n
const GUEST = 3, HOST = 9, GSCID = 1
const PAGES = 4, TARGETS = 4
const iovaOf = (k: number): bigint => 0x4000_0000n + BigInt(k) * 0x1000n
const dataGpa = (t: number): bigint => 0x10_0000n + BigInt(t) * 0x1000n
const FLAG_SETS = [PTE_R, PTE_R | PTE_W, PTE_X, PTE_R | PTE_X, PTE_R | PTE_W | PTE_X] as const

/** A leaf: where it points, its permissions, A/D and V. */
interface Leaf { readonly target: number, readonly perm: number, readonly a: boolean, readonly d: boolean, readonly valid: boolean }
const arbLeaf: fc.Arbitrary<Leaf> = fc.record({
  target: fc.integer({ min: 0, max: TARGETS - 1 }), perm: fc.oneof(fc.integer({ min: 0, max: FLAG_SETS.length - 1 }), fc.constant(FLAG_SETS.length - 1)), a: fc.boolean(), d: fc.boolean(), valid: fc.nat(9).map((n) => n > 0),
})
const flags = (l: Leaf): bigint => (l.valid ? PTE_V : 0n) | FLAG_SETS[l.perm]! | PTE_U | (l.a ? PTE_A : 0n) | (l.d ? PTE_D : 0n)

/** The page-table entries software changes, where they are and what maps there. */
type Table = 'guest-first' | 'guest-g' | 'host-first'
const entryAt = (t: Table, k: number): bigint =>
  t === 'guest-first' ? G0 + 0x1_2000n + BigInt(k) * 8n : t === 'guest-g' ? G0 + 0x5000n + (256n + BigInt(k)) * 8n : H0 + 0x2000n + BigInt(k) * 8n
const entryValue = (t: Table, l: Leaf): bigint =>
  t === 'guest-first' ? makePte(dataGpa(l.target), flags(l)) : t === 'guest-g' ? makePte(G0 + 0x20_0000n + BigInt(l.target) * 0x1000n, flags(l)) : makePte(H0 + 0x10_0000n + BigInt(l.target) * 0x1000n, flags(l))

/** The invalidation that covers a store to entry k of table t ("IOTINVAL.VMA/.GVMA operands and operations"). */
const covering = (t: Table, k: number): Command =>
  t === 'guest-g'
    ? { kind: 'IOTINVAL.GVMA', av: true, pscid: 0, pscv: false, gv: true, nl: false, gscid: GSCID, s: false, addr: dataGpa(k) }
    : { kind: 'IOTINVAL.VMA', av: true, pscid: t === 'guest-first' ? GUEST : HOST, pscv: true, gv: t === 'guest-first', nl: false, gscid: t === 'guest-first' ? GSCID : 0, s: false, addr: iovaOf(k) }

/**
 * The global replacements of an invalidation: the same command with every narrowing operand cleared
 * (VMA: AV, PSCV; GVMA: AV, GV), or every IOTLB entry of every address space dropped (VMA with GV = 0
 * and GVMA with GV = 0) together with every directory cache entry (IODIR.INVAL_DDT with DV = 0).
 */
const globalOf = (c: Command, everything: boolean): readonly Command[] => {
  if (everything) {
    return [
      { kind: 'IOTINVAL.VMA', av: false, pscid: 0, pscv: false, gv: false, nl: false, gscid: 0, s: false, addr: 0n },
      { kind: 'IOTINVAL.GVMA', av: false, pscid: 0, pscv: false, gv: false, nl: false, gscid: 0, s: false, addr: 0n },
      { kind: 'IODIR.INVAL_DDT', pid: 0, dv: false, did: 0 },
    ]
  }
  if (c.kind === 'IOTINVAL.VMA') return [{ ...c, av: false, pscv: false, pscid: 0, addr: 0n }]
  if (c.kind === 'IOTINVAL.GVMA') return [{ ...c, av: false, gv: false, gscid: 0, addr: 0n }]
  return [c]
}
const FENCE: Command = { kind: 'IOFENCE.C', av: false, wsi: false, pr: false, pw: false, data: 0, addr: 0n }

const put = (m: PhysMemory, a: bigint, v: bigint): PhysMemory => poke(m, phys(a), 8, v)

/** Both devices' contexts (EN_ATS, SADE, GADE), tables and first leaves. */
const world = (leaves: Readonly<Record<Table, readonly Leaf[]>>): PhysMemory => {
  let m = emptyMemory(defaultMemoryMap)
  const tc = 1n | 2n | (1n << 7n) | (1n << 8n)                                         // V, EN_ATS, GADE, SADE
  const dc = (id: number): bigint => DDT + BigInt(id) * 32n
  m = put(put(put(put(m, dc(GUEST), tc), dc(GUEST) + 8n, (8n << 60n) | (BigInt(GSCID) << 44n) | (G0 >> 12n)), dc(GUEST) + 16n, BigInt(GUEST) << 12n), dc(GUEST) + 24n, (8n << 60n) | 0n)
  m = put(put(put(m, dc(HOST), tc), dc(HOST) + 16n, BigInt(HOST) << 12n), dc(HOST) + 24n, (8n << 60n) | (H0 >> 12n))
  // The guest's G-stage: root[0] → L1, L1[0] → L0; L0[0..2] map the first-stage tables (never changed).
  m = put(put(m, G0, makePte(G0 + 0x4000n, PTE_V)), G0 + 0x4000n, makePte(G0 + 0x5000n, PTE_V))
  for (let p = 0; p < 3; p++) m = put(m, G0 + 0x5000n + BigInt(p) * 8n, makePte(G0 + 0x1_0000n + BigInt(p) * 0x1000n, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D))
  // The guest's first stage at GPA 0 (SPA G0 + 0x1_0000): root[1] → GPA 0x1000, L1[0] → GPA 0x2000.
  m = put(put(m, G0 + 0x1_0008n, makePte(0x1000n, PTE_V)), G0 + 0x1_1000n, makePte(0x2000n, PTE_V))
  m = put(put(m, H0 + 8n, makePte(H0 + 0x1000n, PTE_V)), H0 + 0x1000n, makePte(H0 + 0x2000n, PTE_V))
  for (const t of ['guest-first', 'guest-g', 'host-first'] as const) leaves[t].forEach((l, k) => { m = put(m, entryAt(t, k), entryValue(t, l)) })
  return m
}

const SETUP: readonly Step[] = [
  { op: 'write-register', offset: 40, size: 8, value: 3n | ((FQ >> 12n) << 10n) },   // 16-entry fault queue
  { op: 'write-register', offset: 76, size: 4, value: 1n },
  { op: 'write-register', offset: 24, size: 8, value: 5n | ((CQ >> 12n) << 10n) },   // 64-entry command queue
  { op: 'write-register', offset: 72, size: 4, value: 1n },
  { op: 'write-register', offset: 16, size: 8, value: 2n | ((DDT >> 12n) << 10n) },  // 1LVL
]

type Op =
  | { readonly op: 'dma', readonly guest: boolean, readonly k: number, readonly access: 'read' | 'write' | 'execute', readonly type: 'untranslated' | 'ats' }
  | { readonly op: 'store', readonly table: Table, readonly k: number, readonly leaf: Leaf }

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('dma' as const), guest: fc.boolean(), k: fc.integer({ min: 0, max: PAGES }), access: fc.constantFrom('read' as const, 'read' as const, 'write' as const, 'execute' as const), type: fc.constantFrom('untranslated' as const, 'untranslated' as const, 'ats' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('store' as const), table: fc.constantFrom<Table>('guest-first', 'guest-g', 'host-first'), k: fc.integer({ min: 0, max: PAGES - 1 }), leaf: arbLeaf }) },
)
const arbLeaves = fc.record({
  'guest-first': fc.array(arbLeaf, { minLength: PAGES, maxLength: PAGES }),
  'guest-g': fc.array(arbLeaf, { minLength: TARGETS, maxLength: TARGETS }),
  'host-first': fc.array(arbLeaf, { minLength: PAGES, maxLength: PAGES }),
})

const command = (c: Command): Step => ({ op: 'command', words: encodeCommand(c) })

/** Software's steps: each DMA a request; each store followed by its covering invalidation and IOFENCE.C. */
const stepsOf = (ops: readonly Op[], replace: { readonly at: number, readonly everything: boolean } | undefined): Step[] => {
  const steps: Step[] = [...SETUP]
  let n = 0
  for (const op of ops) {
    if (op.op === 'dma') {
      steps.push({ op: 'translate', deviceId: op.guest ? GUEST : HOST, access: op.access, privileged: false, type: op.type, iova: iovaOf(op.k) })
      continue
    }
    steps.push({ op: 'memory', addr: entryAt(op.table, op.k), value: entryValue(op.table, op.leaf) })
    const c = covering(op.table, op.k)
    const commands = replace !== undefined && replace.at === n ? globalOf(c, replace.everything) : [c]
    n++
    for (const x of commands) steps.push(command(x))
    steps.push(command(FENCE))
  }
  return steps
}

/** What software and devices observe: the JSON events, minus the command queue's head (the replaced run queues more commands). */
const observed = (cache: CachePolicy, memory: PhysMemory, steps: readonly Step[]): string[] =>
  runSteps(resetIommu(EXAMPLE_CAPABILITIES, 0n, { ...DEFAULT_OPTIONS, cache }), memory, steps).events
    .filter((e) => e.op !== 'command').map(eventJson)

test('Replacing a covering invalidation by a global one changes nothing observable after the fence (responses, A/D stores, fault records; every cache policy)', () => {
  const arb = fc.record({
    leaves: arbLeaves, ops: fc.array(arbOp, { minLength: 8, maxLength: 40 }), cache: fc.constantFrom<CachePolicy>('unbounded', 'refmodel', 'none'),
    everything: fc.boolean(),
  }).filter((s) => s.ops.some((o) => o.op === 'store'))
  fc.assert(fc.property(arb, ({ leaves, ops, cache, everything }) => {
    const memory = world(leaves)
    const a = observed(cache, memory, stepsOf(ops, undefined))
    // Each invalidation in turn is the one replaced.
    return ops.filter((o) => o.op === 'store').every((_, at) => {
      const b = observed(cache, memory, stepsOf(ops, { at, everything }))
      return a.length === b.length && a.every((x, i) => x === b[i])
    })
  }), { numRuns: runs(100) })
})

test.run()
