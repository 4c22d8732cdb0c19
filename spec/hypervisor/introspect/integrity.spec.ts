// The integrity monitor: watch arguments, the fingerprint, and the reports of a change (which region, at
// which step, by which pc, in which mode, old and new). Expected values from golden/programs/sv39.S,
// htif.S (the host's answer to its write system call) and the FNV-1a test vectors (Fowler, Noll, Vo:
// FNV-1a 64-bit of "" and "a").
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft, isRight } from '../../../src/bits/either.ts'
import { step } from '../../../src/machine/step.ts'
import { type Baseline, type Change, UNMAPPED, baselines, changeText, check, fnv1a64, onWrite, parseWatch } from '../../../src/hypervisor/introspect/integrity.ts'
import { type Machine } from '../../../src/machine/machine.ts'
import { type Elf } from '../../../src/elf/elf.ts'
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
    const c = onWrite(bs, r.event, m, r.machine, i)
    m = r.machine
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

/** The on-write reports of a run of `n` steps from `m0` watching `args`. */
const onWriteRun = (elf: Elf, m0: Machine, args: readonly string[], n: number): Change[] => {
  const ws = args.map((a) => { const w = parseWatch(elf, m0.isa, a); if (isLeft(w)) throw new Error(w.left.message); return w.right })
  const b0 = baselines(m0, ws)
  if (isLeft(b0)) throw new Error(b0.left.message)
  let bs = b0.right, m = m0
  const out: Change[] = []
  for (let i = 1; i <= n && m.htif.exitCode === undefined; i++) {
    const r = step(m)
    const c = onWrite(bs, r.event, m, r.machine, i)
    bs = c.baselines
    out.push(...c.changes)
    m = r.machine
  }
  return out
}
const le64 = (v: number): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true)
  return b
}

test('--on-write sees HTIF\'s DMA: htif.S\'s write(1, message, 13) — the hart stores 64 (SYS_WRITE) into the request block, the host answers 13 there and in fromhost at the ECALL\'s chunk end', () => {
  const htif = loadGolden('htif', 'rv64ima_zicsr')
  const reports = onWriteRun(htif.elf, htif.machine, ['request:8', 'fromhost:8'], 200)
  const request = reports.filter((c) => c.label === 'request:8')
  assert.is(request.length, 2)
  assert.is(request[0]!.by, undefined)                       // sd t0, 0(s0): the hart's store of SYS_WRITE
  assert.is(request[0]!.new, fnv1a64(le64(64)))
  assert.is(request[1]!.by, 'dma')                           // the host's result: 13 bytes written
  assert.is(request[1]!.new, fnv1a64(le64(13)))
  const fromhost = reports.filter((c) => c.label === 'fromhost:8')
  assert.is(fromhost[0]!.by, 'dma')                          // device 0, command 0, payload 1
  assert.is(fromhost[0]!.new, fnv1a64(le64(1)))
  assert.is(fromhost[0]!.step, request[1]!.step)            // the same chunk end
  assert.is(fromhost[1]!.by, undefined)                      // sd zero, 0(s2): the hart clears it
  assert.match(changeText(request[1]!), / by DMA$/)
})

test('va:ADDR:LEN is guest-virtual (VS over G with H, satp without); hva: is satp alone and needs H', () => {
  assert.equal(parseWatch(sv39.elf, isa, 'va:0x40000008:8'), { _tag: 'Right', right: { _tag: 'Region', label: 'va:0x40000008:8', address: 0x4000_0008n, length: 8, space: 'host' } })
  const hyp = loadGolden('hyp', 'rv64imah_zicsr')
  assert.equal(parseWatch(hyp.elf, hyp.machine.isa, 'va:0x40000000:16'), { _tag: 'Right', right: { _tag: 'Region', label: 'va:0x40000000:16', address: 0x4000_0000n, length: 16, space: 'guest' } })
  assert.equal(parseWatch(hyp.elf, hyp.machine.isa, 'hva:0x40000000:16'), { _tag: 'Right', right: { _tag: 'Region', label: 'hva:0x40000000:16', address: 0x4000_0000n, length: 16, space: 'host' } })
  assert.ok(isLeft(parseWatch(sv39.elf, isa, 'hva:0x40000000:16')))
  assert.ok(isLeft(parseWatch(sv39.elf, isa, 'va:0x40000000')))
  assert.ok(isLeft(parseWatch(sv39.elf, isa, 'va:csr:satp')))
})

test('a va: region is read through the tables at each check: sv39\'s VA 0x40000008 is unmapped (PA 0x40000008 is no RAM) until satp is written, then page0+8, where the kernel stores 0x1234', () => {
  const reports = onWriteRun(sv39.elf, sv39.machine, ['va:0x40000008:8'], 200)
  assert.is(reports.length, 2)
  assert.is(reports[0]!.by, 'remap')
  assert.is(reports[0]!.old, UNMAPPED)
  assert.is(reports[0]!.new, fnv1a64(new Uint8Array(8)))    // page0 is zero until the store
  assert.is(reports[1]!.by, undefined)
  assert.is(reports[1]!.pc, sym('kernel') + 16n)
  assert.is(reports[1]!.new, fnv1a64(le64(0x1234)))
  assert.match(changeText(reports[0]!), / hash unmapped → 0x[0-9a-f]{16} remapped$/)
  // the query is side-effect free: the periodic check of the same region agrees and leaves the machine as it was
  const w = parseWatch(sv39.elf, isa, 'va:0x40000008:8')
  if (isLeft(w)) return assert.unreachable(w.left.message)
  const b = baselines(atKernel, [w.right])
  assert.ok(isRight(b) && b.right[0]!.value === fnv1a64(new Uint8Array(8)))
})

test.run()
