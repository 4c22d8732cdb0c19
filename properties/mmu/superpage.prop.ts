// A superpage is shorthand for the set of 4 KiB mappings it covers: translating through a 2 MiB or
// 1 GiB leaf, or through a Svnapot 64 KiB leaf, gives the same PA or the same fault (cause, tval,
// htval, tinst) and the same A/D update as translating through 4 KiB leaves with the same flags
// (Priv. ISA, "Virtual Address Translation Process" step 9 / Svnapot chapter). Checked for the
// S-stage (Sv39, satp) and the G-stage (Sv39x4, hgatp).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { guestPhys, phys, virt } from '../../src/bits/address.ts'
import { type PhysMemory, peek, poke, pokeBytes } from '../../src/memory/memory.ts'
import { translate, translateGuestPhysical, type WalkOutcome } from '../../src/mmu/translate.ts'
import { ram } from '../../spec/mmu/fixtures.ts'
import { fc, runs } from '../fc.ts'
import {
  type CtxBits, type LeafBits, type Mutation, N, V, ctxBitsArb, leafBitsArb, leafFlags, mutate, mutationArb, observe, pte, show,
  translationContext,
} from './configs.ts'

const ROOT = 0x8000_0000n          // 16 KiB aligned, so it serves as an Sv39x4 root too
const L1 = 0x8001_0000n
const L0 = (j: number): bigint => 0x8010_0000n + BigInt(j) * 0x1000n

type StageKind = 'S' | 'G'

/** Corruptions that mean the same for a superpage leaf and for its 4 KiB pieces (PPN ones do not). */
const sameMeaning: readonly Mutation[] = ['none', 'clearV', 'wNoR', 'reservedBit', 'pbmt1', 'pbmt3']
const leafMutationArb = mutationArb(6).filter((mu) => sameMeaning.includes(mu.m))

const table = (entries: (i: number) => bigint): Uint8Array => {
  const bytes = new Uint8Array(4096)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < 512; i++) view.setBigUint64(i * 8, entries(i), true)
  return bytes
}

const walk = (stage: StageKind, memory: PhysMemory, c: CtxBits, addr: bigint): WalkOutcome =>
  stage === 'S'
    ? translate(memory, translationContext(c, { satp: (8n << 60n) | (ROOT >> 12n) }), { va: virt(addr), access: c.access, hlvx: c.hlvx })
    : translateGuestPhysical(memory, translationContext(c, { virt: true, hgatp: (8n << 60n) | (ROOT >> 12n) }), guestPhys(addr), c.access)

/** The input address: Sv39 VAs are sign-extended from bit 38; Sv39x4 GPAs have an 11-bit root index. */
const inputAddr = (stage: StageKind, rootIdx: number, low30: bigint): bigint => {
  const a = (BigInt(rootIdx) << 30n) | low30
  return stage === 'S' ? BigInt.asUintN(64, BigInt.asIntN(39, a)) : a
}

interface Case {
  readonly stage: StageKind
  readonly c: CtxBits
  readonly leaf: LeafBits
  readonly adPreset: boolean
  readonly mu: { m: Mutation; bit: number; ppn: bigint }
  readonly rootIdx: number
  readonly vpn1: number
  /** Target frame number, already aligned to the mapping size. */
  readonly base: bigint
}

const caseArb = (level: number): fc.Arbitrary<Case> => fc.record({
  stage: fc.constantFrom<StageKind>('S', 'G'),
  c: ctxBitsArb,
  leaf: leafBitsArb(false),
  adPreset: fc.boolean(),
  mu: leafMutationArb,
  rootIdx: fc.integer({ min: 0, max: 2047 }),
  vpn1: fc.integer({ min: 0, max: 511 }),
  base: fc.bigInt({ min: 0n, max: (1n << BigInt(44 - 9 * level)) - 1n }).map((b) => b << BigInt(9 * level)),
}).map((k) => ({ ...k, rootIdx: k.stage === 'S' ? k.rootIdx & 511 : k.rootIdx, c: k.stage === 'G' ? { ...k.c, hlvx: false } : k.c }))

/**
 * Both translations agree on the outcome, and on which A/D bits the walk set in the deciding leaf; a
 * success lands on `expectedPa` (the mapping's base plus the offset, worked out here, so a bug shared
 * by both paths through the walker cannot hide).
 */
const agree = (
  big: WalkOutcome, small: WalkOutcome, bigLeaf: bigint, smallLeaf: bigint, before: { big: PhysMemory; small: PhysMemory },
  expectedPa: bigint, what: string,
): void => {
  assert.is(show(observe(big.result)), show(observe(small.result)), what)
  const o = observe(big.result)
  if ('pa' in o) assert.is(o.pa, expectedPa, `${what}: PA = base + offset`)
  const setBits = (o: WalkOutcome, m: PhysMemory, a: bigint): bigint => peek(o.memory, phys(a), 8) ^ peek(m, phys(a), 8)
  assert.is(setBits(big, before.big, bigLeaf), setBits(small, before.small, smallLeaf), `${what}: A/D bits set`)
}

test('a 2 MiB or 1 GiB leaf translates every address as the 4 KiB leaves with the same flags do (S- and G-stage)', () => {
  const arb = fc.constantFrom(1, 2).chain((level) => fc.tuple(
    fc.constant(level), caseArb(level),
    fc.array(fc.bigInt({ min: 0n, max: (1n << BigInt(12 + 9 * level)) - 1n }), { minLength: 1, maxLength: 6 }),
  ))
  fc.assert(fc.property(arb, ([level, k, offsets]) => {
    const flags = leafFlags(k.leaf, k.adPreset)
    const leaf = (ppn: bigint): bigint => mutate(pte(ppn, flags), k.mu)
    // The superpage: root → leaf (1 GiB), or root → L1 → leaf (2 MiB).
    let big = ram
    if (level === 2) big = poke(big, phys(ROOT + BigInt(k.rootIdx) * 8n), 8, leaf(k.base))
    else {
      big = poke(big, phys(ROOT + BigInt(k.rootIdx) * 8n), 8, pte(L1 >> 12n, V))
      big = poke(big, phys(L1 + BigInt(k.vpn1) * 8n), 8, leaf(k.base))
    }
    // The same mapping in 4 KiB pages: root → L1 → one full L0 table per 2 MiB slice the offsets touch.
    let small = poke(ram, phys(ROOT + BigInt(k.rootIdx) * 8n), 8, pte(L1 >> 12n, V))
    const slices = level === 2 ? [...new Set(offsets.map((o) => Number(o >> 21n)))] : [k.vpn1]
    slices.forEach((s, j) => {
      small = poke(small, phys(L1 + BigInt(s) * 8n), 8, pte(L0(j) >> 12n, V))
      const first = level === 2 ? k.base + BigInt(s) * 512n : k.base
      small = pokeBytes(small, phys(L0(j)), table((i) => leaf(first + BigInt(i))))
    })
    for (const off of offsets) {
      const low30 = level === 2 ? off : (BigInt(k.vpn1) << 21n) | off
      const addr = inputAddr(k.stage, k.rootIdx, low30)
      const j = level === 2 ? slices.indexOf(Number(off >> 21n)) : 0
      const bigLeaf = level === 2 ? ROOT + BigInt(k.rootIdx) * 8n : L1 + BigInt(k.vpn1) * 8n
      const smallLeaf = L0(j) + ((low30 >> 12n) & 0x1ffn) * 8n
      agree(walk(k.stage, big, k.c, addr), walk(k.stage, small, k.c, addr), bigLeaf, smallLeaf, { big, small }, (k.base << 12n) + off,
        `${k.stage}-stage ${level === 2 ? '1 GiB' : '2 MiB'} page, address 0x${addr.toString(16)}`)
    }
  }), { numRuns: runs(2000) })
})

test('Svnapot: a 64 KiB NAPOT leaf translates every address as 16 plain 4 KiB leaves with the same flags do', () => {
  const arb = fc.tuple(caseArb(0), fc.integer({ min: 0, max: 31 }), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 6 }))
    .map(([k, group, offsets]) => ({ k: { ...k, c: { ...k.c, svnapot: true }, base: k.base & ~0xfn }, group, offsets }))
  fc.assert(fc.property(arb, ({ k, group, offsets }) => {
    const flags = leafFlags(k.leaf, k.adPreset)
    const first = group * 16
    const tables = (entry: (i: number) => bigint): PhysMemory => {
      const m = poke(poke(ram, phys(ROOT + BigInt(k.rootIdx) * 8n), 8, pte(L1 >> 12n, V)), phys(L1 + BigInt(k.vpn1) * 8n), 8, pte(L0(0) >> 12n, V))
      return pokeBytes(m, phys(L0(0)), table((i) => (i >= first && i < first + 16 ? entry(i - first) : 0n)))
    }
    // NAPOT: every one of the 16 PTEs is the same, N=1 with ppn[3:0] = 1000; plain: ppn = base + i.
    const napot = tables(() => mutate(pte(k.base | 8n, flags | N), k.mu))
    const plain = tables((i) => mutate(pte(k.base + BigInt(i), flags), k.mu))
    for (const off of offsets) {
      const low30 = (BigInt(k.vpn1) << 21n) | (BigInt(first) << 12n) | BigInt(off)
      const addr = inputAddr(k.stage, k.rootIdx, low30)
      const leafAddr = L0(0) + ((low30 >> 12n) & 0x1ffn) * 8n
      agree(walk(k.stage, napot, k.c, addr), walk(k.stage, plain, k.c, addr), leafAddr, leafAddr, { big: napot, small: plain }, (k.base << 12n) + BigInt(off),
        `${k.stage}-stage 64 KiB NAPOT page, address 0x${addr.toString(16)}`)
    }
  }), { numRuns: runs(2000) })
})

test.run()
