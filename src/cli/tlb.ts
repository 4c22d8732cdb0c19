// `memvirt run … --tlb spike|exact [--tlb-entries N] [--tlb-ways W] [--tlb-policy lru|fifo] [--report-stale]
// [--report-stale-json FILE]`: which TLB the hart translates through (mmu/tlb.ts) — Spike's (the default:
// flushed at every fence, trap, xRET and translation-CSR write, so logs stay Spike's) or an architectural
// one whose entries live until a fence covers them — and the missing-fence detector (mmu/stale.ts), whose
// lines go to stderr as they happen (stdout is the program's) and whose JSON form is written at the end.
import type { Command } from 'commander'
import { type StaleTranslation } from '../cpu/event.ts'
import { type Machine, withTlb, withTlbConfig } from '../machine/machine.ts'
import { type TlbConfig, defaultExactShape, exactTlbConfig, spikeTlbConfig } from '../mmu/tlb.ts'
import { staleJson, staleLine, staleSummary } from '../trace/stale.ts'
import { failInput } from './io.ts'
import { openOutput } from './output.ts'
import { positiveInt } from './program.ts'
import { type Watcher } from './integrity.ts'

export interface TlbFlags {
  readonly tlb?: string
  readonly tlbEntries?: string
  readonly tlbWays?: string
  readonly tlbPolicy?: string
  readonly reportStale?: boolean
  readonly reportStaleJson?: string
}

const POLICIES = ['lru', 'fifo'] as const

/** Adds the TLB flags to a command. */
export const tlbOptions = (cmd: Command): Command => cmd
  .option('--tlb <mode>', 'the hart\'s TLB: spike (flushed where Spike flushes; the default) or exact (entries live until a fence covers them)')
  .option('--tlb-entries <n>', `with --tlb exact: entries in all (default ${defaultExactShape.entries})`)
  .option('--tlb-ways <n>', `with --tlb exact: entries per set; entries / ways sets, a power of two (default ${defaultExactShape.ways})`)
  .option('--tlb-policy <policy>', `with --tlb exact: which entry of a full set a fill replaces, ${POLICIES.join(' or ')} (default ${defaultExactShape.replacement})`)
  .option('--report-stale', 'list on stderr every access whose TLB answer differs from a fresh page-table walk, with the fence that would have removed the entry')
  .option('--report-stale-json <file>', 'write that list to FILE as one JSON document')

const reporting = (f: TlbFlags): boolean => f.reportStale === true || f.reportStaleJson !== undefined

/** The TLB configuration the flags ask for, or undefined when they leave the machine's TLB as it is. */
export const tlbConfigOf = (f: TlbFlags, current: TlbConfig): TlbConfig | undefined => {
  const mode = f.tlb ?? 'spike'
  if (mode !== 'spike' && mode !== 'exact') return failInput(`--tlb: expected spike or exact, got "${mode}"`)
  if (mode === 'spike') {
    const shaped = [['--tlb-entries', f.tlbEntries], ['--tlb-ways', f.tlbWays], ['--tlb-policy', f.tlbPolicy]].find((p) => p[1] !== undefined)
    if (shaped !== undefined) return failInput(`${shaped[0]} needs --tlb exact (Spike's TLB has Spike's shape)`)
    // No --tlb: the machine's own TLB (a restored snapshot's may be exact); --tlb spike: Spike's.
    const kind = f.tlb === undefined || current.exact !== true ? current : spikeTlbConfig
    return reporting(f) ? { ...kind, reportStale: true } : kind === current ? undefined : kind
  }
  const policy = f.tlbPolicy ?? defaultExactShape.replacement
  if (policy !== 'lru' && policy !== 'fifo') return failInput(`--tlb-policy: expected ${POLICIES.join(' or ')}, got "${policy}"`)
  const entries = f.tlbEntries === undefined ? defaultExactShape.entries : positiveInt('--tlb-entries', f.tlbEntries, 1 << 20)
  const ways = f.tlbWays === undefined ? defaultExactShape.ways : positiveInt('--tlb-ways', f.tlbWays, 1 << 20)
  const config = exactTlbConfig({ entries, ways, replacement: policy }, reporting(f))
  return typeof config === 'string' ? failInput(`--tlb-entries and --tlb-ways: ${config}`) : config
}

/** Do two configurations make the same TLB (whatever each reports)? */
const sameTlb = (a: TlbConfig, b: TlbConfig): boolean =>
  a.sets === b.sets && a.ways === b.ways && a.replacement === b.replacement && a.flushAll === b.flushAll && (a.exact === true) === (b.exact === true) &&
  (a.pteCache === true) === (b.pteCache === true)

/**
 * The machine with the TLB the flags ask for, or the machine unchanged. A TLB of the same kind and shape
 * keeps its entries (a restored snapshot's: the run goes on as if never split; `--report-stale` only
 * observes); another is a new, empty one under the machine's TLB engine (a machine out of reset has
 * nothing cached; a restored one may start a TLB of another shape empty, as any TLB may be).
 */
export const withTlbFlags = (m: Machine, f: TlbFlags): Machine => {
  const config = tlbConfigOf(f, m.tlb.config)
  if (config === undefined) return m
  return sameTlb(config, m.tlb.config) ? withTlb(m, { ...m.tlb, config }) : withTlbConfig(m, config)
}

/** The stale-translation reporter: a watcher of each step's event, or told of stale answers one by one (`stale`). */
export interface StaleWatcher extends Watcher {
  /** One stale answer the surviving execution used (`--checkpoint-every` hands them over as checkpoints release them). */
  readonly stale: (s: StaleTranslation) => void
}

/**
 * The stale-translation reporter the flags ask for (undefined without them): each stale access as a line
 * on `report` when it happens, a closing count, and the JSON document at the end.
 */
export const staleWatcher = (f: TlbFlags, m0: Machine, report: (line: string) => void): StaleWatcher | undefined => {
  if (!reporting(f)) return undefined
  const json = f.reportStaleJson === undefined ? undefined : openOutput('--report-stale-json', f.reportStaleJson)
  const text = f.reportStale === true
  const seen: StaleTranslation[] = []          // kept for the JSON document only
  let count = 0
  const stale = (s: StaleTranslation): void => {
    count++
    if (json !== undefined) seen.push(s)
    if (text) report(staleLine(s))
  }
  return {
    stale,
    step: (ev) => {
      if (ev._tag === 'Waiting' || ev.stale === undefined) return
      for (const s of ev.stale) stale(s)
    },
    finish: () => {
      if (text) report(staleSummary(count))
      if (json !== undefined) {
        json.text(staleJson(m0.tlb.config, seen))
        json.commit()
      }
    },
  }
}
