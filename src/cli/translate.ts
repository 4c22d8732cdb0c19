// `memvirt translate SCENARIO.json`: runs a scenario's accesses through the translation core, one
// after another on the same memory (the A/D updates of one access are visible to the next), and
// prints each walk explained (text) or as JSON lines. The shell reads the file; the rest is pure.
import { isLeft } from '../bits/either.ts'
import type { Command } from 'commander'
import { guestVirt, virt } from '../bits/address.ts'
import type { PhysMemory } from '../memory/memory.ts'
import { type ExplainedAccess, explainHart, explainJson, explainSummary, explainText } from '../mmu/explain.ts'
import { translate } from '../mmu/translate.ts'
import { failInput, readText } from './io.ts'
import { type Output, openOutput, writeOutput } from './output.ts'
import { type Scenario, parseScenario } from './scenario.ts'
import { formatError } from '../codec/errors.ts'
import { translateArmv7File } from './translate-armv7.ts'

/** Translates every access in order, threading memory; returns each access with its outcome. */
export const runScenario = (scenario: Scenario): readonly ExplainedAccess[] => {
  const out: ExplainedAccess[] = []
  let memory: PhysMemory = scenario.memory
  scenario.accesses.forEach((a, i) => {
    const ctx = { ...scenario.ctx, priv: a.priv, virt: a.virt }
    const request = { va: a.virt ? guestVirt(a.va) : virt(a.va), access: a.access, hlvx: a.hlvx }
    const outcome = translate(memory, ctx, request)
    memory = outcome.memory
    out.push({ index: i + 1, note: a.note, ctx, request, outcome })
  })
  return out
}

export type OutputFormat = 'text' | 'json'

/** The whole output for a scenario: a header, the explained accesses and a summary; or JSON lines. */
export const renderScenario = (scenario: Scenario, format: OutputFormat): string => {
  const explained = runScenario(scenario)
  if (format === 'json') return explained.map(explainJson).join('')
  const head = (scenario.description === undefined ? '' : `${scenario.description}\n\n`) +
    explainHart(scenario.ctx, scenario.extensions, scenario.notes)
  return [head, ...explained.map(explainText), explainSummary(explained)].join('\n')
}

/** Reads and decodes a scenario file, or fails with one line naming the file or the bad field. */
export const readScenario = (path: string): Scenario => {
  const text = readText(path)
  const s = parseScenario(text)
  return isLeft(s) ? failInput(formatError(path, s.left)) : s.right
}

/** Prints to stdout, or completes the output file opened before the work (never half-written). */
export const emit = (text: string, output: Output | undefined): void => {
  if (output === undefined) process.stdout.write(text)
  else writeOutput(output, text)
}

export const register = (program: Command): void => {
  program
    .command('translate')
    .description('translate the accesses of a scenario file and explain every page-table walk')
    .argument('<scenario>', 'scenario JSON file (schema: README, "memvirt translate")')
    .option('--json', 'print one JSON object per access (JSON lines) instead of text')
    .option('-o, --output <file>', 'write the output to a file (atomically) instead of stdout')
    .option('--arch <arch>', 'riscv (the default) or armv7 (ARMv7 VMSA walks and shadow tables: translate-armv7.ts)')
    .action((path: string, opts: { json?: boolean; output?: string; arch?: string }) => {
      if (opts.arch !== undefined && opts.arch !== 'riscv') {
        if (opts.arch !== 'armv7') failInput(`--arch: expected riscv or armv7, got ${JSON.stringify(opts.arch)}`)
        const armOutput = opts.output === undefined ? undefined : openOutput('--output', opts.output)
        emit(translateArmv7File(path, failInput, opts.json === true), armOutput)
        return
      }
      const scenario = readScenario(path)
      const output = opts.output === undefined ? undefined : openOutput('--output', opts.output)
      emit(renderScenario(scenario, opts.json === true ? 'json' : 'text'), output)
    })
}
