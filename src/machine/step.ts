// One step of the whole machine: the hart's step (cpu/step.ts) inside Spike's platform. Around it, what
// Spike's simulator loop does (riscv/sim.cc, processor.cc): the hart runs in chunks of `interleave` steps;
// a chunk also ends at every trap and at WFI. At a chunk end the LR/SC reservation is dropped, the
// devices tick (the CLINT's mtime advances by interleave / INSNS_PER_RTC_TICK, and time and MTIP follow)
// and the host polls HTIF. An exit command stored to tohost ends the run at that store.
import { type PhysMemory, peek } from '../memory/memory.ts'
import { type Hart, withCsrsAndReservation, withCsrs } from '../cpu/hart.ts'
import { type StepEvent } from '../cpu/event.ts'
import { type HartAccel, specAccel } from '../cpu/accel.ts'
import { type StepEnd, stepHartWith } from '../cpu/step.ts'
import { type Tlb, devicesWrote, withGuest, withPteCache } from '../mmu/tlb.ts'
import { afterDeviceWrites } from '../mmu/pte-cache.ts'
import { type Devices, type Machine, SPIKE_INSNS_PER_RTC_TICK, devices, platform, stepped } from './machine.ts'
import { type Htif, exitCommand, htif as htifOf, serviceHtif } from './htif.ts'
import { phys } from '../bits/address.ts'
import { inRam } from '../cpu/bus.ts'

export interface StepResult {
  readonly machine: Machine
  readonly event: StepEvent
}

/**
 * The end of a Spike chunk (after `interleave` steps, a trap, or WFI): the devices tick by
 * interleave / INSNS_PER_RTC_TICK, the hart's time and mip follow them, and the LR/SC reservation is dropped.
 */
export const endChunk = (m: Machine, h: Hart, d: Devices): { hart: Hart; devices: Devices } => {
  const ticked = m.bus.tick(d, BigInt(Math.floor(m.options.interleave / SPIKE_INSNS_PER_RTC_TICK)))
  const c = m.bus.wires(ticked, h.csr)
  return { hart: withCsrsAndReservation(h, c, undefined), devices: ticked }
}

/**
 * An exit command stored to tohost ends the run at that store, so a commit log ends with it (Spike
 * itself notices at its next poll, after spinning; those spins are not part of the reference).
 */
const exitOnStore = (m: Machine, memory: PhysMemory, h: Htif): Htif => {
  if (h.tohost === undefined || h.exitCode !== undefined) return h
  // The platform watching a RAM word (not a device access): read directly where tohost is in RAM.
  const v = inRam(m.bus.ram, h.tohost, 8) ? peek(memory, phys(h.tohost), 8) : 0n
  const code = v === 0n ? undefined : exitCommand(v)     // 0: no command (the common case, without exitCommand's shifts)
  return code === undefined ? h : htifOf(h.tohost, h.fromhost, code, h.pending, h.output)
}

/**
 * Executes one instruction of `m`, or takes an interrupt, or (after WFI) waits one step, and returns the
 * new machine and what happened. A machine whose program has exited (htif.exitCode set) still steps;
 * callers stop on it. `accel`: the hart's accelerators (cpu/accel.ts; the engines pass memoised ones).
 */
export const step = (m: Machine, accel: HartAccel = specAccel): StepResult =>
  stepHartWith(m.hart, m.isa, m.memory, m.tlb, m.bus, m.devices, m.platform.batchStart, m.platform.inWfi, accel, m, afterHart)

/** The platform's part of a step, once the hart's step ended as `end`. */
const afterHart = (m: Machine, h: Hart, memory: PhysMemory, tlb: Tlb, d: Devices, event: StepEvent, end: StepEnd, stored: boolean): StepResult => {
  const chunk = m.platform.chunk + 1
  if (end === 'next' || end === 'serialize') {
    const host = stored ? exitOnStore(m, memory, m.htif) : m.htif
    if (chunk < m.options.interleave) {
      return { machine: stepped(m, h, memory, tlb, host, d, platform(chunk, end === 'serialize', false)), event }
    }
    return { machine: chunkEnd(m, h, memory, tlb, host, d, false), event }
  }
  // A trap, WFI, or a step waiting in WFI ends the chunk; the hart keeps waiting after WFI.
  const host = end === 'wfi' && stored ? exitOnStore(m, memory, m.htif) : m.htif
  return { machine: chunkEnd(m, h, memory, tlb, host, d, end !== 'trap'), event }
}

/** The machine at a chunk end: devices ticked, the reservation dropped, HTIF polled, a new batch next. */
const chunkEnd = (m: Machine, h: Hart, memory: PhysMemory, tlb: Tlb, host: Htif, d: Devices, inWfi: boolean): Machine => {
  const next = endChunk(m, h, d)
  const served = next.devices.added.length === 0 ? { hart: next.hart, memory, devices: next.devices } : serveAdded(m, next.hart, memory, next.devices)
  const polled = serviceHtif(served.memory, host, m.dma)
  // What the devices wrote reaches a guest walker too (the VMM's write-protect, --guest-translation shadow).
  const g = tlb.guest === undefined ? tlb : withGuest(tlb, devicesWrote(tlb.guest, memory, polled.memory))
  // And Spike's PTE cache: a kept PTE they changed goes stale (mmu/pte-cache.ts).
  const w = g.pteCache === undefined ? undefined : afterDeviceWrites(g.pteCache, memory, polled.memory)
  const t = w === undefined ? g : withPteCache(g, w.cache, w.dropTlb)
  return stepped(m, served.hart, polled.memory, t, polled.htif, served.devices, platform(0, true, inWfi))
}

/**
 * The added devices' work as bus masters at a chunk end, in the order they were added (before HTIF's
 * poll); the hart's mip then follows the lines they drive.
 */
export const serveAdded = (m: Machine, h: Hart, memory0: PhysMemory, d: Devices): { hart: Hart; memory: PhysMemory; devices: Devices } => {
  let memory = memory0
  const added = d.added.map((a) => {
    const r = a.master(memory, m.bus.ram)
    memory = r.memory
    return r.device
  })
  const served = devices(d.bootrom, d.clint, added)
  const c = m.bus.wires(served, h.csr)
  return { hart: c === h.csr ? h : withCsrs(h, c), memory, devices: served }
}
