// The structured scenario of `memvirt iommu` (README, "The structured form"): devices, their contexts and
// mappings as named entries, decoded once at the edge with the codec kit (src/codec/) and expanded to
// the raw form by src/iommu/structured.ts. A scenario is structured when it has a `devices` field.
import * as t from 'io-ts'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { Step } from '../iommu/steps.ts'
import {
  type Device, type FirstStage, type GStage, type Interrupts, type Mapping, type Process, type StructuredScenario, type StructuredStep, PAGE_SIZES, PERMISSIONS, PRG_RESPONSES,
} from '../iommu/structured.ts'
import { Bool, Hex64, Text, bounded, exact, intRange, isJsonObject, list, oneOf, showValue } from '../codec/index.ts'

const U16 = bounded(intRange(0, 2 ** 16 - 1))
const U20 = bounded(intRange(0, 2 ** 20 - 1))
const Access = oneOf(['read', 'write', 'execute'] as const)

const MappingCodec: t.Type<Mapping, unknown, unknown> = exact('a mapping', { iova: Hex64, to: Hex64, size: oneOf(PAGE_SIZES), perm: oneOf(PERMISSIONS) }, {
  user: Bool, global: Bool, accessed: Bool, dirty: Bool, pbmt: oneOf([0, 1, 2] as const),
})
const FirstStageCodec: t.Type<FirstStage, unknown, unknown> = exact('a first stage', { mode: oneOf(['Sv39', 'Sv48', 'Sv57'] as const), mappings: list(MappingCodec) }, { pscid: U20 })
const GStageCodec: t.Type<GStage, unknown, unknown> = exact('a G-stage', { mode: oneOf(['Sv39x4', 'Sv48x4', 'Sv57x4'] as const), mappings: list(MappingCodec) }, { gscid: U16 })
const ProcessCodec: t.Type<Process, unknown, unknown> = exact('a process', { processId: U20 }, { ens: Bool, sum: Bool, firstStage: FirstStageCodec })
const DeviceCodec: t.Type<Device, unknown, unknown> = exact('a device', { name: Text, deviceId: bounded(intRange(0, 2 ** 24 - 1)) }, {
  ats: Bool, pri: Bool, prpr: Bool, t2gpa: Bool, dtf: Bool, sade: Bool, gade: Bool, dpe: Bool,
  gStage: GStageCodec, firstStage: FirstStageCodec, pdt: oneOf(['PD8', 'PD17', 'PD20'] as const), processes: list(ProcessCodec),
})
const QueueCodec = exact('a queue', {}, { base: Hex64, entries: bounded(intRange(2, 2 ** 20)) })
const Vector = bounded(intRange(0, 15))
const InterruptsCodec: t.Type<Interrupts, unknown, unknown> = exact('an interrupts section', {}, {
  commandQueue: Bool, faultQueue: Bool,
  vectors: exact('the vectors', {}, { cip: Vector, fip: Vector, pmip: Vector, pip: Vector }),
  msi: list(exact('an MSI message', { vector: Vector, addr: Hex64, data: bounded(intRange(0, 2 ** 32 - 1)) }, { masked: Bool })),
})

const STEP_CODECS = {
  translate: exact('a translate step', { op: oneOf(['translate'] as const), device: Text, access: Access, iova: Hex64 }, {
    process: U20, privileged: Bool, type: oneOf(['untranslated', 'translated', 'ats'] as const),
  }),
  'iotinval.vma': exact('an iotinval.vma step', { op: oneOf(['iotinval.vma'] as const) }, { device: Text, process: U20, iova: Hex64 }),
  'iotinval.gvma': exact('an iotinval.gvma step', { op: oneOf(['iotinval.gvma'] as const) }, { device: Text, gpa: Hex64 }),
  'iodir.inval_ddt': exact('an iodir.inval_ddt step', { op: oneOf(['iodir.inval_ddt'] as const) }, { device: Text }),
  'iodir.inval_pdt': exact('an iodir.inval_pdt step', { op: oneOf(['iodir.inval_pdt'] as const), device: Text, process: U20 }),
  'page-request': exact('a page-request step', { op: oneOf(['page-request'] as const), device: Text, page: Hex64 }, {
    process: U20, privileged: Bool, execute: Bool, read: Bool, write: Bool, last: Bool, group: bounded(intRange(0, 511)),
  }),
  'ats.inval': exact('an ats.inval step', { op: oneOf(['ats.inval'] as const), device: Text }, { process: U20, iova: Hex64 }),
  'ats.prgr': exact('an ats.prgr step', { op: oneOf(['ats.prgr'] as const), device: Text, group: bounded(intRange(0, 511)), response: oneOf(PRG_RESPONSES) }, { process: U20 }),
  'iofence.c': exact('an iofence.c step', { op: oneOf(['iofence.c'] as const) }, { addr: Hex64, data: bounded(intRange(0, 2 ** 32 - 1)) }),
} as const
type Op = keyof typeof STEP_CODECS

/**
 * A structured step: one of the named ops above, or a raw step other than `translate` (`rawStep`, the
 * raw form's codec), chosen by "op"; an unknown op is reported at `op` with every known one.
 */
export const structuredStep = (rawStep: t.Type<Step, unknown, unknown>, rawOps: readonly string[]): t.Type<StructuredStep, unknown, unknown> => {
  const ops = oneOf([...Object.keys(STEP_CODECS), ...rawOps.filter((o) => o !== 'translate' && o !== 'page-request')])
  return new t.Type<StructuredStep, unknown, unknown>('a step', (u): u is StructuredStep => isJsonObject(u) && ops.is(u.op), (u, c) => {
    if (!isJsonObject(u)) return t.failure(u, c, `expected a step (an object with an "op"), got ${showValue(u)}`)
    const op = Object.prototype.hasOwnProperty.call(u, 'op') ? u.op : undefined
    const known = ops.validate(op, t.appendContext(c, 'op', ops, op))
    if (isLeft(known)) return known
    const codec = Object.prototype.hasOwnProperty.call(STEP_CODECS, known.right) ? STEP_CODECS[known.right as Op] : undefined
    return (codec === undefined ? rawStep.validate(u, c) : codec.validate(u, c)) as t.Validation<StructuredStep>
  }, t.identity)
}

/** The structured scenario's codec, given the raw form's step codec (its non-translate steps pass through). */
export const structuredScenario = (rawStep: t.Type<Step, unknown, unknown>, rawOps: readonly string[]): t.Type<StructuredScenario, unknown, unknown> =>
  exact('a structured IOMMU scenario', { devices: list(DeviceCodec), steps: list(structuredStep(rawStep, rawOps)) }, {
    description: Text, capabilities: Hex64, fctl: Hex64, ddt: oneOf(['1LVL', '2LVL', '3LVL'] as const), tables: Hex64,
    faultQueue: QueueCodec, commandQueue: QueueCodec, pageRequestQueue: QueueCodec, interrupts: InterruptsCodec, memory: list(exact('a memory word', { addr: Hex64, value: Hex64 })),
  })
