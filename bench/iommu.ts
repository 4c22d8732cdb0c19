// IOMMU throughput: translations per CPU second through `src/iommu` (RISC-V IOMMU spec v1.0, "Process
// to translate an IOVA"), uncached (cache policy `none`: every request walks the DDT and both stages) and
// IOTLB hits (`refmodel`: the same request again), single-stage (Sv39) and two-stage (Sv39 over Sv39x4);
// by the readable `translate` and by the engine `translateFast` (src/iommu/engine/, what `run --iommu`
// uses). Beside each, the C reference model's figure for the same requests in the same run: built here when
// IOMMU_REF_MODEL names libiommu, else the binary the differential oracle (bench/iommu-oracle/run.ts) built;
// otherwise one line says it is skipped.
// For the C model "uncached" cycles through three devices with distinct PSCIDs, which defeats its
// 2-entry LRU device-context cache and IOTLB. Rates are per CPU second (user + system, both sides), so
// that a loaded machine stretches them less. Printed, never asserted.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { phys } from '../src/bits/address.ts'
import { EXAMPLE_CAPABILITIES } from '../src/iommu/capabilities.ts'
import { type CachePolicy } from '../src/iommu/caches.ts'
import { DEFAULT_OPTIONS, type Iommu, resetIommu } from '../src/iommu/iommu.ts'
import { runSteps } from '../src/iommu/steps.ts'
import { type Device, type RawScenario, expandStructured } from '../src/iommu/structured.ts'
import { type IoRequest, type TranslateOutcome, translate } from '../src/iommu/translate.ts'
import { type FastOutcome, translateFast } from '../src/iommu/engine/translate-fast.ts'
import { emptyMemory, poke, type PhysMemory } from '../src/memory/memory.ts'
import { defaultMemoryMap } from '../src/memory/memory-map.ts'
import { buildOracle, builtOracle } from './iommu-oracle/build.ts'

const IOVA = 0x4000_0234n
const device = (id: number, twoStage: boolean): Device => ({
  name: `d${id}`, deviceId: id,
  firstStage: { mode: 'Sv39', pscid: id, mappings: [{ iova: 0x4000_0000n, to: twoStage ? 0x1000n * BigInt(id) : 0x8800_0000n + 0x1000n * BigInt(id), size: '4KiB', perm: 'rw' }] },
  ...(twoStage ? { gStage: { mode: 'Sv39x4' as const, gscid: id, mappings: [{ iova: 0n, to: 0x8900_0000n + 0x20_0000n * BigInt(id), size: '2MiB' as const, perm: 'rw' as const }] } } : {}),
})
const world = (twoStage: boolean): RawScenario => {
  const r = expandStructured({ devices: [1, 2, 3].map((id) => device(id, twoStage)), steps: [] }, EXAMPLE_CAPABILITIES)
  if (r._tag === 'Left') throw new Error(r.left.message)
  return r.right
}
const request = (id: number): IoRequest => ({ deviceId: id, access: 'read', privileged: false, type: 'untranslated', iova: IOVA })

type Translate = (iommu: Iommu, memory: PhysMemory, request: IoRequest) => TranslateOutcome | FastOutcome
/** CPU seconds (user + system) this process has used. */
const cpuSeconds = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6 }

const memvirtRate = (translate: Translate, raw: RawScenario, cache: CachePolicy, ids: readonly number[], n: number): number => {
  const mem0: PhysMemory = raw.memory.reduce((m, w) => poke(m, phys(w.addr), 8, w.value), emptyMemory(defaultMemoryMap))
  const setup = runSteps(resetIommu(raw.capabilities, raw.fctl, { ...DEFAULT_OPTIONS, cache }), mem0, raw.steps)
  const reqs = ids.map(request)
  const loop = (count: number): void => {
    let iommu: Iommu = setup.iommu
    let mem = setup.memory
    for (let i = 0; i < count; i++) {
      const o = translate(iommu, mem, reqs[i % reqs.length]!)
      if (o.response.status !== 'success') throw new Error(`benchmark request failed: ${o.response.fault?.reason ?? o.response.status}`)
      iommu = o.iommu; mem = o.memory
    }
  }
  loop(Math.min(n, 20_000))                        // warm-up
  const t0 = cpuSeconds()
  loop(n)
  return n / (cpuSeconds() - t0)
}

// With IOMMU_REF_MODEL set, build the harness from this checkout into a place of this run's own (the
// differential run's binary may be rebuilt by another checkout meanwhile).
const lib = process.env['IOMMU_REF_MODEL']
const ownDir = join(tmpdir(), `memvirt-iommu-bench-${process.pid}`)
const oracle = lib !== undefined ? buildOracle(lib, join(ownDir, 'harness')) : builtOracle()
if (lib !== undefined) process.on('exit', () => { rmSync(ownDir, { recursive: true, force: true }) })
/** Whether the harness timed its loop in CPU time (this checkout's harness.c) rather than wall time (older builds). */
let cClock = 'cpu'
const cRate = (raw: RawScenario, ids: readonly number[], n: number): number | undefined => {
  if (oracle === undefined) return undefined
  const h = (v: bigint): string => v.toString(16)
  const lines = [`reset ${h(raw.capabilities)} ${h(raw.fctl)}`, ...raw.memory.map((w) => `mem ${h(w.addr)} ${h(w.value)}`)]
  for (const s of raw.steps) if (s.op === 'write-register') lines.push(`wr ${s.offset} ${s.size} ${h(s.value)}`)
  const breqs = ids.map((id) => `breq ${id} 0 0 0 0 0 ${h(IOVA)}`)
  lines.push(...breqs, `bench ${Math.min(n, 2000)}`, ...breqs, `bench ${n}`, 'end')   // warm-up, then timed
  const r = spawnSync(oracle, { input: lines.join('\n') + '\n', encoding: 'utf8' })
  const timed = r.stdout.split('\n').filter((l) => l.startsWith('{"op":"bench"')).map((l) => JSON.parse(l) as { count: number, ns: number, clock?: string })[1]
  if (timed !== undefined && timed.clock !== 'cpu') cClock = 'wall'
  return timed === undefined ? undefined : timed.count / (timed.ns / 1e9)
}

const N = Number(process.env['IOMMU_BENCH_N'] ?? 50_000)
const k = (r: number): string => `${(r / 1e3).toFixed(1).padStart(8)} k/s`
console.log(oracle === undefined
  ? 'C reference model: skipped (set IOMMU_REF_MODEL to …/iommu_ref_model/libiommu, or run bench/iommu-oracle/run.ts first)'
  : `C reference model: ${oracle} (harness built from bench/iommu-oracle/)`)
console.log(`${'translations per CPU second'.padEnd(40)} ${'readable'.padStart(12)} ${'engine'.padStart(12)} ${'C model'.padStart(12)}  C ÷ readable  C ÷ engine`)
for (const twoStage of [false, true]) {
  const raw = world(twoStage)
  const stage = twoStage ? 'two-stage (Sv39 over Sv39x4)' : 'single-stage (Sv39)'
  for (const [label, cache, ids] of [['uncached', 'none', [1, 2, 3]], ['IOTLB hit', 'refmodel', [1]]] as const) {
    const m = memvirtRate(translate, raw, cache, ids, N)
    const e = memvirtRate(translateFast, raw, cache, ids, N * 10)
    const c = cRate(raw, ids, N * 40)
    const times = (x: number): string => (c === undefined ? '' : `${(c / x).toFixed(1)}×`)
    console.log(`${`${stage}, ${label}`.padEnd(40)} ${k(m)} ${k(e)} ${c === undefined ? '           —' : k(c)}  ${times(m).padStart(12)}  ${times(e).padStart(10)}`)
  }
}
if (oracle !== undefined && cClock !== 'cpu') console.log('(this harness build timed the C model in wall time: rebuild it with IOMMU_REF_MODEL set for CPU time)')
