// One worker thread of `memvirt cache --num-thread N`: replays the trace through its share of the
// configurations exactly as the single-thread run does (`replayJob`) and posts the counts back.
import { parentPort, workerData } from 'node:worker_threads'
import { replayJob, type ThreadJob } from './cache.ts'

parentPort?.postMessage(replayJob(workerData as ThreadJob))
