// Replays the committed golden outputs of the allocation policies byte for byte: the bundled
// workload per policy, squeezed's own test scenarios, the GPU policies and the plots; and checks
// the derived figures in them independently of the code that produced them.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { formatWorkloadCsv, generateWorkload, generatorDefaults, parseWorkloadCsv } from '../../src/alloc/workload.ts'
import { parseAllocHost } from '../../src/alloc/host.ts'
import { formatError } from '../../src/codec/errors.ts'
import { allocJson, gpuJson, policyNames, runGpuPolicies, runPolicy } from '../../src/alloc/report.ts'
import { runScenario, squeezeTestScenarios } from '../../src/alloc/squeeze-scenarios.ts'
import { parseGpuHost } from '../../src/alloc/host.ts'
import { formatGpuCsv, generateGpuWorkload, parseGpuCsv } from '../../src/alloc/gpu-workload.ts'
import { gpuPolicies } from '../../src/alloc/gpu.ts'
import { renderSvg } from '../../src/cli/plot.ts'
import { allocTimelineSpec } from '../../src/alloc/plot.ts'
import { scenarioRecord } from './records.ts'

const here = dirname(fileURLToPath(import.meta.url))
const read = (f: string): string => readFileSync(join(here, f), 'utf8')
const csv = read('bundled-workload.csv')
const parsed = parseWorkloadCsv(csv)
if (parsed._tag === 'Left') throw new Error(formatError('bundled-workload.csv', parsed.left))
const w = parsed.right
const decoded = parseAllocHost(read('bundled-host.json'))
if (decoded._tag === 'Left') throw new Error(formatError('bundled-host.json', decoded.left))
const host = decoded.right

type Doc = { policy: string; epochs: { epoch: number; capacity: number; alloc: Record<string, number>; demand: Record<string, number> }[]; metrics: Record<string, number> }

test('the bundled generator reproduces the committed workload CSV byte for byte', () => {
  assert.is(formatWorkloadCsv(generateWorkload(generatorDefaults)), csv)
})

for (const p of policyNames) {
  test(`${p}: the bundled workload's JSON replays byte for byte`, () => {
    assert.fixture(JSON.stringify(allocJson(w, [runPolicy(p, host, w, 1)]), null, 1) + '\n', read(`bundled-${p}.json`))
  })

  test(`${p}: the committed metrics agree with the committed epochs (recomputed independently)`, () => {
    const doc = (JSON.parse(read(`bundled-${p}.json`)) as Doc[])[0]!
    let used = 0
    let given = 0
    let unmet = 0
    let demand = 0
    for (const e of doc.epochs) {
      let sum = 0
      for (const vm of Object.keys(e.alloc)) {
        const a = e.alloc[vm]!
        const d = e.demand[vm]!
        sum += a
        used += Math.min(a, d); given += a; unmet += Math.max(0, d - a); demand += d
      }
      assert.ok(sum <= e.capacity, `epoch ${e.epoch}: Σ alloc ${sum} > capacity ${e.capacity}`)
    }
    assert.ok(Math.abs(doc.metrics['utilization']! - used / given) < 1e-6)
    assert.ok(Math.abs(doc.metrics['unmetFraction']! - unmet / demand) < 1e-6)
    assert.ok(Math.abs(doc.metrics['hostUtilization']! - used / (doc.epochs.length * host.capacityKib)) < 1e-6)
  })
}

test('static: the committed allocation never changes and fills the capacity in proportion to weight', () => {
  const doc = (JSON.parse(read('bundled-static.json')) as Doc[])[0]!
  const first = JSON.stringify(doc.epochs[0]!.alloc)
  assert.ok(doc.epochs.every((e) => JSON.stringify(e.alloc) === first))
  const total = Object.values(doc.epochs[0]!.alloc).reduce((a, b) => a + b, 0)
  // Σ max (60 GiB-ish) exceeds the capacity (60 % of it), so static hands out all of it
  assert.is(total, host.capacityKib)
})

test('squeeze: once settled, every domain holds the same fraction of its dynamic range', () => {
  const doc = (JSON.parse(read('bundled-squeeze.json')) as Doc[])[0]!
  const last = doc.epochs[doc.epochs.length - 1]!
  const ratios = w.vms.map((v) => (last.alloc[v.id]! - v.minKib) / (v.maxKib - v.minKib))
  const spread = Math.max(...ratios) - Math.min(...ratios)
  assert.ok(spread < 1e-5, `ratios ${ratios.join(', ')}`)
  // and γ = (capacity − Σ min) / Σ range, worked out from the workload alone
  const gamma = (host.capacityKib - w.vms.reduce((s, v) => s + v.minKib, 0)) / w.vms.reduce((s, v) => s + v.maxKib - v.minKib, 0)
  assert.ok(Math.abs(ratios[0]! - gamma) < 1e-5)
})

test('squeeze_test.ml: every scenario succeeds or fails exactly as the reference suite expects', () => {
  for (const s of squeezeTestScenarios) assert.is(runScenario(s)._tag === 'Right', s.shouldSucceed, `scenario ${s.name}`)
})

test('squeeze_test.ml scenarios: the committed traces replay byte for byte', () => {
  assert.fixture(JSON.stringify(squeezeTestScenarios.map((s) => scenarioRecord(s, runScenario(s))), null, 1) + '\n', read('squeeze-scenarios.json'))
})

test('the GPU generator reproduces the committed task list byte for byte', () => {
  assert.is(formatGpuCsv(generateGpuWorkload(1)), read('gpu-tasks.csv'))
})

test('gpu: the committed task list replays byte for byte under every policy', () => {
  const g = parseGpuCsv(read('gpu-tasks.csv'))
  const h = parseGpuHost(read('gpu-host.json'))
  if (g._tag === 'Left' || h._tag === 'Left') throw new Error('bad golden input')
  assert.fixture(JSON.stringify(gpuJson(g.right, runGpuPolicies(gpuPolicies, h.right, g.right)), null, 1) + '\n', read('gpu.json'))
})

test('the allocation timeline SVG re-renders byte for byte', async () => {
  const runs = policyNames.map((p) => runPolicy(p, host, w, 1))
  assert.ok((await renderSvg(allocTimelineSpec(w.vms.map((v) => v.id), runs))) === read('alloc-timeline.svg'))
})

test('the shell: `memvirt alloc … --policy static --json` prints the committed document', () => {
  const r = spawnSync(process.execPath, [join(here, '../../src/cli/bin.mjs'), 'alloc', join(here, 'bundled-workload.csv'), '--host', join(here, 'bundled-host.json'), '--policy', 'static', '--json'], { encoding: 'utf8' })
  assert.is(r.status, 0, r.stderr)
  assert.is(r.stdout, JSON.stringify(JSON.parse(read('bundled-static.json'))) + '\n')
})

test('the shell: a malformed workload line exits 2 with one line naming line and field', () => {
  const bad = join(mkdtempSync(join(tmpdir(), 'memvirt-alloc-')), 'bad.csv')
  writeFileSync(bad, 'epoch,vm,demand_kib\n0,a,12\n1,a,-3\n')
  const r = spawnSync(process.execPath, [join(here, '../../src/cli/bin.mjs'), 'alloc', bad, '--host', join(here, 'bundled-host.json')], { encoding: 'utf8' })
  assert.is(r.status, 2)
  assert.is(r.stdout, '')
  assert.is(r.stderr, `memvirt: ${bad}:3: demand_kib: expected an integer from 0 to 2^40, got '-3'\n`)
})

test.run()
