// The raw scenario of `memvirt iommu` (README, "memvirt iommu"): capabilities, fctl, memory words and
// the steps software and devices take, decoded once at the edge with the codec kit (src/codec/).
// Every error names its field's path (`field steps[3].iova: …`) or, for malformed JSON, line and column.
import * as t from 'io-ts'
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js'
import { phys } from '../bits/address.ts'
import { hex } from '../bits/bits.ts'
import { emptyMemory, poke, type PhysMemory } from '../memory/memory.ts'
import { defaultMemoryMap, regionAt } from '../memory/memory-map.ts'
import { unmodelledCapabilities } from '../iommu/capabilities.ts'
import type { Step } from '../iommu/steps.ts'
import {
  type FieldError, Bool, Hex64, Text, bounded, decodeValue, exact, fieldError, formatError, intRange, isJsonObject, list, oneOf, parseJson, showValue,
} from '../codec/index.ts'

export interface IommuScenario {
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
  return t.success(s.op === 'command' ? { op: 'command', words: [s.words[0]!, s.words[1]!] as const } : s as Step)
}, t.identity)

const ScenarioCodec = exact('an IOMMU scenario', { capabilities: Hex64, steps: list(StepCodec) }, {
  description: Text, fctl: Hex64, memory: list(exact('a memory word', { addr: Hex64, value: Hex64 })),
})

// ---- what the schema cannot say -----------------------------------------------------------------------

const inRam = (a: bigint): boolean => a % 8n === 0n && regionAt(defaultMemoryMap, phys(a), 8n)?.kind === 'ram'
const NOT_IN_RAM = 'expected an 8-byte-aligned address in RAM (0x8000_0000–0xffff_ffff), got'

/** Decodes a parsed JSON value into a scenario, or the first error with its field's path. */
export const decodeIommuScenario = (u: unknown): Either<FieldError, IommuScenario> => {
  const r = decodeValue(ScenarioCodec, u)
  if (isLeft(r)) return r
  const json = r.right
  const unmodelled = unmodelledCapabilities(json.capabilities)
  if (unmodelled.length > 0) return left(fieldError('capabilities', `sets ${unmodelled.join(', ')}, which this model does not implement`))
  // fctl is the reset value: only WSI may be set (BE and GXL select big-endian and Sv32x4, not modelled),
  // and it must agree with capabilities.IGS (MSI only: WSI = 0; WSI only: WSI = 1).
  const fctl = json.fctl ?? 0n
  const igs = Number((json.capabilities >> 28n) & 3n)
  if ((fctl & ~2n) !== 0n) return left(fieldError('fctl', `only WSI (bit 1) may be set (BE and GXL are not modelled), got ${hex(fctl)}`))
  if ((igs === 0 && fctl !== 0n) || (igs === 1 && fctl !== 2n)) return left(fieldError('fctl', `WSI = ${fctl >> 1n} contradicts capabilities.IGS = ${igs}`))
  if (igs === 3) return left(fieldError('capabilities', 'IGS = 3 is reserved'))
  let memory = emptyMemory(defaultMemoryMap)
  for (const [i, w] of (json.memory ?? []).entries()) {
    if (!inRam(w.addr)) return left(fieldError(`memory[${i}].addr`, `${NOT_IN_RAM} ${hex(w.addr)}`))
    memory = poke(memory, phys(w.addr), 8, w.value)
  }
  for (const [i, s] of json.steps.entries()) {
    if (s.op === 'memory' && !inRam(s.addr)) return left(fieldError(`steps[${i}].addr`, `${NOT_IN_RAM} ${hex(s.addr)}`))
  }
  return right({ capabilities: json.capabilities, fctl, memory, steps: json.steps })
}

/** Parses and decodes scenario text; the error is the one line users see, starting with `file`. */
export const parseIommuScenario = (text: string, file: string): Either<string, IommuScenario> => {
  const json = parseJson(text)
  if (isLeft(json)) return left(formatError(file, json.left))
  const s = decodeIommuScenario(json.right)
  return isLeft(s) ? left(formatError(file, s.left)) : s
}
