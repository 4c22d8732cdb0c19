// `memvirt check --json`: the result of a check (src/trace/check.ts) as one JSON object on one line, for
// scripts and CI. Field names are documented in README.md ("memvirt check --json"); values that a line lacks are null.
import { type CheckResult } from './check.ts'

/** The JSON form of one differing item: its name and both texts (null where that line lacks the item). */
export interface ItemDiffJson {
  readonly item: string
  readonly expected: string | null
  readonly found: string | null
}

export type CheckJson =
  | { readonly result: 'no-divergence'; readonly instructions: number; readonly modelEnd: 'exit' | 'limit'; readonly steps: number }
  | {
    readonly result: 'divergence'; readonly instruction: number; readonly pc: string; readonly log: string; readonly line: number
    readonly diffs: readonly ItemDiffJson[]; readonly expected: string; readonly found: string
  }
  | { readonly result: 'log-ended'; readonly instructions: number; readonly log: string; readonly expected: string }

/**
 * The JSON object for a check result against the log at `logPath`; undefined for a bad log line, which
 * stays an input error (one line on stderr, exit 2), not a result.
 *
 * @example
 * checkJson({ _tag: 'LogEnded', instructions: 2, expected: 'core   0: …' }, 'dut.log')
 * // { result: 'log-ended', instructions: 2, log: 'dut.log', expected: 'core   0: …' }
 */
export const checkJson = (r: CheckResult, logPath: string): CheckJson | undefined => {
  switch (r._tag) {
    case 'NoDivergence':
      return { result: 'no-divergence', instructions: r.instructions, modelEnd: r.end.reason, steps: r.end.steps }
    case 'Divergence':
      return {
        result: 'divergence', instruction: r.instruction, pc: r.pc, log: logPath, line: r.dutLine,
        diffs: r.diffs.map((d) => ({ item: d.item, expected: d.expected ?? null, found: d.found ?? null })),
        expected: r.expected, found: r.found,
      }
    case 'LogEnded':
      return { result: 'log-ended', instructions: r.instructions, log: logPath, expected: r.expected }
    case 'BadLine':
      return undefined
  }
}
