// The first divergence between the model and QEMU's CPU log of the same program (`memvirt check --format
// qemu`). QEMU's log holds the register file before each instruction (qemu-log.ts), not the commit
// lines Spike prints, and QEMU's boot ROM is not Spike's: the two runs are aligned where both reach the
// start pc (the ELF's entry), and from there every instruction must lead both to the same next pc and
// the same x registers. A register that differs at the start (the boot ROMs leave a1, a2 unlike each
// other) is ignored until either side writes it.
import { type Machine } from '../machine/machine.ts'
import { step } from '../machine/step.ts'
import { type CheckResult, type ItemDiff, type ModelEnd } from './check.ts'
import { commitLine } from './commit-log.ts'
import { type QemuState, qemuStates } from './qemu-log.ts'

/** The model's state before one instruction it executed or tried to (an exception counts; an interrupt does not). */
export interface ModelState {
  readonly pc: bigint
  readonly x: readonly bigint[]
  /** The model's commit line for the instruction (empty for one that raised an exception). */
  readonly commit: string
}

/**
 * The model's states before each instruction, lazily, as `foldSteps` steps `m` (src/machine/run.ts), until
 * the program exits through HTIF or `maxSteps` steps were made. Steps that take an interrupt, or wait in
 * WFI, run no instruction and give no state (QEMU logs the handler's first instruction next).
 */
export function* modelStates(m: Machine, maxSteps: number): Generator<ModelState, ModelEnd, undefined> {
  let cur = m
  let steps = 0
  while (cur.htif.exitCode === undefined && steps < maxSteps) {
    const before = cur.hart
    const r = step(cur)
    cur = r.machine
    steps++
    const ev = r.event
    const attempted = ev._tag === 'Retired' || (ev._tag === 'Trapped' && ev.trap.cause >> 63n === 0n)
    if (attempted) yield { pc: before.pc, x: before.x, commit: commitLine(ev).trimEnd() }
  }
  return { reason: cur.htif.exitCode !== undefined ? 'exit' : 'limit', steps }
}

const hex = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0')

/** Skips states until one at `pc`; undefined if none comes. */
const until = <S extends { readonly pc: bigint }, R>(it: Iterator<S, R>, pc: bigint): S | undefined => {
  for (;;) {
    const r = it.next()
    if (r.done === true) return undefined
    if (r.value.pc === pc) return r.value
  }
}

/**
 * Compares the model's states with QEMU's, from the first state of each at `startPc`, and returns the
 * first divergence: `instruction` counts instructions from the start pc (1 = the one at the start pc),
 * `dutLine` is the line of QEMU's state after that instruction, the diffs name `pc` (the next pc) and the
 * x registers that differ. A QEMU log that goes on after the model's exit is no divergence.
 */
export const firstDivergenceQemu = (model: Iterator<ModelState, ModelEnd>, log: Iterator<string>, startPc: bigint): CheckResult => {
  const qemu = qemuStates(log)
  let bad: CheckResult | undefined
  // QEMU's states with a bad line turned into the check's BadLine (the iteration then stops).
  const states: Iterator<QemuState> = {
    next: () => {
      const r = qemu.next()
      if (r.done === true) return { done: true, value: undefined }
      if (r.value._tag === 'Left') { bad = { _tag: 'BadLine', dutLine: r.value.left.line, message: r.value.left.message }; return { done: true, value: undefined } }
      return { done: false, value: r.value.right }
    },
  }
  let m = until(model, startPc)
  let q = until(states, startPc)
  if (bad !== undefined) return bad
  if (m === undefined) return { _tag: 'NoDivergence', instructions: 0, end: { reason: 'limit', steps: 0 } }
  if (q === undefined) return { _tag: 'LogEnded', instructions: 0, expected: m.commit }
  const exempt = new Set<number>()
  for (let r = 1; r < 32; r++) if (m.x[r] !== q.x[r]) exempt.add(r)
  for (let n = 1; ; n++) {
    const m1 = model.next()
    if (m1.done === true) return { _tag: 'NoDivergence', instructions: n - 1, end: m1.value }
    const q1 = states.next()
    if (bad !== undefined) return bad
    if (q1.done === true) return { _tag: 'LogEnded', instructions: n - 1, expected: m.commit }
    const mn = m1.value
    const qn = q1.value
    for (const r of exempt) if (mn.x[r] !== m.x[r] || qn.x[r] !== q.x[r]) exempt.delete(r)
    const diffs: ItemDiff[] = []
    if (mn.pc !== qn.pc) diffs.push({ item: 'pc', expected: hex(mn.pc), found: hex(qn.pc) })
    for (let r = 1; r < 32; r++) {
      if (!exempt.has(r) && mn.x[r] !== qn.x[r]) diffs.push({ item: `x${r}`, expected: hex(mn.x[r]!), found: hex(qn.x[r]!) })
    }
    if (diffs.length > 0) {
      const after = (pc: bigint): string => `after the instruction at ${hex(m!.pc)}: pc ${hex(pc)}`
      return {
        _tag: 'Divergence', instruction: n, dutLine: qn.line, pc: hex(m.pc), diffs,
        expected: `${after(mn.pc)}${diffs.filter((d) => d.item !== 'pc').map((d) => `, ${d.item} ${d.expected}`).join('')}${m.commit === '' ? '' : ` (model: ${m.commit})`}`,
        found: `${after(qn.pc)}${diffs.filter((d) => d.item !== 'pc').map((d) => `, ${d.item} ${d.found}`).join('')}`,
      }
    }
    m = mn
    q = qn
  }
}
