// Golden replays of `memvirt translate --arch armv7`: each scenario in this folder, rendered through
// the CLI's pure path, must equal its expected text byte for byte. The expected files were written by
// hand from the ARM ARM before the program was run (README.md in this folder), then compared.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { isLeft } from 'fp-ts/lib/Either.js'
import { parseArmScenario, renderArmScenario } from '../../../src/cli/translate-armv7.ts'

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url))
const read = (path: string): string => readFileSync(path, 'utf8')
const scenarios = readdirSync(here('.')).filter((f) => f.endsWith('.json')).sort()

test('the folder holds the scenarios the README derives by hand', () => {
  assert.equal(scenarios, ['lpae.json', 'short-shadow.json'])
})

for (const file of scenarios) {
  const base = file.replace(/\.json$/, '')
  test(`${base}: text output equals ${base}.expected.txt`, () => {
    const s = parseArmScenario(read(here(file)), file)
    if (isLeft(s)) assert.unreachable(s.left)
    else assert.fixture(renderArmScenario(s.right), read(here(`${base}.expected.txt`)))
  })
}

test('bad input is one line naming the file and the field', () => {
  const s = parseArmScenario('{"registers": {}, "events": [{"va": "0x0", "access": "reed"}]}', 'x.json')
  assert.equal(s, { _tag: 'Left', left: 'x.json: scenario.events[0].access: expected one of "read", "write", "fetch", got "reed"' })
})

test.run()
