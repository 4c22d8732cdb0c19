// RISC-V IOMMU spec v1.0, the IOMMU's own interrupts: "Interrupt pending status register (ipsr)",
// "Interrupt-cause-to-vector register (icvec)", "MSI configuration table (msi_cfg_tbl)", fctl.WSI
// against capabilities.IGS ("IOMMU capabilities", "Features-control register"), and cause 273 of the
// fault-cause table. Expected values from the register tables, worked by hand; where the spec leaves
// the choice (icvec's field width, a pending message after ipsr was cleared), the C model's.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { encodeCommand } from '../../src/iommu/commands.ts'
import { DEFAULT_OPTIONS, type IommuOptions, resetIommu } from '../../src/iommu/iommu.ts'
import { type Event, type Step, runSteps } from '../../src/iommu/steps.ts'
import { peek } from '../../src/memory/memory.ts'
import { CQ, FQ, OFF, ram } from './fixtures.ts'

const IGS_WSI = 1n << 28n, IGS_BOTH = 2n << 28n
const MSI_ADDR = (x: number): number => 768 + 16 * x
const MSI_DATA = (x: number): number => 776 + 16 * x
const MSI_VEC_CTL = (x: number): number => 780 + 16 * x
const TARGET = 0x8090_0000n

const wr = (offset: number, size: 4 | 8, value: bigint): Step => ({ op: 'write-register', offset, size, value })
const rd = (offset: number, size: 4 | 8 = 4): Step => ({ op: 'read-register', offset, size })
/** A request that faults with cause 256 while ddtp.iommu_mode is Off: one fault record each. */
const faulting = (iova = 0x1000n): Step => ({ op: 'translate', deviceId: 5, access: 'read', privileged: false, type: 'untranslated', iova })
/** An 8-entry fault queue at FQ, on, with fie as given. */
const faultQueue = (fie = true): Step[] => [wr(OFF.fqb, 8, 2n | ((FQ >> 12n) << 10n)), wr(OFF.fqcsr, 4, fie ? 3n : 1n)]
/** msi_cfg_tbl entry x: address and data. */
const entry = (x: number, addr: bigint, data: bigint): Step[] => [wr(MSI_ADDR(x), 8, addr), wr(MSI_DATA(x), 4, data)]

const run = (steps: readonly Step[], caps = EXAMPLE_CAPABILITIES, fctl = 0n, options: Partial<IommuOptions> = {}) =>
  runSteps(resetIommu(caps, fctl, { ...DEFAULT_OPTIONS, ...options }), ram, steps)
type Interrupt = Extract<Event, { op: 'interrupt' }>
const interrupts = (events: readonly Event[]): Interrupt['signal'][] => events.flatMap((e) => (e.op === 'interrupt' ? [e.signal] : []))
const msis = (events: readonly Event[]) => interrupts(events).filter((s) => s.kind === 'msi')
const reads = (events: readonly Event[]): bigint[] => events.flatMap((e) => (e.op === 'register' ? [e.value] : []))
/** The register values a run's read-register steps returned. */
const readBack = (setup: readonly Step[], ...offsets: readonly (readonly [number, 4 | 8])[]): bigint[] =>
  reads(run([...setup, ...offsets.map(([o, s]) => rd(o, s))]).events)

// ---- ipsr ----------------------------------------------------------------------------------------------

test('ipsr: fip is set when fqcsr.fie = 1 and a new record is produced in the FQ', () => {
  assert.equal(readBack([...faultQueue(true), faulting()], [OFF.ipsr, 4]), [2n])
  assert.equal(readBack([...faultQueue(false), faulting()], [OFF.ipsr, 4]), [0n])
})
test('ipsr: RW1C — writing 1 clears a set bit, writing 0 leaves it, and bits 31:4 read 0', () => {
  const pending = [...faultQueue(), faulting()]
  assert.equal(readBack([...pending, wr(OFF.ipsr, 4, 0n)], [OFF.ipsr, 4]), [2n])
  assert.equal(readBack([...pending, wr(OFF.ipsr, 4, 0xffff_fff0n)], [OFF.ipsr, 4]), [2n])
  assert.equal(readBack([...pending, wr(OFF.ipsr, 4, 2n)], [OFF.ipsr, 4]), [0n])
})

// ---- icvec ---------------------------------------------------------------------------------------------

test('icvec: with 16 vectors civ 3:0, fiv 7:4 and piv 15:12 (ATS) are writable; pmiv reads 0 without HPM; 63:16 read 0', () => {
  assert.equal(readBack([wr(OFF.icvec, 8, 0xffff_ffff_ffff_ffffn)], [OFF.icvec, 8]), [0xf0ffn])
})
test('icvec: WARL by the number of vectors — with two vectors only bit 0 of each field is writable', () => {
  assert.equal(reads(run([wr(OFF.icvec, 8, 0xffffn), rd(OFF.icvec, 8)], EXAMPLE_CAPABILITIES, 0n, { interruptVectorBits: 1 }).events), [0x1011n])
  assert.equal(reads(run([wr(OFF.icvec, 8, 0xffffn), rd(OFF.icvec, 8)], EXAMPLE_CAPABILITIES, 0n, { interruptVectorBits: 0 }).events), [0n])
})
test('icvec: piv reads 0 without capabilities.ATS', () => {
  assert.equal(reads(run([wr(OFF.icvec, 8, 0x3021n), rd(OFF.icvec, 8)], EXAMPLE_CAPABILITIES & ~(1n << 25n)).events), [0x21n])
})

// ---- fctl.WSI and capabilities.IGS ---------------------------------------------------------------------

test('fctl.WSI: read-only 0 with IGS = MSI, read-only 1 with IGS = WSI, writable with IGS = BOTH (while Off, queues off)', () => {
  assert.equal(reads(run([wr(OFF.fctl, 4, 2n), rd(OFF.fctl)]).events), [0n])
  assert.equal(reads(run([wr(OFF.fctl, 4, 0n), rd(OFF.fctl)], EXAMPLE_CAPABILITIES | IGS_WSI, 2n).events), [2n])
  assert.equal(reads(run([wr(OFF.fctl, 4, 2n), rd(OFF.fctl), wr(OFF.fctl, 4, 0n), rd(OFF.fctl)], EXAMPLE_CAPABILITIES | IGS_BOTH).events), [2n, 0n])
})

// ---- msi_cfg_tbl ---------------------------------------------------------------------------------------

test('msi_cfg_tbl: entry x at 768 + 16x — msi_addr (8 bytes, bits 1:0 fixed 0), msi_data (4 bytes at +8), msi_vec_ctl (4 bytes at +12)', () => {
  const got = readBack([wr(MSI_ADDR(3), 8, 0x8090_0007n), wr(MSI_DATA(3), 4, 0xdead_beefn), wr(MSI_VEC_CTL(3), 4, 0xffff_ffffn)],
    [MSI_ADDR(3), 8], [MSI_ADDR(3) + 4, 4], [MSI_DATA(3), 4], [MSI_VEC_CTL(3), 4], [MSI_ADDR(2), 8])
  assert.equal(got, [0x8090_0004n, 0n, 0xdead_beefn, 1n, 0n])
})
test('msi_cfg_tbl: msi_addr.ADDR is WARL — bits at or above PAS (56 here) and the reserved bits 63:56 read 0', () => {
  assert.equal(readBack([wr(MSI_ADDR(0), 8, 0xff80_0000_8090_0000n)], [MSI_ADDR(0), 8]), [0x0080_0000_8090_0000n])
})
test('msi_cfg_tbl: entries 2^V … 15 are read-only 0 (V = 2: entry 4 ignores writes, entry 3 takes them)', () => {
  const steps = [...entry(4, TARGET, 1n), ...entry(3, TARGET, 2n), rd(MSI_ADDR(4), 8), rd(MSI_DATA(3))]
  assert.equal(reads(run(steps, EXAMPLE_CAPABILITIES, 0n, { interruptVectorBits: 2 }).events), [0n, 2n])
})
test('msi_cfg_tbl: hardwired to 0 when capabilities.IGS = WSI', () => {
  assert.equal(reads(run([...entry(0, TARGET, 7n), rd(MSI_ADDR(0), 8), rd(MSI_DATA(0))], EXAMPLE_CAPABILITIES | IGS_WSI, 2n).events), [0n, 0n])
})
test('msi_cfg_tbl: an 8-byte access to msi_data spans two registers: it reads 0 and is ignored', () => {
  assert.equal(readBack([wr(MSI_DATA(0), 8, 0x1_0000_0005n)], [MSI_DATA(0), 8], [MSI_DATA(0), 4], [MSI_VEC_CTL(0), 4]), [0n, 0n, 0n])
})

// ---- delivery as messages (fctl.WSI = 0) ---------------------------------------------------------------

const fipToVector1 = [...faultQueue(), wr(OFF.icvec, 8, 0x10n), ...entry(1, TARGET, 0x2an)]

test('MSI: when ipsr.fip goes 0 → 1 the IOMMU writes msi_data_x (4 bytes) at msi_addr_x, x = icvec.fiv', () => {
  const r = run([...fipToVector1, faulting()])
  assert.equal(msis(r.events), [{ kind: 'msi', source: 'fip', vector: 1, addr: TARGET, data: 0x2an, faulted: false }])
  assert.is(peek(r.memory, phys(TARGET), 4), 0x2an)
})
test('MSI: edge semantics — a second record while fip is still 1 sends nothing; after RW1C clears fip the next record sends again', () => {
  const r = run([...fipToVector1, faulting(0x1000n), faulting(0x2000n), wr(OFF.ipsr, 4, 2n), faulting(0x3000n)])
  assert.equal(msis(r.events).length, 2)
  assert.equal(r.events.filter((e) => e.op === 'interrupt').map((e) => e.step), [fipToVector1.length, fipToVector1.length + 3])
})
test('MSI: "if the conditions to set that bit are still present" after RW1C, the bit goes 0 → 1 again: a second message (fqof held)', () => {
  // A 2-entry queue holds one record: the second fault sets fqof, which stays until software clears it.
  const steps = [wr(OFF.fqb, 8, (FQ >> 12n) << 10n), wr(OFF.fqcsr, 4, 3n), wr(OFF.icvec, 8, 0x10n), ...entry(1, TARGET, 5n),
    faulting(0x1000n), faulting(0x2000n), rd(OFF.fqcsr), wr(OFF.ipsr, 4, 2n), rd(OFF.ipsr)]
  const r = run(steps)
  assert.is((reads(r.events)[0]! >> 9n) & 1n, 1n)               // fqof
  assert.equal(reads(r.events)[1], 2n)                           // fip set again at once
  assert.equal(msis(r.events).map((m) => m.source), ['fip', 'fip'])
})
test('MSI: while msi_vec_ctl.M = 1 the message is held; clearing M sends it once; clearing M again sends nothing', () => {
  const r = run([...fipToVector1, wr(MSI_VEC_CTL(1), 4, 1n), faulting(), wr(MSI_VEC_CTL(1), 4, 0n), wr(MSI_VEC_CTL(1), 4, 1n), wr(MSI_VEC_CTL(1), 4, 0n)])
  assert.equal(interrupts(r.events).map((s) => s.kind === 'msi' ? `msi ${s.source}` : s.kind), ['masked', 'msi unmask'])
  assert.is(peek(r.memory, phys(TARGET), 4), 0x2an)
})
test('MSI: a masked vector shared by two sources (civ = fiv = 1) sends one pending message when unmasked', () => {
  const steps = [...faultQueue(), wr(OFF.icvec, 8, 0x11n), ...entry(1, TARGET, 9n), wr(MSI_VEC_CTL(1), 4, 1n),
    wr(OFF.cqb, 8, 2n | ((CQ >> 12n) << 10n)), wr(OFF.cqcsr, 4, 3n), { op: 'command', words: [0x7fn, 0n] } as Step, faulting(), wr(MSI_VEC_CTL(1), 4, 0n)]
  const r = run(steps)
  assert.equal(interrupts(r.events).map((s) => s.kind === 'msi' ? `msi ${s.source}` : `${s.kind} ${'source' in s ? s.source : ''}`), ['masked cip', 'masked fip', 'msi unmask'])
})
test('MSI: cip — cqcsr.cie = 1 and an illegal command (cmd_ill) sends the message of icvec.civ', () => {
  const steps = [wr(OFF.icvec, 8, 0x2n), ...entry(2, TARGET + 0x40n, 0x77n), wr(OFF.cqb, 8, 2n | ((CQ >> 12n) << 10n)), wr(OFF.cqcsr, 4, 3n), { op: 'command', words: [0x7fn, 0n] } as Step]
  const r = run(steps)
  assert.equal(msis(r.events), [{ kind: 'msi', source: 'cip', vector: 2, addr: TARGET + 0x40n, data: 0x77n, faulted: false }])
})
test('MSI: cip again after RW1C while cmd_ill is still 1 (the condition holds): a second message', () => {
  const steps = [wr(OFF.cqb, 8, 2n | ((CQ >> 12n) << 10n)), wr(OFF.cqcsr, 4, 3n), ...entry(0, TARGET, 1n), { op: 'command', words: [0x7fn, 0n] } as Step, wr(OFF.ipsr, 4, 1n)]
  assert.is(msis(run(steps).events).length, 2)
})
test('ipsr: enabling cqcsr.cie while cmd_ill = 1 — spec (the table\'s conditions as levels): cip set and its message sent; refmodel (C model 14fd391): nothing until software writes 1 to cip', () => {
  const steps = [...entry(0, TARGET, 1n), wr(OFF.cqb, 8, 2n | ((CQ >> 12n) << 10n)), wr(OFF.cqcsr, 4, 1n), { op: 'command', words: [0x7fn, 0n] } as Step,
    wr(OFF.cqcsr, 4, 3n), rd(OFF.ipsr), wr(OFF.ipsr, 4, 1n), rd(OFF.ipsr)]
  const spec = run(steps), ref = run(steps, EXAMPLE_CAPABILITIES, 0n, { ipsrOnEnable: 'refmodel' })
  assert.equal(reads(spec.events), [1n, 1n])
  assert.is(msis(spec.events).length, 2)                        // at the enable, and again after the RW1C write (cmd_ill holds)
  assert.equal(reads(ref.events), [0n, 1n])
  assert.is(msis(ref.events).length, 1)
})
test('ipsr (refmodel): a write of 0 to ipsr does not look at cip\'s condition; only the bits written 1 are', () => {
  const steps = [wr(OFF.cqb, 8, 2n | ((CQ >> 12n) << 10n)), wr(OFF.cqcsr, 4, 1n), { op: 'command', words: [0x7fn, 0n] } as Step, wr(OFF.cqcsr, 4, 3n), wr(OFF.ipsr, 4, 2n), rd(OFF.ipsr)]
  assert.equal(reads(run(steps, EXAMPLE_CAPABILITIES, 0n, { ipsrOnEnable: 'refmodel' }).events), [0n])
})
test('MSI: cause 273 — a message the IOMMU cannot write is reported with TTYP 0 and iotval = msi_addr_x; the record raises fip', () => {
  // cip's vector 0 points outside RAM; the 273 record is the FQ's new record, so fip (vector 1) sends its message.
  const steps = [...faultQueue(), wr(OFF.icvec, 8, 0x10n), ...entry(0, 0x1000n, 1n), ...entry(1, TARGET, 2n),
    wr(OFF.cqb, 8, 2n | ((CQ >> 12n) << 10n)), wr(OFF.cqcsr, 4, 3n), { op: 'command', words: [0x7fn, 0n] } as Step]
  const r = run(steps)
  const records = r.events.flatMap((e) => (e.op === 'fault-record' ? [e.record] : []))
  assert.equal(records.map((x) => [x.cause, x.ttyp, x.iotval, x.did, x.pv]), [[273, 0, 0x1000n, 0, false]])
  assert.equal(msis(r.events).map((m) => [m.source, m.faulted]), [['cip', true], ['fip', false]])
})
test('No message without an edge: fie = 0 records nothing in ipsr and sends nothing', () => {
  assert.equal(interrupts(run([...faultQueue(false), ...entry(0, TARGET, 1n), faulting()]).events), [])
})

// ---- wire-signaled interrupts (fctl.WSI = 1) -----------------------------------------------------------

test('WSI: fctl.WSI = 1 — ipsr.fip drives the wire icvec.fiv selects (raised by the record, lowered by RW1C); no message', () => {
  const r = run([...faultQueue(), wr(OFF.icvec, 8, 0x30n), ...entry(3, TARGET, 1n), faulting(), wr(OFF.ipsr, 4, 2n)], EXAMPLE_CAPABILITIES | IGS_BOTH, 2n)
  assert.equal(interrupts(r.events), [{ kind: 'wire', vector: 3, level: true }, { kind: 'wire', vector: 3, level: false }])
  assert.is(peek(r.memory, phys(TARGET), 4), 0n)
})
test('WSI: IOFENCE.C with WSI = 1 sets cqcsr.fence_w_ip, and with cie = 1 cip raises civ\'s wire', () => {
  const fence = encodeCommand({ kind: 'IOFENCE.C', av: false, wsi: true, pr: false, pw: false, data: 0, addr: 0n })
  const r = run([wr(OFF.cqb, 8, 2n | ((CQ >> 12n) << 10n)), wr(OFF.cqcsr, 4, 3n), { op: 'command', words: fence }, rd(OFF.cqcsr)], EXAMPLE_CAPABILITIES | IGS_WSI, 2n)
  assert.is((reads(r.events)[0]! >> 11n) & 1n, 1n)
  assert.equal(interrupts(r.events), [{ kind: 'wire', vector: 0, level: true }])
})
test.run()
