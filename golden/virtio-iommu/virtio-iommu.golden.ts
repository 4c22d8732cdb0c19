// Golden runs of `memvirt virtio-iommu`: each scenario's JSON lines, free-text fields dropped, equal
// the expectation written by hand from the virtio spec (README.md here); the text output equals its
// regression snapshot (the model's own output, labelled so in README.md). Where a NAME.qemu.expected.jsonl
// exists, the same scenario under --model qemu equals it (also worked by hand, from QEMU's source).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { isLeft } from 'fp-ts/lib/Either.js'
import { parseVirtioScenario, renderVirtioScenario } from '../../src/cli/virtio-iommu.ts'

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url))
const read = (path: string): string => readFileSync(path, 'utf8')

const scenarios = readdirSync(here('.')).filter((f) => f.endsWith('.json')).sort()

test('the golden folder holds the scenarios README.md works by hand', () => {
  assert.equal(scenarios, ['pviommu.json', 'walkthrough.json'])
})

/** The JSON lines without the explanations in words (`why`, `gStageFault.reason`). */
const withoutWords = (jsonl: string): string => jsonl.trim().split('\n').map((l) => {
  const o = JSON.parse(l) as Record<string, unknown>
  delete o.why
  const g = o.gStageFault as Record<string, unknown> | undefined
  if (g !== undefined) delete g.reason
  return `${JSON.stringify(o)}\n`
}).join('')

for (const file of scenarios) {
  const base = file.replace(/\.json$/, '')
  const scenario = parseVirtioScenario(read(here(file)), file)
  test(`${base}: --json output equals the hand-worked ${base}.expected.jsonl`, () => {
    if (isLeft(scenario)) assert.unreachable(scenario.left)
    else assert.fixture(withoutWords(renderVirtioScenario(scenario.right, 'json')), read(here(`${base}.expected.jsonl`)))
  })
  const qemu = here(`${base}.qemu.expected.jsonl`)
  if (existsSync(qemu)) {
    test(`${base} with --model qemu: --json output equals the hand-worked ${base}.qemu.expected.jsonl`, () => {
      if (isLeft(scenario)) assert.unreachable(scenario.left)
      else assert.fixture(withoutWords(renderVirtioScenario({ ...scenario.right, model: 'qemu' }, 'json')), read(qemu))
    })
  }
  test(`${base}: text output equals the regression snapshot ${base}.snapshot.txt`, () => {
    if (isLeft(scenario)) assert.unreachable(scenario.left)
    else assert.fixture(renderVirtioScenario(scenario.right, 'text'), read(here(`${base}.snapshot.txt`)))
  })
}

test.run()
