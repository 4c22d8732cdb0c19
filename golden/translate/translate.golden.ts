// Golden replays of `memvirt translate` and `memvirt demo`: every scenario in this folder, rendered as
// text and as JSON lines through the CLI's pure path, must equal the committed expected output byte for
// byte. The key numbers of every expected file were derived by hand first (README.md in this folder).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { isLeft } from 'fp-ts/lib/Either.js'
import { parseScenario } from '../../src/cli/scenario.ts'
import { formatError } from '../../src/codec/errors.ts'
import { renderScenario } from '../../src/cli/translate.ts'
import { TRANSLATE_DEMO_PATH, translateDemo } from '../../src/cli/demo.ts'

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url))
const read = (path: string): string => readFileSync(path, 'utf8')

const scenarios = readdirSync(here('.')).filter((f) => f.endsWith('.json')).sort()

test('the golden folder holds the scenarios the README derives by hand', () => {
  assert.equal(scenarios, ['sv39.json', 'sv39x4-gstage.json', 'sv48-svadu.json', 'sv48x4-nested.json', 'sv57-napot-pbmt.json'])
})

for (const file of scenarios) {
  const base = file.replace(/\.json$/, '')
  const scenario = parseScenario(read(here(file)))
  test(`${base}: text output equals ${base}.expected.txt`, () => {
    if (isLeft(scenario)) assert.unreachable(`${formatError(file, scenario.left)}`)
    else assert.fixture(renderScenario(scenario.right, 'text'), read(here(`${base}.expected.txt`)))
  })
  test(`${base}: --json output equals ${base}.expected.jsonl`, () => {
    if (isLeft(scenario)) assert.unreachable(`${file} does not decode`)
    else assert.fixture(renderScenario(scenario.right, 'json'), read(here(`${base}.expected.jsonl`)))
  })
}

// The key numbers of README.md's hand derivations, per access: the PA of a translation, or the cause,
// htval and tinst of a fault; and the memory references. Checked against the committed JSON lines, so
// an expected file regenerated over a model bug fails here even though it replays byte for byte.
type Hand = { pa: bigint; refs: number } | { cause: number; htval: bigint; tinst: bigint; refs: number }
const pa = (p: bigint, refs: number): Hand => ({ pa: p, refs })
const f = (cause: number, refs: number, htval = 0n, tinst = 0n): Hand => ({ cause, htval, tinst, refs })
const HAND: Readonly<Record<string, readonly Hand[]>> = {
  sv39: [
    pa(0x8030_0234n, 3), f(15, 3), f(13, 3), pa(0x8030_2ffcn, 3), pa(0x8063_4567n, 2),
    f(13, 2), f(13, 0), f(13, 1), pa(0x4000_1234n, 0), f(12, 3),
  ],
  'sv48-svadu': [pa(0x8200_0234n, 5), pa(0x8200_023cn, 5), pa(0x8200_0240n, 4), f(13, 4), pa(0xc000_0ff0n, 3), f(13, 2)],
  'sv57-napot-pbmt': [pa(0x8300_3abcn, 5), pa(0x8400_0010n, 5), f(13, 5), f(13, 5), pa(0x8000_1234n, 2), f(13, 0), f(13, 1)],
  'sv48x4-nested': [
    pa(0x8a00_0234n, 24), f(13, 20), pa(0x8a00_0010n, 24), f(21, 24, 0x0800_0410n),
    f(21, 24, 0x0400_0c06n, 0x3020n), f(21, 20, 0x1_0000_0000_0002n), f(15, 20),
  ],
  'sv39x4-gstage': [pa(0x8000_1234n, 1), pa(0x8032_3456n, 2), f(23, 2, 0x2004_8d15n), f(20, 2, 0x2004_8d15n), f(21, 0, 0x80_0000_0000n), pa(0x8012_3456n, 0)],
  demo: [pa(0xc040_0234n, 9), pa(0xc040_0238n, 7), f(21, 5, 0x4000_0000n, 0x3000n), f(23, 7, 0x3000_0000n)],
}

const keyNumbers = (line: string): Hand => {
  const o = JSON.parse(line) as { result: string; pa?: string; refs: number; fault?: { cause: number; htval: string; tinst: string } }
  return o.result === 'translated'
    ? { pa: BigInt(o.pa!), refs: o.refs }
    : { cause: o.fault!.cause, htval: BigInt(o.fault!.htval), tinst: BigInt(o.fault!.tinst), refs: o.refs }
}

for (const [base, hand] of Object.entries(HAND)) {
  test(`${base}: the expected output agrees with the hand derivation (PA or cause/htval/tinst, refs)`, () => {
    const lines = read(here(`${base}.expected.jsonl`)).trimEnd().split('\n')
    assert.equal(lines.map(keyNumbers), hand)
  })
}

test('demo: `memvirt demo` output equals demo.expected.txt and demo.expected.jsonl', () => {
  const text = read(TRANSLATE_DEMO_PATH)
  assert.fixture(translateDemo(text, false), read(here('demo.expected.txt')))
  assert.fixture(translateDemo(text, true), read(here('demo.expected.jsonl')))
})

test.run()
