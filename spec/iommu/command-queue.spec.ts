// RISC-V IOMMU spec v1.0, "Command-Queue (CQ)" and "Command-queue CSR (cqcsr)": commands fetched at
// cqh while cqh ≠ cqt, illegal commands (cmd_ill), memory faults (cqmf), IOFENCE.C's DATA store and
// WSI, wrap-around. Commands are written as the words worked out in formats.spec.ts.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { processCommands } from '../../src/iommu/command-queue.ts'
import { encodeCommand, type Command } from '../../src/iommu/commands.ts'
import { type Iommu, resetIommu } from '../../src/iommu/iommu.ts'
import { phys } from '../../src/bits/address.ts'
import { peek, type PhysMemory } from '../../src/memory/memory.ts'
import { CQ, OFF, ddtp, program, put, ram } from './fixtures.ts'

/** An IOMMU in 1LVL with an 8-entry command queue at CQ, on (cqen = 1), cie as given. */
const withQueue = (cie = false, caps = EXAMPLE_CAPABILITIES, fctl: bigint = 0n): Iommu =>
  program(resetIommu(caps), [[OFF.fctl, fctl], [OFF.ddtp, ddtp(2)], [OFF.cqb, 2n | ((CQ >> 12n) << 10n)], [OFF.cqcsr, cie ? 3n : 1n]])

const fence = (data = 0, addr = 0n, av = false, wsi = false): Command => ({ kind: 'IOFENCE.C', av, wsi, pr: false, pw: false, data, addr })
/** Writes commands at CQ + 16·(first + i). */
const enqueue = (m: PhysMemory, first: number, words: readonly (readonly [bigint, bigint])[]): PhysMemory =>
  put(m, words.flatMap(([w0, w1], i) => [[CQ + BigInt(16 * (first + i)), w0], [CQ + BigInt(16 * (first + i)) + 8n, w1]] as const))
const tail = (iommu: Iommu, t: number): Iommu => program(iommu, [[OFF.cqt, BigInt(t)]])
const bitOf = (x: bigint, b: number): boolean => ((x >> BigInt(b)) & 1n) === 1n

test('IOFENCE.C with AV = 1 stores DATA (4 bytes) at ADDR[63:2]·4 on completion; cqh advances past it', () => {
  const mem = enqueue(ram, 0, [encodeCommand(fence(0xdeadbeef, 0x8072_0000n, true))])
  const o = processCommands(tail(withQueue(), 1), mem)
  assert.is(peek(o.memory, phys(0x8072_0000n), 4), 0xdeadbeefn)
  assert.is(peek(o.memory, phys(0x8072_0004n), 4), 0n)
  assert.equal(o.writes, [{ addr: 0x8072_0000n, size: 4, value: 0xdeadbeefn, why: 'IOFENCE.C data' }])
  assert.is(o.iommu.regs.cqh, 1n)
})
test('An illegal command sets cmd_ill, leaves cqh on it, and stops processing (the next command is not run)', () => {
  const mem = enqueue(ram, 0, [[5n, 0n], encodeCommand(fence(1, 0x8072_0000n, true))])
  const o = processCommands(tail(withQueue(), 2), mem)
  assert.ok(bitOf(o.iommu.regs.cqcsr, 10)); assert.is(o.iommu.regs.cqh, 0n)
  assert.is(o.writes.length, 0)
  assert.is(o.events[0]!.illegal !== undefined, true)
})
test('After software replaces the command and clears cmd_ill (RW1C), processing resumes at cqh', () => {
  const mem = enqueue(ram, 0, [[5n, 0n], encodeCommand(fence(1, 0x8072_0000n, true))])
  const o = processCommands(tail(withQueue(), 2), mem)
  const fixed = enqueue(o.memory, 0, [encodeCommand(fence())])
  const o2 = processCommands(program(o.iommu, [[OFF.cqcsr, 1n | (1n << 10n)]]), fixed)
  assert.is(o2.iommu.regs.cqh, 2n); assert.is(peek(o2.memory, phys(0x8072_0000n), 4), 1n)
})
test('cmd_ill with cqcsr.cie = 1 sets ipsr.cip', () => {
  const o = processCommands(tail(withQueue(true), 1), enqueue(ram, 0, [[0n, 0n]]))
  assert.is(o.iommu.regs.ipsr & 1n, 1n)
})
test('IOFENCE.C whose DATA store faults sets cqmf and leaves cqh on the fence', () => {
  const o = processCommands(tail(withQueue(), 1), enqueue(ram, 0, [encodeCommand(fence(1, 0x1000_0000n, true))]))
  assert.ok(bitOf(o.iommu.regs.cqcsr, 8)); assert.is(o.iommu.regs.cqh, 0n)
  assert.ok(o.events[0]!.memoryFault)
})
test('A command fetch outside memory sets cqmf', () => {
  const iommu = program(resetIommu(EXAMPLE_CAPABILITIES), [[OFF.cqb, 2n | ((0x1000_0000n >> 12n) << 10n)], [OFF.cqcsr, 1n], [OFF.cqt, 1n]])
  assert.ok(bitOf(processCommands(iommu, ram).iommu.regs.cqcsr, 8))
})
test('IODIR.INVAL_DDT with DV = 1 and a DID wider than 1LVL supports (0x80) is illegal', () => {
  const cmd = encodeCommand({ kind: 'IODIR.INVAL_DDT', pid: 0, dv: true, did: 0x80 })
  assert.ok(bitOf(processCommands(tail(withQueue(), 1), enqueue(ram, 0, [cmd])).iommu.regs.cqcsr, 10))
  const ok = encodeCommand({ kind: 'IODIR.INVAL_DDT', pid: 0, dv: true, did: 0x7f })
  assert.is(processCommands(tail(withQueue(), 1), enqueue(ram, 0, [ok])).iommu.regs.cqh, 1n)
})
test('A command queue that is off (cqen = 0) processes nothing', () => {
  const off = program(tail(withQueue(), 1), [[OFF.cqcsr, 0n]])
  assert.is(processCommands(off, enqueue(ram, 0, [encodeCommand(fence())])).iommu.regs.cqh, 0n)
})
test('cqh wraps: with 8 entries, after index 7 comes index 0', () => {
  const cmds = Array.from({ length: 8 }, () => encodeCommand(fence()))
  const o1 = processCommands(tail(withQueue(), 7), enqueue(ram, 0, cmds))
  assert.is(o1.iommu.regs.cqh, 7n)
  const o2 = processCommands(tail(o1.iommu, 0), o1.memory)
  assert.is(o2.iommu.regs.cqh, 0n)
})
test('IOFENCE.C with WSI = 1 and fctl.WSI = 1 sets cqcsr.fence_w_ip', () => {
  const both = EXAMPLE_CAPABILITIES | (2n << 28n) // IGS = BOTH: fctl.WSI writable
  const o = processCommands(tail(withQueue(false, both, 2n), 1), enqueue(ram, 0, [encodeCommand(fence(0, 0n, false, true))]))
  assert.ok(bitOf(o.iommu.regs.cqcsr, 11)); assert.is(o.iommu.regs.cqh, 1n)
})

test.run()
