// The fixed-seed slice of `npm run fuzz` that `npm test` runs: every decoder the CLI calls answers a
// few hundred mutants of the project's own inputs with a value (never a throw, never over 1 s), and
// every CLI command, spawned on mutated files and flags, either runs or rejects the input with exit 2
// and one line — no stack trace, no hang, no file left behind. FC_NUM_RUNS scales both.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runs, seed } from '../fc.ts'
import { DECODERS } from './decoders.ts'
import { fuzzInProcess } from './in-process.ts'
import { TARGETS, fuzzSpawned } from './spawned.ts'

for (const d of DECODERS) {
  test(`fuzz, in process: ${d.name} answers every mutant with a value, in bounded time`, () => {
    const t = fuzzInProcess(d, runs(200), seed)
    assert.equal({ crash: t.crash, wrong: t.wrong, hang: t.hang }, { crash: 0, wrong: 0, hang: 0 }, JSON.stringify(t.examples))
  })
}

/** Bad output paths (a folder, a missing folder, '') are drawn too: outputs are validated before a run starts. */
const BAD_OUTPUT_PATHS = true

for (const t of TARGETS) {
  test(`fuzz, spawned: memvirt ${t.name} rejects bad input in one line with exit 2, never crashes, hangs or leaves a file`, async () => {
    const r = await fuzzSpawned(t, runs(12), seed, 2, 60_000, BAD_OUTPUT_PATHS)
    const { crash, hang, leftover, unprefixed } = r.counts
    assert.equal({ crash, hang, leftover, unprefixed, multiLine: r.counts['multi-line'] }, { crash: 0, hang: 0, leftover: 0, unprefixed: 0, multiLine: 0 }, JSON.stringify(r.examples))
  })
}

test.run()
