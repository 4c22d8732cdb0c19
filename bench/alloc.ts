// `npm run bench alloc`: simulation throughput of every allocation policy on the seeded
// generator's workload, 1000 VMs × 10 000 epochs (ar-aco, whose colony search costs
// ants × iterations × levels per VM per epoch, on 1000 VMs × 200 epochs), as VM-epochs per
// second and as a ratio to the static policy's fold measured in the same run; then how each
// policy's cost grows with the number of VMs. Prints only; never asserts.
import { generateWorkload, defaultCapacityKib } from '../src/alloc/workload.ts'
import { allocHostDefaults } from '../src/alloc/host.ts'
import { policyNames, runPolicy, type PolicyName } from '../src/alloc/report.ts'
import type { Workload } from '../src/alloc/model.ts'

const args = process.argv.slice(2)
const scale = Number(args.find((a) => a.startsWith('--scale='))?.slice(8) ?? '1')
const VMS = 1000
const EPOCHS = Math.max(1, Math.round(10_000 * scale))
const ARACO_EPOCHS = Math.max(1, Math.round(200 * scale))

const slice = (w: Workload, epochs: number): Workload => ({
  vms: w.vms, epochs, demandKib: w.demandKib.subarray(0, epochs * w.vms.length), activeKib: w.activeKib.subarray(0, epochs * w.vms.length),
})

const warmed = new Set<PolicyName>()
const time = (name: PolicyName, w: Workload): number => {
  // one short untimed run first, so the JIT has compiled the policy before it is measured
  if (!warmed.has(name)) { warmed.add(name); runPolicy(name, allocHostDefaults(defaultCapacityKib(w)), slice(w, Math.min(w.epochs, 20)), 1, false) }
  const host = allocHostDefaults(defaultCapacityKib(w))
  const t0 = process.hrtime.bigint()
  runPolicy(name, host, w, 1, false)
  return Number(process.hrtime.bigint() - t0) / 1e9
}

console.log(`generating ${VMS} VMs × ${EPOCHS} epochs …`)
const full = generateWorkload({ vms: VMS, epochs: EPOCHS, seed: 1, periodEpochs: 48 })
const rate = (vmEpochs: number, s: number): string => `${(vmEpochs / s / 1e6).toFixed(2)} M VM-epochs/s`

const baseS = time('static', full)
const baseRate = (VMS * EPOCHS) / baseS
console.log(`${'policy'.padEnd(8)} ${'size'.padStart(16)} ${'seconds'.padStart(8)}  throughput              vs static`)
for (const p of policyNames) {
  const epochs = p === 'ar-aco' ? ARACO_EPOCHS : EPOCHS
  const s = p === 'static' ? baseS : time(p, slice(full, epochs))
  const r = (VMS * epochs) / s
  console.log(`${p.padEnd(8)} ${`${VMS} × ${epochs}`.padStart(16)} ${s.toFixed(2).padStart(8)}  ${rate(VMS * epochs, s).padEnd(22)}  ${(r / baseRate).toFixed(3)}×`)
}

const SCALE_EPOCHS = Math.max(1, Math.round(2000 * scale))
console.log(`\nscaling in VMs (${SCALE_EPOCHS} epochs, ar-aco ${Math.max(1, Math.round(SCALE_EPOCHS / 10))}; best of 3; time per epoch should grow linearly with VMs):`)
const sizes = [125, 250, 500, 1000]
const workloads = sizes.map((n) => generateWorkload({ vms: n, epochs: SCALE_EPOCHS, seed: 1, periodEpochs: 48 }))
console.log(`${'policy'.padEnd(8)} ${sizes.map((n) => `${n} VMs ms/epoch`.padStart(18)).join('')}   ratio 1000/125 (linear = 8)`)
for (const p of policyNames) {
  const epochs = p === 'ar-aco' ? Math.max(1, Math.round(SCALE_EPOCHS / 10)) : SCALE_EPOCHS
  // best of three, to keep other processes' noise on a shared machine out of the ratio
  const ms = workloads.map((w) => (1000 * Math.min(time(p, slice(w, epochs)), time(p, slice(w, epochs)), time(p, slice(w, epochs)))) / epochs)
  console.log(`${p.padEnd(8)} ${ms.map((m) => m.toFixed(3).padStart(18)).join('')}   ${(ms[3]! / ms[0]!).toFixed(1)}`)
}
