// Signalling the IOMMU's own interrupts (RISC-V IOMMU spec v1.0, "Interrupt pending status register
// (ipsr)", "MSI configuration table (msi_cfg_tbl)"): with fctl.WSI = 0 each 0 → 1 edge of an ipsr bit
// sends one message — msi_data_x written (4 bytes) at msi_addr_x, x the source's icvec vector — or, while
// msi_vec_ctl_x.M = 1, holds it pending until M is cleared; a message the IOMMU cannot write is an "IOMMU
// MSI write access fault" (cause 273, TTYP 0, iotval = msi_addr_x). With fctl.WSI = 1 each pending bit
// drives its vector's wire (a level, interrupts.ts). Called after each transition with the register
// file before it.
import { phys } from '../bits/address.ts'
import { type PhysMemory, poke } from '../memory/memory.ts'
import { accessible, reportFault } from './fault-queue.ts'
import type { FaultRecord } from './fault-record.ts'
import { type InterruptSource, INTERRUPT_SOURCES, IPSR, ipsrEdges, masked, vectorOf, wireLevels } from './interrupts.ts'
import type { Iommu, MemoryWrite } from './iommu.ts'
import { type RegisterFile, capabilitiesOf, fctlOf } from './registers.ts'

/** What the IOMMU signalled. `source` 'unmask': a message held pending, sent when its vector was unmasked. */
export type InterruptSignal =
  | { readonly kind: 'msi', readonly source: InterruptSource | 'unmask', readonly vector: number, readonly addr: bigint, readonly data: bigint, readonly faulted: boolean }
  | { readonly kind: 'masked', readonly source: InterruptSource, readonly vector: number }
  | { readonly kind: 'wire', readonly vector: number, readonly level: boolean }

export interface InterruptOutcome {
  readonly iommu: Iommu
  readonly memory: PhysMemory
  /** In order: each signal, then the stores and fault records it caused. */
  readonly signals: readonly (InterruptSignal | { readonly kind: 'write', readonly write: MemoryWrite } | { readonly kind: 'record', readonly record: FaultRecord })[]
}

/**
 * What the IOMMU signals after a transition from register file `before` to `iommu`, where `cleared`
 * are the ipsr bits the transition's own write cleared (RW1C) before any was set again. In order:
 * messages held under a mask that was just cleared (by vector), then one message per ipsr edge (cip,
 * fip, pmip, pip), then — a message's access fault having written a record — the edges that record
 * made (fip), then the wires whose level changed.
 */
export const signalInterrupts = (before: RegisterFile, iommu0: Iommu, memory0: PhysMemory, cleared: bigint): InterruptOutcome => {
  let iommu = iommu0
  let memory = memory0
  const signals: InterruptOutcome['signals'][number][] = []
  const send = (source: InterruptSource | 'unmask', vector: number): void => {
    const e = iommu.regs.msiCfgTbl[vector]!
    const ok = accessible(memory, e.addr, 4, capabilitiesOf(iommu.regs).pas)
    signals.push({ kind: 'msi', source, vector, addr: e.addr, data: e.data, faulted: !ok })
    if (ok) {
      memory = poke(memory, phys(e.addr), 4, e.data)
      signals.push({ kind: 'write', write: { addr: e.addr, size: 4, value: e.data, why: 'IOMMU MSI' } })
      return
    }
    const record: FaultRecord = { cause: 273, ttyp: 0, did: 0, pid: 0, pv: false, priv: false, custom: 0, iotval: e.addr, iotval2: 0n }
    const ipsr = iommu.regs.ipsr
    const r = reportFault(iommu, memory, record, false)
    iommu = r.iommu
    memory = r.memory
    for (const w of r.writes) signals.push({ kind: 'write', write: w })
    for (const x of r.records) signals.push({ kind: 'record', record: x })
    queue |= ipsrEdges(ipsr, iommu.regs.ipsr, 0n)
  }
  let queue = 0n
  if (!fctlOf(iommu.regs).wsi) {
    // "Pending messages for that vector are later generated if the corresponding mask bit is cleared to 0."
    iommu.regs.msiCfgTbl.forEach((e, v) => {
      if (masked(before.msiCfgTbl[v]!) && !masked(e) && ((iommu.msiPending >> v) & 1) === 1) {
        iommu = { ...iommu, msiPending: iommu.msiPending & ~(1 << v) }
        send('unmask', v)
      }
    })
    // "An interrupt message is generated when an interrupt-pending bit transitions from 0 to 1."
    queue = ipsrEdges(before.ipsr, iommu.regs.ipsr, cleared)
    while (queue !== 0n) {
      const source = INTERRUPT_SOURCES.find((s) => ((queue >> BigInt(IPSR[s])) & 1n) === 1n)!
      queue &= ~(1n << BigInt(IPSR[source]))
      const vector = vectorOf(iommu.regs.icvec, source)
      if (masked(iommu.regs.msiCfgTbl[vector]!)) {
        iommu = { ...iommu, msiPending: iommu.msiPending | (1 << vector) }
        signals.push({ kind: 'masked', source, vector })
      } else send(source, vector)
    }
  }
  const was = wireLevels(fctlOf(before).wsi, before.ipsr, before.icvec)
  const now = wireLevels(fctlOf(iommu.regs).wsi, iommu.regs.ipsr, iommu.regs.icvec)
  for (let w = 0; w < 16; w++) if (((was ^ now) >> w) & 1) signals.push({ kind: 'wire', vector: w, level: ((now >> w) & 1) === 1 })
  return { iommu, memory, signals }
}
