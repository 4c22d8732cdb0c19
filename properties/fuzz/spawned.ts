// The spawned half of the fuzzer: `node src/cli/bin.mjs COMMAND …` with a mutated input file and
// mutated flags, in a fresh temp dir, with a timeout; each run classified by its exit status, its
// stderr and the files it left behind (README, "npm run fuzz").
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fc } from '../fc.ts'
import { type Edit, type Mutant, mutant } from './mutate.ts'
import { DECODERS, ROOT } from './decoders.ts'

export const CLASSES = ['reject', 'accepted', 'crash', 'hang', 'multi-line', 'unprefixed', 'leftover'] as const
export type RunClass = (typeof CLASSES)[number]

/** Output files a run may write: anything else left in the temp dir is a leftover. */
const DECLARED = new Set(['out.svg', 'out.csv', 'out.log', 'out.jsonl', 'out.txt', 'memvirt-demo.jsonl'])
/** Output paths a flag may be given: the declared ones, or paths that cannot be written. */
const outPath = (name: string): fc.Arbitrary<string> => fc.oneof({ arbitrary: fc.constant(name), weight: 6 }, { arbitrary: fc.constantFrom('', '.', 'nope/x.out'), weight: 1 })

/** Junk any flag value may be replaced with. */
const JUNK = ['', '-1', '0', '1', '1e12', '1e-300', 'NaN', '0x10', 'abc', '1.5', '9007199254740993', '1,,2', '=', ',', 'lru,lru', '-', '--', 'a'.repeat(3000), '__proto__', 'toString']
type Flag = readonly [string, fc.Arbitrary<string> | undefined]
const v = (...good: string[]): fc.Arbitrary<string> => fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 3 }, { arbitrary: fc.constantFrom(...JUNK), weight: 1 })

/** One CLI command: the decoders whose seeds make its input files, how the argv is built, its flags. */
export interface Target {
  readonly name: string
  /** Input files: name in the temp dir and which decoder's seeds (mutated) fill it. */
  readonly inputs: readonly (readonly [string, string])[]
  readonly argv: readonly string[]
  readonly flags: readonly Flag[]
  /** Exit statuses that mean "ran to the end" (besides 0). */
  readonly alsoAccepted?: (status: number, stderr: string) => boolean
}

const POLICIES = v('lru', 'fifo,lru', 'arc,s3fifo,sieve', 'belady', 'lirs,wtinylfu,twoq', 'clock,lfu', 'nope')
const cacheFlags: readonly Flag[] = [
  ['--policy', POLICIES], ['--size', v('10', '1,5,50', '0', '100000')], ['--json', undefined], ['--mrc', undefined], ['--plot', outPath('out.svg')],
  ['-e', v('fifo-size-ratio=0.2', 'fifo-size-ratio=1.5', 'small-size-ratio=0.1', 'x=1', 'fifo-size-ratio=NaN')],
  ['-t', v('obj-id-col=2,has-header=true,delimiter=,', 'obj-id-col=2', 'obj-id-is-num=true', 'obj-id-col=0')],
  ['--block-size', v('4096', '512', '0', '3')], ['--admission', v('window=10,threshold=2', 'window=10,threshold=11', 'window=0,threshold=0')], ['--obj-size', undefined],
]
const blockFlags: readonly Flag[] = [
  ['--policy', POLICIES], ['--quota', v('10,10,10', '0', '5')], ['--write', v('write-through', 'write-back', 'x')], ['--no-write-allocate', undefined],
  ['--admission', v('window=10,threshold=2', 'window=10,threshold=11')], ['-e', v('fifo-size-ratio=0.2', 'fifo-size-ratio=1.5')], ['--block-size', v('4096', '512', '0')], ['--json', undefined],
]
const programFlags: readonly Flag[] = [
  ['--isa', v('rv64imac_zicsr_zifencei_zicntr_h_svadu', 'rv64imac', 'rv32i', 'rv64gc')], ['--ram', v('2048', '1', '0', '4096')], ['--interleave', v('5000', '1', '0')],
]
const isExitOfProgram = (_: number, stderr: string): boolean => /\*\*\* FAILED \*\*\*|no HTIF exit/.test(stderr)

export const TARGETS: readonly Target[] = [
  ...(['txt', 'csv', 'oracleGeneral', 'msr'] as const).map((f): Target => ({ name: `cache --format ${f}`, inputs: [['in.0', `cache-${f}`]], argv: ['cache', 'in.0', '--format', f], flags: cacheFlags })),
  { name: 'blockcache --format msr', inputs: [['in.0', 'cache-msr']], argv: ['blockcache', 'in.0', '--format', 'msr', '--size', '64'], flags: blockFlags },
  { name: 'blockcache --format vmcsv', inputs: [['in.0', 'blockcache-vmcsv']], argv: ['blockcache', 'in.0', '--format', 'vmcsv', '--size', '4'], flags: blockFlags },
  {
    name: 'alloc', inputs: [['in.0', 'alloc-workload-csv'], ['in.1', 'alloc-host']], argv: ['alloc', 'in.0', '--host', 'in.1'],
    flags: [['--policy', v('static,balloon', 'esx', 'squeeze,ar-aco,blocks', 'nope')], ['--seed', v('1', '7')], ['--json', undefined], ['--plot', outPath('out.svg')], ['--emit-workload', outPath('out.csv')]],
  },
  {
    name: 'gpu', inputs: [['in.0', 'gpu-tasks-csv'], ['in.1', 'gpu-host']], argv: ['gpu', 'in.0', '--host', 'in.1'],
    flags: [['--policy', v('fcfs', 'static,share-swap,migrate', 'nope')], ['--seed', v('1', '7')], ['--json', undefined], ['--plot', outPath('out.svg')], ['--emit-tasks', outPath('out.csv')]],
  },
  { name: 'translate', inputs: [['in.0', 'translate']], argv: ['translate', 'in.0'], flags: [['--json', undefined], ['-o', outPath('out.txt')]] },
  { name: 'translate --arch armv7', inputs: [['in.0', 'translate-armv7']], argv: ['translate', 'in.0', '--arch', 'armv7'], flags: [['--json', undefined], ['-o', outPath('out.txt')]] },
  { name: 'iommu', inputs: [['in.0', 'iommu']], argv: ['iommu', 'in.0'], flags: [['--json', undefined], ['--cache', v('none', 'unbounded', 'refmodel')]] },
  { name: 'virtio-iommu', inputs: [['in.0', 'virtio-iommu']], argv: ['virtio-iommu', 'in.0'], flags: [['--json', undefined], ['--model', v('spec', 'qemu')]] },
  {
    name: 'run', inputs: [['in.0', 'elf']], argv: ['run', 'in.0', '--max-insns', '20000'], alsoAccepted: isExitOfProgram,
    flags: [...programFlags, ['--max-insns', v('1000', '1', '0')], ['--log-commits', outPath('out.log')], ['--trace', outPath('out.jsonl')]],
  },
  {
    name: 'check', inputs: [['in.0', 'elf'], ['in.1', 'spike-log']], argv: ['check', 'in.0', '--against', 'in.1', '--max-insns', '20000'], alsoAccepted: (s) => s === 1,
    flags: [...programFlags, ['--max-insns', v('1000', '1', '0')]],
  },
  {
    name: 'cosim-replay', inputs: [['in.0', 'elf'], ['in.1', 'cosim-events']], argv: ['cosim-replay', 'in.0', 'in.1'], alsoAccepted: (s) => s === 1,
    flags: [['--isa', v('rv64ima_zicsr', 'rv64imac', 'rv32i')], ['--json', undefined], ['--misaligned', v('isa', 'trap', 'split')], ['--ad', v('svadu', 'hardware', 'fault')],
      ['--interrupts', v('dut', 'model')], ['--pmp-granularity', v('4', '4096', '3', '0')], ['--tlb', v('spike', 'exact')]],
  },
  // a snapshot continued for at most 2 000 steps (an accepted mutant may also end the program or stop at the limit, exit 124)
  ...([['resume', 'snapshot'], ['resume (sections)', 'snapshot-sections']] as const).map(([name, dec]): Target => ({
    name, inputs: [['in.0', dec]], argv: ['resume', 'in.0', '--max-insns', '2000'], alsoAccepted: isExitOfProgram,
    flags: [['--max-insns', v('1000', '1', '0')], ['--log-commits', outPath('out.log')], ['--trace', outPath('out.jsonl')], ['--tlb', v('spike', 'exact')],
      ['--report-stale', undefined], ['--stats', undefined], ['--checkpoint-every', v('100', '1')], ['--isa', v('rv64imah_zicsr')], ['--restore', v('in.0')]],
  })),
  { name: 'demo', inputs: [], argv: ['demo'], flags: [['--trace', outPath('out.jsonl')], ['--no-trace', undefined], ['--json', undefined]] },
]

/** One spawned case: the mutated inputs, the flags added to the command's argv, and maybe an input path swapped. */
export interface SpawnCase {
  readonly files: readonly (readonly [string, Uint8Array])[]
  readonly flags: readonly string[]
  /** An input's path in the argv replaced by a folder, a missing file or the empty string. */
  readonly swap?: readonly [string, string]
  /** The input whose bytes differ from the seed they were made from, with its edits; absent when every input is a seed. */
  readonly mutated?: { readonly name: string; readonly seed: number; readonly edits: readonly Edit[] }
}

/** The argv of a case: the command's own, its input path swapped if asked, then the flags. */
export const argvOf = (t: Target, c: SpawnCase): string[] =>
  [...t.argv.map((a) => (c.swap !== undefined && a === c.swap[0] ? c.swap[1] : a)), ...c.flags]

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** The file a decoder's (mutated) bytes make: its `file` transformation, if it has one. */
const fileOf = (decoder: string): ((b: Uint8Array) => Uint8Array) => DECODERS.find((x) => x.name === decoder)?.file ?? ((b) => b)

const seedsOf = new Map<string, readonly Uint8Array[]>()
const seeds = (decoder: string): readonly Uint8Array[] => {
  const known = seedsOf.get(decoder)
  if (known !== undefined) return known
  const d = DECODERS.find((x) => x.name === decoder)
  if (d === undefined) throw new Error(`no decoder ${decoder}`)
  const s = d.seeds()
  seedsOf.set(decoder, s)
  return s
}

/** Output flags and the declared file each writes when its path is not one of the bad ones. */
const OUTPUT_FLAGS: Readonly<Record<string, string>> = { '--plot': 'out.svg', '--emit-workload': 'out.csv', '--emit-tasks': 'out.csv', '-o': 'out.txt', '--log-commits': 'out.log', '--trace': 'out.jsonl' }
const goodOutputs = (flags: readonly string[]): string[] =>
  flags.map((f, i) => { const o = OUTPUT_FLAGS[flags[i - 1] ?? '']; return o !== undefined && !DECLARED.has(f) ? o : f })

/**
 * Cases for a target: one input mutated (or all kept valid, so flags are reached), 0–3 flags, one
 * case in sixteen with an input path swapped. `badOutputs: false` keeps output flags on declared
 * files (bad output paths are the safe-output work of issue 13, not a decoder's).
 */
export const spawnCase = (t: Target, { badOutputs = true }: { badOutputs?: boolean } = {}): fc.Arbitrary<SpawnCase> => {
  // one input mutated and the others valid (so a bad host file is not always hidden behind a bad
  // workload), or, one case in four, all valid so the flags are reached
  const mutatedIndex = fc.oneof({ arbitrary: fc.nat({ max: Math.max(0, t.inputs.length - 1) }), weight: 3 }, { arbitrary: fc.constant(-1), weight: 1 })
  type Files = { files: readonly (readonly [string, Uint8Array])[]; mutated?: SpawnCase['mutated'] }
  const files = fc.tuple(mutatedIndex, ...t.inputs.map(([, dec]) => mutant(seeds(dec))), ...t.inputs.map(([, dec]) => fc.nat({ max: seeds(dec).length - 1 })))
    .map(([k, ...rest]): Files => {
      const m = k >= 0 ? rest[k] as Mutant | undefined : undefined
      const differs = m !== undefined && !sameBytes(m.bytes, seeds(t.inputs[k]![1])[m.seed]!)
      const files = t.inputs.map(([name, dec], i): readonly [string, Uint8Array] =>
        [name, fileOf(dec)(i === k ? m!.bytes : seeds(dec)[rest[t.inputs.length + i] as number]!)])
      return differs ? { files, mutated: { name: t.inputs[k]![0], seed: m.seed, edits: m.edits } } : { files }
    })
  const flag = fc.nat({ max: Math.max(0, t.flags.length - 1) }).chain((i): fc.Arbitrary<string[]> => {
    const [name, value] = t.flags[i]!
    return value === undefined ? fc.constant([name]) : value.map((x) => [name, x])
  })
  const flags: fc.Arbitrary<string[]> = t.flags.length === 0 ? fc.constant([]) : fc.array(flag, { maxLength: 3 }).map((fs) => fs.flat())
  const swap: fc.Arbitrary<readonly [string, string] | undefined> = t.inputs.length === 0
    ? fc.constant(undefined)
    : fc.oneof({ arbitrary: fc.constant(undefined), weight: 15 }, { arbitrary: fc.tuple(fc.constantFrom(...t.inputs.map(([n]) => n)), fc.constantFrom('.', 'missing.file', '', 'in.0/x')), weight: 1 })
  return fc.tuple(files, flags.map((fl) => (badOutputs ? fl : goodOutputs(fl))), swap)
    .map(([f, fl, sw]): SpawnCase => ({ files: f.files, flags: fl, ...(sw === undefined ? {} : { swap: sw }), ...(f.mutated === undefined ? {} : { mutated: f.mutated }) }))
}

export interface Outcome { readonly cls: RunClass; readonly leftover: readonly string[]; readonly status: number | null; readonly stderr: string; readonly ms: number }

const BIN = join(ROOT, 'src/cli/bin.mjs')
const STACK = /\n\s+at [^\n]*[(:]\d+|node:internal|FATAL ERROR|Fatal error|Native stack trace|^\s*at /m

/** Runs one case in a fresh temp dir; the dir is removed afterwards. */
export const runCase = (t: Target, c: SpawnCase, timeoutMs: number): Promise<Outcome> => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-fuzz-'))
  for (const [name, bytes] of c.files) writeFileSync(join(dir, name), bytes)
  const t0 = Date.now()
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...argvOf(t, c)], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } })
    let stderr = ''
    let timedOut = false
    p.stderr.setEncoding('utf8')
    p.stderr.on('data', (s: string) => { if (stderr.length < 1 << 16) stderr += s })
    const timer = setTimeout(() => { timedOut = true; p.kill('SIGKILL') }, timeoutMs)
    p.on('close', (status, signal) => {
      clearTimeout(timer)
      const inputs = new Set(c.files.map(([n]) => n))
      const leftover = readdirSync(dir).filter((f) => !inputs.has(f) && !DECLARED.has(f))
      rmSync(dir, { recursive: true, force: true })
      const lines = stderr.replace(/\n$/, '').split('\n')
      const cls: RunClass =
        timedOut ? 'hang'
        : signal !== null || STACK.test(stderr) ? 'crash'
        : status === 0 || (status !== null && t.alsoAccepted?.(status, stderr) === true) ? 'accepted'
        : status !== 2 ? 'crash'
        : lines.length !== 1 ? 'multi-line'
        : !lines[0]!.startsWith('memvirt') ? 'unprefixed'
        : 'reject'
      resolve({ cls, leftover, status, stderr: stderr.slice(0, 400), ms: Date.now() - t0 })
    })
  })
}

/**
 * What a run of cases found. `acceptedMutated` counts the accepted runs whose input was really mutated (the
 * other accepted runs read the project's own valid inputs and only met flags): those are what to review for
 * garbage that should have been refused, and `keep` saves each of them (inputs, argv, edits) for that.
 */
export interface SpawnTally {
  readonly target: string
  counts: Record<RunClass, number>
  acceptedMutated: number
  readonly examples: { cls: string; argv: string; stderr: string; leftover: string }[]
}

/** Saves an accepted case with a mutated input under dir/TARGET/N: its input files, argv.txt and edits.json. */
const keepCase = (dir: string, t: Target, n: number, c: SpawnCase): void => {
  const at = join(dir, t.name.replace(/[^A-Za-z0-9]+/g, '-'), String(n))
  mkdirSync(at, { recursive: true })
  for (const [name, bytes] of c.files) writeFileSync(join(at, name), bytes)
  writeFileSync(join(at, 'argv.txt'), `memvirt ${argvOf(t, c).join(' ')}\n`)
  writeFileSync(join(at, 'edits.json'), `${JSON.stringify(c.mutated, null, 1)}\n`)
}

/** `runs` cases of one target, `parallel` at a time, fast-check seeded. */
export const fuzzSpawned = async (t: Target, runs: number, seed: number, parallel: number, timeoutMs: number, badOutputs = true, keep?: string): Promise<SpawnTally> => {
  const cases = fc.sample(spawnCase(t, { badOutputs }), { numRuns: runs, seed })
  const tally: SpawnTally = { target: t.name, counts: Object.fromEntries(CLASSES.map((k) => [k, 0])) as Record<RunClass, number>, acceptedMutated: 0, examples: [] }
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++]!
      const o = await runCase(t, c, timeoutMs)
      tally.counts[o.cls]++
      if (o.cls === 'accepted' && c.mutated !== undefined) {
        tally.acceptedMutated++
        if (keep !== undefined) keepCase(keep, t, next - 1, c)
      }
      if (o.leftover.length > 0) tally.counts.leftover++
      const bad = o.cls !== 'reject' && o.cls !== 'accepted'
      if ((bad || o.leftover.length > 0) && tally.examples.filter((e) => e.cls === o.cls).length < 3) {
        tally.examples.push({ cls: o.cls, argv: argvOf(t, c).map((a) => (a.length > 40 ? `${a.slice(0, 20)}…(${a.length})` : a)).join(' '), stderr: o.stderr, leftover: o.leftover.join(' ') })
      }
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  return tally
}
