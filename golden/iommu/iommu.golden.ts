// Golden IOMMU scenarios: each NAME.json is a raw `memvirt iommu` scenario and NAME.expected.jsonl its
// `--json` output, written by hand before the model ran (derivations in golden/iommu/README.md). The
// scenario runs through the CLI's pure path (parseIommuScenario → renderIommuScenario) with every cache
// policy: this scenario never repeats a translation, so the caches cannot change its output.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, readdirSync } from 'node:fs'
import { isLeft } from 'fp-ts/lib/Either.js'
import { parseIommuScenario } from '../../src/cli/iommu-scenario.ts'
import { renderIommuScenario } from '../../src/cli/iommu.ts'
import { CACHE_POLICIES } from '../../src/iommu/caches.ts'

const DIR = new URL('./', import.meta.url)
for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
  const name = file.replace(/\.json$/, '')
  for (const cache of CACHE_POLICIES) {
    test(`${name} (--cache ${cache}): --json output equals the hand-derived ${name}.expected.jsonl`, () => {
      const s = parseIommuScenario(readFileSync(new URL(file, DIR), 'utf8'), file)
      if (isLeft(s)) assert.unreachable(s.left)
      else assert.fixture(renderIommuScenario(s.right, 'json', cache), readFileSync(new URL(`${name}.expected.jsonl`, DIR), 'utf8'))
    })
  }
}

test.run()
