// memvirt's own assembly programs (golden/programs/): each is self-checking (its expected values were
// worked out by hand from the spec and are compared by the program itself) and must exit through HTIF
// with code 0. Where Spike's commit log for a program is committed, memvirt's log must equal it byte for
// byte up to and including the store to tohost.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync } from 'node:fs'
import { type Machine } from '../src/machine/machine.ts'
import { loadGoldenProgram } from './programs/load.ts'
import { run } from '../src/machine/engine/run.ts'
import { commitLine } from '../src/trace/commit-log.ts'
import { CommitLogWriter } from '../src/trace/engine/commit-log-writer.ts'

const DIR = new URL('./programs/', import.meta.url)
interface Entry { readonly isa: string; readonly spike?: string; readonly stdout?: string }
const manifest = JSON.parse(readFileSync(new URL('programs.json', DIR), 'utf8')) as { programs: Record<string, Entry> }

const loadProgram = (name: string, isaText: string): Machine => loadGoldenProgram(name, isaText).machine

/** The run as the step fold with the readable commitLine per event. */
const runProgram = (name: string, isaText: string): { exitCode: number | undefined; log: string; tohost: bigint | undefined; stdout: string } => {
  const m = loadProgram(name, isaText)
  let log = ''
  const r = run(m, { maxSteps: 50_000 }, { event: (ev) => { log += commitLine(ev) } })
  const stdout = r.machine.htif.output.filter((w) => w.fd === 1).map((w) => Buffer.from(w.bytes).toString('latin1')).join('')
  return { exitCode: r.machine.htif.exitCode, log, tohost: m.htif.tohost, stdout }
}

for (const [name, entry] of Object.entries(manifest.programs)) {
  test(`${name} (${entry.isa}) passes its own checks: HTIF exit code 0`, () => {
    const r = runProgram(name, entry.isa)
    assert.is(r.exitCode, 0)
    // The run stops at the store to tohost, which is the last commit line: `mem <tohost> 0x...01`.
    const last = r.log.trimEnd().split('\n').at(-1) ?? ''
    assert.ok(r.tohost !== undefined && last.endsWith(` mem 0x${r.tohost.toString(16).padStart(16, '0')} 0x0000000000000001`), last)
  })
  if (entry.stdout !== undefined) {
    const expected = entry.stdout
    test(`${name}: prints through HTIF what Spike prints`, () => {
      assert.is(runProgram(name, entry.isa).stdout, expected)
    })
  }
  const spikeLog = entry.spike === undefined ? undefined : new URL(entry.spike, DIR)
  if (spikeLog !== undefined) {
    test(`${name}: commit log equals Spike's, line for line`, () => {
      assert.ok(existsSync(spikeLog), `${entry.spike} is named in programs.json but missing`)
      const expected = readFileSync(spikeLog, 'utf8')
      assert.fixture(runProgram(name, entry.isa).log, expected)
    })
    test(`${name}: the log \`memvirt run --log-commits\` writes (fast engine, byte writer) equals Spike's`, () => {
      const parts: Buffer[] = []
      const writer = new CommitLogWriter((b, n) => parts.push(Buffer.from(b.subarray(0, n))))
      run(loadProgram(name, entry.isa), { maxSteps: 50_000 }, { commits: writer })
      writer.flush()
      assert.fixture(Buffer.concat(parts).toString('latin1'), readFileSync(spikeLog, 'utf8'))
    })
  }
}

test.run()
