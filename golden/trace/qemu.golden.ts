// memvirt against a real QEMU log (golden/trace/qemu/demo.qemu.txt, written by QEMU 7.2 on its `spike`
// machine: make-qemu-log.sh): from the ELF's entry on, every instruction leads both to the same next pc
// and x registers. Altered copies of QEMU's log show what `check --format qemu` reports.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { parseElf } from '../../src/elf/elf.ts'
import { parseIsa } from '../../src/cpu/isa.ts'
import { type Machine, loadMachine } from '../../src/machine/machine.ts'
import { firstDivergenceQemu, modelStates } from '../../src/trace/check-qemu.ts'

const DIR = new URL('./qemu/', import.meta.url)
const log = readFileSync(new URL('demo.qemu.txt', DIR), 'utf8').split('\n')
const elf = parseElf(new Uint8Array(readFileSync(new URL('demo.elf', DIR))))
const isa = parseIsa('rv64im_zicsr')
if (elf._tag === 'Left' || isa._tag === 'Left') throw new Error('cannot load demo.elf')
const loaded = loadMachine(isa.right, elf.right)
if (loaded._tag === 'Left') throw new Error(loaded.left.message)
const m: Machine = loaded.right
const ENTRY = 0x8000_0000n
const check = (lines: readonly string[]) => firstDivergenceQemu(modelStates(m, 10_000), lines[Symbol.iterator](), ENTRY)

/** The log with line `n` (1-based) replaced by `f(line)`. */
const altered = (n: number, f: (line: string) => string): string[] => log.map((l, i) => (i === n - 1 ? f(l) : l))
const lineOf = (text: string, from = 0): number => log.indexOf(text, from) + 1

test('QEMU\'s log of demo.elf: no divergence in the 30 instructions from the entry to the store to tohost', () => {
  // 31 instructions from the entry (spec/trace/qemu-log.spec.ts); the last, the store to tohost, ends
  // both runs, so it has no state after it to compare.
  assert.equal(check(log), { _tag: 'NoDivergence', instructions: 30, end: { reason: 'exit', steps: 36 } })
})

test('a register QEMU reports otherwise after `mul a2, a0, a1` (instruction 6 from the entry): x12 differs there', () => {
  const pcLine = lineOf(' pc       0000000080000018')           // the state after the mul
  const a2Line = pcLine + 30                                     // its x12 line
  assert.match(log[a2Line - 1]!, ' x12/a2   0000000000000023')   // 5 * 7 = 35
  const r = check(altered(a2Line, (l) => l.replace('x12/a2   0000000000000023', 'x12/a2   0000000000000024')))
  assert.is(r._tag, 'Divergence')
  if (r._tag !== 'Divergence') return
  assert.is(r.instruction, 6)
  assert.is(r.pc, '0x0000000080000014')
  assert.is(r.dutLine, pcLine)
  assert.equal(r.diffs, [{ item: 'x12', expected: '0x0000000000000023', found: '0x0000000000000024' }])
})

test('a next pc that differs (QEMU after the ecall somewhere else than the handler) is a pc divergence', () => {
  const pcLine = lineOf(' pc       0000000080000054')           // the handler's first instruction
  const r = check(altered(pcLine, () => ' pc       0000000080000058'))
  assert.is(r._tag, 'Divergence')
  if (r._tag !== 'Divergence') return
  assert.is(r.pc, '0x0000000080000038')                          // the ecall
  assert.equal(r.diffs[0], { item: 'pc', expected: '0x0000000080000054', found: '0x0000000080000058' })
})

test('registers the two boot ROMs leave different (a1, a2) are not compared until written', () => {
  // At the entry QEMU has a2 = 0x1028 (its ROM's addi a2, t0, 40), Spike's ROM leaves a2 = 0.
  const entryLine = lineOf(' pc       0000000080000000')
  assert.match(log[entryLine + 29]!, ' x12/a2   0000000000001028')   // line entryLine + 30
  assert.is(check(log)._tag, 'NoDivergence')
})

test('a log that stops early ends the check with the model\'s next instruction', () => {
  const cut = lineOf(' pc       0000000080000018') + 34   // keep the state after the mul, drop the rest
  const r = check(log.slice(0, cut))
  assert.is(r._tag, 'LogEnded')
  if (r._tag === 'LogEnded') assert.is(r.instructions, 6)
})

test.run()
