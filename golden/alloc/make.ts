// Regenerates the committed golden files of golden/alloc/ (run only when a change of output is
// intended and reviewed): `node --import tsx golden/alloc/make.ts`.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { formatWorkloadCsv, generateWorkload, generatorDefaults, defaultCapacityKib } from '../../src/alloc/workload.ts'
import { allocHostDefaults } from '../../src/alloc/host.ts'
import { allocJson, gpuJson, policyNames, runGpuPolicies, runPolicy } from '../../src/alloc/report.ts'
import { runScenario, squeezeTestScenarios } from '../../src/alloc/squeeze-scenarios.ts'
import { defaultGpuHost, formatGpuCsv, generateGpuWorkload } from '../../src/alloc/gpu-workload.ts'
import { gpuPolicies } from '../../src/alloc/gpu.ts'
import { scenarioRecord } from './records.ts'
import { renderSvg } from '../../src/cli/plot.ts'
import { allocTimelineSpec, gpuSlowdownSpec } from '../../src/alloc/plot.ts'

const here = dirname(fileURLToPath(import.meta.url))
const w = generateWorkload(generatorDefaults)
writeFileSync(join(here, 'bundled-workload.csv'), formatWorkloadCsv(w))
writeFileSync(join(here, 'bundled-host.json'), JSON.stringify({ capacityKib: defaultCapacityKib(w) }) + '\n')
const host = allocHostDefaults(defaultCapacityKib(w))
const runs = policyNames.map((p) => runPolicy(p, host, w, 1))
for (const r of runs) writeFileSync(join(here, `bundled-${r.policy}.json`), JSON.stringify(allocJson(w, [r]), null, 1) + '\n')
writeFileSync(join(here, 'alloc-timeline.svg'), await renderSvg(allocTimelineSpec(w.vms.map((v) => v.id), runs)))
writeFileSync(join(here, 'squeeze-scenarios.json'), JSON.stringify(squeezeTestScenarios.map((s) => scenarioRecord(s, runScenario(s))), null, 1) + '\n')
const g = generateGpuWorkload(1)
writeFileSync(join(here, 'gpu-tasks.csv'), formatGpuCsv(g))
writeFileSync(join(here, 'gpu-host.json'), JSON.stringify(defaultGpuHost) + '\n')
const gruns = runGpuPolicies(gpuPolicies, defaultGpuHost, g)
writeFileSync(join(here, 'gpu.json'), JSON.stringify(gpuJson(g, gruns), null, 1) + '\n')
writeFileSync(join(here, 'gpu-slowdown.svg'), await renderSvg(gpuSlowdownSpec(g.vms.map((v) => v.id), gruns.map((r) => ({ policy: r.policy, slowdown: r.metrics.slowdown })))))
