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

/**
 * Cycles one memory reference of a page walk costs by default: an L3 hit (line unshared), about 40 cycles,
 * on Intel Core i7 / Xeon 5500 — D. Levinthal, "Performance Analysis Guide for Intel Core i7 Processor and
 * Intel Xeon 5500 processors" (Intel, 2009), its table of load latencies by data source (L1 ~4, L2 ~10,
 * L3 ~40 cycles, local DRAM ~60 ns). Walk references mostly hit the caches; an L3 hit is a middle price
 * between an L1 hit and DRAM. `--mem-ref-cycles` sets another; the cost table also gives the price at
 * which the two designs cost the same (`breakEvenRefCycles`).
 */
export const DEFAULT_MEM_REF_CYCLES = 40

/** Exits of every kind. */
export const totalExits = (s: GuestStats): number => s.tableWriteExits + s.shadowMissExits + s.fenceExits + s.registerExits

/** Page-table bytes held: the guest's VS-stage tables, the G-stage tables, the shadow tables (at the end). */
export const tableBytes = (s: GuestStats): { guest: number; gStage: number; shadow: number } =>
  ({ guest: s.vsTablePages.size * 4096, gStage: s.gTablePages.size * 4096, shadow: s.shadowBytes })

/** Every memory reference made for V=1 translation: the hardware's walks, and (shadow) the VMM's composed walks. */
export const totalRefs = (s: GuestStats): number => s.hardwareRefs + s.vmmRefs

/** The modelled cost of a run's guest translation, in cycles: its exits and its memory references at the stated prices. */
export interface ModelledCost {
  readonly exitCycles: number
  readonly refCycles: number
  readonly total: number
}

export const modelledCost = (s: GuestStats, exitCycles: number, memRefCycles: number): ModelledCost => {
  const e = totalExits(s) * exitCycles, r = totalRefs(s) * memRefCycles
  return { exitCycles: e, refCycles: r, total: e + r }
}

/**
 * The price of one memory reference (cycles) at which the nested and the shadow run of one program cost
 * the same: above it shadow is cheaper, below it nested. Undefined when shadow makes at least as many
 * references as nested (nested is then cheaper at every price); 0 when shadow takes no more exits.
 */
export const breakEvenRefCycles = (nested: GuestStats, shadow: GuestStats, exitCycles: number): number | undefined => {
  const saved = totalRefs(nested) - totalRefs(shadow)
  const extra = (totalExits(shadow) - totalExits(nested)) * exitCycles
  return saved <= 0 ? undefined : Math.max(0, extra / saved)
}

const kib = (bytes: number): string => `${bytes / 1024} KiB`
const per = (n: number, d: number): string => (d === 0 ? '-' : (n / d).toFixed(2))

/** The --stats lines (to stderr), one figure per line. */
export const guestStatsText = (s: GuestStats, exitCycles: number, memRefCycles: number = DEFAULT_MEM_REF_CYCLES): string => {
  const b = tableBytes(s)
  const exits = totalExits(s)
  const cost = modelledCost(s, exitCycles, memRefCycles)
  const lines = [
    `guest translation: ${s.mode}`,
    `  V=1 TLB misses: ${s.misses}`,
    `  memory references per miss: ${per(s.hardwareRefs, s.misses)} (${s.hardwareRefs} by the hardware's walks${s.mode === 'shadow' ? `; the VMM's composed walks made ${s.vmmRefs} more` : ''})`,
    `  page-table memory: guest ${kib(b.guest)} + G-stage ${kib(b.gStage)} + shadow ${kib(b.shadow)} (peak ${kib(s.peakShadowBytes)}) = ${kib(b.guest + b.gStage + b.shadow)}`,
    `  VMM exits: ${exits} (table writes ${s.tableWriteExits}, shadow misses ${s.shadowMissExits}, fences ${s.fenceExits}, register changes ${s.registerExits}; roots evicted ${s.rootEvictions})`,
    ...(s.mode === 'shadow' ? [`  shadow misses: ${s.fills} filled, ${s.guestFaults} guest faults delivered, ${s.completed} completed by the VMM (once per TLB miss)`] : []),
    `  exit cost: ${cost.exitCycles} cycles at ${exitCycles} cycles per exit`,
    `  memory-reference cost: ${cost.refCycles} cycles at ${memRefCycles} cycles per reference (${totalRefs(s)} references)`,
    `  modelled cost: ${cost.total} cycles`,
  ]
  return lines.join('\n') + '\n'
}

/** One program's two runs, for the cost table. */
export interface CostRow {
  readonly program: string
  readonly nested: GuestStats
  readonly shadow: GuestStats
}

const cell = (n: number): string => n.toLocaleString('en-US')

/**
 * The nested-vs-shadow cost table (bench/shadow.ts, the README): per program and mode, V=1 TLB misses,
 * memory references per miss (hardware, and the VMM's), page-table memory held, exits by kind, and the
 * modelled cost at the stated prices; per program, the reference price where the balance flips.
 */
export const costTable = (rows: readonly CostRow[], exitCycles: number, memRefCycles: number): string => {
  const head = [
    '| program | mode | V=1 TLB misses | refs per miss: hardware (+ VMM) | page tables KiB: guest + G-stage + shadow | VMM exits: table writes / shadow misses / fences / registers | exit cycles | reference cycles | modelled cycles | cheaper |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
  ]
  const body = rows.flatMap((r) => {
    const cn = modelledCost(r.nested, exitCycles, memRefCycles), cs = modelledCost(r.shadow, exitCycles, memRefCycles)
    const line = (s: GuestStats, c: ModelledCost, cheaper: boolean): string => {
      const b = tableBytes(s)
      const refs = `${per(s.hardwareRefs, s.misses)}${s.mode === 'shadow' ? ` (+ ${per(s.vmmRefs, s.misses)})` : ''}`
      const mem = `${b.guest / 1024} + ${b.gStage / 1024} + ${b.shadow / 1024} = ${(b.guest + b.gStage + b.shadow) / 1024}`
      const exits = `${totalExits(s)}: ${s.tableWriteExits} / ${s.shadowMissExits} / ${s.fenceExits} / ${s.registerExits}`
      return `| ${r.program} | ${s.mode} | ${cell(s.misses)} | ${refs} | ${mem} | ${exits} | ${cell(c.exitCycles)} | ${cell(c.refCycles)} | ${cell(c.total)} | ${cheaper ? '◀' : ''} |`
    }
    return [line(r.nested, cn, cn.total <= cs.total), line(r.shadow, cs, cs.total < cn.total)]
  })
  const flips = rows.map((r) => {
    const p = breakEvenRefCycles(r.nested, r.shadow, exitCycles)
    return `- ${r.program}: ${p === undefined ? 'nested is cheaper at every price per reference (shadow makes no fewer references)' : `shadow is cheaper above ${p.toFixed(1)} cycles per reference, nested below`}`
  })
  return [
    `At ${exitCycles} cycles per VMM exit and ${memRefCycles} cycles per memory reference (◀: the cheaper design).`,
    '',
    ...head, ...body,
    '',
    `Where the balance flips (the price of one memory reference at which both cost the same, at ${exitCycles} cycles per exit):`,
    ...flips,
  ].join('\n') + '\n'
}
