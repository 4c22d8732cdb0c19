// golden/programs/iommu_dma.S on the IOMMU platform (`memvirt run --iommu`, src/iommu/platform/): the
// program checks itself and must exit with 0; the run's commit log and final memory are then compared
// with values worked by hand from the RISC-V IOMMU spec (in the program's comments and below). Spike
// has no IOMMU, so no reference log exists: the whole log is compared with
// programs/iommu_dma.memvirt-regression.commits, a REGRESSION SNAPSHOT of memvirt's own output (it
// catches changes, it does not prove correctness; the hand-worked checks above it do that).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { phys } from '../src/bits/address.ts'
import { peek } from '../src/memory/memory.ts'
import { parseElf } from '../src/elf/elf.ts'
import { parseIsa } from '../src/cpu/isa.ts'
import { type Machine, loadMachine } from '../src/machine/machine.ts'
import { run } from '../src/machine/engine/run.ts'
import { commitLine } from '../src/trace/commit-log.ts'
import { CommitLogWriter } from '../src/trace/engine/commit-log-writer.ts'
import { DMA_ERROR } from '../src/machine/devices/dma-engine.ts'
import { ioPlatformOf, withIommuPlatform } from '../src/iommu/platform/platform.ts'
import type { Translator } from '../src/iommu/platform/iommu-port.ts'
import { DEFAULT_OPTIONS } from '../src/iommu/iommu.ts'
import { translateFast } from '../src/iommu/engine/translate-fast.ts'

const DIR = new URL('./programs/', import.meta.url)

const load = (translator?: Translator): Machine => {
  const isa = parseIsa('rv64ima_zicsr')
  const elf = parseElf(new Uint8Array(readFileSync(new URL('iommu_dma.elf', DIR))))
  if (isa._tag === 'Left' || elf._tag === 'Left') throw new Error('iommu_dma: cannot load')
  const m = loadMachine(isa.right, elf.right)
  if (m._tag === 'Left') throw new Error(m.left.message)
  return withIommuPlatform(m.right, DEFAULT_OPTIONS, translator)
}

let log = ''
const result = run(load(), { maxSteps: 50_000 }, { event: (ev) => { log += commitLine(ev) } })
const lines = log.trimEnd().split('\n')
const dw = (a: bigint): bigint => peek(result.machine.memory, phys(a), 8)

/** The value the load at `pa` wrote to its register, from the commit log (`x10 0x… mem 0x<pa>`). */
const loaded = (pa: bigint): bigint[] => lines
  .map((l) => / x\d+ +0x([0-9a-f]{16}) mem 0x([0-9a-f]{16})$/.exec(l))
  .filter((m): m is RegExpExecArray => m !== null && BigInt(`0x${m[2]}`) === pa)
  .map((m) => BigInt(`0x${m[1]}`))

test('iommu_dma passes its own checks: HTIF exit code 0, the last line the store to tohost', () => {
  assert.is(result.machine.htif.exitCode, 0)
  assert.ok(lines.at(-1)!.endsWith(' mem 0x0000000080001000 0x0000000000000001'), lines.at(-1))
})

test('without --iommu nothing answers at 0x3001_0000: the first register read traps (unexpected: exit 0x101)', () => {
  const isa = parseIsa('rv64ima_zicsr')
  const elf = parseElf(new Uint8Array(readFileSync(new URL('iommu_dma.elf', DIR))))
  if (isa._tag === 'Left' || elf._tag === 'Left') throw new Error('cannot load')
  const m = loadMachine(isa.right, elf.right)
  if (m._tag === 'Left') throw new Error(m.left.message)
  assert.is(run(m.right, { maxSteps: 50_000 }).machine.htif.exitCode, 0x101)
})

test('the bytes copied: each device\'s 32 bytes in its own guest\'s page (GPA 0x2000 of guest 1 = 0x8040_2000, of guest 2 = 0x8050_2000)', () => {
  assert.equal([0n, 8n, 16n, 24n].map((o) => dw(0x8040_2000n + o)), [0x1111111111111111n, 0x1111111111111112n, 0x1111111111111113n, 0x1111111111111114n])
  assert.equal([0n, 8n, 16n, 24n].map((o) => dw(0x8050_2000n + o)), [0x2222222222222221n, 0x2222222222222222n, 0x2222222222222223n, 0x2222222222222224n])
})

test('the rogue DMA: the engine shows error at IOVA 0x8040_1000 with nothing copied; one record, fqt = 1, software moved fqh to 1', () => {
  const io = ioPlatformOf(result.machine)!
  assert.is(io.dma.status, DMA_ERROR)
  assert.is(io.dma.faultAddr, 0x8040_1000n)
  assert.is(io.dma.copied, 0n)
  assert.is(io.iommu.regs.fqt, 1n)
  assert.is(io.iommu.regs.fqh, 1n)
})

test('"Fault/Event-Queue (FQ)": the record at fqb, as the program read it back — CAUSE 21, TTYP 2, DID 2, iotval = iotval2 = 0x8040_1000', () => {
  // dw0 = CAUSE 21 | TTYP 2 (untranslated read) << 34 | DID 2 << 40; PV = PRIV = PID = 0 (no process_id).
  const record = [0x0000_0208_0000_0015n, 0n, 0x8040_1000n, 0x8040_1000n]
  assert.equal([0n, 8n, 16n, 24n].map((o) => loaded(0x8070_0000n + o)), record.map((v) => [v]))
  assert.equal([0n, 8n, 16n, 24n].map((o) => dw(0x8070_0000n + o)), record)
})

test('register reads through the bus: capabilities 0x1f8_270e_8e10 (8 bytes, then 4 + 4), ddtp 0x2004_0002, IOFENCE.C data 0xc0ffee', () => {
  assert.equal(loaded(0x3001_0000n), [0x1f8_270e_8e10n, 0x270e_8e10n])
  assert.equal(loaded(0x3001_0004n), [0x1f8n])
  assert.equal(loaded(0x3001_0010n), [0x2004_0002n])
  assert.equal(loaded(0x8061_0000n), [0xc0ffeen])
})

test('the whole commit log equals the regression snapshot (memvirt\'s own output, not a reference)', () => {
  assert.fixture(log, readFileSync(new URL('iommu_dma.memvirt-regression.commits', DIR), 'utf8'))
})

test('`memvirt run --iommu --log-commits` (the byte writer) writes the same log', () => {
  const parts: Buffer[] = []
  const writer = new CommitLogWriter((b, n) => parts.push(Buffer.from(b.subarray(0, n))))
  run(load(), { maxSteps: 50_000 }, { commits: writer })
  writer.flush()
  assert.fixture(Buffer.concat(parts).toString('latin1'), log)
})

test('with the translation engine (translateFast, as `run --iommu` uses it) the commit log and final memory are the same', () => {
  let fast = ''
  const r = run(load(translateFast), { maxSteps: 50_000 }, { event: (ev) => { fast += commitLine(ev) } })
  assert.fixture(fast, log)
  for (const a of [0x8040_2000n, 0x8050_2000n, 0x8061_0000n]) assert.is(peek(r.machine.memory, phys(a), 8), dw(a))
})

test.run()
