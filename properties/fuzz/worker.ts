// One decoder fuzzed in a worker thread, so `npm run fuzz` can stop a decoder that never returns
// (a hang no per-case timer inside the same thread could catch) and run two decoders at once.
// Posts { progress: cases } every PROGRESS_EVERY cases, then { tally }.
import { parentPort, workerData } from 'node:worker_threads'
import { DECODERS } from './decoders.ts'
import { fuzzInProcess } from './in-process.ts'

export const PROGRESS_EVERY = 1000
const { decoder, cases, seed } = workerData as { decoder: string; cases: number; seed: number }
const d = DECODERS.find((x) => x.name === decoder)
if (d === undefined) throw new Error(`no decoder ${decoder}`)
const tally = fuzzInProcess(d, cases, seed, (n) => { if (n % PROGRESS_EVERY === 0) parentPort?.postMessage({ progress: n }) })
parentPort?.postMessage({ tally })
