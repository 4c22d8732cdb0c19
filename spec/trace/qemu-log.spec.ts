// Reading QEMU's `-d in_asm,cpu` log (src/trace/qemu-log.ts) on excerpts of a real log: QEMU 7.2 running
// golden/trace/qemu/demo.elf (make-qemu-log.sh). Expected values worked by hand from demo.S and from
// QEMU's reset state (all registers 0, MTIP pending, mstatus with UXL = SXL = 2).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { type QemuState, qemuStates } from '../../src/trace/qemu-log.ts'

const log = readFileSync(new URL('../../golden/trace/qemu/demo.qemu.txt', import.meta.url), 'utf8').split('\n')
/** Lines first..last (1-based, inclusive) of the real log. */
const excerpt = (first: number, last: number): string[] => log.slice(first - 1, last)
const states = (lines: readonly string[]): ReturnType<typeof qemuStates> extends Generator<infer T> ? T[] : never => [...qemuStates(lines[Symbol.iterator]())]
const ok = (lines: readonly string[]): QemuState[] => states(lines).map((s) => {
  if (s._tag === 'Left') throw new Error(`line ${s.left.line}: ${s.left.message}`)
  return s.right
})

test('the first block: an IN: block (Priv line, disassembly) is skipped; the state before 0x1000 is read', () => {
  const [s, ...rest] = ok(excerpt(1, 41))
  assert.is(rest.length, 0)
  assert.is(s!.line, 7)                                  // the " pc" line
  assert.is(s!.pc, 0x1000n)
  assert.equal(s!.x, new Array<bigint>(32).fill(0n))
  assert.is(s!.csrs.get('mip'), 0x80n)                   // MTIP pending from reset
  assert.is(s!.csrs.get('mstatus'), 0xa_0000_0000n)      // UXL = SXL = 2 (64-bit)
  assert.is(s!.csrs.get('V'), 0n)
})

test('a re-executed block prints its state without IN: (the loop of demo.S, second pass)', () => {
  // Lines 657..728: the states before `add a2, a2, s0` (0x8000001c) and `addi s0, s0, -1` (0x80000020).
  const [a, b] = ok(excerpt(657, 728))
  assert.is(a!.pc, 0x8000_001cn)
  assert.is(a!.x[12], 35n + 3n)                          // a2 = 5 * 7, plus s0 = 3 on the first pass
  assert.is(a!.x[8], 2n)                                 // s0 counted down once
  assert.is(a!.x[5], 0x8000_0054n)                       // t0 = handler
  assert.is(b!.pc, 0x8000_0020n)
  assert.is(b!.x[12], 35n + 3n + 2n)
})

test('the whole log: one state per instruction QEMU executed, the boot ROM\'s six first', () => {
  const all = ok(log)
  assert.equal(all.slice(0, 7).map((s) => s.pc), [0x1000n, 0x1004n, 0x1008n, 0x100cn, 0x1010n, 0x1014n, 0x8000_0000n])
  // demo.S from _start: 7 (la is 2) + 3 loop passes of 3 + la (2), sd, ld, ecall + handler 5 + addi, li, la (2), sd = 31
  assert.is(all.length - 6, 31)
})

test('a line of no known kind is an error naming its line', () => {
  const r = states([...excerpt(1, 10), 'hello'])
  assert.is(r.length, 1)
  const e = r[0]!
  assert.ok(e._tag === 'Left' && e.left.line === 11)
})

test('a log that ends inside a state (before x31) is an error', () => {
  const r = states(excerpt(1, 38))
  assert.is(r.length, 1)
  assert.is(r[0]!._tag, 'Left')
})

test.run()
