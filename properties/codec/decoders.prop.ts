// Every decoder built on the codec kit returns a value — the decoded input or a decode error — and
// never throws, on mutations of real inputs (the golden scenarios, host files, trace lines, CSVs) and
// on arbitrary JSON values with keys every JS object has.
import { test } from 'uvu'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fc, runs } from '../fc.ts'
import { parseScenario, decodeScenario } from '../../src/cli/scenario.ts'
import { decodeAllocHost, decodeGpuHost, parseAllocHost, parseGpuHost } from '../../src/alloc/host.ts'
import { parseWorkloadCsv } from '../../src/alloc/workload.ts'
import { parseGpuCsv } from '../../src/alloc/gpu-workload.ts'
import { decodeTraceLine } from '../../src/trace/jsonl.ts'

const read = (p: string): string => readFileSync(fileURLToPath(new URL(`../../${p}`, import.meta.url)), 'utf8')
const seeds = {
  scenario: ['sv39', 'sv39x4-gstage', 'sv48-svadu', 'sv48x4-nested', 'sv57-napot-pbmt'].map((n) => read(`golden/translate/${n}.json`)),
  host: [
    '{"capacityKib": 1048576, "esx": {"tau": 0.5, "samplePages": 10}, "arAco": {"order": 2, "window": 8, "levels": [1, 1.5]}, "cloudsim": {"hosts": [{"pes": 2}]}}',
    '{"gpuMemKib": [16777216, 8388608], "pcieKibPerSec": 1048576}',
  ],
  trace: read('golden/trace/hyp.jsonl').split('\n').filter((l) => l !== '').slice(0, 40),
  csv: ['epoch,vm,demand_kib,weight,min_kib\n0,a,10,2,1\n0,b,5,1,0\n1,a,30,2,1\n1,b,7,1,0\n', 'vm,arrival_s,mem_kib,work_s,weight\nx,0,10,5,1\ny,1.5,20,2,2\n'],
}

/** A real input with up to three characters deleted, replaced or inserted, or a number or key swapped. */
const mutated = (texts: readonly string[]): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...texts), fc.array(fc.tuple(fc.nat(), fc.constantFrom('del', 'rep', 'ins', 'num', 'key'),
    fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '0', '-', '_', 'e', 'x', '\n', '1e12', '1e-300', '-0', '9007199254740993', '"__proto__"', '"toString"', '"constructor"', 'null', '[]', '{}')), { minLength: 1, maxLength: 3 }))
    .map(([s0, edits]) => edits.reduce((s, [at, how, piece]) => {
      const i = s.length === 0 ? 0 : at % s.length
      switch (how) {
        case 'del': return s.slice(0, i) + s.slice(i + 1)
        case 'rep': return s.slice(0, i) + piece + s.slice(i + 1)
        case 'ins': return s.slice(0, i) + piece + s.slice(i)
        case 'num': return s.replace(/-?\d+(\.\d+)?/, piece)
        case 'key': return s.replace(/"[A-Za-z]+"(?=\s*:)/, piece)
      }
    }, s0))

const isEither = (r: { _tag: string }): boolean => r._tag === 'Left' || r._tag === 'Right'

test('the text decoders never throw on mutated real inputs', () => {
  fc.assert(fc.property(mutated(seeds.scenario), (s) => isEither(parseScenario(s))), { numRuns: runs(1500) })
  fc.assert(fc.property(mutated(seeds.host), (s) => isEither(parseAllocHost(s)) && isEither(parseGpuHost(s))), { numRuns: runs(1500) })
  fc.assert(fc.property(mutated(seeds.trace), (s) => isEither(decodeTraceLine(s))), { numRuns: runs(1500) })
  fc.assert(fc.property(mutated(seeds.csv), (s) => isEither(parseWorkloadCsv(s)) && isEither(parseGpuCsv(s))), { numRuns: runs(1500) })
})

const awkward = fc.constantFrom('__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf', 'privilege', 'accesses', 'va', 'capacityKib', 'esx', 'gpuMemKib', 'kind', 'pc')
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -0, 1.5, 1e308, 2 ** 53 + 2, '0x1', 'load', 'S', 'wait', ''),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.array(fc.tuple(awkward, tie('value')), { maxLength: 4 }).map((kvs) => JSON.parse(`{${kvs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`) as unknown)),
})).value

test('the value decoders never throw on arbitrary JSON values with keys every JS object has', () => {
  fc.assert(fc.property(json, (u) => isEither(decodeScenario(u)) && isEither(decodeAllocHost(u)) && isEither(decodeGpuHost(u))), { numRuns: runs(2000) })
})

test.run()
