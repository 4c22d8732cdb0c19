// Writes the byte-sized trace of the README's `memvirt cache … --obj-size` example: the golden requests
// (zipf-scan-10k.txt) as oracleGeneral with per-object sizes of 1 … 4096 bytes, the file make-golden.ts
// gives cachesim for the byte-sized counts in libcachesim-misses.json.
//   node --import tsx golden/cache/make-sized.ts sized.oracleGeneral
import { writeFileSync } from 'node:fs'
import { zipfScanTrace } from '../../src/cache/synth.ts'
import { GOLDEN_TRACE, sizedOracle } from './make-golden.ts'

const out = process.argv[2]
if (out === undefined) {
  process.stderr.write('usage: node --import tsx golden/cache/make-sized.ts FILE\n')
  process.exit(2)
}
writeFileSync(out, sizedOracle(zipfScanTrace(GOLDEN_TRACE)))
