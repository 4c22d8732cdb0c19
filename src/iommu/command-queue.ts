// Command-queue processing (RISC-V IOMMU spec v1.0, "Command-Queue (CQ)" and "Command-queue CSR"):
// while the queue is on, has no error bit set and cqh ≠ cqt, fetch the command at cqh, decode it
// (illegal → cmd_ill, cqh stays on it), execute it (a memory fault fetching it or storing IOFENCE.C's
// DATA → cqmf, cqh stays on it), advance cqh. Invalidation commands act on the caches (caches.ts);
// ATS.INVAL and ATS.PRGR send messages to devices, and an IOFENCE.C waits for the invalidations
// before it (ats.ts).
import { bit } from '../bits/bits.ts'
import { phys } from '../bits/address.ts'
import { type PhysMemory, peek, poke } from '../memory/memory.ts'
import { type AtsMessage, type AtsState, anyOutstanding, commandMessage, sendInvalidation } from './ats.ts'
import { invalidate } from './caches.ts'
import { type Command, decodeCommand } from './commands.ts'
import { deviceDirectoryIndexes, deviceIdTooWide } from './directory.ts'
import { accessible } from './fault-queue.ts'
import type { Iommu, MemoryWrite } from './iommu.ts'
import { CQCSR, IPSR, type RegisterFile, capabilitiesOf, fctlOf, iommuModeOf, queueBase, queueEntries, withInterruptsPending } from './registers.ts'

/** One command the queue took up: what it was (or why it was illegal) and where the head ended. */
export interface CommandEvent {
  readonly index: bigint
  readonly command: Command | undefined
  readonly illegal: string | undefined
  readonly memoryFault: boolean
  /** An IOFENCE.C left waiting for invalidation completions, or an ATS.INVAL left waiting for a free ITAG. */
  readonly waiting?: 'completions' | 'itag'
}

/** What the queue did outside the IOMMU, in order: stores to memory and messages to devices. */
export type QueueEffect = { readonly kind: 'write', readonly write: MemoryWrite } | { readonly kind: 'message', readonly message: AtsMessage }

export interface CommandQueueOutcome {
  readonly iommu: Iommu
  readonly memory: PhysMemory
  readonly writes: readonly MemoryWrite[]
  readonly events: readonly CommandEvent[]
  /** The commands executed, in order (for the caches to apply). */
  readonly executed: readonly Command[]
  /** Stores and messages in the order they happened. */
  readonly effects: readonly QueueEffect[]
}

const setBit = (x: bigint, at: number): bigint => x | (1n << BigInt(at))
/** The command queue's conditions raise cip only. */
const CIP = 1n << BigInt(IPSR.cip)

/** Whether the queue may fetch a command now (not while a fence or an ATS.INVAL waits: the C model's stall). */
const active = (r: RegisterFile, ats: AtsState): boolean =>
  bit(r.cqcsr, CQCSR.cqon) && !bit(r.cqcsr, CQCSR.cqmf) && !bit(r.cqcsr, CQCSR.cmd_ill) && !bit(r.cqcsr, CQCSR.cmd_to) && r.cqh !== r.cqt &&
  ats.fence === undefined && ats.blocked === undefined

/** "When DV is 1, DID must not be wider than the ddtp.iommu_mode supports": illegal otherwise. */
const didTooWide = (r: RegisterFile, did: number): boolean => {
  const mode = iommuModeOf(r)
  return (mode === '1LVL' || mode === '2LVL') && deviceIdTooWide(mode, deviceDirectoryIndexes(did, capabilitiesOf(r).msiFlat))
}

/**
 * Processes commands until the queue is empty, stalls on an error or a wait, or is off. First, a fence
 * or an ATS.INVAL left waiting goes on if what it waited for has come (a completion or a timeout
 * freed the ITAGs).
 */
export const processCommands = (iommu: Iommu, memory: PhysMemory): CommandQueueOutcome => {
  let r = iommu.regs
  let m = memory
  let caches = iommu.caches
  let ats = iommu.ats
  const writes: MemoryWrite[] = []
  const effects: QueueEffect[] = []
  const events: CommandEvent[] = []
  const executed: Command[] = []
  const caps = capabilitiesOf(r)
  const entries = queueEntries(r.cqb)
  const stall = (bitAt: number, index: bigint, command: Command | undefined, illegal: string | undefined): void => {
    r = withInterruptsPending({ ...r, cqcsr: setBit(r.cqcsr, bitAt) }, CIP)
    events.push({ index, command, illegal, memoryFault: bitAt === CQCSR.cqmf })
  }
  const store = (w: MemoryWrite): void => { writes.push(w); effects.push({ kind: 'write', write: w }) }
  const send = (message: AtsMessage): void => { effects.push({ kind: 'message', message }) }
  /** IOFENCE.C at `index` once no invalidation is outstanding: false if it stalled (cmd_to or cqmf). */
  const fence = (index: bigint, c: Extract<Command, { kind: 'IOFENCE.C' }>): boolean => {
    // A timed-out invalidation before the fence: cmd_to, and the fence stays at cqh.
    if (ats.timedOut) { ats = { ...ats, timedOut: false }; stall(CQCSR.cmd_to, index, c, undefined); return false }
    // On completion: with AV, store DATA (4 bytes) at ADDR[63:2] × 4; a fault leaves cqh on the fence.
    if (c.av) {
      if (!accessible(m, c.addr, 4, caps.pas)) { stall(CQCSR.cqmf, index, c, undefined); return false }
      m = poke(m, phys(c.addr), 4, BigInt(c.data >>> 0))
      store({ addr: c.addr, size: 4, value: BigInt(c.data >>> 0), why: 'IOFENCE.C data' })
    }
    if (c.wsi && !bit(r.cqcsr, CQCSR.fence_w_ip)) r = withInterruptsPending({ ...r, cqcsr: setBit(r.cqcsr, CQCSR.fence_w_ip) }, CIP)
    return true
  }
  // A waiting fence goes on once nothing is outstanding; then a blocked ATS.INVAL takes a freed ITAG.
  if (ats.fence !== undefined && !anyOutstanding(ats)) {
    const c = ats.fence
    ats = { ...ats, fence: undefined }
    if (fence(r.cqh, c)) {
      executed.push(c)
      events.push({ index: r.cqh, command: c, illegal: undefined, memoryFault: false })
      r = { ...r, cqh: (r.cqh + 1n) % entries }
    }
  }
  if (ats.fence === undefined && ats.blocked !== undefined) {
    const sent = sendInvalidation(ats, ats.blocked)
    if (sent !== undefined) { ats = { ...sent.ats, blocked: undefined }; send(sent.message) }
  }
  while (active(r, ats)) {
    const index = r.cqh
    const at = queueBase(r.cqb) + index * 16n
    // Fetch: a command the IOMMU cannot read is a memory fault (cqmf).
    if (!accessible(m, at, 16, caps.pas)) { stall(CQCSR.cqmf, index, undefined, undefined); break }
    const d = decodeCommand(peek(m, phys(at), 8), peek(m, phys(at + 8n), 8), caps, fctlOf(r).wsi)
    if (!d.ok) { stall(CQCSR.cmd_ill, index, undefined, d.reason); break }
    const c = d.command
    if ((c.kind === 'IODIR.INVAL_DDT' || c.kind === 'IODIR.INVAL_PDT') && c.dv && didTooWide(r, c.did)) {
      stall(CQCSR.cmd_ill, index, c, `${c.kind}: DID wider than ddtp.iommu_mode supports`); break
    }
    if (c.kind === 'IOFENCE.C') {
      // The fence completes only after every earlier ATS.INVAL has (completion or timeout).
      if (anyOutstanding(ats)) { ats = { ...ats, fence: c }; events.push({ index, command: c, illegal: undefined, memoryFault: false, waiting: 'completions' }); break }
      if (!fence(index, c)) break
    }
    let waiting: CommandEvent['waiting']
    if (c.kind === 'ATS.PRGR') send(commandMessage(c))
    if (c.kind === 'ATS.INVAL') {
      // Sent under a free ITAG; with none free the command is held and the queue stalls (cqh moves on).
      const sent = sendInvalidation(ats, c)
      if (sent === undefined) { ats = { ...ats, blocked: c }; waiting = 'itag' } else { ats = sent.ats; send(sent.message) }
    }
    // Invalidations take effect at once: the model executes commands in order and synchronously.
    caches = invalidate(caches, c)
    executed.push(c)
    r = { ...r, cqh: (index + 1n) % entries }
    events.push({ index, command: c, illegal: undefined, memoryFault: false, ...(waiting === undefined ? {} : { waiting }) })
  }
  return { iommu: { ...iommu, regs: r, caches, ats }, memory: m, writes, events, executed, effects }
}
