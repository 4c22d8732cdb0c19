// The scenarios of `memvirt iommu` (README, "memvirt iommu"), decoded once at the edge with the codec kit
// (src/codec/): the raw form (capabilities, fctl, memory words and the steps software and devices take)
// and the structured form (devices, contexts and mappings by name: iommu-structured.ts), which expands
// to the raw form. Every error names its field's path (`field steps[3].iova: …`) or, for malformed
// JSON, line and column.
import * as t from 'io-ts'
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js'
import { phys } from '../bits/address.ts'
import { hex } from '../bits/bits.ts'
import { emptyMemory, poke, type PhysMemory } from '../memory/memory.ts'
import { defaultMemoryMap, regionAt } from '../memory/memory-map.ts'
import { EXAMPLE_CAPABILITIES, unmodelledCapabilities } from '../iommu/capabilities.ts'
import type { Step } from '../iommu/steps.ts'
import { type RawScenario, expandStructured } from '../iommu/structured.ts'
import { structuredScenario } from './iommu-structured.ts'
import {
  type FieldError, Bool, Hex64, Text, bounded, decodeValue, exact, fieldError, formatError, intRange, isJsonObject, list, oneOf, parseJson, showValue,
} from '../codec/index.ts'

export interface IommuScenario {
  /** The raw form (for a structured scenario, its expansion: what `--print-raw` prints). */
  readonly raw: RawScenario
  readonly capabilities: bigint
  readonly fctl: bigint
  readonly memory: PhysMemory
  readonly steps: readonly Step[]
}

// ---- the steps ----------------------------------------------------------------------------------------

const Offset = bounded(intRange(0, 4095))                  // a register offset in the 4 KiB register file
const Size = oneOf([4, 8] as const)
const CommandWords = list(Hex64, { min: 2, max: 2 })       // one 16-byte command: two doublewords

const STEP_CODECS = {
  'write-register': exact('a write-register step', { op: oneOf(['write-register'] as const), offset: Offset, size: Size, value: Hex64 }),
  'read-register': exact('a read-register step', { op: oneOf(['read-register'] as const), offset: Offset, size: Size }),
  memory: exact('a memory step', { op: oneOf(['memory'] as const), addr: Hex64, value: Hex64 }),
  command: exact('a command step', { op: oneOf(['command'] as const), words: CommandWords }),
  translate: exact('a translate step', {
    op: oneOf(['translate'] as const), deviceId: bounded(intRange(0, 2 ** 24 - 1)), access: oneOf(['read', 'write', 'execute'] as const),
    privileged: Bool, type: oneOf(['untranslated', 'translated', 'ats'] as const), iova: Hex64,
  }, { processId: bounded(intRange(0, 2 ** 20 - 1)) }),
  msi: exact('an msi step', {
    op: oneOf(['msi'] as const), deviceId: bounded(intRange(0, 2 ** 24 - 1)), iova: Hex64, data: bounded(intRange(0, 2 ** 32 - 1)),
  }, { processId: bounded(intRange(0, 2 ** 20 - 1)) }),
  'page-request': exact('a page-request step', {
    op: oneOf(['page-request'] as const), deviceId: bounded(intRange(0, 2 ** 24 - 1)), payload: Hex64,
  }, { processId: bounded(intRange(0, 2 ** 20 - 1)), privileged: Bool, execute: Bool }),
  'invalidation-completion': exact('an invalidation-completion step', {
    op: oneOf(['invalidation-completion'] as const), rid: bounded(intRange(0, 2 ** 16 - 1)), itags: bounded(intRange(0, 2 ** 32 - 1)), cc: bounded(intRange(0, 7)),
  }, { dseg: bounded(intRange(0, 255)) }),
  'ats-timeout': exact('an ats-timeout step', { op: oneOf(['ats-timeout'] as const), itags: bounded(intRange(0, 2 ** 32 - 1)) }),
} as const
type Op = keyof typeof STEP_CODECS
const Ops = oneOf(Object.keys(STEP_CODECS) as Op[])

/** One step, its schema chosen by its "op" field (an unknown op is reported at `op`). */
const StepCodec = new t.Type<Step, unknown, unknown>('a step', (u): u is Step => isJsonObject(u) && Ops.is(u.op), (u, c) => {
  if (!isJsonObject(u)) return t.failure(u, c, `expected a step (an object with an "op"), got ${showValue(u)}`)
  const op = Object.prototype.hasOwnProperty.call(u, 'op') ? u.op : undefined
  const known = Ops.validate(op, t.appendContext(c, 'op', Ops, op))
  if (isLeft(known)) return known
  const r = STEP_CODECS[known.right].validate(u, c)
  if (isLeft(r)) return r
  const s = r.right
  if (s.op === 'msi') return t.success({ ...s, data: BigInt(s.data) })
  if (s.op === 'page-request') return t.success({ ...s, privileged: s.privileged ?? false, execute: s.execute ?? false })
  return t.success(s.op === 'command' ? { op: 'command', words: [s.words[0]!, s.words[1]!] as const } : s as Step)
}, t.identity)

const StructuredCodec = structuredScenario(StepCodec, Object.keys(STEP_CODECS))

const ScenarioCodec = exact('an IOMMU scenario', { capabilities: Hex64, steps: list(StepCodec) }, {
  description: Text, fctl: Hex64, memory: list(exact('a memory word', { addr: Hex64, value: Hex64 })),
})

// ---- what the schema cannot say -----------------------------------------------------------------------

const inRam = (a: bigint): boolean => a % 8n === 0n && regionAt(defaultMemoryMap, phys(a), 8n)?.kind === 'ram'
const NOT_IN_RAM = 'expected an 8-byte-aligned address in RAM (0x8000_0000–0xffff_ffff), got'

/**
 * Decodes a parsed JSON value into a scenario, or the first error with its field's path. An object with
 * a `devices` field is the structured form, expanded to the raw form first.
 */
export const decodeIommuScenario = (u: unknown): Either<FieldError, IommuScenario> => {
  if (isJsonObject(u) && Object.prototype.hasOwnProperty.call(u, 'devices')) {
    const r = decodeValue(StructuredCodec, u)
    if (isLeft(r)) return r
    for (const [i, w] of (r.right.memory ?? []).entries()) {
      if (!inRam(w.addr)) return left(fieldError(`memory[${i}].addr`, `${NOT_IN_RAM} ${hex(w.addr)}`))
    }
    const raw = expandStructured(r.right, EXAMPLE_CAPABILITIES)
    if (isLeft(raw)) return raw
    if (!raw.right.memory.every((w) => inRam(w.addr))) return left(fieldError('tables', 'the tables run past RAM (0x8000_0000–0xffff_ffff)'))
    return loadRaw(raw.right)
  }
  const r = decodeValue(ScenarioCodec, u)
  if (isLeft(r)) return r
  const json = r.right
  return loadRaw({ ...(json.description === undefined ? {} : { description: json.description }), capabilities: json.capabilities, fctl: json.fctl ?? 0n, memory: json.memory ?? [], steps: json.steps })
}

/** Checks what the schema cannot say and loads the memory words. */
const loadRaw = (raw: RawScenario): Either<FieldError, IommuScenario> => {
  const unmodelled = unmodelledCapabilities(raw.capabilities)
  if (unmodelled.length > 0) return left(fieldError('capabilities', `sets ${unmodelled.join(', ')}, which this model does not implement`))
  // fctl is the reset value: only WSI may be set (BE and GXL select big-endian and Sv32x4, not modelled),
  // and it must agree with capabilities.IGS (MSI only: WSI = 0; WSI only: WSI = 1).
  const fctl = raw.fctl
  const igs = Number((raw.capabilities >> 28n) & 3n)
  if ((fctl & ~2n) !== 0n) return left(fieldError('fctl', `only WSI (bit 1) may be set (BE and GXL are not modelled), got ${hex(fctl)}`))
  if ((igs === 0 && fctl !== 0n) || (igs === 1 && fctl !== 2n)) return left(fieldError('fctl', `WSI = ${fctl >> 1n} contradicts capabilities.IGS = ${igs}`))
  if (igs === 3) return left(fieldError('capabilities', 'IGS = 3 is reserved'))
  let memory = emptyMemory(defaultMemoryMap)
  for (const [i, w] of raw.memory.entries()) {
    if (!inRam(w.addr)) return left(fieldError(`memory[${i}].addr`, `${NOT_IN_RAM} ${hex(w.addr)}`))
    memory = poke(memory, phys(w.addr), 8, w.value)
  }
  for (const [i, s] of raw.steps.entries()) {
    if (s.op === 'memory' && !inRam(s.addr)) return left(fieldError(`steps[${i}].addr`, `${NOT_IN_RAM} ${hex(s.addr)}`))
  }
  return right({ raw, capabilities: raw.capabilities, fctl, memory, steps: raw.steps })
}

/** The raw form as JSON text: one memory word and one step per line, 64-bit values as `0x` hex (`--print-raw`). */
export const rawScenarioText = (raw: RawScenario): string => {
  const h = (v: bigint): string => `"0x${v.toString(16)}"`
  const step = (s: Step): string => {
    switch (s.op) {
      case 'write-register': return `{ "op": "write-register", "offset": ${s.offset}, "size": ${s.size}, "value": ${h(s.value)} }`
      case 'read-register': return `{ "op": "read-register", "offset": ${s.offset}, "size": ${s.size} }`
      case 'memory': return `{ "op": "memory", "addr": ${h(s.addr)}, "value": ${h(s.value)} }`
      case 'command': return `{ "op": "command", "words": [${h(s.words[0])}, ${h(s.words[1])}] }`
      case 'translate': return `{ "op": "translate", "deviceId": ${s.deviceId}, ${s.processId === undefined ? '' : `"processId": ${s.processId}, `}"access": "${s.access}", "privileged": ${s.privileged}, "type": "${s.type}", "iova": ${h(s.iova)} }`
      case 'msi': return `{ "op": "msi", "deviceId": ${s.deviceId}, ${s.processId === undefined ? '' : `"processId": ${s.processId}, `}"iova": ${h(s.iova)}, "data": ${s.data} }`
      case 'page-request': return `{ "op": "page-request", "deviceId": ${s.deviceId}, ${s.processId === undefined ? '' : `"processId": ${s.processId}, `}"privileged": ${s.privileged}, "execute": ${s.execute}, "payload": ${h(s.payload)} }`
      case 'invalidation-completion': return `{ "op": "invalidation-completion", "rid": ${s.rid}, ${s.dseg === undefined ? '' : `"dseg": ${s.dseg}, `}"itags": ${s.itags}, "cc": ${s.cc} }`
      case 'ats-timeout': return `{ "op": "ats-timeout", "itags": ${s.itags} }`
    }
  }
  const lines = ['{']
  if (raw.description !== undefined) lines.push(`  "description": ${JSON.stringify(raw.description)},`)
  lines.push(`  "capabilities": ${h(raw.capabilities)},`, `  "fctl": ${h(raw.fctl)},`, '  "memory": [')
  raw.memory.forEach((w, i) => lines.push(`    { "addr": ${h(w.addr)}, "value": ${h(w.value)} }${i + 1 < raw.memory.length ? ',' : ''}`))
  lines.push('  ],', '  "steps": [')
  raw.steps.forEach((s, i) => lines.push(`    ${step(s)}${i + 1 < raw.steps.length ? ',' : ''}`))
  lines.push('  ]', '}')
  return lines.join('\n') + '\n'
}

/** Parses and decodes scenario text; the error is the one line users see, starting with `file`. */
export const parseIommuScenario = (text: string, file: string): Either<string, IommuScenario> => {
  const json = parseJson(text)
  if (isLeft(json)) return left(formatError(file, json.left))
  const s = decodeIommuScenario(json.right)
  return isLeft(s) ? left(formatError(file, s.left)) : s
}
