// Laws of the IOMMU's in-memory formats (RISC-V IOMMU spec v1.0, "Data Structures", "Command-Queue",
// "Fault/Event-Queue"): every layout accounts for every bit (decode then encode gives the same words),
// commands and records round-trip, and any reserved bit of a valid DC or PC makes it misconfigured.
import { test } from 'uvu'
import { fc, runs } from '../fc.ts'
import { decodeCapabilities, EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { type Command, decodeCommand, encodeCommand } from '../../src/iommu/commands.ts'
import { decodeDeviceContext, deviceContextProblem, encodeDeviceContext } from '../../src/iommu/device-context.ts'
import { decodeNonLeaf, encodeNonLeaf } from '../../src/iommu/directory.ts'
import { type FaultRecord, decodeFaultRecord, encodeFaultRecord } from '../../src/iommu/fault-record.ts'
import { decodeProcessContext, encodeProcessContext, processContextProblem } from '../../src/iommu/process-context.ts'

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const caps = decodeCapabilities(EXAMPLE_CAPABILITIES | (1n << 42n) | (1n << 43n)) // NL and S too, so every IOTINVAL bit is decodable
const uint = (bits: number) => fc.integer({ min: 0, max: 2 ** bits - 1 })
const ubig = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n })

test('DC: decode then encode gives back the same doublewords (base and extended formats)', () => {
  fc.assert(fc.property(fc.oneof(fc.array(u64, { minLength: 4, maxLength: 4 }), fc.array(u64, { minLength: 8, maxLength: 8 })),
    (ws) => encodeDeviceContext(decodeDeviceContext(ws)).every((w, i) => w === ws[i])), { numRuns: runs(300) })
})

test('PC and non-leaf entries: decode then encode gives back the same doublewords', () => {
  fc.assert(fc.property(u64, u64, (ta, fsc) => {
    const [a, b] = encodeProcessContext(decodeProcessContext(ta, fsc))
    return a === ta && b === fsc && encodeNonLeaf(decodeNonLeaf(ta)) === ta
  }), { numRuns: runs(300) })
})

const arbRecord: fc.Arbitrary<FaultRecord> = fc.record({
  cause: uint(12), pid: uint(20), pv: fc.boolean(), priv: fc.boolean(), ttyp: uint(6), did: uint(24), custom: fc.constant(0),
  iotval: u64, iotval2: u64,
})
test('Fault record: decode(encode(r)) = r', () => {
  fc.assert(fc.property(arbRecord, (r) => JSON.stringify(decodeFaultRecord(encodeFaultRecord(r)), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ===
    JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))), { numRuns: runs(300) })
})

const arbCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('IOTINVAL.VMA' as const), av: fc.boolean(), pscid: uint(20), pscv: fc.boolean(), gv: fc.boolean(), nl: fc.boolean(), gscid: uint(16), s: fc.boolean(), addr: ubig(52).map((a) => a << 12n) }),
  fc.record({ kind: fc.constant('IOTINVAL.GVMA' as const), av: fc.boolean(), pscid: uint(20), pscv: fc.constant(false), gv: fc.boolean(), nl: fc.boolean(), gscid: uint(16), s: fc.boolean(), addr: ubig(52).map((a) => a << 12n) }),
  fc.record({ kind: fc.constant('IOFENCE.C' as const), av: fc.boolean(), wsi: fc.boolean(), pr: fc.boolean(), pw: fc.boolean(), data: fc.integer({ min: 0, max: 0xffff_ffff }), addr: ubig(62).map((a) => a << 2n) }),
  fc.record({ kind: fc.constant('IODIR.INVAL_DDT' as const), pid: fc.constant(0), dv: fc.boolean(), did: uint(24) }),
  fc.record({ kind: fc.constant('IODIR.INVAL_PDT' as const), pid: uint(20), dv: fc.constant(true), did: uint(24) }),
  fc.record({ kind: fc.constant('ATS.INVAL' as const), pid: uint(20), pv: fc.boolean(), dsv: fc.boolean(), rid: uint(16), dseg: uint(8), payload: u64 }),
)
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) === JSON.stringify(b, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))

test('Commands: every legal command decodes to itself after encoding (with fctl.WSI = 1)', () => {
  fc.assert(fc.property(arbCommand, (c) => {
    const d = decodeCommand(...encodeCommand(c), caps, true)
    return d.ok && same(d.command, c)
  }), { numRuns: runs(500) })
})
test('Commands: any pair of doublewords that decodes re-encodes to the same words', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 5 }), u64, u64, (op, w0, w1) => {
    const words0 = (w0 & ~0x7fn) | BigInt(op)
    const d = decodeCommand(words0, w1, caps, true)
    if (!d.ok) return true
    const [e0, e1] = encodeCommand(d.command)
    return e0 === words0 && e1 === w1
  }), { numRuns: runs(1000) })
})

const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)
const TC_RESERVED_BITS = [...range(12, 23), ...range(32, 63)]
const PC_TA_RESERVED_BITS = [...range(3, 11), ...range(32, 63)]
test('A valid DC with any reserved tc bit set is misconfigured (cause 259); a valid PC with any reserved ta bit, 267', () => {
  fc.assert(fc.property(fc.constantFrom(...TC_RESERVED_BITS), fc.constantFrom(...PC_TA_RESERVED_BITS), (b, p) =>
    deviceContextProblem(decodeDeviceContext([1n | (1n << BigInt(b)), 0n, 0n, 0n]), caps, { be: false, wsi: false, gxl: false }, { gxlWritable: false }) !== undefined &&
    processContextProblem(decodeProcessContext(1n | (1n << BigInt(p)), 0n), caps, false) !== undefined), { numRuns: runs(100) })
})

test.run()
