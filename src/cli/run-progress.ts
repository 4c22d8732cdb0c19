// What a long `memvirt run` shows a person at a terminal: a progress line on stderr (instructions
// retired, MIPS, and the time left if the run goes to --max-insns), drawn only when stderr is a
// terminal; and a one-time warning once --trace has written more than a few GB.
import type { SingleBar } from 'cli-progress'
import { type Machine } from '../machine/machine.ts'

/** The progress text after `steps` of at most `maxSteps`, `ms` milliseconds into the run. */
export const progressText = (steps: number, ms: number, maxSteps: number): string => {
  const mips = ms > 0 ? steps / ms / 1000 : 0
  const eta = mips > 0 ? Math.max(0, Math.round((maxSteps - steps) / (mips * 1e6))) : undefined
  return `${(steps / 1e6).toFixed(1)} M instructions, ${mips.toFixed(1)} MIPS` +
    (eta === undefined ? '' : `, at most ${eta} s more (--max-insns ${maxSteps})`)
}

/** A progress line fed with the machine after each stretch of steps; a no-op unless stderr is a terminal (cli-progress is loaded only then). */
export const runProgress = async (maxSteps: number, start: Machine): Promise<{ readonly seen: (m: Machine) => void; readonly stop: () => void }> => {
  if (process.stderr.isTTY !== true) return { seen: () => {}, stop: () => {} }
  // a CommonJS package: its exports object is the default export (the same under node, tsx and the bundle)
  const { SingleBar: Bar, Presets } = (await import('cli-progress')).default
  const t0 = Date.now()
  const i0 = start.hart.instret
  let last = 0
  const bar: SingleBar = new Bar({ stream: process.stderr, format: 'run {bar} {text}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic)
  bar.start(maxSteps, 0, { text: '' })
  return {
    seen: (m) => {
      const now = Date.now()
      if (now - last < 200) return
      last = now
      const steps = Number(m.hart.instret - i0)
      bar.update(Math.min(steps, maxSteps), { text: progressText(steps, now - t0, maxSteps) })
    },
    stop: () => bar.stop(),
  }
}

/** Bytes of --trace after which the run warns once (MEMVIRT_TRACE_WARN_BYTES overrides: tests). */
export const traceWarnBytes = (): number => {
  const v = Number(process.env['MEMVIRT_TRACE_WARN_BYTES'] ?? '')
  return Number.isSafeInteger(v) && v > 0 ? v : 4 * 2 ** 30
}
