// Golden replays of `memvirt translate --arch armv7`: each scenario in this folder, rendered through
// the CLI's pure path, must equal its expected text byte for byte. The expected files were written by
// hand from the ARM ARM before the program was run (README.md in this folder), then compared.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { isLeft } from 'fp-ts/lib/Either.js'
import { parseArmScenario, renderArmScenario, renderArmScenarioJson } from '../../../src/cli/translate-armv7.ts'

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

// The hand derivation of README.md (short-shadow.json), checked against the --json rendering.
test('short-shadow --json: the shadow path of each access, HPA or fault, and the counters, as README.md derives them', () => {
  const s = parseArmScenario(read(here('short-shadow.json')), 'short-shadow.json')
  if (isLeft(s)) return assert.unreachable(s.left)
  const lines = renderArmScenarioJson(s.right).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  const brief = lines.map((l) => {
    if (l.event === 'tlbi') return `tlbi dropped ${(l.shadow as { dropped: number }).dropped}`
    if (l.event === 'summary') return JSON.stringify({ ...(l.counters as object), tableBytes: l.tableBytes })
    const sh = l.shadow as { path: string; hpa?: string }
    const f = l.fault as { fsr: string; far: string } | undefined
    return `${sh.path} ${f === undefined ? sh.hpa : `${f.fsr} ${f.far}`}`
  })
  assert.equal(brief.slice(0, -1), [
    'fill 0x2300234', 'hit 0x2300238', 'fill 0x4005010', 'guest fault 0x80f 0x203010', 'write-protect trap 0x1000004',
    'guest fault 0x5 0x100234', 'tlbi dropped 1', 'fill 0x1000010',
  ])
  const c = JSON.parse(brief.at(-1)!) as Record<string, number>
  assert.equal([c.hits, c.exits, c.fills, c.writeProtectTraps, c.guestFaults, c.nestedRefs, c.shadowRefs, c.tableBytes], [1, 6, 3, 1, 2, 8, 13, 18432])
})

test('bad input is one line naming the file and the field', () => {
  const s = parseArmScenario('{"registers": {}, "events": [{"va": "0x0", "access": "reed"}]}', 'x.json')
  assert.equal(s, { _tag: 'Left', left: 'x.json: field events[0].access: expected one of "read", "write", "fetch", got "reed"' })
})

test('under a VMM map, a change of TTBCR.EAE is refused (the shadow format is chosen once)', () => {
  const s = parseArmScenario('{"registers": {}, "vmm": [{"gpa": "0x0", "hpa": "0x0", "bits": 16, "rights": "rw-"}], "events": [{"registers": {"ttbcr": "0x8000_0000"}}]}', 'e.json')
  assert.equal(s, { _tag: 'Left', left: 'e.json: field events[0].registers.ttbcr: a change of TTBCR.EAE under a VMM map is not modelled (the shadow format is chosen once)' })
})

test.run()
