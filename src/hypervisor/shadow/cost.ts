// The cost table of one run's guest translation (`memvirt run --stats`, issue 15 "Cost accounting"):
// memory references per V=1 TLB miss (up to 24 for a 4-level VS-stage over a 4-level G-stage, vs the
// shadow table's own depth), page-table memory held (guest + G-stage + shadow), the VMM exits taken to
// keep the shadow in sync, and what they cost at a stated price per exit. The comparison between the
// two designs is the classic one of Bhargava et al., "Accelerating Two-Dimensional Page Walks for
// Virtualized Systems" (ASPLOS 2008) and Adams and Agesen (ASPLOS 2006).
import type { GuestStats } from './hart.ts'

/**
 * Cycles one VMM exit costs by default (guest → VMM → guest): a VMRUN/#VMEXIT round trip measured on
 * AMD hardware took 1,344–1,376 cycles (KVM patch discussion, LKML, December 2020,
 * https://lkml.iu.edu/hypermail/linux/kernel/2012.2/00527.html), rounded here to 1,400; Intel describes
 * the cost as "hundreds or thousands of cycles" per transition ("Virtualization and Performance:
 * Understanding VM Exits", Intel Developer Zone, 2009). `--exit-cycles` sets another price.
 */
export const DEFAULT_EXIT_CYCLES = 1400

/** Exits of every kind. */
export const totalExits = (s: GuestStats): number => s.tableWriteExits + s.shadowMissExits + s.fenceExits + s.registerExits

/** Page-table bytes held: the guest's VS-stage tables, the G-stage tables, the shadow tables (at the end). */
export const tableBytes = (s: GuestStats): { guest: number; gStage: number; shadow: number } =>
  ({ guest: s.vsTablePages.size * 4096, gStage: s.gTablePages.size * 4096, shadow: s.shadowBytes })

const kib = (bytes: number): string => `${bytes / 1024} KiB`
const per = (n: number, d: number): string => (d === 0 ? '-' : (n / d).toFixed(2))

/** The --stats lines (to stderr), one figure per line. */
export const guestStatsText = (s: GuestStats, exitCycles: number): string => {
  const b = tableBytes(s)
  const exits = totalExits(s)
  const lines = [
    `guest translation: ${s.mode}`,
    `  V=1 TLB misses: ${s.misses}`,
    `  memory references per miss: ${per(s.hardwareRefs, s.misses)} (${s.hardwareRefs} by the hardware's walks${s.mode === 'shadow' ? `; the VMM's composed walks made ${s.vmmRefs} more` : ''})`,
    `  page-table memory: guest ${kib(b.guest)} + G-stage ${kib(b.gStage)} + shadow ${kib(b.shadow)} (peak ${kib(s.peakShadowBytes)}) = ${kib(b.guest + b.gStage + b.shadow)}`,
    `  VMM exits: ${exits} (table writes ${s.tableWriteExits}, shadow misses ${s.shadowMissExits}, fences ${s.fenceExits}, register changes ${s.registerExits}; roots evicted ${s.rootEvictions})`,
    `  exit cost: ${exits * exitCycles} cycles at ${exitCycles} cycles per exit`,
  ]
  return lines.join('\n') + '\n'
}
