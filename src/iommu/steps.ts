// The IOMMU's programming interface as a sequence of steps, one-to-one with what software and devices
// do (the raw scenario form of `memvirt iommu`): register writes and reads, software's 64-bit stores,
// commands placed at the command queue's tail, inbound requests and MSIs (32-bit writes with data), PCIe
// page requests and the devices' answers to ATS invalidations. Running them threads the IOMMU and
// memory and lists every event in order. Pure: the shell decodes and prints.
import { phys } from '../bits/address.ts'
import { type PhysMemory, poke } from '../memory/memory.ts'
import { type AtsMessage, type InvalidationCompletion, completeInvalidation, timeOutInvalidations } from './ats.ts'
import { type CommandEvent, processCommands } from './command-queue.ts'
import type { FaultRecord } from './fault-record.ts'
import { type InterruptSignal, signalInterrupts } from './interrupt-delivery.ts'
import { ipsrClearedBy } from './interrupts.ts'
import type { Iommu, MemoryWrite } from './iommu.ts'
import { type MrifStore, msiWrite } from './mrif.ts'
import { type PageRequest, type PageRequestOutcome, pageRequest } from './page-request.ts'
import { queueBase, queueEntries, readRegister, writeRegister } from './registers.ts'
import { type IoRequest, type TranslateOutcome, translate } from './translate.ts'

export type Step =
  | { readonly op: 'write-register', readonly offset: number, readonly size: 4 | 8, readonly value: bigint }
  | { readonly op: 'read-register', readonly offset: number, readonly size: 4 | 8 }
  | { readonly op: 'memory', readonly addr: bigint, readonly value: bigint }
  | { readonly op: 'command', readonly words: readonly [bigint, bigint] }
  | ({ readonly op: 'translate' } & IoRequest)
  /** A device's 32-bit write of `data` at `iova` (an untranslated write request): an MSI when it reaches an MRIF-mode page. */
  | { readonly op: 'msi', readonly deviceId: number, readonly processId?: number, readonly iova: bigint, readonly data: bigint }
  /** A PCIe "Page Request" (or "Stop Marker") message from a device (page-request.ts). */
  | ({ readonly op: 'page-request' } & PageRequest)
  /** A device's "Invalidation Completion" for the ITAGs in the vector `itags` (ats.ts). */
  | ({ readonly op: 'invalidation-completion' } & InvalidationCompletion)
  /** The protocol timeout expires for the invalidation requests with the ITAGs in `itags`. */
  | { readonly op: 'ats-timeout', readonly itags: number }

/** What a step produced, in the order it happened. */
export type Event =
  | { readonly op: 'translate', readonly step: number, readonly outcome: TranslateOutcome, readonly mrif?: MrifStore }
  | { readonly op: 'memory-write', readonly step: number, readonly write: MemoryWrite }
  | { readonly op: 'fault-record', readonly step: number, readonly record: FaultRecord }
  | { readonly op: 'command', readonly step: number, readonly cqh: bigint, readonly illegal: boolean, readonly memoryFault: boolean, readonly events: readonly CommandEvent[] }
  | { readonly op: 'register', readonly step: number, readonly offset: number, readonly size: 4 | 8, readonly value: bigint }
  /** An interrupt the IOMMU signalled (interrupt-delivery.ts): a message, one held by its mask, a wire's new level. */
  | { readonly op: 'interrupt', readonly step: number, readonly signal: InterruptSignal }
  | { readonly op: 'page-request', readonly step: number, readonly outcome: PageRequestOutcome }
  | { readonly op: 'ats-message', readonly step: number, readonly message: AtsMessage }
  | { readonly op: 'invalidation-completion', readonly step: number, readonly expected: boolean }

export interface Run { readonly iommu: Iommu, readonly memory: PhysMemory, readonly events: readonly Event[] }

const CQT = 36
const IPSR_OFFSET = 84

/**
 * The command queue runs whenever it can: after a register write (which may turn it on, move its
 * tail or clear an error) and after a command is queued. Returns the `command` event that sums it up
 * when any command was taken up, or always when `always` (a `command` step); the caller reports it
 * after the interrupts the queue raised, which the IOMMU signals while it processes the commands.
 */
const runQueue = (iommu: Iommu, memory: PhysMemory, step: number, always: boolean, events: Event[]): { iommu: Iommu, memory: PhysMemory, summary: Event | undefined } => {
  const q = processCommands(iommu, memory)
  for (const e of q.effects) events.push(e.kind === 'write' ? { op: 'memory-write', step, write: e.write } : { op: 'ats-message', step, message: e.message })
  const cqcsr = q.iommu.regs.cqcsr
  const summary: Event | undefined = always || q.events.length > 0
    ? { op: 'command', step, cqh: q.iommu.regs.cqh, illegal: ((cqcsr >> 10n) & 1n) === 1n, memoryFault: ((cqcsr >> 8n) & 1n) === 1n, events: q.events }
    : undefined
  return { iommu: q.iommu, memory: q.memory, summary }
}

/** Runs the steps in order from `iommu` and `memory`. */
export const runSteps = (iommu0: Iommu, memory0: PhysMemory, steps: readonly Step[]): Run => {
  let iommu = iommu0
  let memory = memory0
  const events: Event[] = []
  steps.forEach((s, step) => {
    const before = iommu.regs
    let summary: Event | undefined
    /** The IOMMU's own response to a page request: sent after the interrupts its fault or queue error raised (as the C model orders them). */
    let response: Event | undefined
    switch (s.op) {
      case 'write-register': {
        iommu = { ...iommu, regs: writeRegister(iommu.regs, iommu.options, s.offset, s.size, s.value) }
        ;({ iommu, memory, summary } = runQueue(iommu, memory, step, false, events))
        break
      }
      case 'read-register':
        events.push({ op: 'register', step, offset: s.offset, size: s.size, value: readRegister(iommu.regs, s.offset, s.size) })
        break
      case 'memory':
        memory = poke(memory, phys(s.addr), 8, s.value)
        break
      case 'command': {
        // Software writes the command at cqt and advances cqt by one (modulo the queue size).
        const at = queueBase(iommu.regs.cqb) + iommu.regs.cqt * 16n
        memory = poke(poke(memory, phys(at), 8, s.words[0]), phys(at + 8n), 8, s.words[1])
        const next = (iommu.regs.cqt + 1n) % queueEntries(iommu.regs.cqb)
        iommu = { ...iommu, regs: writeRegister(iommu.regs, iommu.options, CQT, 4, next) }
        ;({ iommu, memory, summary } = runQueue(iommu, memory, step, true, events))
        break
      }
      case 'translate': {
        const request: IoRequest = { deviceId: s.deviceId, access: s.access, privileged: s.privileged, type: s.type, iova: s.iova, ...(s.processId === undefined ? {} : { processId: s.processId }) }
        const o = translate(iommu, memory, request)
        events.push({ op: 'translate', step, outcome: o })
        for (const w of o.writes) events.push({ op: 'memory-write', step, write: w })
        for (const r of o.records) events.push({ op: 'fault-record', step, record: r })
        iommu = o.iommu
        memory = o.memory
        break
      }
      case 'msi': {
        const w = msiWrite(iommu, memory, { deviceId: s.deviceId, privileged: false, iova: s.iova, ...(s.processId === undefined ? {} : { processId: s.processId }) }, s.data)
        events.push({ op: 'translate', step, outcome: w.outcome, ...(w.store === undefined ? {} : { mrif: w.store }) })
        for (const x of w.writes) events.push({ op: 'memory-write', step, write: x })
        for (const r of w.records) events.push({ op: 'fault-record', step, record: r })
        iommu = w.iommu
        memory = w.memory
        break
      }
      case 'page-request': {
        const o = pageRequest(iommu, memory, { deviceId: s.deviceId, privileged: s.privileged, execute: s.execute, payload: s.payload, ...(s.processId === undefined ? {} : { processId: s.processId }) })
        events.push({ op: 'page-request', step, outcome: o })
        for (const w of o.writes) events.push({ op: 'memory-write', step, write: w })
        for (const r of o.records) events.push({ op: 'fault-record', step, record: r })
        if (o.response !== undefined) response = { op: 'ats-message', step, message: o.response }
        iommu = o.iommu
        memory = o.memory
        break
      }
      case 'invalidation-completion': {
        // An unexpected completion changes nothing further; an expected one may let a fence or a held ATS.INVAL go on.
        const c = completeInvalidation(iommu.ats, s)
        iommu = { ...iommu, ats: c.ats }
        events.push({ op: 'invalidation-completion', step, expected: c.expected })
        if (c.expected) ({ iommu, memory, summary } = runQueue(iommu, memory, step, false, events))
        break
      }
      case 'ats-timeout': {
        iommu = { ...iommu, ats: timeOutInvalidations(iommu.ats, s.itags) }
        ;({ iommu, memory, summary } = runQueue(iommu, memory, step, false, events))
        break
      }
    }
    // The interrupts the step raised (or a cleared mask released), after the step's own events.
    const cleared = s.op === 'write-register' && s.offset === IPSR_OFFSET && s.size === 4 ? ipsrClearedBy(s.value) : 0n
    const i = signalInterrupts(before, iommu, memory, cleared)
    for (const x of i.signals) {
      if (x.kind === 'write') events.push({ op: 'memory-write', step, write: x.write })
      else if (x.kind === 'record') events.push({ op: 'fault-record', step, record: x.record })
      else events.push({ op: 'interrupt', step, signal: x })
    }
    iommu = i.iommu
    memory = i.memory
    if (summary !== undefined) events.push(summary)
    if (response !== undefined) events.push(response)
  })
  return { iommu, memory, events }
}
