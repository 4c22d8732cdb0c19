// Laws of snapshots (src/hypervisor/redundancy/snapshot.ts): decoding an encoded machine gives the same
// machine (memory by contents, hart, CSRs, TLB, devices, HTIF, platform) and position, on machine states
// drawn from golden programs stopped at random steps and then disturbed at random (registers, CSRs, the
// reservation, memory pages near and far in the 2 GiB RAM — a machine writes no page outside its RAM, and a
// snapshot with one is refused); and every single-byte corruption and every truncation of a
// snapshot is refused, never decoded into a machine; and a run under an exact TLB (`--tlb exact`) split at
// any step by a snapshot is the unsplit run: the TLB's entries and configuration travel in the snapshot,
// so the stale translations a missing fence leaves survive the split.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../../src/bits/address.ts'
import { poke } from '../../../src/memory/memory.ts'
import { hart } from '../../../src/cpu/hart.ts'
import { type Machine, withHart, withMemory, withTlb, withTlbConfig } from '../../../src/machine/machine.ts'
import { foldSteps } from '../../../src/machine/run.ts'
import { type StepEvent } from '../../../src/cpu/event.ts'
import { withFastEngine } from '../../../src/mmu/engine/tlb.ts'
import { commitLine } from '../../../src/trace/commit-log.ts'
import { staleLine } from '../../../src/trace/stale.ts'
import { withTlbFlags } from '../../../src/cli/tlb.ts'
import { arbExact, arbProgram, machineOf } from '../../cpu/tlb-exact-world.ts'
import { decodeSnapshot, encodeSnapshot } from '../../../src/hypervisor/redundancy/snapshot.ts'
import { sameMachine } from '../../../src/hypervisor/redundancy/same-state.ts'
import { loadGolden } from '../../../spec/hypervisor/redundancy/programs.ts'
import { fc, runs } from '../../fc.ts'

const PROGRAMS = [['htif', 'rv64ima_zicsr'], ['sv39', 'rv64ima_zicsr'], ['hvdemo', 'rv64imah_zicsr'], ['interrupts', 'rv64ima_zicsr_zicntr']] as const
const loaded = PROGRAMS.map(([name, isa]) => loadGolden(name, isa))
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })

const machineArb: fc.Arbitrary<{ m: Machine; position: number }> = fc.record({
  p: fc.integer({ min: 0, max: PROGRAMS.length - 1 }),
  steps: fc.integer({ min: 0, max: 2500 }),
  regs: fc.array(fc.tuple(fc.integer({ min: 1, max: 31 }), u64), { maxLength: 4 }),
  csr: fc.option(fc.tuple(fc.constantFrom('mscratch', 'sscratch', 'mepc', 'satp'), u64)),
  reservation: fc.option(u64),
  pokes: fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0x80000, max: 0x80100 }), fc.integer({ min: 0x80000, max: 0xfffff })), u64), { maxLength: 4 }),
  position: fc.nat(),
}).map(({ p, steps, regs, csr, reservation, pokes, position }) => {
  let m = foldSteps(loaded[p]!, { maxSteps: steps }).machine
  const h = m.hart
  const x = h.x.slice()
  for (const [r, v] of regs) x[r] = v
  const c = csr === null ? h.csr : { ...h.csr, [csr[0]]: csr[1] }
  m = withHart(m, hart(h.pc, x, h.priv, h.virt, c, reservation ?? undefined, h.instret, h.cycle))
  let mem = m.memory
  for (const [pn, v] of pokes) mem = poke(mem, phys(BigInt(pn) * 4096n + 8n), 8, v)
  return { m: withMemory(m, mem), position }
})

test('decode ∘ encode is the identity on machine states (and on the position)', () => {
  fc.assert(fc.property(machineArb, ({ m, position }) => {
    const d = decodeSnapshot(encodeSnapshot(m, position))
    assert.ok(d._tag === 'Right', d._tag === 'Left' ? d.left.message : '')
    assert.ok(sameMachine(d.right.machine, m))
    assert.is(d.right.position, position)
  }), { numRuns: runs(30) })
})

test('a snapshot with any one byte changed, or cut short anywhere, is refused, naming a byte offset in the file', () => {
  const bytes = encodeSnapshot(foldSteps(loaded[2]!, { maxSteps: 700 }).machine, 700)
  fc.assert(fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.integer({ min: 0, max: bytes.length - 1 }), (at, flip, cut) => {
    const changed = bytes.slice()
    changed[at] = changed[at]! ^ flip
    const d = decodeSnapshot(changed)
    // The offset named: the section (or header field) holding the changed byte, or — when the byte was a
    // section length — where the file then ends too early or where bytes are left over.
    assert.ok(d._tag === 'Left' && d.left.offset >= 0 && d.left.offset <= bytes.length)
    const t = decodeSnapshot(bytes.subarray(0, cut))
    assert.ok(t._tag === 'Left' && t.left.offset <= cut)
  }), { numRuns: runs(200) })
})

// ---- a split run under --tlb exact ----------------------------------------------------------------------

/** The commit log and the stale-translation lines of `steps` steps from `m` (as `memvirt run` prints them). */
const runLogged = (m: Machine, steps: number): { machine: Machine; text: string } => {
  let text = ''
  const event = (ev: StepEvent): void => {
    text += commitLine(ev)
    if (ev._tag !== 'Waiting') for (const s of ev.stale ?? []) text += staleLine(s)
  }
  return { machine: foldSteps(m, { maxSteps: steps }, { event }).machine, text }
}

test('--tlb exact with --report-stale, split at step N by --save-at/--restore ≡ unsplit: the same log, stale reports and final machine', () => {
  const STEPS = 200
  // Entries refilled by the fast walker (whose leaves compute their fields on demand), as `memvirt run` does.
  const fast = (m: Machine): Machine => withTlb(m, withFastEngine(m.tlb))
  let staleAcross = 0
  fc.assert(fc.property(arbProgram(false), arbExact(true), fc.integer({ min: 1, max: STEPS - 1 }), (program, config, at) => {
    const m0 = fast(withTlbConfig(machineOf(program), config))
    const whole = runLogged(m0, STEPS)
    const first = runLogged(m0, at)
    const d = decodeSnapshot(encodeSnapshot(first.machine, at))
    assert.ok(d._tag === 'Right', d._tag === 'Left' ? d.left.message : '')
    // The restore as the CLI makes it: the fast engine, then the flags (--report-stale keeps the entries).
    const second = runLogged(withTlbFlags(fast(d.right.machine), { reportStale: true }), STEPS - at)
    assert.is(first.text + second.text, whole.text)
    assert.equal(encodeSnapshot(second.machine, STEPS), encodeSnapshot(whole.machine, STEPS))
    if (second.text.includes('stale:') && d.right.machine.tlb.sets.some((set) => set.length > 0)) staleAcross++
  }), { numRuns: runs(40) })
  assert.ok(staleAcross > 0, 'no split left a stale translation to the restored run')
})

test.run()
