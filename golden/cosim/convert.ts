// Converts Spike's combined log (make-traces.sh) to a DUT trace in the co-simulation's event format, one
// JSON object per line on stdout: `node --import tsx golden/cosim/convert.ts SPIKE-LOG TOHOST-HEX [FETCH-LOG]`
// (FETCH-LOG: the `spike -l --ic=1:1:8 --log-cache-miss` run that gives the fetch events).
import { readFileSync } from 'node:fs'
import { spikeFetches, spikeTraceEvents } from '../../src/cosim/spike-trace.ts'
import { encodeEvent } from '../../src/cosim/events.ts'

const [log, tohost, fetchLog] = process.argv.slice(2)
if (log === undefined || tohost === undefined) throw new Error('usage: convert.ts SPIKE-LOG TOHOST-HEX [FETCH-LOG]')
const fetches = fetchLog === undefined ? undefined : spikeFetches(readFileSync(fetchLog, 'utf8'))
if (fetches?._tag === 'Left') {
  process.stderr.write(`${fetchLog}:${fetches.left.line}: ${fetches.left.message}\n`)
  process.exit(1)
}
const r = spikeTraceEvents(readFileSync(log, 'utf8'), BigInt(`0x${tohost}`), fetches?.right)
if (r._tag === 'Left') {
  process.stderr.write(`${log}:${r.left.line}: ${r.left.message}\n`)
  process.exit(1)
}
process.stdout.write(r.right.map((e) => encodeEvent(e) + '\n').join(''))
