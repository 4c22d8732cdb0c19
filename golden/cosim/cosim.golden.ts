// The co-simulation against Spike's own retirement streams (golden/cosim/NAME.spike.jsonl, written from
// Spike's commit log, -l trace and data-cache miss log by make-traces.sh): every unmutated stream matches
// end to end, and each row of the mutation table (mutations.ts) stops at exactly its injected event with
// the field and explanation it names.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { TRACED, mutants, mutationTable, replay, traceOf, verdictOf } from './mutations.ts'

for (const name of TRACED) {
  test(`Spike's stream of ${name} matches the model event by event`, () => {
    const es = traceOf(name)
    const r = replay(name, es)
    assert.is(r.replies.length, es.length)
    const bad = r.replies.find((x) => !x.ok)
    assert.is(bad, undefined, JSON.stringify(bad))
  })
}

for (const m of mutants()) {
  test(`mutation table: ${m.kind} (${m.program}, event ${m.index}) stops there, field ${m.field}`, () => {
    const v = verdictOf(m)
    assert.ok(v !== undefined, 'the mutant passed')
    assert.is(v.index, m.index)
    assert.is(v.field, m.field)
    assert.ok(v.explain.some((l) => l.includes(m.explains)), `no explanation line contains "${m.explains}": ${v.explain.join(' | ')}`)
  })
}

test('the README shows the mutation table as mutation-table.ts makes it now', () => {
  assert.ok(readFileSync(new URL('../../README.md', import.meta.url), 'utf8').includes(mutationTable()))
})

test.run()
