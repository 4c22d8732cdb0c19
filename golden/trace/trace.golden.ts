// The golden JSONL trace of golden/programs/hyp.elf (two-stage translation, guest-page faults, virtual
// instructions): memvirt's trace must equal hyp.jsonl byte for byte, and hyp.jsonl itself is checked
// against Spike (riscv-isa-sim 55b4658, `spike -l --log-commits`, hyp.spike-l.txt; see make.sh):
//   - its retired records, written in Spike's commit-log format, are Spike's commit lines, in order;
//   - its trap records are Spike's exception lines (name, epc, tval), each after as many retired
//     instructions as Spike's.
// What Spike does not print (GPA and PA of accesses, load values, htval/htinst, the target mode, the TLB
// counts) is checked by spec/trace/two-stage.spec.ts and by the program itself (it reads htval/htinst).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { parseElf } from '../../src/elf/elf.ts'
import { parseIsa } from '../../src/cpu/isa.ts'
import { loadMachine } from '../../src/machine/machine.ts'
import { run } from '../../src/machine/engine/run.ts'
import { type RetiredRecord, type TraceRecord, type TrapRecord, decodeTraceLine, encodeTraceLine } from '../../src/trace/jsonl.ts'

const here = (name: string): URL => new URL(name, import.meta.url)
const ISA = 'rv64imah_zicsr'   // golden/programs/programs.json
const golden = readFileSync(here('hyp.jsonl'), 'utf8')
const spikeLog = readFileSync(here('hyp.spike-l.txt'), 'utf8').split('\n').slice(0, -1)

const records: TraceRecord[] = golden.split('\n').slice(0, -1).map((line, i) => {
  const r = decodeTraceLine(line)
  if (r._tag === 'Left') throw new Error(`hyp.jsonl line ${i + 1}: ${r.left}`)
  return r.right
})

test('memvirt run --trace of hyp.elf equals hyp.jsonl byte for byte', () => {
  const isa = parseIsa(ISA)
  const elf = parseElf(new Uint8Array(readFileSync(here('../programs/hyp.elf'))))
  if (isa._tag === 'Left' || elf._tag === 'Left') throw new Error('cannot load hyp.elf')
  const m = loadMachine(isa.right, elf.right)
  if (m._tag === 'Left') throw new Error(m.left.message)
  let trace = ''
  let order = 0
  const r = run(m.right, { maxSteps: 50_000 }, { event: (ev) => { trace += encodeTraceLine(ev, ++order) } })
  assert.is(r.machine.htif.exitCode, 0)
  assert.fixture(trace, golden)
})

// ---- hyp.jsonl against Spike ------------------------------------------------------------------------

const h16 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0')

/**
 * A retired record in Spike's commit-log format (riscv-isa-sim execute.cc, commit_log_print_insn):
 * register items ordered by (number << 4 | kind), x registers kind 0 with the name padded to 3, CSRs
 * kind 4; then loads (`mem va`), then stores (`mem va data`, data as wide as the access).
 */
const asSpike = (r: RetiredRecord): string => {
  const regs = [
    ...r.x.map((w) => ({ key: w.reg << 4, text: `${`x${w.reg}`.padEnd(3)} ${h16(w.value)}` })),
    ...r.csrs.map((c) => ({ key: (c.csr << 4) | 4, text: `c${c.csr}_${c.name} ${h16(c.value)}` })),
  ].sort((a, b) => a.key - b.key)
  const mems = [...r.loads.map((a) => `mem ${h16(a.va)}`), ...r.stores.map((a) => `mem ${h16(a.va)} 0x${a.value.toString(16).padStart(2 * a.size, '0')}`)]
  const head = `core   0: ${r.priv} ${h16(r.pc)} (0x${r.insn.toString(16).padStart(2 * r.len, '0')})`
  return [head, ...regs.map((x) => x.text), ...mems].join(' ')
}

const spikeCommits = spikeLog.filter((l) => /^core {3}0: [0-3] 0x/.test(l))

test('hyp.spike-l.txt has the same commit lines as golden/programs/hyp.spike.commits (Spike without -l)', () => {
  assert.equal(spikeCommits, readFileSync(here('../programs/hyp.spike.commits'), 'utf8').split('\n').slice(0, -1))
})

test('the retired records of hyp.jsonl, in Spike\'s format, are Spike\'s commit lines', () => {
  const retired = records.filter((r): r is RetiredRecord => r.kind === 'retired')
  assert.is(retired.length, spikeCommits.length)
  assert.equal(retired.map(asSpike), spikeCommits)
})

// Spike's exception names (riscv-isa-sim riscv/trap.h, DECLARE_TRAP), for the causes hyp.elf takes.
const SPIKE_TRAP_NAMES: ReadonlyMap<number, string> = new Map([
  [9, 'supervisor_ecall'], [10, 'virtual_supervisor_ecall'], [13, 'load_page_fault'],
  [21, 'load_guest_page_fault'], [22, 'virtual_instruction'], [23, 'store_guest_page_fault'],
])
// Spike prints no tval line for the environment calls (trap_t::has_tval is false for them).
const ECALLS = new Set([8, 9, 10, 11])

interface Exception { readonly after: number; readonly name: string; readonly epc: string; readonly tval: string | undefined }

/** Spike's exception lines with the number of commit lines before each. */
const spikeExceptions = (): Exception[] => {
  const out: Exception[] = []
  let retired = 0
  spikeLog.forEach((line, i) => {
    if (/^core {3}0: [0-3] 0x/.test(line)) retired++
    const m = /^core {3}0: exception trap_(\w+), epc (0x[0-9a-f]{16})$/.exec(line)
    if (m === null) return
    const t = /^core {3}0: {11}tval (0x[0-9a-f]{16})$/.exec(spikeLog[i + 1] ?? '')
    out.push({ after: retired, name: m[1]!, epc: m[2]!, tval: t?.[1] })
  })
  return out
}

/** hyp.jsonl's trap records in the same terms. */
const traceExceptions = (): Exception[] => {
  const out: Exception[] = []
  let retired = 0
  for (const r of records) {
    if (r.kind === 'retired') retired++
    if (r.kind !== 'trap') continue
    const t: TrapRecord = r
    assert.not.ok(t.interrupt, `hyp.elf takes no interrupt (order ${t.order})`)
    out.push({ after: retired, name: SPIKE_TRAP_NAMES.get(t.cause) ?? `cause ${t.cause}`, epc: h16(t.pc), tval: ECALLS.has(t.cause) ? undefined : h16(t.tval) })
  }
  return out
}

test('the trap records of hyp.jsonl are Spike\'s exceptions: name, epc, tval, and where they fall', () => {
  const spike = spikeExceptions()
  assert.is(spike.length, 10)
  assert.equal(traceExceptions(), spike)
})

test('hyp.jsonl has no wait records and numbers its records 1, 2, 3, …', () => {
  assert.ok(records.every((r) => r.kind !== 'wait'))
  assert.equal(records.map((r) => r.order), records.map((_, i) => i + 1))
})

test.run()
