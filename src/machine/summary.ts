// What a run did, as a pure fold over its step events (src/cpu/event.ts): instructions retired per
// privilege mode, every trap taken (cause, the mode it came from and the mode that took it, and for a
// guest-page fault the guest-virtual and guest-physical addresses), and the address-translation counts
// from which a TLB hit rate follows. `memvirt demo` prints it; any run can be summarized the same way.
import { EXCEPTION_NAMES } from '../mmu/exception-codes.ts'
import { type StepEvent, type TranslationCounts, NO_TRANSLATIONS } from '../cpu/event.ts'
import { type Priv, PRV_M, PRV_S } from '../cpu/hart.ts'
import { CAUSE, INTERRUPT_BIT, type TrapTarget } from '../cpu/trap.ts'

// ---- model ---------------------------------------------------------------------------------------------

/** The privilege modes of the H extension (H chapter §"Privilege Modes"): S with V = 0 is HS. */
export type Mode = 'M' | 'HS' | 'VS' | 'U' | 'VU'

/** Instructions retired in each mode. */
export interface ModeCounts { readonly M: number; readonly HS: number; readonly VS: number; readonly U: number; readonly VU: number }

/** One trap taken. */
export interface TrapTaken {
  /** The step that took it, counted from 1 (the boot ROM's first instruction is step 1). */
  readonly step: number
  readonly pc: bigint
  /** mcause as written: the exception code, or the interrupt code with bit 63 set. */
  readonly cause: bigint
  readonly tval: bigint
  /** The guest-physical address of a guest-page fault: htval/mtval2 << 2 (htval drops the low two bits). */
  readonly gpa: bigint | undefined
  readonly from: Mode
  readonly target: TrapTarget
}

/** Traps in reverse order of taking, as a persistent list: recording one shares all earlier ones. */
export type TrapList = { readonly head: TrapTaken; readonly tail: TrapList } | undefined

export interface RunSummary {
  /** Steps folded: instructions retired, traps taken and WFI waits. */
  readonly steps: number
  readonly retired: ModeCounts
  readonly trapCount: number
  /** Newest first; `trapsInOrder` gives them oldest first. */
  readonly traps: TrapList
  /** Summed over all steps. */
  readonly xlate: TranslationCounts
}

// ---- constructors --------------------------------------------------------------------------------------

const modeCounts = (M: number, HS: number, VS: number, U: number, VU: number): ModeCounts => ({ M, HS, VS, U, VU })
const runSummary = (steps: number, retired: ModeCounts, trapCount: number, traps: TrapList, xlate: TranslationCounts): RunSummary =>
  ({ steps, retired, trapCount, traps, xlate })

/** The summary of no steps. */
export const emptySummary: RunSummary = runSummary(0, modeCounts(0, 0, 0, 0, 0), 0, undefined, NO_TRANSLATIONS)

/** The mode a hart runs in, from Spike's privilege number and V. */
export const modeOf = (priv: Priv, virt: boolean): Mode =>
  priv === PRV_M ? 'M' : priv === PRV_S ? (virt ? 'VS' : 'HS') : virt ? 'VU' : 'U'

const bump = (c: ModeCounts, mode: Mode): ModeCounts => {
  switch (mode) {
    case 'M': return modeCounts(c.M + 1, c.HS, c.VS, c.U, c.VU)
    case 'HS': return modeCounts(c.M, c.HS + 1, c.VS, c.U, c.VU)
    case 'VS': return modeCounts(c.M, c.HS, c.VS + 1, c.U, c.VU)
    case 'U': return modeCounts(c.M, c.HS, c.VS, c.U + 1, c.VU)
    case 'VU': return modeCounts(c.M, c.HS, c.VS, c.U, c.VU + 1)
  }
}

const addCounts = (a: TranslationCounts, b: TranslationCounts): TranslationCounts =>
  b === NO_TRANSLATIONS ? a : { tlbHits: a.tlbHits + b.tlbHits, walks: a.walks + b.walks, twoStageWalks: a.twoStageWalks + b.twoStageWalks }

const GUEST_PAGE_FAULTS: ReadonlySet<bigint> = new Set([CAUSE.fetchGuestPageFault, CAUSE.loadGuestPageFault, CAUSE.storeGuestPageFault])

/** Is this mcause a guest-page fault (20, 21 or 23)? */
export const isGuestPageFault = (cause: bigint): boolean => GUEST_PAGE_FAULTS.has(cause)

// ---- the fold ------------------------------------------------------------------------------------------

/**
 * The summary after one more step. Pure: `s` is unchanged and stays valid.
 * @example summarize([retiredEvent]).retired.M // 1 for an M-mode instruction
 */
export const addEvent = (s: RunSummary, ev: StepEvent): RunSummary => {
  const step = s.steps + 1
  switch (ev._tag) {
    case 'Retired':
      return runSummary(step, bump(s.retired, modeOf(ev.priv, ev.virt)), s.trapCount, s.traps, addCounts(s.xlate, ev.xlate))
    case 'Trapped': {
      const t = ev.trap
      const taken: TrapTaken = {
        step, pc: ev.pc, cause: t.cause, tval: t.tval, gpa: isGuestPageFault(t.cause) ? t.tval2 << 2n : undefined,
        from: modeOf(ev.priv, ev.virt), target: ev.target,
      }
      return runSummary(step, s.retired, s.trapCount + 1, { head: taken, tail: s.traps }, addCounts(s.xlate, ev.xlate))
    }
    case 'Waiting':
      return runSummary(step, s.retired, s.trapCount, s.traps, s.xlate)
  }
}

/** The summary of a whole sequence of events: the fold of `addEvent` from `emptySummary`. */
export const summarize = (events: Iterable<StepEvent>): RunSummary => {
  let s = emptySummary
  for (const ev of events) s = addEvent(s, ev)
  return s
}

// ---- reading a summary ---------------------------------------------------------------------------------

/** Instructions retired in all modes. */
export const retiredTotal = (s: RunSummary): number => s.retired.M + s.retired.HS + s.retired.VS + s.retired.U + s.retired.VU

/** The traps, oldest first. */
export const trapsInOrder = (s: RunSummary): readonly TrapTaken[] => {
  const out: TrapTaken[] = []
  for (let l = s.traps; l !== undefined; l = l.tail) out.push(l.head)
  return out.reverse()
}

/** How many traps of one cause one mode took. */
export interface CauseCount { readonly cause: bigint; readonly target: TrapTarget; readonly count: number }

/** Traps grouped by (cause, target), in the order each group first occurred. */
export const trapsByCause = (s: RunSummary): readonly CauseCount[] => {
  const groups = new Map<string, { cause: bigint; target: TrapTarget; count: number }>()
  for (const t of trapsInOrder(s)) {
    const key = `${t.cause}/${t.target}`
    const g = groups.get(key)
    if (g === undefined) groups.set(key, { cause: t.cause, target: t.target, count: 1 })
    else g.count++
  }
  return [...groups.values()]
}

/** TLB hits over all translations (hits + walks); undefined when nothing was translated. */
export const tlbHitRate = (s: RunSummary): number | undefined => {
  const total = s.xlate.tlbHits + s.xlate.walks
  return total === 0 ? undefined : s.xlate.tlbHits / total
}

// ---- cause names ---------------------------------------------------------------------------------------

// Exception names: the one table, mmu/exception-codes.ts (EXCEPTION_NAMES).

/** Interrupt names (Priv. ISA mcause table; H chapter for the VS and guest-external ones). */
const INTERRUPT_NAMES: ReadonlyMap<bigint, string> = new Map([
  [1n, 'supervisor software interrupt'], [2n, 'virtual supervisor software interrupt'], [3n, 'machine software interrupt'],
  [5n, 'supervisor timer interrupt'], [6n, 'virtual supervisor timer interrupt'], [7n, 'machine timer interrupt'],
  [9n, 'supervisor external interrupt'], [10n, 'virtual supervisor external interrupt'], [11n, 'machine external interrupt'],
  [12n, 'supervisor guest external interrupt'], [13n, 'counter-overflow interrupt'],
])

/**
 * The spec's name of an mcause value.
 * @example causeName(23n) // 'store/AMO guest-page fault'
 */
export const causeName = (cause: bigint): string => {
  const code = cause & ~INTERRUPT_BIT
  if ((cause & INTERRUPT_BIT) !== 0n) return INTERRUPT_NAMES.get(code) ?? `interrupt ${code}`
  return EXCEPTION_NAMES.get(code) ?? `exception ${code}`
}
