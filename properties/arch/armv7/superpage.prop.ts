// Laws of the ARMv7 formats (ARM ARM DDI 0406C, B3.5.1, B3.6.1): a supersection translates every
// address exactly as sixteen sections with the same attributes do; a large page exactly as sixteen
// small pages; an LPAE 2 MiB block exactly as a level 3 table of 512 pages — same output address,
// same permissions, same fault (kind, FSR), for any registers, access and privilege level. The
// descriptors are assembled here from the figures' bit positions, independently of the encoders.
import { test } from 'uvu'
import { isLeft } from '../../../src/bits/either.ts'
import { phys } from '../../../src/bits/address.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import { type PhysMemory, emptyMemory, poke } from '../../../src/memory/memory.ts'
import { physicalDescriptors, translateArm } from '../../../src/arch/armv7/translate.ts'
import { type ArmAccess, type Pl, type VmsaRegs, vmsaRegs } from '../../../src/arch/armv7/vmsa.ts'
import type { ArmWalk } from '../../../src/arch/armv7/walk.ts'
import { fc, runs } from '../../fc.ts'

const mem = (pairs: readonly (readonly [bigint, bigint])[], size: 4 | 8): PhysMemory =>
  pairs.reduce((m, [a, v]) => poke(m, phys(a), size, v), emptyMemory(defaultMemoryMap))

/**
 * What a walk decides, without how it got there: the output address and rights, or the fault's kind
 * and status. `anyLevel` ignores the level in a long-descriptor STATUS (its low two bits).
 */
const decision = (w: ArmWalk, anyLevel = false): string => isLeft(w.result)
  ? `${w.result.left._tag} fsr=${(anyLevel ? w.result.left.fsr & ~3 : w.result.left.fsr).toString(16)} far=${w.result.left.far.toString(16)}`
  : `pa=${w.result.right.pa.toString(16)} ${JSON.stringify(w.result.right.leaf.permissions)} global=${w.result.right.leaf.global}`

const accessArb = fc.record({ access: fc.constantFrom<ArmAccess>('read', 'write', 'fetch'), pl: fc.constantFrom<Pl>(0, 1) })
const regsArb = (over: Partial<VmsaRegs>) => fc.record({ afe: fc.boolean(), dacr: fc.integer({ min: 0, max: 3 }) })
  .map(({ afe, dacr }) => vmsaRegs({ ...over, afe, dacr: (0x5555_5554 | dacr) >>> 0 }))

/** Attribute bits shared by section and supersection descriptors: nG, S, AP[2], TEX, AP[1:0], XN, C, B, PXN. */
const sectionAttrs = fc.record({ ng: fc.boolean(), s: fc.boolean(), ap: fc.integer({ min: 0, max: 7 }), tex: fc.integer({ min: 0, max: 7 }), xn: fc.boolean(), c: fc.boolean(), b: fc.boolean(), pxn: fc.boolean() })
  .map((f) => (f.ng ? 1n << 17n : 0n) | (f.s ? 1n << 16n : 0n) | (BigInt(f.ap >> 2) << 15n) | (BigInt(f.tex) << 12n) | (BigInt(f.ap & 3) << 10n) |
    (f.xn ? 0x10n : 0n) | (f.c ? 8n : 0n) | (f.b ? 4n : 0n) | 2n | (f.pxn ? 1n : 0n))

test('B3.5.1: a supersection ≡ sixteen sections over the same 16 MiB (domain 0, same attributes)', () => {
  fc.assert(fc.property(sectionAttrs, fc.bigInt({ min: 0n, max: 0xffn }), fc.integer({ min: 0, max: 0xff_ffff }), regsArb({ ttbr0: 0x4000n }), accessArb,
    (attrs, base16, offset, regs, a) => {
      // VA 0x0100_0000 + offset: first-level entries 16..31. Sixteen sections reach only 32-bit PAs, so
      // PA[31:24] = base16 and PA[39:32] = 0 (the extended bits are spec clauses in spec/arch/armv7).
      const pa = base16 << 24n
      const superD = (pa & 0xff00_0000n) | (((pa >> 32n) & 0xfn) << 20n) | (((pa >> 36n) & 0xfn) << 5n) | (1n << 18n) | attrs
      const superMem = mem(Array.from({ length: 16 }, (_, i) => [0x4040n + BigInt(i) * 4n, superD] as const), 4)
      const sectionsMem = mem(Array.from({ length: 16 }, (_, i) => [0x4040n + BigInt(i) * 4n, ((pa + (BigInt(i) << 20n)) & 0xfff0_0000n) | attrs] as const), 4)
      const va = 0x0100_0000n + BigInt(offset)
      return decision(translateArm(regs, physicalDescriptors(superMem), va, a.access, a.pl)) ===
        decision(translateArm(regs, physicalDescriptors(sectionsMem), va, a.access, a.pl))
    }), { numRuns: runs(300) })
})

test('B3.5.1: a large page ≡ sixteen small pages over the same 64 KiB', () => {
  const pageAttrs = fc.record({ ng: fc.boolean(), s: fc.boolean(), ap: fc.integer({ min: 0, max: 7 }), tex: fc.integer({ min: 0, max: 7 }), xn: fc.boolean(), c: fc.boolean(), b: fc.boolean() })
  fc.assert(fc.property(pageAttrs, fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 15 }), regsArb({ ttbr0: 0x4000n }), accessArb,
    (f, base, offset, domain, regs, a) => {
      const common = (f.ng ? 1n << 11n : 0n) | (f.s ? 1n << 10n : 0n) | (BigInt(f.ap >> 2) << 9n) | (BigInt(f.ap & 3) << 4n) | (f.c ? 8n : 0n) | (f.b ? 4n : 0n)
      const large = (BigInt(base) << 16n) | (f.xn ? 1n << 15n : 0n) | (BigInt(f.tex) << 12n) | common | 1n
      const small = (i: number) => ((BigInt(base) << 16n) + (BigInt(i) << 12n)) | (BigInt(f.tex) << 6n) | common | 2n | (f.xn ? 1n : 0n)
      // VA 0x0020_0000 + offset: first-level entry 2 → page table 0x5000 (domain `domain`), entries 0..15.
      const l1: [bigint, bigint] = [0x4008n, 0x5001n | (BigInt(domain) << 5n)]
      const largeMem = mem([l1, ...Array.from({ length: 16 }, (_, i): [bigint, bigint] => [0x5000n + BigInt(i) * 4n, large])], 4)
      const smallMem = mem([l1, ...Array.from({ length: 16 }, (_, i): [bigint, bigint] => [0x5000n + BigInt(i) * 4n, small(i)])], 4)
      const va = 0x0020_0000n + BigInt(offset)
      return decision(translateArm(regs, physicalDescriptors(largeMem), va, a.access, a.pl)) ===
        decision(translateArm(regs, physicalDescriptors(smallMem), va, a.access, a.pl))
    }), { numRuns: runs(300) })
})

test('B3.6.1: an LPAE 2 MiB block ≡ a level 3 table of 512 pages with the same attributes', () => {
  const attrs = fc.record({ ap21: fc.integer({ min: 0, max: 3 }), af: fc.boolean(), ng: fc.boolean(), xn: fc.boolean(), pxn: fc.boolean(), idx: fc.integer({ min: 0, max: 7 }), sh: fc.integer({ min: 0, max: 3 }) })
    .map((f) => (f.xn ? 1n << 54n : 0n) | (f.pxn ? 1n << 53n : 0n) | (f.ng ? 1n << 11n : 0n) | (f.af ? 1n << 10n : 0n) | (BigInt(f.sh) << 8n) | (BigInt(f.ap21) << 6n) | (BigInt(f.idx) << 2n))
  fc.assert(fc.property(attrs, fc.integer({ min: 0, max: 0x7_ffff }), fc.integer({ min: 0, max: 0x1f_ffff }), accessArb, (at, block, offset, a) => {
    const regs = vmsaRegs({ ttbcr: 0x8000_0000, ttbr0: 0x1000n })
    const out = BigInt(block) << 21n
    // VA 0x4000_0000 + offset: L1[1] (0x1008) → L2 table 0x2000, entry 0.
    const blockMem = mem([[0x1008n, 0x2003n], [0x2000n, out | at | 1n]], 8)
    const i = offset >> 12
    const pagesMem = mem([[0x1008n, 0x2003n], [0x2000n, 0x3003n], [0x3000n + BigInt(i) * 8n, (out + (BigInt(i) << 12n)) | at | 3n]], 8)
    const va = 0x4000_0000n + BigInt(offset)
    // The fault level differs by construction (2 for the block, 3 for the page): compare the rest.
    return decision(translateArm(regs, physicalDescriptors(blockMem), va, a.access, a.pl), true) ===
      decision(translateArm(regs, physicalDescriptors(pagesMem), va, a.access, a.pl), true)
  }), { numRuns: runs(300) })
})

test.run()
