// Laws of the integrity monitor, against the bytes themselves (not the monitor's own test of the step's
// stores): with --on-write, every step that changes a watched region's bytes is reported at that step, and
// every report is of a step that stored into the region (so a run that never writes there reports nothing);
// with periodic checks, a check reports a region exactly when its bytes differ from those at the previous
// check. Regions are random ranges of the golden programs' RAM, around the hart's stores and HTIF's
// tohost/fromhost (written by the host's DMA at chunk ends: reported `by: 'dma'` when it changes the bytes),
// and guest-virtual ranges read through the program's own tables (sv39's satp, hyp's vsatp over hgatp).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../../fc.ts'
import { type StepEvent } from '../../../src/cpu/event.ts'
import { type Machine } from '../../../src/machine/machine.ts'
import { step } from '../../../src/machine/step.ts'
import { readMemory } from '../../../src/hypervisor/introspect/memory.ts'
import { type Baseline, type Watched, baselines, check, onWrite } from '../../../src/hypervisor/introspect/integrity.ts'
import { loadGolden } from '../../../spec/hypervisor/introspect/programs.ts'

interface Trace { readonly m0: Machine; readonly steps: readonly { readonly event: StepEvent; readonly after: Machine }[]; readonly htif: readonly bigint[]; readonly dma: readonly bigint[] }
const traceOf = (name: string, isa: string, n: number): Trace => {
  const { machine } = loadGolden(name, isa)
  const steps: { event: StepEvent; after: Machine }[] = []
  let m = machine
  for (let i = 0; i < n && m.htif.exitCode === undefined; i++) {
    const r = step(m)
    m = r.machine
    steps.push({ event: r.event, after: m })
  }
  // where HTIF's DMA writes besides tohost/fromhost: a proxied syscall's request block (htif.S's `request`)
  const request = loadGolden(name, isa).elf.symbols.get('request')?.value
  return { m0: machine, steps, htif: [machine.htif.tohost ?? 0n, machine.htif.fromhost ?? 0n], dma: request === undefined ? [] : [request] }
}
const traces = [traceOf('sv39', 'rv64ima_zicsr', 450), traceOf('hyp', 'rv64imah_zicsr', 300), traceOf('basics', 'rv64imac_zicsr_zifencei_zicntr', 300), traceOf('htif', 'rv64ima_zicsr', 200)]

const bytesOf = (m: Machine, w: Watched & { _tag: 'Region' }): string => {
  const b = readMemory(m, 'physical', w.address, w.length)
  return b._tag === 'Right' ? b.right.join(',') : 'unreadable'
}

/** The physical addresses the run stored to: regions are placed around them, so writes into them are common. */
const storedPas = (t: Trace): readonly bigint[] =>
  t.steps.flatMap(({ event }) => (event._tag === 'Retired' ? event.stores.map((s) => s.pa) : []))

const arbCase = fc.record({
  trace: fc.constantFrom(...traces),
  pick: fc.nat(),
  offset: fc.integer({ min: -64, max: 8 }),
  far: fc.bigInt({ min: 0x8000_0000n, max: 0x8001_4000n }),
  nearStore: fc.boolean(),
  length: fc.integer({ min: 1, max: 64 }),
  every: fc.integer({ min: 1, max: 60 }),
}).map(({ trace, pick, offset, far, nearStore, length, every }) => {
  const pas = [...storedPas(trace), ...trace.htif.filter((h) => h !== 0n), ...trace.dma]
  const address = nearStore && pas.length > 0 ? pas[pick % pas.length]! + BigInt(offset) : far
  return { trace, address, length, every }
})

const start = (t: Trace, w: Watched): readonly Baseline[] => {
  const b = baselines(t.m0, [w])
  if (b._tag === 'Left') throw new Error(b.left.message)
  return b.right
}

test('--on-write: a step that changes the region\'s bytes is reported then; every report is of a step that stored there', () => {
  fc.assert(fc.property(arbCase, ({ trace, address, length }) => {
    const w = { _tag: 'Region' as const, label: 'r', address, length }
    let bs = start(trace, w)
    let before = bytesOf(trace.m0, w)
    trace.steps.forEach(({ event, after }, i) => {
      const r = onWrite(bs, event, i === 0 ? trace.m0 : trace.steps[i - 1]!.after, after, i + 1)
      bs = r.baselines
      const now = bytesOf(after, w)
      if (now !== before) assert.is(r.changes.length, 1, `step ${i + 1} changed the bytes unreported`)
      if (r.changes.length > 0) {
        const stored = event._tag === 'Retired' && event.stores.some((s) => s.pa < address + BigInt(length) && address < s.pa + BigInt(s.size))
        // a store of the hart, or (marked) another bus master's write that changed the bytes
        assert.ok(stored ? r.changes[0]!.by === undefined : r.changes[0]!.by === 'dma' && now !== before)
        assert.is(r.changes[0]!.pc, event.pc)
      }
      before = now
    })
  }), { numRuns: runs(60) })
})

const virtualCase = fc.record({
  which: fc.constantFrom({ trace: traces[0]!, space: 'host' as const }, { trace: traces[1]!, space: 'guest' as const }),
  address: fc.bigInt({ min: 0x4000_0000n - 64n, max: 0x4000_5000n }),
  length: fc.integer({ min: 1, max: 64 }),
})

test('--on-write on a virtual region: a step that changes what it shows through the tables is reported then, and only such steps or stores', () => {
  fc.assert(fc.property(virtualCase, ({ which: { trace, space }, address, length }) => {
    const w = { _tag: 'Region' as const, label: 'v', address, length, space }
    const shown = (m: Machine): string => {
      const b = readMemory(m, space, address, length)
      return b._tag === 'Right' ? b.right.join(',') : 'unmapped'
    }
    let bs = start(trace, w)
    let prev = trace.m0
    trace.steps.forEach(({ event, after }, i) => {
      const r = onWrite(bs, event, prev, after, i + 1)
      bs = r.baselines
      const changed = shown(after) !== shown(prev)
      if (changed) assert.is(r.changes.length, 1, `step ${i + 1} changed what the region shows, unreported`)
      if (r.changes.length > 0 && r.changes[0]!.by !== undefined) assert.ok(changed)
      prev = after
    })
  }), { numRuns: runs(40) })
})

test('periodic checks: reported exactly when the bytes differ from those at the previous check', () => {
  fc.assert(fc.property(arbCase, ({ trace, address, length, every }) => {
    const w = { _tag: 'Region' as const, label: 'r', address, length }
    let bs = start(trace, w)
    let atLastCheck = bytesOf(trace.m0, w)
    trace.steps.forEach(({ after }, i) => {
      if ((i + 1) % every !== 0) return
      const r = check(bs, after, i + 1)
      bs = r.baselines
      const now = bytesOf(after, w)
      assert.is(r.changes.length, now === atLastCheck ? 0 : 1)
      atLastCheck = now
    })
  }), { numRuns: runs(60) })
})

test.run()
