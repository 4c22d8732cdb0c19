// `memvirt iommu SCENARIO.json [--json] [--cache none|unbounded|refmodel]`: runs a raw IOMMU scenario
// (register writes and reads, memory stores, commands, requests) through the RISC-V IOMMU model and
// prints every event: as text that explains each walk, or as JSON lines with the field names of the
// README's stable contract. The shell reads the file; decoding and running are pure.
import { isLeft } from 'fp-ts/lib/Either.js'
import type { Command } from 'commander'
import { hex } from '../bits/bits.ts'
import { CACHE_POLICIES, type CachePolicy } from '../iommu/caches.ts'
import { CAUSES } from '../iommu/fault-record.ts'
import { DEFAULT_OPTIONS, resetIommu } from '../iommu/iommu.ts'
import { MSI_CFG_TBL_OFFSET, msiCfgFieldAt } from '../iommu/interrupts.ts'
import { decodePayload, isStopMarker } from '../iommu/page-request.ts'
import { REGISTER_LAYOUT } from '../iommu/registers.ts'
import { type Event, type Step, runSteps } from '../iommu/steps.ts'
import { pageSizeName } from '../iommu/walk-adapter.ts'
import { failInput, readText } from './io.ts'
import { type IommuScenario, parseIommuScenario, rawScenarioText } from './iommu-scenario.ts'

const h = (v: bigint): string => `0x${v.toString(16)}`

/** One JSON object per event, with the contract's field names and order. */
export const eventJson = (e: Event): string => {
  switch (e.op) {
    case 'translate': {
      const r = e.outcome.response
      const o: Record<string, unknown> = { op: 'translate', status: r.status, ppn: h(r.ppn) }
      if (r.ats !== undefined) Object.assign(o, { r: r.ats.r, w: r.ats.w, x: r.ats.x, u: r.ats.u, priv: r.ats.priv, g: r.ats.g, size: h(r.ats.size), pbmt: r.ats.pbmt })
      if (r.fault !== undefined) o['cause'] = r.fault.cause
      if (r.mrif !== undefined) Object.assign(o, { mrif: h(r.mrif.mrif), notice: h(r.mrif.notice), nid: r.mrif.nid })
      return JSON.stringify(o)
    }
    case 'memory-write': return JSON.stringify({ op: 'memory-write', addr: h(e.write.addr), size: e.write.size, value: h(e.write.value) })
    case 'fault-record': {
      const f = e.record
      return JSON.stringify({ op: 'fault-record', cause: f.cause, ttyp: f.ttyp, did: f.did, pid: f.pid, pv: f.pv, priv: f.priv, iotval: h(f.iotval), iotval2: h(f.iotval2) })
    }
    case 'command': return JSON.stringify({ op: 'command', cqh: Number(e.cqh), illegal: e.illegal, memoryFault: e.memoryFault })
    case 'register': return JSON.stringify({ op: 'register', offset: e.offset, value: h(e.value) })
    case 'interrupt': {
      const x = e.signal
      if (x.kind === 'msi') return JSON.stringify({ op: 'interrupt', delivery: 'msi', source: x.source, vector: x.vector, addr: h(x.addr), data: h(x.data), status: x.faulted ? 'access-fault' : 'sent' })
      if (x.kind === 'masked') return JSON.stringify({ op: 'interrupt', delivery: 'masked', source: x.source, vector: x.vector })
      return JSON.stringify({ op: 'interrupt', delivery: 'wire', vector: x.vector, level: x.level ? 1 : 0 })
    }
    case 'page-request': {
      const o = e.outcome
      return JSON.stringify(o.queued !== undefined ? { op: 'page-request', queued: true, index: Number(o.queued.index) } : { op: 'page-request', queued: false, refused: o.refused })
    }
    case 'ats-message': {
      const m = e.message
      return JSON.stringify({ op: 'ats-message', message: m.message, origin: m.origin, rid: m.rid, dsv: m.dsv, dseg: m.dseg, pv: m.pv, pid: m.pid, tag: m.tag, payload: h(m.payload) })
    }
    case 'invalidation-completion': return JSON.stringify({ op: 'invalidation-completion', expected: e.expected })
  }
}

const REG_NAMES = new Map(REGISTER_LAYOUT.map(([n, o]) => [o, n]))
const regName = (offset: number): string => {
  if (offset >= MSI_CFG_TBL_OFFSET && offset < MSI_CFG_TBL_OFFSET + 256) {
    const f = msiCfgFieldAt(offset)
    return `msi_${f.field === 'vecCtl' ? 'vec_ctl' : f.field}_${f.entry}${offset > f.base ? ' (high half)' : ''}`
  }
  return REG_NAMES.get(offset) ?? REG_NAMES.get(offset - 4)?.concat(' (high half)') ?? 'unimplemented'
}

const stepLine = (s: Step, n: number): string => {
  switch (s.op) {
    case 'write-register': return `step ${n}: write ${s.size} bytes ${h(s.value)} to register ${s.offset} (${regName(s.offset)})`
    case 'read-register': return `step ${n}: read ${s.size} bytes of register ${s.offset} (${regName(s.offset)})`
    case 'memory': return `step ${n}: software stores ${h(s.value)} at ${h(s.addr)}`
    case 'command': return `step ${n}: command ${h(s.words[0])} ${h(s.words[1])} queued at cqt`
    case 'translate': return `step ${n}: device ${h(BigInt(s.deviceId))}${s.processId === undefined ? '' : ` process ${s.processId}`} ${s.privileged ? 'supervisor ' : ''}${s.type} ${s.access} of IOVA ${h(s.iova)}`
    case 'msi': return `step ${n}: device ${h(BigInt(s.deviceId))}${s.processId === undefined ? '' : ` process ${s.processId}`} writes 32 bits ${h(s.data)} at IOVA ${h(s.iova)}`
    case 'page-request': {
      const p = decodePayload(s.payload)
      const kind = isStopMarker(p) ? 'Stop Marker' : `page request (R=${+p.r} W=${+p.w} L=${+p.l}) for page ${h(p.page)}`
      const pasid = s.processId === undefined ? '' : ` process ${s.processId}${s.privileged ? ' supervisor' : ''}${s.execute ? ' execute' : ''}`
      return `step ${n}: device ${h(BigInt(s.deviceId))}${pasid} sends a ${kind}, group ${p.prgi}`
    }
    case 'invalidation-completion': return `step ${n}: device ${h(BigInt(s.rid))}${s.dseg === undefined ? '' : ` segment ${s.dseg}`} sends an Invalidation Completion for ITAGs ${h(BigInt(s.itags))}, completion count ${s.cc}`
    case 'ats-timeout': return `step ${n}: the invalidation requests with ITAGs ${h(BigInt(s.itags))} time out`
  }
}

/** The text of one event: for a translation every directory entry and PTE it read, then the answer. */
const eventText = (e: Event): string[] => {
  switch (e.op) {
    case 'translate': {
      const { response: r, explanation: x } = e.outcome
      const lines = x.directory.map((d) => `  ${d.table} level ${d.level} at ${hex(d.addr)}: ${d.value.map((v) => h(v)).join(' ')} — ${d.note}`)
      for (const n of x.notes) lines.push(`  ${n}`)
      for (const t of x.trail) lines.push(`  ${t.stage === 'G' ? 'G-stage' : 'first stage'} (${t.purpose}) level ${t.level} ${t.op} ${hex(t.pteAddr)} = ${h(t.pte)}: ${t.decision}`)
      if (r.fault !== undefined) lines.push(`  → ${r.status}: cause ${r.fault.cause} (${CAUSES[r.fault.cause] ?? 'custom'}): ${r.fault.reason}`)
      else if (r.mrif !== undefined) lines.push(`  → ${r.status}: an MRIF-mode page, handled by the IOMMU (no translated address; PPN ${h(r.ppn)} is the notice MSI's page)`)
      else if (r.pa !== undefined) lines.push(`  → ${r.status}: ${r.ats === undefined ? 'PA' : 'translated address'} ${h(r.pa)} (${pageSizeName(r.pageBits)} range)`)
      else lines.push(`  → ${r.status}`)
      if (r.ats !== undefined) lines.push(`  ATS completion: R=${+r.ats.r} W=${+r.ats.w} X=${+r.ats.x} U=${+r.ats.u} Priv=${+r.ats.priv} G=${+r.ats.g} size ${h(r.ats.size)} PBMT ${r.ats.pbmt} PPN field ${h(r.ppn)}`)
      if (r.mrif !== undefined && e.mrif === undefined) lines.push(`  MRIF mode: MRIF at ${h(r.mrif.mrif)}, notice MSI ${r.mrif.nid} to ${h(r.mrif.notice)}`)
      const m = e.mrif
      if (m?.kind === 'stored') lines.push(`  MSI recorded in the MRIF: interrupt identity ${m.identity}, pending bit ${m.identity & 63} of the doubleword at ${h(m.addr)}; then the notice MSI`)
      else if (m?.kind === 'discarded') lines.push(`  write accepted and discarded: ${m.reason}`)
      else if (m?.kind === 'access-fault') lines.push(`  MRIF doubleword at ${h(m.addr)} is not accessible: MRIF access fault (264)`)
      return lines
    }
    case 'memory-write': return [`  IOMMU stores ${e.write.size} bytes ${h(e.write.value)} at ${h(e.write.addr)} (${e.write.why})`]
    case 'fault-record': {
      const f = e.record
      return [`  fault record: cause ${f.cause} (${CAUSES[f.cause] ?? 'custom'}), TTYP ${f.ttyp}, DID ${h(BigInt(f.did))}, PV ${+f.pv} PID ${f.pid} PRIV ${+f.priv}, iotval ${h(f.iotval)}, iotval2 ${h(f.iotval2)}`]
    }
    case 'command': {
      const waits = { completions: ' — waits for the invalidation completions before it', itag: ' — no free ITAG: held, the queue stalls' }
      const lines = e.events.map((c) => `  command at index ${c.index}: ${c.command?.kind ?? 'not decoded'}${c.illegal !== undefined ? ` — illegal: ${c.illegal}` : ''}${c.memoryFault ? ' — memory fault' : ''}${c.waiting === undefined ? '' : waits[c.waiting]}`)
      lines.push(`  cqh = ${e.cqh}${e.illegal ? ', cqcsr.cmd_ill = 1' : ''}${e.memoryFault ? ', cqcsr.cqmf = 1' : ''}`)
      return lines
    }
    case 'register': return [`  = ${h(e.value)}`]
    case 'interrupt': {
      const x = e.signal
      if (x.kind === 'wire') return [`  interrupt wire ${x.vector} ${x.level ? 'raised (level 1)' : 'lowered (level 0)'}`]
      if (x.kind === 'masked') return [`  ipsr.${x.source} 0 → 1: vector ${x.vector} is masked (msi_vec_ctl.M = 1), its message is held pending`]
      const why = x.source === 'unmask' ? `vector ${x.vector} unmasked with a message pending` : `ipsr.${x.source} 0 → 1, vector ${x.vector}`
      return [`  MSI (${why}): data ${h(x.data)} to ${h(x.addr)}${x.faulted ? ' — not writable: IOMMU MSI write access fault (273)' : ''}`]
    }
    case 'page-request': {
      const o = e.outcome
      const lines = o.directory.map((d) => `  ${d.table} level ${d.level} at ${hex(d.addr)}: ${d.value.map((v) => h(v)).join(' ')} — ${d.note}`)
      lines.push(o.queued !== undefined ? `  → ${o.reason}` : `  → not queued: ${o.reason}; ${o.response === undefined ? 'discarded without a response (not the last request of its group, or a Stop Marker)' : `the IOMMU responds: ${o.refused}`}`)
      return lines
    }
    case 'ats-message': {
      const m = e.message
      const to = `${h(BigInt(m.rid))}${m.dsv ? ` segment ${m.dseg}` : ''}${m.pv ? ` PASID ${m.pid}` : ''}`
      const body = m.message === 'invalidation-request' ? `Invalidation Request (ITAG ${m.tag})` : `Page Request Group Response (group ${Number((m.payload >> 32n) & 0x1ffn)}, response code ${Number((m.payload >> 44n) & 0xfn)})`
      return [`  ${m.origin === 'iommu' ? 'IOMMU' : 'command'} sends ${body} to ${to}, payload ${h(m.payload)}`]
    }
    case 'invalidation-completion': return [e.expected ? '  completion accepted' : '  unexpected completion: ignored']
  }
}

/** The whole output of a scenario: JSON lines, or text with a line per step and its events. */
export const renderIommuScenario = (s: IommuScenario, format: 'text' | 'json', cache: CachePolicy): string => {
  const run = runSteps(resetIommu(s.capabilities, s.fctl, { ...DEFAULT_OPTIONS, cache }), s.memory, s.steps)
  if (format === 'json') return run.events.map((e) => eventJson(e) + '\n').join('')
  const out: string[] = []
  s.steps.forEach((step, i) => {
    out.push(stepLine(step, i + 1))
    for (const e of run.events) if (e.step === i) out.push(...eventText(e))
  })
  return out.join('\n') + '\n'
}

export const register = (program: Command): void => {
  program
    .command('iommu')
    .description('run a RISC-V IOMMU scenario (registers, commands, DMA requests) and explain every walk')
    .argument('<scenario>', 'IOMMU scenario JSON file, raw or structured (schema: README, "memvirt iommu")')
    .option('--json', 'print one JSON object per event (JSON lines) instead of text')
    .option('--cache <policy>', `IOMMU caches: ${CACHE_POLICIES.join(', ')}`, 'none')
    .option('--print-raw', 'print the scenario in the raw form (a structured scenario expanded) instead of running it')
    .action((path: string, opts: { json?: boolean, cache: string, printRaw?: boolean }) => {
      if (!CACHE_POLICIES.includes(opts.cache as CachePolicy)) failInput(`--cache: expected one of ${CACHE_POLICIES.join(', ')}, got ${JSON.stringify(opts.cache)}`)
      const text = readText(path)
      const s = parseIommuScenario(text, path)
      if (isLeft(s)) return failInput(s.left)
      if (opts.printRaw === true) return void process.stdout.write(rawScenarioText(s.right.raw))
      process.stdout.write(renderIommuScenario(s.right, opts.json === true ? 'json' : 'text', opts.cache as CachePolicy))
    })
}
