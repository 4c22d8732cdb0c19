// The integrity monitor: watch arguments, the fingerprint, and the reports of a change (which region, at
// which step, by which pc, in which mode, old and new). Expected values from golden/programs/sv39.S and
// the FNV-1a test vectors (Fowler, Noll, Vo: FNV-1a 64-bit of "" and "a").
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft, isRight } from '../../../src/bits/either.ts'
import { step } from '../../../src/machine/step.ts'
import { type Baseline, baselines, changeText, check, fnv1a64, onWrite, parseWatch } from '../../../src/hypervisor/introspect/integrity.ts'
import { loadGolden, runTo } from './programs.ts'

const sv39 = loadGolden('sv39', 'rv64ima_zicsr')
const sym = (name: string): bigint => sv39.elf.symbols.get(name)!.value
const atKernel = runTo(sv39.elf, sv39.machine, 'kernel')
const isa = sv39.machine.isa

test('FNV-1a 64-bit test vectors: "" → 0xcbf29ce484222325, "a" → 0xaf63dc4c8601ec8c', () => {
  assert.is(fnv1a64(new Uint8Array()), 0xcbf29ce484222325n)
  assert.is(fnv1a64(Uint8Array.of(0x61)), 0xaf63dc4c8601ec8cn)
})

test('watch arguments: csr:NAME, SYMBOL:LEN, ADDR:LEN; a symbol without a size or length, unknown names and bad lengths are errors', () => {
  assert.equal(parseWatch(sv39.elf, isa, 'csr:satp'), { _tag: 'Right', right: { _tag: 'Csr', label: 'csr:satp', csr: 0x180 } })
  assert.equal(parseWatch(sv39.elf, isa, 'page0:16'), { _tag: 'Right', right: { _tag: 'Region', label: 'page0:16', address: sym('page0'), length: 16 } })
  assert.equal(parseWatch(sv39.elf, isa, '0x80004000:8'), { _tag: 'Right', right: { _tag: 'Region', label: '0x80004000:8', address: 0x8000_4000n, length: 8 } })
  assert.ok(isLeft(parseWatch(sv39.elf, isa, 'page0')))               // an assembler label has st_size 0
  assert.ok(isLeft(parseWatch(sv39.elf, isa, 'csr:vsatp')))           // no H
  assert.ok(isLeft(parseWatch(sv39.elf, isa, 'nosuch:8')))
  assert.ok(isLeft(parseWatch(sv39.elf, isa, 'page0:0')))
  assert.ok(isLeft(parseWatch(sv39.elf, isa, 'page0:zz')))
  assert.ok(isLeft(parseWatch(sv39.elf, isa, '0x80004000')))
})

const watchedPage0 = (): readonly Baseline[] => {
  const w = parseWatch(sv39.elf, isa, 'page0:16')
  if (isLeft(w)) throw new Error(w.left.message)
  const b = baselines(atKernel, [w.right])
  if (isLeft(b)) throw new Error(b.left.message)
  return b.right
}

test('--on-write: the store into the region is reported at once, by its pc (sd at kernel+16), in S-mode, old and new hash', () => {
  let m = atKernel
  let bs = watchedPage0()
  const reports = []
  for (let i = 1; i <= 6; i++) {
    const r = step(m)
    m = r.machine
    const c = onWrite(bs, r.event, m, i)
    bs = c.baselines
    reports.push(...c.changes)
  }
  assert.is(reports.length, 1)
  const c = reports[0]!
  assert.is(c.step, 5)
  assert.is(c.pc, sym('kernel') + 16n)
  assert.is(c.mode, 'S')
  const zeros = new Uint8Array(16)
  const stored = new Uint8Array(16)
  stored[8] = 0x34; stored[9] = 0x12
  assert.is(c.old, fnv1a64(zeros))
  assert.is(c.new, fnv1a64(stored))
  assert.match(changeText(c), /^step 5 pc 0x[0-9a-f]{16} S-mode page0:16 hash 0x[0-9a-f]{16} → 0x[0-9a-f]{16}$/)
})

test('periodic checks report a change once, with where the hart is at the check; CSRs by value', () => {
  const satp = parseWatch(sv39.elf, isa, 'csr:satp')
  if (isLeft(satp)) return assert.unreachable(satp.left.message)
  const bs0 = baselines(sv39.machine, [satp.right])
  assert.ok(isRight(bs0))
  if (!isRight(bs0)) return
  const first = check(bs0.right, atKernel, 100)
  assert.is(first.changes.length, 1)
  assert.is(first.changes[0]!.old, 0n)
  assert.is(first.changes[0]!.new, (8n << 60n) | (sym('root') >> 12n))
  assert.is(first.changes[0]!.pc, sym('kernel'))
  assert.equal(check(first.baselines, atKernel, 200).changes, [])
})

test.run()
