// Laws of call tracing on random psABI programs: a `main` that calls random functions of a random call graph
// (acyclic, plus self-recursive functions with a random depth), non-leaf functions saving ra on a stack frame,
// leaves without one. Encodings from the ISA manual's formats (I, S, B, J, U). Laws: every entry is at its
// symbol's address; each return closes the innermost open entry, at that entry's ra and with its sp; every
// call the program makes (counted from the program's own structure, not from the tracer) is one entry, and
// all of them return; and each entry and return is the same event read back from its JSONL trace record.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { none } from 'fp-ts/lib/Option.js'
import { fc, runs } from '../../fc.ts'
import { type Elf, type ElfSymbol } from '../../../src/elf/elf.ts'
import { parseIsa } from '../../../src/cpu/isa.ts'
import { type Machine, loadMachine } from '../../../src/machine/machine.ts'
import { step } from '../../../src/machine/step.ts'
import { type CallEvent, callText, callTracer, traceStep } from '../../../src/hypervisor/introspect/calls.ts'
import { callEventOf, decodeTraceLine, encodeCallLine } from '../../../src/trace/jsonl.ts'

// ---- encodings (ISA manual, "Base Instruction Formats") -------------------------------------------------
const ZERO = 0, RA = 1, SP = 2, A0 = 10, A2 = 12
const iType = (op: number, f3: number, rd: number, rs1: number, imm: number): number => (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0
const addi = (rd: number, rs1: number, imm: number): number => iType(0x13, 0, rd, rs1, imm)
const ld = (rd: number, rs1: number, imm: number): number => iType(0x03, 3, rd, rs1, imm)
const jalr = (rd: number, rs1: number, imm: number): number => iType(0x67, 0, rd, rs1, imm)
const sd = (rs2: number, rs1: number, imm: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (3 << 12) | ((imm & 0x1f) << 7) | 0x23) >>> 0
const beq = (rs1: number, rs2: number, off: number): number =>
  ((((off >> 12) & 1) << 31) | (((off >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (((off >> 1) & 0xf) << 8) | (((off >> 11) & 1) << 7) | 0x63) >>> 0
const jal = (rd: number, off: number): number =>
  ((((off >> 20) & 1) << 31) | (((off >> 1) & 0x3ff) << 21) | (((off >> 11) & 1) << 20) | (((off >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) >>> 0
const auipc = (rd: number, imm20: number): number => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x17) >>> 0

// ---- programs ------------------------------------------------------------------------------------------
/** A function: plain (a body of adds and calls to later functions) or self-recursive to the depth in a2. */
type Op = { readonly add: number } | { readonly call: number; readonly depth: number }
type Fn = { readonly kind: 'plain'; readonly body: readonly Op[] } | { readonly kind: 'recursive' }
interface Program { readonly fns: readonly Fn[]; readonly main: readonly Op[] }

const BASE = 0x8000_0000
const arbProgram: fc.Arbitrary<Program> = fc.integer({ min: 1, max: 5 }).chain((n) => {
  const op = (from: number): fc.Arbitrary<Op> => from >= n
    ? fc.record({ add: fc.integer({ min: -8, max: 8 }) })
    : fc.oneof(fc.record({ add: fc.integer({ min: -8, max: 8 }) }), fc.record({ call: fc.integer({ min: from, max: n - 1 }), depth: fc.integer({ min: 0, max: 4 }) }))
  const fn = (i: number): fc.Arbitrary<Fn> => fc.oneof(
    fc.record({ kind: fc.constant('plain' as const), body: fc.array(op(i + 1), { maxLength: 4 }) }),
    fc.constant({ kind: 'recursive' as const }))
  return fc.record({ fns: fc.tuple(...Array.from({ length: n }, (_, i) => fn(i))), main: fc.array(op(0), { minLength: 1, maxLength: 5 }) })
})

const opWords = (o: Op): number => ('add' in o ? 1 : 2)          // a call: li a2, depth; jal ra, f
const fnWords = (f: Fn): number => {
  if (f.kind === 'recursive') return 8                             // beq; frame (2); addi a2; jal; unframe (2); ret
  const calls = f.body.some((o) => 'call' in o)
  return f.body.reduce((k, o) => k + opWords(o), 0) + (calls ? 4 : 0) + 1
}

/** The program's words at BASE, and each function's address. */
const assemble = (p: Program): { words: number[]; entries: number[]; spin: number } => {
  const mainWords = 1 + p.main.reduce((k, o) => k + opWords(o), 0) + 1
  const entries: number[] = []
  let at = BASE + 4 * mainWords
  for (const f of p.fns) { entries.push(at); at += 4 * fnWords(f) }
  const words: number[] = []
  const here = (): number => BASE + 4 * words.length
  const emitOps = (ops: readonly Op[]): void => {
    for (const o of ops) {
      if ('add' in o) { words.push(addi(A0, A0, o.add)); continue }
      words.push(addi(A2, ZERO, o.depth))
      words.push(jal(RA, entries[o.call]! - here()))
    }
  }
  words.push(auipc(SP, 0x10))                                      // sp = BASE + 64 KiB, the stack's top
  emitOps(p.main)
  const spin = here()
  words.push(jal(ZERO, 0))
  p.fns.forEach((f, i) => {
    if (f.kind === 'recursive') {
      words.push(beq(A2, ZERO, 4 * 7))                             // depth 0: straight to the ret
      words.push(addi(SP, SP, -16), sd(RA, SP, 8), addi(A2, A2, -1))
      words.push(jal(RA, entries[i]! - here()))
      words.push(ld(RA, SP, 8), addi(SP, SP, 16), jalr(ZERO, RA, 0))
      return
    }
    const frame = f.body.some((o) => 'call' in o)
    if (frame) words.push(addi(SP, SP, -16), sd(RA, SP, 8))
    emitOps(f.body)
    if (frame) words.push(ld(RA, SP, 8), addi(SP, SP, 16))
    words.push(jalr(ZERO, RA, 0))
  })
  return { words, entries, spin }
}

/** Entries per function the program makes, from its structure: a call of f is one entry plus f's own calls. */
const expectedEntries = (p: Program): number[] => {
  const counts = p.fns.map(() => 0)
  const callOf = (o: Op): void => {
    if (!('call' in o)) return
    const f = p.fns[o.call]!
    if (f.kind === 'recursive') counts[o.call]! += o.depth + 1
    else { counts[o.call]!++; f.body.forEach(callOf) }
  }
  p.main.forEach(callOf)
  return counts
}

const isa = parseIsa('rv64ima_zicsr')
const load = (p: Program): { elf: Elf; m: Machine; entries: number[]; spin: number } => {
  const { words, entries, spin } = assemble(p)
  const data = new Uint8Array(new Uint32Array(words).buffer)
  const sym = (name: string, value: number): [string, ElfSymbol] => [name, { name, value: BigInt(value), size: 4n, type: 2, bind: 1, shndx: 1 }]
  const elf: Elf = {
    entry: BigInt(BASE), flags: 0,
    segments: [{ vaddr: BigInt(BASE), paddr: BigInt(BASE), filesz: BigInt(data.length), memsz: BigInt(data.length), flags: 5, data, headerOffset: 64 }],
    symbols: new Map(entries.map((e, i) => sym(`f${i}`, e))),
    tohost: none, fromhost: none,
  }
  if (isa._tag === 'Left') throw new Error('isa')
  const m = loadMachine(isa.right, elf)
  if (m._tag === 'Left') throw new Error('load')
  return { elf, m: m.right, entries, spin }
}

/** The call events of the run up to the spin loop. */
const eventsOf = (p: Program): { events: CallEvent[]; entries: number[]; reached: boolean } => {
  const { elf, m: m0, entries, spin } = load(p)
  const t0 = callTracer(elf, [])
  if (t0._tag === 'Left') throw new Error(t0.left.message)
  let t = t0.right, m = m0
  const events: CallEvent[] = []
  for (let i = 1; i <= 5000 && m.hart.pc !== BigInt(spin); i++) {
    const r = step(m)
    const s = traceStep(t, m, r.event, r.machine, i)
    t = s.tracer
    events.push(...s.events)
    m = r.machine
  }
  return { events, entries, reached: m.hart.pc === BigInt(spin) }
}

test('every entry is at its symbol\'s address; each return closes the innermost open entry at its ra and sp; every call is traced and returns', () => {
  fc.assert(fc.property(arbProgram, (p) => {
    const { events, entries, reached } = eventsOf(p)
    assert.ok(reached, 'the program reaches its spin loop')
    const open: Extract<CallEvent, { _tag: 'Entry' }>[] = []
    const seen = p.fns.map(() => 0)
    for (const e of events) {
      assert.is.not(e._tag, 'Trap')
      if (e._tag === 'Entry') {
        const i = Number(e.symbol.slice(1))
        assert.is(e.pc, BigInt(entries[i]!))
        seen[i]!++
        open.push(e)
      } else if (e._tag === 'Return') {
        const top = open.pop()
        assert.ok(top !== undefined, 'a return closes an open entry')
        assert.is(e.symbol, top.symbol)
        assert.is(e.pc, top.ra)
        assert.is(e.sp, top.sp)
        assert.ok(e.step >= top.step)              // a one-instruction function (a bare ret) returns in its entry's step
      }
    }
    assert.is(open.length, 0)
    assert.equal(seen, expectedEntries(p))
  }), { numRuns: runs(60) })
})

test('the JSONL form is the same event: each entry and return read back from its trace record, and its text the same', () => {
  fc.assert(fc.property(arbProgram, (p) => {
    for (const e of eventsOf(p).events) {
      const line = encodeCallLine(e)
      assert.ok(line !== undefined && line.endsWith('\n'))
      const r = decodeTraceLine(line)
      assert.ok(r._tag === 'Right' && (r.right.kind === 'call' || r.right.kind === 'return'))
      if (r._tag !== 'Right' || (r.right.kind !== 'call' && r.right.kind !== 'return')) return
      const back = callEventOf(r.right)
      assert.equal(back, e)
      assert.is(callText(back), callText(e))
    }
  }), { numRuns: runs(30) })
})

test.run()
