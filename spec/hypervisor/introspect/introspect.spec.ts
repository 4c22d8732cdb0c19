// Introspection reads a machine through the guest's own tables, without changing it. The expected values
// come from the golden programs' sources (golden/programs/sv39.S, hyp.S): the page tables they build and
// the values they store, worked by hand.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft, isRight } from '../../../src/bits/either.ts'
import { peek } from '../../../src/memory/memory.ts'
import { phys } from '../../../src/bits/address.ts'
import { hexDump, physicalAddress, readMemory, readValue, walkIn, writeMemory } from '../../../src/hypervisor/introspect/memory.ts'
import { decodePrivRegister, privRegister, readCsr, csrName, csrNumber, implementedCsrs, writeCsr } from '../../../src/hypervisor/introspect/registers.ts'
import { resolveAddress, symbolText } from '../../../src/hypervisor/introspect/symbols.ts'
import { loadGolden, runTo, runSteps } from './programs.ts'

const sv39 = loadGolden('sv39', 'rv64ima_zicsr')
const sym = (name: string): bigint => sv39.elf.symbols.get(name)!.value
// At `kernel`: Sv39 on (satp = root), S-mode, CASE 2 not yet run.
const atKernel = runTo(sv39.elf, sv39.machine, 'kernel')
// Five steps later: li gp; li s0 (lui); li a0 (addi); sd a0, 8(s0) → VA 0x40000008 holds 0x1234.
const afterStore = runSteps(atKernel, 5)

test('Priv. ISA "Virtual Address Translation Process": a host VA reaches the PA the S-stage leaf names (sv39 l0[0] → page0)', () => {
  const pa = physicalAddress(atKernel, 'host', 0x4000_0008n)
  assert.ok(isRight(pa))
  assert.is(pa.right, sym('page0') + 8n)
  assert.equal(physicalAddress(atKernel, 'current', 0x4000_0008n), pa)
})

test('a guest-virtual read sees what the guest stored through the same VA (sd a0, 8(s0) with a0 = 0x1234)', () => {
  assert.equal(readValue(afterStore, 'current', 0x4000_0008n, 8), { _tag: 'Right', right: 0x1234n })
  assert.equal(readValue(atKernel, 'current', 0x4000_0008n, 8), { _tag: 'Right', right: 0n })
})

test('Svade: a leaf with A = 0 faults for the hart (cause 13) but the debugger view reads it without setting A', () => {
  const va = 0x4000_2000n                                  // l0[2] → page2, A = 0
  const arch = walkIn(atKernel, 'host', va, 'architectural')
  assert.ok(isRight(arch) && isLeft(arch.right.result))
  if (isRight(arch) && isLeft(arch.right.result)) assert.is(arch.right.result.left.cause, 13n)
  assert.equal(readValue(atKernel, 'host', va, 8), { _tag: 'Right', right: 0x2222n })
  // The PTE in memory still has A = 0 (bit 6): l0 + 2 × 8.
  const pte = peek(atKernel.memory, phys(sym('l0') + 16n), 8)
  assert.is(pte & 0x40n, 0n)
})

test('a read across a page boundary translates each page: VA 0x40000ff8 + 16 bytes = page0 end, then page1 (0x1111)', () => {
  const r = readMemory(atKernel, 'host', 0x4000_0ff8n, 16)
  assert.ok(isRight(r))
  assert.equal(Array.from(r.right.subarray(8, 10)), [0x11, 0x11])
})

test('an invalid PTE (sv39 l0[7] is V = 0 at kernel entry) → an error naming the address, not a value', () => {
  const r = readMemory(atKernel, 'host', 0x4000_7000n, 4)
  assert.ok(isLeft(r))
  if (isLeft(r)) assert.match(r.left.message, /0x0000000040007000/)
})

test('physical reads: RAM at page0, and the boot ROM (a device, read without keeping its state)', () => {
  assert.equal(readValue(afterStore, 'physical', sym('page0') + 8n, 8), { _tag: 'Right', right: 0x1234n })
  // Spike's reset vector starts with auipc t0, 0 (0x00000297).
  assert.equal(readValue(afterStore, 'physical', 0x1000n, 4), { _tag: 'Right', right: 0x297n })
  assert.ok(isLeft(readMemory(afterStore, 'physical', 0x10_0000n, 1)))
})

test('M-mode reads are physical in the current space; guest spaces need H', () => {
  const m0 = sv39.machine
  assert.equal(physicalAddress(m0, 'current', 0x8000_0000n), { _tag: 'Right', right: 0x8000_0000n })
  assert.ok(isLeft(readMemory(m0, 'guest', 0n, 1)))
  assert.ok(isLeft(readMemory(m0, 'guest-physical', 0n, 1)))
})

test('H chapter "Two-Stage Address Translation": the guest space reads GVA → VS-stage → GPA → G-stage → PA (hyp CASE 4 stored through GVA 0x40000008)', () => {
  const hyp = loadGolden('hyp', 'rv64imah_zicsr')
  const atGuest = runTo(hyp.elf, hyp.machine, 'guest')
  const gpage0 = hyp.elf.symbols.get('gpage0')!.value
  // vl0[0] maps GVA 0x40000000 → GPA 0x1_0000_0000; gl0[0] maps that GPA → gpage0.
  assert.equal(physicalAddress(atGuest, 'guest', 0x4000_0008n), { _tag: 'Right', right: gpage0 + 8n })
  assert.equal(physicalAddress(atGuest, 'guest-physical', 0x1_0000_0008n), { _tag: 'Right', right: gpage0 + 8n })
  assert.equal(readValue(atGuest, 'guest', 0x4000_0008n, 8), { _tag: 'Right', right: 0x8000_0000_fedc_ba98n })
  // In the guest (V = 1) the current space is the guest's.
  assert.is(atGuest.hart.virt, true)
  assert.equal(readValue(atGuest, 'current', 0x4000_0008n, 8), { _tag: 'Right', right: 0x8000_0000_fedc_ba98n })
  assert.is(privRegister(atGuest.hart), 5n)                  // VS: priv 1, V (bit 2)
})

test('a debugger write goes through the same translation and leaves the old machine as it was', () => {
  const w = writeMemory(atKernel, 'host', 0x4000_0000n, new Uint8Array([0xaa]))
  assert.ok(isRight(w))
  if (isRight(w)) assert.equal(readValue(w.right, 'physical', sym('page0'), 1), { _tag: 'Right', right: 0xaan })
  assert.equal(readValue(atKernel, 'physical', sym('page0'), 1), { _tag: 'Right', right: 0n })
})

test('CSRs by number: satp as sv39 CASE 1 wrote it (Sv39 mode 8, PPN of root); a missing CSR is an error', () => {
  assert.equal(readCsr(atKernel, 0x180), { _tag: 'Right', right: (8n << 60n) | (sym('root') >> 12n) })
  assert.ok(isLeft(readCsr(atKernel, 0x280)))               // vsatp: no H on rv64ima_zicsr
  assert.is(csrName(0x3b2), 'pmpaddr2')
  assert.is(csrNumber('mstatus'), 0x300)
  assert.ok(implementedCsrs(atKernel.isa).includes(0x300))
  assert.not.ok(implementedCsrs(atKernel.isa).includes(0x680))
  const w = writeCsr(atKernel, 0x340, 0x55n)
  assert.ok(isRight(w))
  if (isRight(w)) assert.equal(readCsr(w.right, 0x340), { _tag: 'Right', right: 0x55n })
  assert.ok(isLeft(writeCsr(atKernel, 0xf14, 1n)))          // mhartid is read-only
})

test('Debug spec "Virtual Debug Registers": priv holds the privilege in bits 1:0 and V in bit 2', () => {
  assert.is(privRegister(atKernel.hart), 1n)
  assert.is(privRegister(sv39.machine.hart), 3n)
  assert.equal(decodePrivRegister(5n, atKernel.isa), undefined)      // V without H
  assert.equal(decodePrivRegister(2n, atKernel.isa), undefined)      // reserved
  assert.equal(decodePrivRegister(0n, atKernel.isa), { priv: 0, virt: false })
})

test('gABI "Symbol Table": symbols resolve to st_value, with offsets; unknown names are errors', () => {
  assert.equal(resolveAddress(sv39.elf, 'page0+8'), { _tag: 'Right', right: sym('page0') + 8n })
  assert.equal(resolveAddress(sv39.elf, '0x4000_0000'), { _tag: 'Right', right: 0x4000_0000n })
  assert.ok(isLeft(resolveAddress(sv39.elf, 'no_such_symbol')))
  assert.ok(isLeft(resolveAddress(sv39.elf, 'page0+zz')))
  assert.is(symbolText(sv39.elf, sym('kernel') + 4n), 'kernel+0x4')
})

test('hexDump: 16 bytes a line with the printable ASCII', () => {
  assert.is(hexDump(0x10n, new Uint8Array([0x41, 0x00])), '0x0000000000000010: 41 00  |A.|\n')
})

test.run()
