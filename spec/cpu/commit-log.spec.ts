// Spike's commit-log line format (riscv/execute.cc, commit_log_print_insn): "core%4d: " then "%1d " priv,
// the pc as 0x%016x, the instruction as 0x%04x / 0x%08x by length, then " x%-2d " / " c%d_%s " items
// (ordered by (reg << 4) | kind), " mem 0x%016x" per load, " mem 0x%016x 0x<width>" per store.
// Expected strings are written by hand from those printf formats.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { NO_TRANSLATIONS, type Retired, type Trapped } from '../../src/cpu/event.ts'
import { commitLine, trapLines } from '../../src/trace/commit-log.ts'
import { trap } from '../../src/cpu/trap.ts'

const retired = (patch: Partial<Retired>): Retired => ({
  _tag: 'Retired', pc: 0x8000_0000n, bits: 0x00000013, length: 4, priv: 3, virt: false,
  rd: 0, rdValue: 0n, csrs: [], loads: [], stores: [], xlate: NO_TRANSLATIONS, ...patch,
})

test('no register item: just the pc and the 8-digit instruction', () => {
  assert.is(commitLine(retired({})), 'core   0: 3 0x0000000080000000 (0x00000013)\n')
})

test('a one-digit register number is padded to two columns ("x5  "), a two-digit one is not', () => {
  assert.is(commitLine(retired({ rd: 5, rdValue: 1n })), 'core   0: 3 0x0000000080000000 (0x00000013) x5  0x0000000000000001\n')
  assert.is(commitLine(retired({ rd: 10, rdValue: 1n })), 'core   0: 3 0x0000000080000000 (0x00000013) x10 0x0000000000000001\n')
})

test('a compressed instruction prints 4 hex digits; VS-mode prints priv 1 (V is not shown)', () => {
  assert.is(commitLine(retired({ bits: 0x4185, length: 2, priv: 1, virt: true })), 'core   0: 1 0x0000000080000000 (0x4185)\n')
})

test('the register item comes before the CSR items, CSRs in ascending number order', () => {
  const line = commitLine(retired({ rd: 13, rdValue: 2n, csrs: [[0x300, 0xan], [0x600, 0x2_0000_0080n]] }))
  assert.is(line, 'core   0: 3 0x0000000080000000 (0x00000013) x13 0x0000000000000002 c768_mstatus 0x000000000000000a c1536_hstatus 0x0000000200000080\n')
})

test('loads print their address only; stores their address and data at the access width; loads first', () => {
  const line = commitLine(retired({ rd: 12, rdValue: 10n, loads: [{ va: 0x8000_3040n, gpa: undefined, pa: 0x8000_3040n, size: 8, value: 3n }], stores: [{ va: 0x8000_3040n, gpa: undefined, pa: 0x8000_3040n, value: 0xfn, size: 4 }] }))
  assert.is(line, 'core   0: 3 0x0000000080000000 (0x00000013) x12 0x000000000000000a mem 0x0000000080003040 mem 0x0000000080003040 0x0000000f\n')
  assert.is(commitLine(retired({ stores: [{ va: 1n, gpa: undefined, pa: 1n, value: 0x7n, size: 1 }] })), 'core   0: 3 0x0000000080000000 (0x00000013) mem 0x0000000000000001 0x07\n')
})

test('a trapping instruction has no commit line; spike -l prints the exception and its tval', () => {
  const ev: Trapped = { _tag: 'Trapped', pc: 0x8000_0034n, bits: 0x00100073, priv: 3, virt: false, trap: trap(3n, 0x8000_0034n), target: 'M', xlate: NO_TRANSLATIONS }
  assert.is(commitLine(ev), '')
  assert.is(trapLines(ev), 'core   0: exception trap_breakpoint, epc 0x0000000080000034\ncore   0:           tval 0x0000000080000034\n')
})

test('ECALL traps carry no tval line', () => {
  const ev: Trapped = { _tag: 'Trapped', pc: 0x10n, bits: 0x73, priv: 3, virt: false, trap: trap(11n), target: 'M', xlate: NO_TRANSLATIONS }
  assert.is(trapLines(ev), 'core   0: exception trap_machine_ecall, epc 0x0000000000000010\n')
})

test.run()
