// Laws of the IOMMU as a whole (RISC-V IOMMU spec v1.0, "Process to translate an IOVA" and the
// invalidation commands), over random interleavings of requests, software stores and invalidations:
// DMA isolation (devices whose tables and pages sit in disjoint regions never reach each other's
// memory, with any cache policy), and cache transparency (after a covering invalidation a cached IOMMU
// answers as an uncached one; before it, every answer is an uncached answer over some memory state
// since the last invalidation).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { invalidate, type CachePolicy } from '../../src/iommu/caches.ts'
import type { Command } from '../../src/iommu/commands.ts'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { DEFAULT_OPTIONS, type Iommu, resetIommu } from '../../src/iommu/iommu.ts'
import { writeRegister } from '../../src/iommu/registers.ts'
import { type IoRequest, type TranslateOutcome, translate } from '../../src/iommu/translate.ts'
import { phys } from '../../src/bits/address.ts'
import { emptyMemory, poke, type PhysMemory } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'
import { makePte, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '../../src/mmu/pte.ts'

// Device d (0 or 1) owns the 16 MiB region REGION[d]: its Sv39 tables at +0 (root), +0x1000 (L1),
// +0x2000 (L0) and its data pages from +0x10_0000. The DDT (1LVL) and the fault queue are shared.
const REGION = [0x8100_0000n, 0x8200_0000n] as const
const REGION_SIZE = 0x100_0000n
const DDT = 0x8010_0000n, FQ = 0x8070_0000n
const DEVICES = [3, 9] as const
const PAGES = 8 // IOVA pages 0x4000_0000 + k·4 KiB, k < PAGES, map to data pages of the same region
const iovaOf = (k: number): bigint => 0x4000_0000n + BigInt(k) * 0x1000n
const inRegion = (d: number, a: bigint): boolean => a >= REGION[d]! && a < REGION[d]! + REGION_SIZE

const put = (m: PhysMemory, a: bigint, v: bigint): PhysMemory => poke(m, phys(a), 8, v)
const FLAG_SETS = [PTE_R, PTE_R | PTE_W, PTE_X, PTE_R | PTE_X, PTE_R | PTE_W | PTE_X] as const

/** A leaf for page k of device d: maps to data page `target` with permissions `perm`, U, and A/D bits. */
interface Leaf { readonly k: number, readonly target: number, readonly perm: number, readonly a: boolean, readonly d: boolean, readonly valid: boolean }
const arbLeaf = (k: number): fc.Arbitrary<Leaf> => fc.record({
  k: fc.constant(k), target: fc.integer({ min: 0, max: 31 }), perm: fc.integer({ min: 0, max: FLAG_SETS.length - 1 }),
  a: fc.boolean(), d: fc.boolean(), valid: fc.boolean(),
})
const leafPte = (dev: number, l: Leaf): bigint =>
  makePte(REGION[dev]! + 0x10_0000n + BigInt(l.target) * 0x1000n, (l.valid ? PTE_V : 0n) | FLAG_SETS[l.perm]! | PTE_U | (l.a ? PTE_A : 0n) | (l.d ? PTE_D : 0n))
const leafAt = (dev: number, k: number): bigint => REGION[dev]! + 0x2000n + BigInt(k) * 8n

type Op =
  | { readonly op: 'dma', readonly dev: number, readonly k: number, readonly access: 'read' | 'write' | 'execute', readonly stray: boolean }
  | { readonly op: 'store', readonly dev: number, readonly leaf: Leaf }
  | { readonly op: 'invalidate', readonly command: Command }

const arbCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('IOTINVAL.VMA' as const), av: fc.boolean(), pscid: fc.constantFrom(...DEVICES), pscv: fc.boolean(), gv: fc.constant(false), nl: fc.constant(false), gscid: fc.constant(0), s: fc.constant(false), addr: fc.integer({ min: 0, max: PAGES - 1 }).map(iovaOf) }),
  fc.record({ kind: fc.constant('IODIR.INVAL_DDT' as const), pid: fc.constant(0), dv: fc.boolean(), did: fc.constantFrom(...DEVICES) }),
)
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('dma' as const), dev: fc.integer({ min: 0, max: 1 }), k: fc.integer({ min: 0, max: PAGES + 2 }), access: fc.constantFrom('read' as const, 'write' as const, 'execute' as const), stray: fc.boolean() }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1 }).chain((dev) => fc.integer({ min: 0, max: PAGES - 1 }).chain(arbLeaf).map((leaf) => ({ op: 'store' as const, dev, leaf }))) },
  { weight: 1, arbitrary: arbCommand.map((command) => ({ op: 'invalidate' as const, command })) },
)

/** The world: both devices' DCs (Sv39, PSCID = device id, SADE), tables and initial leaves. */
const world = (leaves: readonly (readonly Leaf[])[]): PhysMemory => {
  let m = emptyMemory(defaultMemoryMap)
  for (const dev of [0, 1]) {
    const base = REGION[dev]!
    m = put(m, DDT + BigInt(DEVICES[dev]!) * 32n, 1n | (1n << 8n))                              // tc: V, SADE
    m = put(m, DDT + BigInt(DEVICES[dev]!) * 32n + 16n, BigInt(DEVICES[dev]!) << 12n)            // ta: PSCID
    m = put(m, DDT + BigInt(DEVICES[dev]!) * 32n + 24n, (8n << 60n) | (base >> 12n))             // fsc: Sv39 root
    m = put(m, base + 8n, makePte(base + 0x1000n, PTE_V))
    m = put(m, base + 0x1000n, makePte(base + 0x2000n, PTE_V))
    for (const l of leaves[dev]!) m = put(m, leafAt(dev, l.k), leafPte(dev, l))
  }
  return m
}

const iommuFor = (cache: CachePolicy): Iommu => {
  let r = resetIommu(EXAMPLE_CAPABILITIES, 0n, { ...DEFAULT_OPTIONS, cache })
  for (const [o, s, v] of [[40, 8, 2n | ((FQ >> 12n) << 10n)], [76, 4, 1n], [16, 8, 2n | ((DDT >> 12n) << 10n)]] as const) r = { ...r, regs: writeRegister(r.regs, r.options, o, s, v) }
  return r
}

const request = (op: Extract<Op, { op: 'dma' }>): IoRequest => ({
  deviceId: DEVICES[op.dev]!, access: op.access, privileged: false, type: 'untranslated',
  // A stray request aims at the other device's IOVA window and at pages past the mapped ones.
  iova: op.stray ? iovaOf(op.k) | (1n << 30n) : iovaOf(op.k),
})

const arbLeaves = fc.tuple(...[0, 1].map(() => fc.tuple(...Array.from({ length: PAGES }, (_, k) => arbLeaf(k)))))
const arbScenario = fc.record({ leaves: arbLeaves, ops: fc.array(arbOp, { minLength: 1, maxLength: 30 }), cache: fc.constantFrom<CachePolicy>('none', 'unbounded', 'refmodel') })

test('DMA isolation: a device never reaches (translates into or has A/D stored into) the other device\'s region', () => {
  fc.assert(fc.property(arbScenario, ({ leaves, ops, cache }) => {
    let iommu = iommuFor(cache)
    let mem = world(leaves)
    for (const op of ops) {
      if (op.op === 'store') mem = put(mem, leafAt(op.dev, op.leaf.k), leafPte(op.dev, op.leaf))
      else if (op.op === 'invalidate') iommu = { ...iommu, caches: invalidate(iommu.caches, op.command) }
      else {
        const o: TranslateOutcome = translate(iommu, mem, request(op))
        const pa = o.response.pa
        if (pa !== undefined && !inRegion(op.dev, pa)) return false
        if (o.writes.some((w) => w.why === 'A/D update' && !inRegion(op.dev, w.addr))) return false
        if (o.writes.some((w) => w.why === 'fault record' && (w.addr < FQ || w.addr >= FQ + 8n * 32n))) return false
        iommu = o.iommu; mem = o.memory
      }
    }
    return true
  }), { numRuns: runs(150) })
})

/** What a request's answer is, for comparisons: status, PA or cause. */
const answer = (o: TranslateOutcome): string => `${o.response.status} ${o.response.pa ?? ''} ${o.response.fault?.cause ?? ''}`

const GLOBAL: readonly Command[] = [
  { kind: 'IOTINVAL.VMA', av: false, pscid: 0, pscv: false, gv: false, nl: false, gscid: 0, s: false, addr: 0n },
  { kind: 'IODIR.INVAL_DDT', pid: 0, dv: false, did: 0 },
]

test('Cache transparency: every cached answer is an uncached answer over a memory state since the last covering invalidation; right after one, it is the current one', () => {
  fc.assert(fc.property(arbScenario.filter((s) => s.cache !== 'none'), ({ leaves, ops, cache }) => {
    let cached = iommuFor(cache)
    let mem = world(leaves)
    // Memory states since the last global invalidation (the current one last).
    let since: PhysMemory[] = [mem]
    for (const op of ops) {
      if (op.op === 'store') { mem = put(mem, leafAt(op.dev, op.leaf.k), leafPte(op.dev, op.leaf)); since.push(mem); continue }
      if (op.op === 'invalidate') {
        // A global IODIR.INVAL_DDT (DV = 0) is taken with a global IOTINVAL.VMA as the covering
        // invalidation: the history restarts. Any other command is applied and the history kept.
        if (op.command.kind === 'IODIR.INVAL_DDT' && !op.command.dv) { cached = { ...cached, caches: GLOBAL.reduce(invalidate, cached.caches) }; since = [mem] }
        else cached = { ...cached, caches: invalidate(cached.caches, op.command) }
        continue
      }
      const r = request(op)
      const got = translate(cached, mem, r)
      const fresh = translate(iommuFor('none'), mem, r)
      const possible = since.map((m) => answer(translate(iommuFor('none'), m, r)))
      if (!possible.includes(answer(got))) return false
      if (since.length === 1 && answer(got) !== answer(fresh)) return false
      cached = got.iommu; mem = got.memory
      if (got.writes.some((w) => w.why === 'A/D update')) since.push(mem)
    }
    return true
  }), { numRuns: runs(150) })
})

test('Cache transparency: after a global IOTINVAL.VMA and IODIR.INVAL_DDT, a cached IOMMU answers every request as an uncached one', () => {
  fc.assert(fc.property(arbScenario.filter((s) => s.cache !== 'none'), fc.array(fc.record({ dev: fc.integer({ min: 0, max: 1 }), k: fc.integer({ min: 0, max: PAGES - 1 }), leaf: fc.integer({ min: 0, max: PAGES - 1 }).chain(arbLeaf) }), { maxLength: 6 }),
    ({ leaves, ops, cache }, changes) => {
      let cached = iommuFor(cache)
      let mem = world(leaves)
      for (const op of ops) if (op.op === 'dma') { const o = translate(cached, mem, request(op)); cached = o.iommu; mem = o.memory }
      for (const c of changes) mem = put(mem, leafAt(c.dev, c.leaf.k), leafPte(c.dev, c.leaf))
      cached = { ...cached, caches: GLOBAL.reduce(invalidate, cached.caches) }
      for (const op of ops) {
        if (op.op !== 'dma') continue
        const a = translate(cached, mem, request(op))
        const b = translate(iommuFor('none'), mem, request(op))
        assert.is(answer(a), answer(b))
        cached = a.iommu; mem = a.memory
      }
      return true
    }), { numRuns: runs(100) })
})

test.run()
