// The explanation vocabulary of src/mmu/explain.ts (used by `memvirt translate`): the Svpbmt memory
// type of a two-stage translation, PTE flag letters, page-size names. Expected values from the spec text.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { guestPhys, phys } from '../../src/bits/address.ts'
import { flagText, memoryType, pageSizeName } from '../../src/mmu/explain.ts'
import type { Translation } from '../../src/mmu/translate.ts'
import type { StageLeaf } from '../../src/mmu/walk.ts'

const NC = 1n << 61n, IO = 2n << 61n
const leaf = (stage: 'S' | 'VS' | 'G', pbmt: bigint): StageLeaf =>
  ({ stage, inBase: 0n, outBase: 0n, level: 0, pte: 0xc7n | pbmt, pageBits: 12, pteAddr: phys(0x8000_0000n) })
const translation = (first: StageLeaf | undefined, gstage: StageLeaf | undefined): Translation =>
  ({ pa: phys(0x8000_0000n), gpa: guestPhys(0n), first, gstage, pageBits: 12 })

test('Svpbmt, two stages: a non-zero VS-stage PBMT overrides a non-zero G-stage PBMT', () => {
  assert.equal(memoryType(translation(leaf('VS', NC), leaf('G', IO))), { type: 'NC', from: 'VS-stage PBMT' })
})

test('Svpbmt, two stages: with VS-stage PBMT = 0 the G-stage PBMT overrides the PMA', () => {
  assert.equal(memoryType(translation(leaf('VS', 0n), leaf('G', IO))), { type: 'IO', from: 'G-stage PBMT' })
})

test('Svpbmt: PBMT = 0 in every stage (or no stage) leaves the PMA', () => {
  assert.equal(memoryType(translation(leaf('S', 0n), undefined)).type, 'PMA')
  assert.equal(memoryType(translation(undefined, undefined)).type, 'PMA')
})

test('PTE flags: VRWXUGAD letters from bit 0 up, then N (bit 63) and a non-zero PBMT', () => {
  assert.is(flagText(0xc7n), 'VRW---AD')
  assert.is(flagText(0x8000_0000_0000_00dfn), 'VRWXU-AD N')
  assert.is(flagText(0x6000_0000_0000_0001n), 'V------- PBMT=3')
  assert.is(flagText(NC | 0x21n), 'V----G-- NC')
})

test('page sizes: 4 KiB, 64 KiB (Svnapot), 2 MiB, 1 GiB, 512 GiB, 256 TiB', () => {
  assert.equal([12, 16, 21, 30, 39, 48].map(pageSizeName), ['4 KiB', '64 KiB', '2 MiB', '1 GiB', '512 GiB', '256 TiB'])
})

test.run()
