// Decoding `memvirt translate` scenarios at the edge (src/cli/scenario.ts): every bad input becomes one
// message naming the path of the bad field; CSR values are legalized as the Priv. ISA (WARL) and Spike do.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { phys } from '../../src/bits/address.ts'
import { peek } from '../../src/memory/memory.ts'
import { type Scenario, decodeScenario, legalizeEnvcfg } from '../../src/cli/scenario.ts'
import { describeError } from '../../src/codec/errors.ts'

/** The smallest valid scenario; tests override one field. */
const base = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ privilege: 'S', accesses: [{ va: '0x1000', access: 'load' }], ...over })

const error = (u: unknown): string => {
  const r = decodeScenario(u)
  if (isRight(r)) return assert.unreachable('expected a decoding error') as never
  return describeError(r.left)
}
const ok = (u: unknown): Scenario => {
  const r = decodeScenario(u)
  if (isLeft(r)) return assert.unreachable(describeError(r.left)) as never
  return r.right
}

test('a non-hex va names its path: scenario.accesses[2].va', () => {
  const accesses = [{ va: '0x1000', access: 'load' }, { va: '0x2000', access: 'load' }, { va: 'zz', access: 'load' }]
  assert.is(error(base({ accesses })), 'field accesses[2].va: expected a 64-bit hex string like 0x8000_1000, got "zz"')
})

test('a JSON number where a 64-bit value belongs is refused (it would lose bits above 2^53)', () => {
  assert.is(error(base({ accesses: [{ va: 4096, access: 'load' }] })),
    'field accesses[0].va: expected a 64-bit hex string like 0x8000_1000, got the number 4096 (64-bit values are written as hex strings)')
})

test('hex strings: _ separators between digits are allowed, a value above 64 bits is not', () => {
  assert.is(ok(base({ accesses: [{ va: '0xffff_ffff_c000_0000', access: 'load' }] })).accesses[0]!.va, 0xffff_ffff_c000_0000n)
  assert.is(error(base({ accesses: [{ va: '0x_1000', access: 'load' }] })), 'field accesses[0].va: expected a 64-bit hex string like 0x8000_1000, got "0x_1000"')
  assert.is(error(base({ accesses: [{ va: '0x1_0000_0000_0000_0000', access: 'load' }] })), 'field accesses[0].va: 0x1_0000_0000_0000_0000 does not fit in 64 bits')
})

test('a missing field is named with what it expects', () => {
  assert.is(error(base({ accesses: [{ va: '0x1000' }] })), 'field accesses[0].access: missing (expected one of "fetch", "load", "store")')
  assert.is(error({ accesses: [] }), 'field privilege: missing (expected one of "U", "S", "M")')
})

test('an unknown access kind or privilege lists the allowed ones', () => {
  assert.is(error(base({ accesses: [{ va: '0x0', access: 'read' }] })), 'field accesses[0].access: expected one of "fetch", "load", "store", got "read"')
  assert.is(error(base({ privilege: 'H' })), 'field privilege: expected one of "U", "S", "M", got "H"')
})

test('an unknown field is an error, so a misspelt CSR is not silently ignored', () => {
  assert.is(error(base({ csrs: { vstap: '0x0' } })), 'field csrs.vstap: unknown field (known: satp, vsatp, hgatp, mstatus, vsstatus, menvcfg, henvcfg)')
})

test('an empty access list is an error', () => {
  assert.is(error(base({ accesses: [] })), 'field accesses: expected at least 1 entry, got an empty list')
})

test('satp / vsatp / hgatp with an unsupported MODE is an error naming the CSR', () => {
  assert.is(error(base({ csrs: { satp: '0x5000_0000_0000_0000' } })),
    'field csrs.satp: unsupported MODE 5 in 0x5000000000000000; expected 0 (Bare), 8 (Sv39), 9 (Sv48) or 10 (Sv57)')
  assert.match(error(base({ csrs: { vsatp: '0x1000_0000_0000_0000' } })), /^field csrs\.vsatp: unsupported MODE 1 /)
  assert.is(error(base({ csrs: { hgatp: '0xb000_0000_0000_0000' } })),
    'field csrs.hgatp: unsupported MODE 11 in 0xb000000000000000; expected 0 (Bare), 8 (Sv39x4), 9 (Sv48x4) or 10 (Sv57x4)')
})

test('mstatus given raw reads SUM from bit 18 and MXR from bit 19; given as named bits, the same', () => {
  const raw = ok(base({ csrs: { mstatus: '0x8_0000', vsstatus: '0x4_0000' } })).ctx
  assert.equal([raw.mstatus, raw.vsstatus], [{ sum: false, mxr: true }, { sum: true, mxr: false }])
  const named = ok(base({ csrs: { mstatus: { MXR: true }, vsstatus: { SUM: true } } })).ctx
  assert.equal([named.mstatus, named.vsstatus], [{ sum: false, mxr: true }, { sum: true, mxr: false }])
  assert.is(error(base({ csrs: { mstatus: { SUM: 1 } } })), 'field csrs.mstatus.SUM: expected true or false, got 1')
})

test('WARL: menvcfg.ADUE (bit 61) reads 0 without Svadu, menvcfg.PBMTE (bit 62) without Svpbmt', () => {
  const both = 0x6000_0000_0000_0000n
  assert.equal(legalizeEnvcfg(both, 0n, []).menvcfg, { adue: false, pbmte: false })
  assert.equal(legalizeEnvcfg(both, 0n, ['Svadu', 'Svpbmt']).menvcfg, { adue: true, pbmte: true })
})

test('WARL: henvcfg.ADUE / PBMTE read 0 while menvcfg.ADUE / PBMTE are 0 (Spike henvcfg_csr_t::read)', () => {
  const both = 0x6000_0000_0000_0000n
  const r = legalizeEnvcfg(0x2000_0000_0000_0000n, both, ['Svadu', 'Svpbmt'])
  assert.equal(r.henvcfg, { adue: true, pbmte: false })
  assert.equal(r.notes, ['henvcfg.PBMTE=1 reads as 0 while menvcfg.PBMTE=0'])
})

test('V=1 with M-mode is refused (M-mode always runs with V=0)', () => {
  assert.is(error(base({ privilege: 'M', V: true })), 'field V: V=1 needs privilege U or S (VU- or VS-mode); M-mode always runs with V=0')
})

test('HLVX must be a load, and runs with V=1', () => {
  assert.is(error(base({ V: true, accesses: [{ va: '0x0', access: 'store', hlvx: true }] })), 'field accesses[0].hlvx: HLVX.HU/WU is a load; access must be "load", got "store"')
  assert.match(error(base({ accesses: [{ va: '0x0', access: 'load', hlvx: true }] })), /^field accesses\[0\]\.hlvx: HLVX translates as a guest access: it needs V=1/)
})

test('ptes: flags as letters, pa or ppn, PBMT and N land in the right bits', () => {
  const s = ok(base({ extensions: ['Svnapot'], ptes: [
    { addr: '0x8000_0000', pa: '0x8030_0000', flags: 'VRW---AD' },
    { addr: '0x8000_0008', ppn: '0x83008', flags: 'DAWRV', pbmt: 'NC', napot: true },
  ] }))
  assert.is(peek(s.memory, phys(0x8000_0000n), 8), 0x200c_00c7n)
  assert.is(peek(s.memory, phys(0x8000_0008n), 8), 0xa000_0000_20c0_20c7n)
  assert.is(error(base({ ptes: [{ addr: '0x8000_0000', pa: '0x8030_0000', flags: 'VRQ' }] })), 'field ptes[0].flags: expected PTE flags as letters from VRWXUGAD (or \'-\'), got "VRQ"')
  assert.is(error(base({ ptes: [{ addr: '0x8000_0000', pa: '0x8030_0010', flags: 'V' }] })), 'field ptes[0].pa: 0x0000000080300010 is not 4 KiB aligned (a PTE holds a page number)')
  assert.is(error(base({ ptes: [{ addr: '0x8000_0000', flags: 'V' }] })), 'field ptes[0]: give exactly one of "pa" (a 4 KiB-aligned address) or "ppn"')
})

test('memory: words must lie in RAM and be written once; values must fit their size', () => {
  assert.is(error(base({ memory: [{ addr: '0x1000', value: '0x1' }] })), 'field memory[0].addr: 0x0000000000001000 (8 bytes) is not inside a RAM region of the memory map')
  assert.is(error(base({ memory: [{ addr: '0x8000_0000', value: '0x1' }], ptes: [{ addr: '0x8000_0000', pa: '0x0', flags: 'V' }] })),
    'field ptes[0].addr: byte 0x0000000080000000 is already written by memory[0]')
  assert.is(error(base({ memory: [{ addr: '0x8000_0000', value: '0x100', size: 1 }] })), 'field memory[0].value: 0x0000000000000100 does not fit in 1 byte')
  assert.is(peek(ok(base({ memory: [{ addr: '0x8000_0003', value: '0xab', size: 1 }] })).memory, phys(0x8000_0000n), 4), 0xab00_0000n)
})

test('memoryMap: the default is Spike\'s 2 GiB of RAM at 0x8000_0000; overlapping regions are an error', () => {
  assert.equal(ok(base()).memory.map, [{ name: 'ram', base: 0x8000_0000n, size: 0x8000_0000n, kind: 'ram' }])
  const map = [{ name: 'a', base: '0x0', size: '0x2000', kind: 'ram' }, { name: 'b', base: '0x1000', size: '0x1000', kind: 'mmio' }]
  assert.is(error(base({ memoryMap: map })), 'field memoryMap: regions a and b overlap')
})

test.run()
