// `memvirt demo` (what `npm start` runs): the bundled demo. Until the CPU model lands it explains a
// two-stage translation scenario; the CPU demo will replace `translateDemo` here.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { Command } from 'commander'
import { failInput } from './io.ts'
import { formatScenarioError, parseScenario } from './scenario.ts'
import { renderScenario } from './translate.ts'

/** The demo scenario, found next to this module so the demo runs from any working directory. */
export const TRANSLATE_DEMO_PATH = fileURLToPath(new URL('./demo-translate.json', import.meta.url))

/** The translation demo's whole output (text or JSON lines), from the scenario's text. */
export const translateDemo = (scenarioText: string, json: boolean): string => {
  const s = parseScenario(scenarioText, 'demo-translate.json')
  if (isLeft(s)) return failInput(`bundled demo scenario: ${formatScenarioError(s.left)}`)
  if (json) return renderScenario(s.right, 'json')
  return `${renderScenario(s.right, 'text')}\n(the same as \`memvirt translate src/cli/demo-translate.json\`; the README describes the scenario format)\n`
}

export const register = (program: Command): void => {
  program
    .command('demo')
    .description('explain the bundled two-stage translation demo (Sv39 over Sv39x4, a guest-page fault, a Svadu update)')
    .option('--json', 'print JSON lines instead of text')
    .action((opts: { json?: boolean }) => {
      process.stdout.write(translateDemo(readFileSync(TRANSLATE_DEMO_PATH, 'utf8'), opts.json === true))
    })
}
