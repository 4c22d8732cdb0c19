// `memvirt virtio-iommu SCENARIO.json [--json] [--model spec|qemu]`: a virtio-iommu scenario (device
// configuration, endpoints, requests, DMA accesses, optionally the VM's G-stage for the para-virtual
// composition) decoded once here with the codec kit (src/codec/), run through src/iommu/virtio, printed as text or JSON
// lines. Schema and output fields: notes/virtio-readme.md. Every decoding error names file and field.
import * as t from 'io-ts'
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js'
import type { Command } from 'commander'
import { phys } from '../bits/address.ts'
import { emptyMemory, poke, type PhysMemory } from '../memory/memory.ts'
import { defaultMemoryMap, regionAt } from '../memory/memory-map.ts'
import { decodeHgatp } from '../mmu/atp.ts'
import {
  type DeviceConfig, type DeviceState, type DmaAccess, type GStage, type ModelName, type Request, type RequestOutcome,
  FAULT_REASON_CODE, MAP_F_MMIO, MAP_F_READ, MAP_F_WRITE, STATUS_CODE, ATTACH_F_BYPASS,
  domainRangeOf, faultFlagNames, featureBits, fidelityOf, granule, handleRequest, inputRangeOf, mapFlagNames,
  resetDevice, translateDma, translatePv,
} from '../iommu/virtio/index.ts'
import { failInput, readText } from './io.ts'
import {
  type FieldError, Bool, Hex64, Text, bounded, decodeValue, exact, fieldError, formatError, intRange, isJsonObject, list, oneOf, parseJson, showValue,
} from '../codec/index.ts'

// ---- what a decoded scenario is ---------------------------------------------------------------------

export interface VirtioDma {
  readonly endpoint: number
  readonly iova: bigint
  readonly access: DmaAccess
  readonly note: string | undefined
}

export interface VirtioScenario {
  readonly description: string | undefined
  readonly model: ModelName
  readonly config: DeviceConfig
  readonly requests: readonly Request[]
  readonly dma: readonly VirtioDma[]
  /** The VM's G-stage: with it every DMA is also translated GPA → SPA (the PVIOMMU composition). */
  readonly gStage: GStage | undefined
}

// ---- codecs (from the codec kit, src/codec/) ---------------------------------------------------------

const U32 = bounded(intRange(0, 0xffff_ffff))

const MAP_FLAG_BITS = { read: MAP_F_READ, write: MAP_F_WRITE, mmio: MAP_F_MMIO } as const
/** MAP flags as names (["read", "write"]) or as the raw 32-bit word (to send bits the device does not know). */
const MapFlags = new t.Type<number, unknown, unknown>(
  'a list of "read", "write", "mmio", or the raw flags word', (u): u is number => typeof u === 'number',
  (u, c) => {
    if (typeof u === 'number') return U32.validate(u, c)
    const names = list(oneOf(['read', 'write', 'mmio'] as const)).validate(u, c)
    if (isLeft(names)) return t.failure(u, c, `expected a list of "read", "write", "mmio", or the raw flags word, got ${showValue(u)}`)
    return t.success(names.right.reduce((f, n) => f | MAP_FLAG_BITS[n], 0))
  },
  t.identity,
)

const RangeCodec = exact('an address range', { start: Hex64, end: Hex64 })
const DomainRangeCodec = exact('a domain range', { start: U32, end: U32 })
const ResvCodec = exact('a reserved region', { subtype: oneOf(['reserved', 'msi'] as const), start: Hex64, end: Hex64 })
const EndpointCodec = exact('an endpoint', { id: U32 }, { resvMem: list(ResvCodec) })
const ConfigCodec = exact('a device configuration', { pageSizeMask: Hex64 }, {
  inputRange: RangeCodec, domainRange: DomainRangeCodec, bypass: Bool, legacyBypass: Bool, probeSize: U32, mmio: Bool,
})

const opField = <O extends string>(op: O) => ({ op: oneOf([op] as const) })
const RequestCodecs = {
  attach: exact('an attach request', { ...opField('attach'), endpoint: U32, domain: U32 }, { bypass: Bool, flags: U32, reserved: U32 }),
  detach: exact('a detach request', { ...opField('detach'), endpoint: U32, domain: U32 }),
  map: exact('a map request', { ...opField('map'), domain: U32, virtStart: Hex64, virtEnd: Hex64, physStart: Hex64, flags: MapFlags }),
  unmap: exact('an unmap request', { ...opField('unmap'), domain: U32, virtStart: Hex64, virtEnd: Hex64 }),
  probe: exact('a probe request', { ...opField('probe'), endpoint: U32 }, { propertiesSize: U32 }),
  unknown: exact('a request of an unknown type', { ...opField('unknown'), type: U32 }),
} as const
type Op = keyof typeof RequestCodecs
const Ops = oneOf(Object.keys(RequestCodecs) as Op[])

/** One request, its schema chosen by its "op" field (an unknown op is reported at `op`). */
const RequestCodec = new t.Type<Request, unknown, unknown>(
  'a request', (u): u is Request => isJsonObject(u) && Ops.is(u.op),
  (u, c) => {
    if (!isJsonObject(u)) return t.failure(u, c, `expected a request (an object with an "op"), got ${showValue(u)}`)
    const op = Object.prototype.hasOwnProperty.call(u, 'op') ? u.op : undefined
    const known = Ops.validate(op, t.appendContext(c, 'op', Ops, op))
    if (isLeft(known)) return known
    switch (known.right) {
      case 'attach': {
        const r = RequestCodecs.attach.validate(u, c)
        if (isLeft(r)) return r
        const flags = r.right.flags ?? (r.right.bypass === true ? ATTACH_F_BYPASS : 0)
        return t.success({ type: 'attach', endpoint: r.right.endpoint, domain: r.right.domain, flags, reserved: r.right.reserved ?? 0 })
      }
      case 'detach': {
        const r = RequestCodecs.detach.validate(u, c)
        return isLeft(r) ? r : t.success({ type: 'detach', endpoint: r.right.endpoint, domain: r.right.domain })
      }
      case 'map': {
        const r = RequestCodecs.map.validate(u, c)
        return isLeft(r) ? r : t.success({ type: 'map', domain: r.right.domain, virtStart: r.right.virtStart, virtEnd: r.right.virtEnd, physStart: r.right.physStart, flags: r.right.flags })
      }
      case 'unmap': {
        const r = RequestCodecs.unmap.validate(u, c)
        return isLeft(r) ? r : t.success({ type: 'unmap', domain: r.right.domain, virtStart: r.right.virtStart, virtEnd: r.right.virtEnd })
      }
      case 'probe': {
        const r = RequestCodecs.probe.validate(u, c)
        return isLeft(r) ? r : t.success({ type: 'probe', endpoint: r.right.endpoint, propertiesSize: r.right.propertiesSize })
      }
      case 'unknown': {
        const r = RequestCodecs.unknown.validate(u, c)
        return isLeft(r) ? r : t.success({ type: 'unknown', code: r.right.type })
      }
    }
  },
  t.identity,
)

const DmaCodec = exact('a DMA access', { endpoint: U32, iova: Hex64, access: oneOf(['read', 'write'] as const) }, { note: Text })
const WordCodec = exact('a memory word', { addr: Hex64, value: Hex64 })
const GStageCodec = exact('a G-stage', { hgatp: Hex64, memory: list(WordCodec) })

/** The scenario file's schema (the codec kit's io-ts codecs); `toScenario` adds the checks the schema cannot express. */
export const VirtioScenarioCodec = exact('a virtio-iommu scenario', {
  config: ConfigCodec,
  endpoints: list(EndpointCodec),
  requests: list(RequestCodec),
}, {
  description: Text,
  model: oneOf(['spec', 'qemu'] as const),
  dma: list(DmaCodec),
  gStage: GStageCodec,
})
type ScenarioJson = t.TypeOf<typeof VirtioScenarioCodec>

const fail = (path: string, message: string): Either<FieldError, never> => left(fieldError(path, message))
const hx = (v: bigint): string => `0x${v.toString(16)}`

const toScenario = (json: ScenarioJson): Either<FieldError, VirtioScenario> => {
  const c = json.config
  // "The device MUST set at least one bit in page_size_mask."
  if (c.pageSizeMask === 0n) return fail('config.pageSizeMask', 'the device must set at least one bit (the granule)')
  if (c.inputRange !== undefined && c.inputRange.start > c.inputRange.end) return fail('config.inputRange.end', 'end is below start')
  if (c.domainRange !== undefined && c.domainRange.start > c.domainRange.end) return fail('config.domainRange.end', 'end is below start')
  const seen = new Set<number>()
  for (let i = 0; i < json.endpoints.length; i++) {
    const e = json.endpoints[i]!
    if (seen.has(e.id)) return fail(`endpoints[${i}].id`, `endpoint ${e.id} is listed twice`)
    seen.add(e.id)
    const resv = e.resvMem ?? []
    for (let j = 0; j < resv.length; j++) if (resv[j]!.start > resv[j]!.end) return fail(`endpoints[${i}].resvMem[${j}].end`, 'end is below start')
  }
  const config: DeviceConfig = {
    pageSizeMask: c.pageSizeMask,
    inputRange: c.inputRange,
    domainRange: c.domainRange === undefined ? undefined : { start: BigInt(c.domainRange.start), end: BigInt(c.domainRange.end) },
    bypass: c.bypass,
    legacyBypass: c.legacyBypass ?? false,
    probeSize: c.probeSize,
    mmio: c.mmio ?? false,
    endpoints: json.endpoints.map((e) => ({ id: e.id, resvMem: e.resvMem ?? [] })),
  }
  let gStage: GStage | undefined
  if (json.gStage !== undefined) {
    const hgatp = json.gStage.hgatp
    if (decodeHgatp(hgatp) === undefined) return fail('gStage.hgatp', `unsupported MODE ${hgatp >> 60n} in ${hx(hgatp)}; expected 0 (Bare), 8 (Sv39x4), 9 (Sv48x4) or 10 (Sv57x4)`)
    let memory: PhysMemory = emptyMemory(defaultMemoryMap)
    const words = json.gStage.memory
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!
      if (w.addr % 8n !== 0n) return fail(`gStage.memory[${i}].addr`, `${hx(w.addr)} is not 8-byte aligned`)
      if (regionAt(defaultMemoryMap, phys(w.addr), 8n)?.kind !== 'ram') return fail(`gStage.memory[${i}].addr`, `${hx(w.addr)} is not in RAM [0x80000000, 0x100000000)`)
      memory = poke(memory, phys(w.addr), 8, w.value)
    }
    gStage = { memory, hgatp }
  }
  const dma = (json.dma ?? []).map((d): VirtioDma => ({ endpoint: d.endpoint, iova: d.iova, access: d.access, note: d.note }))
  return right({ description: json.description, model: json.model ?? 'spec', config, requests: json.requests, dma, gStage })
}

/** Decodes a parsed JSON value into a scenario, or the first error with the path of its field. */
export const decodeVirtioScenario = (u: unknown): Either<FieldError, VirtioScenario> => {
  const r = decodeValue(VirtioScenarioCodec, u)
  return isLeft(r) ? r : toScenario(r.right)
}

/** Parses and decodes scenario text; `name` (the file) starts every error message. */
export const parseVirtioScenario = (text: string, name: string): Either<string, VirtioScenario> => {
  const json = parseJson(text)
  if (isLeft(json)) return left(formatError(name, json.left))
  const s = decodeVirtioScenario(json.right)
  return isLeft(s) ? left(formatError(name, s.left)) : s
}

// ---- running and rendering ----------------------------------------------------------------------------

const describeRequest = (r: Request): string => {
  switch (r.type) {
    case 'attach': return `ATTACH endpoint ${r.endpoint} to domain ${r.domain}${r.flags !== 0 ? ` flags ${hx(BigInt(r.flags))}${(r.flags & ATTACH_F_BYPASS) !== 0 ? ' (BYPASS)' : ''}` : ''}${r.reserved !== 0 ? ` reserved ${hx(BigInt(r.reserved))}` : ''}`
    case 'detach': return `DETACH endpoint ${r.endpoint} from domain ${r.domain}`
    case 'map': return `MAP domain ${r.domain} [${hx(r.virtStart)}, ${hx(r.virtEnd)}] -> ${hx(r.physStart)} ${mapFlagNames(r.flags)}`
    case 'unmap': return `UNMAP domain ${r.domain} [${hx(r.virtStart)}, ${hx(r.virtEnd)}]`
    case 'probe': return `PROBE endpoint ${r.endpoint}`
    case 'unknown': return `request type ${r.code}`
  }
}

const requestJson = (i: number, r: Request, o: RequestOutcome): Record<string, unknown> => {
  const c = o.completion
  const base: Record<string, unknown> = {
    op: 'request', index: i, type: r.type,
    written: c.written, status: c.written ? c.status : null, code: c.written ? STATUS_CODE[c.status] : null,
  }
  if (o.properties !== undefined) base.properties = o.properties.map((p) => ({ type: p.type, length: p.length, subtype: p.subtype, start: hx(p.start), end: hx(p.end) }))
  base.why = o.why
  return base
}

interface DmaLine { readonly text: string; readonly json: Record<string, unknown> }

const runDma = (s: DeviceState, g: GStage | undefined, i: number, d: VirtioDma): DmaLine => {
  const head = `dma ${i}: endpoint ${d.endpoint} ${d.access} ${hx(d.iova)}`
  const j: Record<string, unknown> = { op: 'dma', index: i, endpoint: d.endpoint, iova: hx(d.iova), access: d.access }
  const note = d.note === undefined ? '' : `  (${d.note})`
  if (g === undefined) {
    const r = translateDma(s, d.endpoint, d.iova, d.access)
    if (isLeft(r)) {
      const f = r.left
      return {
        text: `${head} -> fault ${f.reason} (${FAULT_REASON_CODE[f.reason]}), flags ${faultFlagNames(f.flags)}, address ${hx(f.address)}${note}`,
        json: { ...j, result: 'fault', fault: { reason: f.reason, reasonCode: FAULT_REASON_CODE[f.reason], flags: f.flags, endpoint: f.endpoint, address: hx(f.address) } },
      }
    }
    const t = r.right
    return {
      text: `${head} -> ${hx(t.address)} (${t.route}${t.mmio ? ', MMIO' : ''})${note}`,
      json: { ...j, result: 'translated', route: t.route, address: hx(t.address), mmio: t.mmio },
    }
  }
  const r = translatePv(s, g, d.endpoint, d.iova, d.access)
  if (isLeft(r)) {
    const e = r.left
    if (e.by === 'virtio-iommu') {
      const f = e.event
      return {
        text: `${head} -> fault ${f.reason} (${FAULT_REASON_CODE[f.reason]}), flags ${faultFlagNames(f.flags)}, address ${hx(f.address)}${note}`,
        json: { ...j, result: 'fault', fault: { reason: f.reason, reasonCode: FAULT_REASON_CODE[f.reason], flags: f.flags, endpoint: f.endpoint, address: hx(f.address) } },
      }
    }
    return {
      text: `${head} -> GPA ${hx(e.gpa)} (${e.dma.route}) -> G-stage fault, cause ${e.fault.cause}: ${e.fault.reason}${note}`,
      json: { ...j, result: 'g-stage-fault', route: e.dma.route, address: hx(e.gpa), gStageFault: { cause: Number(e.fault.cause), level: e.fault.level, reason: e.fault.reason } },
    }
  }
  const t = r.right
  return {
    text: `${head} -> GPA ${hx(t.gpa)} (${t.dma.route}${t.dma.mmio ? ', MMIO' : ''}) -> SPA ${hx(t.spa)}${note}`,
    json: { ...j, result: 'translated', route: t.dma.route, address: hx(t.gpa), mmio: t.dma.mmio, spa: hx(t.spa), gPageBits: t.gPageBits },
  }
}

const FEATURE_NAMES = ['INPUT_RANGE', 'DOMAIN_RANGE', 'MAP_UNMAP', 'BYPASS', 'PROBE', 'MMIO', 'BYPASS_CONFIG']

const header = (sc: VirtioScenario): string => {
  const c = sc.config
  const f = featureBits(c)
  const features = FEATURE_NAMES.filter((_, i) => ((f >> BigInt(i)) & 1n) === 1n).join(' ')
  const ir = inputRangeOf(c), dr = domainRangeOf(c)
  return [
    ...(sc.description === undefined ? [] : [sc.description, '']),
    `virtio-iommu (model: ${sc.model}) features: ${features}`,
    `  page_size_mask ${hx(c.pageSizeMask)} (granule ${hx(granule(c))}), input_range [${hx(ir.start)}, ${hx(ir.end)}], domain_range [${dr.start}, ${dr.end}]` +
      `${c.bypass !== undefined ? `, bypass ${c.bypass ? 1 : 0}` : ''}${c.probeSize !== undefined ? `, probe_size ${c.probeSize}` : ''}`,
    ...c.endpoints.map((e) => `  endpoint ${e.id}${e.resvMem.length === 0 ? '' : `: ${e.resvMem.map((r) => `RESV_MEM ${r.subtype} [${hx(r.start)}, ${hx(r.end)}]`).join(', ')}`}`),
    ...(sc.gStage === undefined ? [] : [`  G-stage: hgatp ${hx(sc.gStage.hgatp)} (DMA addresses are GPAs, translated to SPAs)`]),
  ].join('\n')
}

export type OutputFormat = 'text' | 'json'

/** Runs the requests in order, then every DMA on the final state; the whole output as text or JSON lines. */
export const renderVirtioScenario = (sc: VirtioScenario, format: OutputFormat): string => {
  let s = resetDevice(sc.config, fidelityOf(sc.model))
  const reqText: string[] = []
  const reqJson: string[] = []
  sc.requests.forEach((r, k) => {
    const o = handleRequest(s, r)
    s = o.state
    const c = o.completion
    const status = c.written ? `${c.status} (${STATUS_CODE[c.status]})` : 'not written (used length 0)'
    reqText.push(`request ${k + 1}: ${describeRequest(r)}: ${status}: ${o.why}`)
    for (const p of o.properties ?? []) reqText.push(`    RESV_MEM ${p.subtype} [${hx(p.start)}, ${hx(p.end)}]`)
    reqJson.push(JSON.stringify(requestJson(k + 1, r, o)))
  })
  const dmas = sc.dma.map((d, k) => runDma(s, sc.gStage, k + 1, d))
  if (format === 'json') return [...reqJson, ...dmas.map((d) => JSON.stringify(d.json))].map((l) => `${l}\n`).join('')
  return `${[header(sc), '', ...reqText, ...(dmas.length === 0 ? [] : ['', ...dmas.map((d) => d.text)])].join('\n')}\n`
}

// ---- the command ------------------------------------------------------------------------------------

export const readVirtioScenario = (path: string): VirtioScenario => {
  const text = readText(path)
  const s = parseVirtioScenario(text, path)
  return isLeft(s) ? failInput(s.left) : s.right
}

export const register = (program: Command): void => {
  program
    .command('virtio-iommu')
    .description('run a virtio-iommu scenario: requests with their status codes, then DMA translations (optionally through a G-stage)')
    .argument('<scenario>', 'scenario JSON file (schema: README, "memvirt virtio-iommu")')
    .option('--json', 'print one JSON object per request and per DMA (JSON lines) instead of text')
    .option('--model <model>', 'spec (default) or qemu: where QEMU departs from the spec, do as QEMU (overrides the scenario\'s "model")')
    .action((path: string, opts: { json?: boolean; model?: string }) => {
      if (opts.model !== undefined && opts.model !== 'spec' && opts.model !== 'qemu') failInput(`--model: expected spec or qemu, got '${opts.model}'`)
      const sc = readVirtioScenario(path)
      const model = (opts.model as ModelName | undefined) ?? sc.model
      process.stdout.write(renderVirtioScenario({ ...sc, model }, opts.json === true ? 'json' : 'text'))
    })
}
