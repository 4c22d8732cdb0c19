// The first divergence between the model and another implementation's Spike-format commit log
// (`memvirt check`): the model's commit lines (src/trace/commit-log.ts) against the DUT's, in order,
// skipping the lines `spike -l` adds. Pure: the shell hands in the DUT's lines as an iterator.
import { type Machine } from '../machine/machine.ts'
import { step } from '../machine/step.ts'
import { commitLine } from './commit-log.ts'
import { type CommitItem, type CommitLine, parseSpikeLine } from './spike-log.ts'

// ---- comparing two commit lines ---------------------------------------------------------------------

/** One item that differs: its name, and its text in each line (undefined where that line lacks it). */
export interface ItemDiff {
  readonly item: string
  readonly expected: string | undefined
  readonly found: string | undefined
}

/**
 * The items of a commit line by name: `x5`, `c768_mstatus`, `mem`; a name that occurs again gets its
 * occurrence number (`mem[2]` is the second memory access: an AMO's store after its load).
 */
const keyed = (items: readonly CommitItem[]): Map<string, string> => {
  const seen = new Map<string, number>()
  const out = new Map<string, string>()
  for (const it of items) {
    const k = (seen.get(it.name) ?? 0) + 1
    seen.set(it.name, k)
    out.set(k === 1 ? it.name : `${it.name}[${k}]`, it.values.join(' '))
  }
  return out
}

/**
 * The differences between the commit line the model expected and the one the DUT logged: privilege,
 * pc, instruction bits, then each item by name (the expected line's items first, in its order).
 * Empty when the two lines say the same.
 *
 * @example
 * diffCommits(model, dut) // [{ item: 'x5', expected: '0x0000000000000001', found: '0x0000000000000002' }]
 */
export const diffCommits = (expected: CommitLine, found: CommitLine): ItemDiff[] => {
  const diffs: ItemDiff[] = []
  if (expected.priv !== found.priv) diffs.push({ item: 'priv', expected: expected.priv, found: found.priv })
  if (expected.pc !== found.pc) diffs.push({ item: 'pc', expected: expected.pc, found: found.pc })
  if (expected.insn !== found.insn) diffs.push({ item: 'insn', expected: expected.insn, found: found.insn })
  const e = keyed(expected.items)
  const f = keyed(found.items)
  for (const [item, value] of e) if (f.get(item) !== value) diffs.push({ item, expected: value, found: f.get(item) })
  for (const [item, value] of f) if (!e.has(item)) diffs.push({ item, expected: undefined, found: value })
  return diffs
}

// ---- the model's side ---------------------------------------------------------------------------------

/** How the model's run ended: its HTIF exit, or the step limit; and how many steps it made. */
export interface ModelEnd {
  readonly reason: 'exit' | 'limit'
  readonly steps: number
}

/**
 * The model's commit lines (without newlines), lazily: steps `m` as `foldSteps` does (src/machine/run.ts)
 * until the program exits through HTIF or `maxSteps` steps were made, yielding the line of every retired
 * instruction. Lazy so that a divergence stops the run.
 */
export function* modelCommitLines(m: Machine, maxSteps: number): Generator<string, ModelEnd, undefined> {
  let cur = m
  let steps = 0
  while (cur.htif.exitCode === undefined && steps < maxSteps) {
    const r = step(cur)
    cur = r.machine
    steps++
    const line = commitLine(r.event)
    if (line !== '') yield line.slice(0, -1)
  }
  return { reason: cur.htif.exitCode !== undefined ? 'exit' : 'limit', steps }
}

// ---- the first divergence --------------------------------------------------------------------------------

export type CheckResult =
  /** Every instruction the model retired is in the DUT's log, in order, and says the same. */
  | { readonly _tag: 'NoDivergence'; readonly instructions: number; readonly end: ModelEnd }
  /** Instruction number `instruction` (1-based, among commit lines) differs; `dutLine` is its line in the log. */
  | {
    readonly _tag: 'Divergence'; readonly instruction: number; readonly dutLine: number; readonly pc: string
    readonly diffs: readonly ItemDiff[]; readonly expected: string; readonly found: string
  }
  /** The DUT's log has no more commit lines, but the model retired instruction `instructions + 1`. */
  | { readonly _tag: 'LogEnded'; readonly instructions: number; readonly expected: string }
  /** A DUT line that is not a Spike log line (the shell's exit 2). */
  | { readonly _tag: 'BadLine'; readonly dutLine: number; readonly message: string }

/**
 * The DUT's next commit line and its line number, skipping the lines `spike -l` adds; or the end of the
 * log; or a bad line. `line` is the number of the last line read.
 */
type Next =
  | { readonly _tag: 'Commit'; readonly line: number; readonly text: string; readonly commit: CommitLine }
  | { readonly _tag: 'End'; readonly line: number }
  | { readonly _tag: 'Bad'; readonly line: number; readonly message: string }

const nextCommit = (dut: Iterator<string>, lastLine: number): Next => {
  for (let line = lastLine + 1; ; line++) {
    const r = dut.next()
    if (r.done === true) return { _tag: 'End', line: line - 1 }
    const parsed = parseSpikeLine(r.value)
    if (parsed._tag === 'Left') return { _tag: 'Bad', line, message: parsed.left }
    const l = parsed.right
    if (l.hart !== 0) return { _tag: 'Bad', line, message: `core ${l.hart}: the model has one hart (core 0)` }
    if (l._tag === 'Commit') return { _tag: 'Commit', line, text: r.value, commit: l }
  }
}

/**
 * Compares the model's commit lines with the DUT's log, line by line, and returns the first divergence.
 * The DUT's log may go on after the model's last line (Spike keeps spinning after the write to tohost
 * until its HTIF poll notices it): only the model's lines are compared. Lines after the first divergence
 * are not read.
 */
export const firstDivergence = (model: Iterator<string, ModelEnd>, dut: Iterator<string>): CheckResult => {
  let line = 0
  let n = 0
  for (;;) {
    const m = model.next()
    if (m.done === true) return { _tag: 'NoDivergence', instructions: n, end: m.value }
    const d = nextCommit(dut, line)
    line = d.line
    if (d._tag === 'Bad') return { _tag: 'BadLine', dutLine: d.line, message: d.message }
    if (d._tag === 'End') return { _tag: 'LogEnded', instructions: n, expected: m.value }
    n++
    if (d.text === m.value) continue
    const expected = parseSpikeLine(m.value)
    const diffs = expected._tag === 'Right' && expected.right._tag === 'Commit'
      ? diffCommits(expected.right, d.commit)
      : [{ item: 'line', expected: m.value, found: d.text }]
    // The same items written with other spacing agree.
    if (diffs.length === 0) continue
    const pc = expected._tag === 'Right' && expected.right._tag === 'Commit' ? expected.right.pc : d.commit.pc
    return { _tag: 'Divergence', instruction: n, dutLine: d.line, pc, diffs, expected: m.value, found: d.text }
  }
}
