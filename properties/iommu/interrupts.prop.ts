// Laws of the IOMMU's own interrupts (RISC-V IOMMU spec v1.0, "Interrupt pending status register
// (ipsr)" and "MSI configuration table (msi_cfg_tbl)"), checked against what software observes: after
// every step the test reads ipsr, icvec and the whole table back through registers, and from those reads
// alone (and the step's own RW1C write) says which messages the IOMMU must have sent.
// - Messages (fctl.WSI = 0): exactly one message per 0 → 1 transition of an ipsr bit whose vector is
//   unmasked, carrying that vector's msi_data to its msi_addr; a transition under a mask sends nothing then
//   and one message when the mask is next cleared, however many transitions it held; a message outside RAM
//   is an access fault (273).
// - Wires (fctl.WSI = 1): no message ever; a wire event exactly when the level of a wire — the OR of the
//   pending bits mapped to it — changes.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { DEFAULT_OPTIONS, resetIommu } from '../../src/iommu/iommu.ts'
import { type Event, type Step, runSteps } from '../../src/iommu/steps.ts'
import { emptyMemory } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'

const FQ = 0x8070_0000n, CQ = 0x8071_0000n
const IPSR = 84, ICVEC = 760, FQH = 48, CQCSR = 72, FQCSR = 76
const VECTORS = 2                                    // interruptVectorBits = 1: sources often share a vector
const IGS_BOTH = 2n << 28n
const SOURCES = ['cip', 'fip'] as const             // pmip (no HPM) and pip (no PRI here) never rise

const wr = (offset: number, size: 4 | 8, value: bigint): Step => ({ op: 'write-register', offset, size, value })
const rd = (offset: number, size: 4 | 8 = 4): Step => ({ op: 'read-register', offset, size })

/** What software does: faults and illegal commands raise fip and cip; the rest clears, masks and remaps. */
const action: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.nat(0xfff).map((p): Step => ({ op: 'translate', deviceId: 1, access: 'read', privileged: false, type: 'untranslated', iova: BigInt(p) << 12n })), weight: 3 },
  { arbitrary: fc.constant<Step>({ op: 'command', words: [0x7fn, 0n] }), weight: 2 }, // illegal opcode: cmd_ill
  { arbitrary: fc.constantFrom(3n, 3n, 1n, 2n, 0xfn, 0n).map((b) => wr(IPSR, 4, b)), weight: 4 }, // RW1C
  { arbitrary: fc.tuple(fc.nat(VECTORS - 1), fc.boolean()).map(([v, m]) => wr(780 + 16 * v, 4, m ? 1n : 0n)), weight: 8 },
  fc.tuple(fc.boolean(), fc.boolean()).map(([cie, clr]) => wr(CQCSR, 4, 1n | (cie ? 2n : 0n) | (clr ? 1n << 10n : 0n))),
  fc.tuple(fc.boolean(), fc.boolean()).map(([fie, clr]) => wr(FQCSR, 4, 1n | (fie ? 2n : 0n) | (clr ? 1n << 9n : 0n))),
  fc.nat(3).map((h) => wr(FQH, 4, BigInt(h))),                                         // software consumes records
  fc.tuple(fc.nat(VECTORS - 1), fc.nat(VECTORS - 1)).map(([c, f]) => wr(ICVEC, 8, BigInt(c) | (BigInt(f) << 4n))),
  fc.tuple(fc.nat(VECTORS - 1), fc.boolean(), fc.nat(0xffff)).map(([v, ram, d]) => wr(768 + 16 * v, 8, ram ? 0x8090_0000n + BigInt(d & 0xff) * 4n : 0x1000n + BigInt(d & 0xff) * 4n)),
  fc.tuple(fc.nat(VECTORS - 1), fc.nat(0xffff_ffff)).map(([v, d]) => wr(776 + 16 * v, 4, BigInt(d))),
)

/** The reads after each action: ipsr, icvec, then each entry's address, data and vector control. */
const READS: readonly Step[] = [rd(IPSR), rd(ICVEC, 8), ...Array.from({ length: VECTORS }, (_, v) => [rd(768 + 16 * v, 8), rd(776 + 16 * v), rd(780 + 16 * v)]).flat()]
interface Seen { readonly ipsr: bigint, readonly icvec: bigint, readonly addr: bigint[], readonly data: bigint[], readonly mask: boolean[] }
const seen = (values: readonly bigint[]): Seen => ({
  ipsr: values[0]!, icvec: values[1]!,
  addr: Array.from({ length: VECTORS }, (_, v) => values[2 + 3 * v]!),
  data: Array.from({ length: VECTORS }, (_, v) => values[3 + 3 * v]!),
  mask: Array.from({ length: VECTORS }, (_, v) => values[4 + 3 * v] === 1n),
})
const vectorOf = (s: Seen, source: 'cip' | 'fip'): number => Number((s.icvec >> (source === 'cip' ? 0n : 4n)) & 0xfn)
const has = (ipsr: bigint, source: 'cip' | 'fip'): boolean => ((ipsr >> (source === 'cip' ? 0n : 1n)) & 1n) === 1n

/** The program: a 4-entry fault queue and an 8-entry command queue, both on with interrupts enabled, then the actions, each followed by READS. */
const program = (actions: readonly Step[]): { steps: Step[], after: number[] } => {
  const steps: Step[] = [wr(40, 8, 1n | ((FQ >> 12n) << 10n)), wr(FQCSR, 4, 3n), wr(24, 8, 2n | ((CQ >> 12n) << 10n)), wr(CQCSR, 4, 3n), ...READS]
  const after: number[] = [steps.length - 1]
  for (const a of actions) { steps.push(a, ...READS); after.push(steps.length - 1) }
  return { steps, after }
}

/** Per action, the observed registers before and after it and the interrupt events it produced. */
const observe = (wsi: boolean, actions: readonly Step[]) => {
  const { steps, after } = program(actions)
  const caps = EXAMPLE_CAPABILITIES | IGS_BOTH
  const run = runSteps(resetIommu(caps, wsi ? 2n : 0n, { ...DEFAULT_OPTIONS, interruptVectorBits: 1 }), emptyMemory(defaultMemoryMap), steps)
  const values = new Map<number, bigint>()
  for (const e of run.events) if (e.op === 'register') values.set(e.step, e.value)
  const at = (last: number): Seen => seen(READS.map((_, i) => values.get(last - READS.length + 1 + i)!))
  return actions.map((a, k) => {
    const first = after[k]! + 1
    const signals = run.events.flatMap((e: Event) => (e.op === 'interrupt' && e.step >= first && e.step <= after[k + 1]! ? [e.signal] : []))
    return { action: a, before: at(after[k]!), now: at(after[k + 1]!), signals }
  })
}

test('messages: one per unmasked 0 → 1 ipsr transition, masked ones held and sent once at unmask, 273 exactly off RAM', () => {
  fc.assert(fc.property(fc.array(action, { minLength: 20, maxLength: 60 }), (actions) => {
    const pending = new Array<boolean>(VECTORS).fill(false)
    for (const { action: a, before, now, signals } of observe(false, actions)) {
      const expected: string[] = []
      const send = (source: string, v: number): void => {
        expected.push(`msi ${source} ${v} ${now.addr[v]!.toString(16)} ${now.data[v]!.toString(16)} ${now.addr[v]! < 0x8000_0000n}`)
      }
      // A mask cleared by this action with a message held: sent now.
      for (let v = 0; v < VECTORS; v++) if (before.mask[v] && !now.mask[v] && pending[v]) { pending[v] = false; send('unmask', v) }
      const cleared = a.op === 'write-register' && a.offset === IPSR ? a.value : 0n
      for (const s of SOURCES) {
        const rose = has(now.ipsr, s) && !(has(before.ipsr, s) && !has(cleared, s))
        if (!rose) continue
        const v = vectorOf(now, s)
        if (now.mask[v]) { pending[v] = true; expected.push(`masked ${s} ${v}`) } else send(s, v)
      }
      const got = signals.map((x) => (x.kind === 'msi' ? `msi ${x.source} ${x.vector} ${x.addr.toString(16)} ${x.data.toString(16)} ${x.faulted}` : x.kind === 'masked' ? `masked ${x.source} ${x.vector}` : 'wire'))
      assert.equal(got, expected)
    }
  }), { numRuns: runs(150) })
})

test('wires: no message under fctl.WSI = 1, and a wire event exactly when a wire\'s level (OR of its sources\' pending bits) changes', () => {
  fc.assert(fc.property(fc.array(action, { minLength: 20, maxLength: 60 }), (actions) => {
    const level = (s: Seen): number => SOURCES.reduce((l, src) => (has(s.ipsr, src) ? l | (1 << vectorOf(s, src)) : l), 0)
    for (const { before, now, signals } of observe(true, actions)) {
      const expected: string[] = []
      for (let w = 0; w < 16; w++) if (((level(before) ^ level(now)) >> w) & 1) expected.push(`wire ${w} ${(level(now) >> w) & 1}`)
      assert.equal(signals.map((x) => (x.kind === 'wire' ? `wire ${x.vector} ${+x.level}` : x.kind)), expected)
    }
  }), { numRuns: runs(100) })
})

test('coverage: the generator reaches edges, masked holds, releases, re-raises after RW1C and 273s', () => {
  const kinds = new Set<string>()
  fc.assert(fc.property(fc.array(action, { minLength: 20, maxLength: 40 }), (actions) => {
    for (const { action: a, signals } of observe(false, actions)) {
      for (const x of signals) {
        kinds.add(x.kind === 'msi' ? `msi ${x.source === 'unmask' ? 'unmask' : 'edge'} ${x.faulted}` : x.kind)
        if (x.kind === 'msi' && x.source !== 'unmask' && a.op === 'write-register' && a.offset === IPSR) kinds.add('re-raised by an ipsr write')
      }
    }
  }), { numRuns: 60, seed: 7 })
  assert.equal([...kinds].sort(), ['masked', 'msi edge false', 'msi edge true', 'msi unmask false', 'msi unmask true', 're-raised by an ipsr write'])
})

test.run()
