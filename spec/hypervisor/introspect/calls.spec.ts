// Call tracing over the step stream: entries with a0–a7 (psABI "Integer Calling Convention"), returns by
// the ra held at entry, traps. A hand-assembled program (encodings worked from the ISA manual's formats)
// and golden/programs/sv39.S (CASE 3: a store to a read-only page traps with cause 15, tval VA + 0x1010).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { none } from 'fp-ts/lib/Option.js'
import { type Elf, type ElfSymbol } from '../../../src/elf/elf.ts'
import { parseIsa } from '../../../src/cpu/isa.ts'
import { type Machine, loadMachine } from '../../../src/machine/machine.ts'
import { step } from '../../../src/machine/step.ts'
import { type CallEvent, callJson, callText, callTracer, traceStep } from '../../../src/hypervisor/introspect/calls.ts'
import { loadGolden } from './programs.ts'

const words = [
  0x00500513,   // 0x00: addi a0, zero, 5
  0x00c000ef,   // 0x04: jal ra, f (+12)
  0x00050593,   // 0x08: addi a1, a0, 0
  0x0000006f,   // 0x0c: jal zero, 0 (spin)
  0x00150513,   // 0x10: f: addi a0, a0, 1
  0x00008067,   // 0x14: jalr zero, 0(ra) (ret)
]
const data = new Uint8Array(new Uint32Array(words).buffer)
const sym = (name: string, value: bigint): ElfSymbol => ({ name, value, size: 8n, type: 2, bind: 1, shndx: 1 })
const elf: Elf = {
  entry: 0x8000_0000n, flags: 0,
  segments: [{ vaddr: 0x8000_0000n, paddr: 0x8000_0000n, filesz: BigInt(data.length), memsz: BigInt(data.length), flags: 5, data, headerOffset: 64 }],
  symbols: new Map([['f', sym('f', 0x8000_0010n)], ['_start', { ...sym('_start', 0x8000_0000n), type: 0 }]]),
  tohost: none, fromhost: none,
}

const trace = (m0: Machine, names: readonly string[], e: Elf, n: number): CallEvent[] => {
  const t0 = callTracer(e, names)
  if (t0._tag === 'Left') throw new Error(t0.left.message)
  let t = t0.right
  let m = m0
  const out: CallEvent[] = []
  for (let i = 1; i <= n; i++) {
    const r = step(m)
    const s = traceStep(t, m, r.event, r.machine, i)
    t = s.tracer
    out.push(...s.events)
    m = r.machine
  }
  return out
}

const isa = parseIsa('rv64imac_zicsr')
const m0 = isa._tag === 'Right' ? loadMachine(isa.right, elf) : undefined

test('psABI calling convention: an entry carries a0–a7 and ra; the return is found at ra, with a0 the result', () => {
  if (m0 === undefined || m0._tag === 'Left') return assert.unreachable('load')
  const events = trace(m0.right, [], elf, 20)                   // no names: every STT_FUNC symbol (f)
  const entry = events.find((e) => e._tag === 'Entry')
  const ret = events.find((e) => e._tag === 'Return')
  assert.ok(entry !== undefined && entry._tag === 'Entry')
  if (entry?._tag !== 'Entry' || ret?._tag !== 'Return') return
  assert.is(entry.symbol, 'f')
  assert.is(entry.args[0], 5n)
  assert.is(entry.args.length, 8)
  assert.is(entry.ra, 0x8000_0008n)
  assert.is(ret.symbol, 'f')
  assert.is(ret.value, 6n)
  assert.is(ret.pc, 0x8000_0008n)
  assert.is(ret.step, entry.step + 1)                           // addi, then ret returns
  assert.is(events.filter((e) => e._tag === 'Entry').length, 1)
  // a1 = 0x1020: Spike's reset vector sets a1 = its device-tree address (auipc t0, 0; addi a1, t0, 32)
  assert.match(callText(entry), /^step \d+ M-mode call f\(a0=0x5, a1=0x1020, a2=0x0, .*a7=0x0\) ra 0x80000008 sp 0x0$/)
  assert.equal(JSON.parse(callJson(ret)), { event: 'return', step: ret.step, mode: 'M', symbol: 'f', pc: '0x80000008', a0: '0x6', sp: '0x0' })
})

test('traps are events of the trace: sv39 CASE 3 stores to a read-only page, cause 15 with tval 0x40001010, taken to S', () => {
  const sv39 = loadGolden('sv39', 'rv64ima_zicsr')
  const events = trace(sv39.machine, ['kernel'], sv39.elf, 200)
  assert.ok(events.some((e) => e._tag === 'Entry' && e.symbol === 'kernel' && e.mode === 'S'))
  const t = events.find((e) => e._tag === 'Trap')
  assert.ok(t !== undefined && t._tag === 'Trap' && t.cause === 15n && t.tval === 0x4000_1010n && t.target === 'S' && t.mode === 'S')
})

test('unknown symbols are an error; an ELF without function symbols needs names', () => {
  assert.is(callTracer(elf, ['nosuch'])._tag, 'Left')
  const sv39 = loadGolden('sv39', 'rv64ima_zicsr')
  assert.is(callTracer(sv39.elf, [])._tag, 'Left')
})

test.run()
