// The JSON record of one squeeze_test.ml scenario run, shared by make.ts and the golden test.
import type { Either } from 'fp-ts/lib/Either.js'
import type { Scenario, ScenarioFailure, ScenarioOutcome } from '../../src/alloc/squeeze-scenarios.ts'

export const scenarioRecord = (s: Scenario, r: Either<ScenarioFailure, ScenarioOutcome>): unknown => ({
  scenario: s.name,
  source: 'xapi-project/xen-api ocaml/squeezed/test/squeeze_test.ml scenario_' + s.name,
  description: s.description,
  referenceShouldSucceed: s.shouldSucceed,
  succeeded: r._tag === 'Right',
  ...(r._tag === 'Right'
    ? { iterations: r.right.iterations, freeMemKib: r.right.freeMemKib, domains: r.right.domains.map((d) => ({ domid: d.domid, targetKib: d.targetKib, memoryActualKib: d.memoryActualKib, memoryMaxKib: d.memoryMaxKib })) }
    : { failure: r.left.reason }),
})
