// REGRESSION SNAPSHOTS, not an independent reference: the README's block-cache examples and its
// miss-ratio-curve picture are memvirt's own output. These replays keep the README true to the code
// (each `$ memvirt blockcache …` block is run as written and must print what the README shows), and
// keep the committed inputs true to their generators (three-vms.msr.csv is what make-golden.ts makes;
// mrc.svg is what the README's `--plot` command writes). The miss counts behind the curves are checked
// against libCacheSim in libcachesim.golden.ts and cli.golden.ts.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { threeVmMsr } from './make-golden.ts'

const here = new URL('.', import.meta.url).pathname
const root = join(here, '../..')
const bin = join(root, 'src/cli/bin.mjs')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

/** Each `$ memvirt blockcache …` line of the README with the output lines below it (up to a blank line or the fence). */
const examples = (): { args: string[]; output: string }[] => {
  const lines = readme.split('\n')
  const out: { args: string[]; output: string }[] = []
  for (let i = 0; i < lines.length; i++) {
    const m = /^\$ memvirt (blockcache .*)$/.exec(lines[i]!)
    if (m === null) continue
    const body: string[] = []
    for (let j = i + 1; j < lines.length && lines[j] !== '' && lines[j] !== '```'; j++) body.push(lines[j]!)
    out.push({ args: m[1]!.split(/\s+/), output: body.join('\n') + '\n' })
  }
  return out
}

test('the README shows three blockcache examples, and each prints exactly what the README shows', () => {
  const all = examples()
  assert.is(all.length, 3)
  for (const e of all) {
    const r = spawnSync(process.execPath, [bin, ...e.args], { cwd: root, encoding: 'utf8' })
    assert.is(r.status, 0, r.stderr)
    assert.fixture(r.stdout, e.output)
  }
})

test('golden/cache/three-vms.msr.csv is what make-golden.ts generates (5 000 requests, seed 7)', () => {
  assert.fixture(readFileSync(join(here, 'three-vms.msr.csv'), 'utf8'), threeVmMsr(5000, 7))
})

test('golden/cache/mrc.svg is what the README command writes, byte for byte', () => {
  const cmd = /\$ memvirt (cache golden\/cache\/zipf-scan-10k\.txt[^\n]*\\\n[^\n]*)/.exec(readme)
  assert.ok(cmd, 'the README shows the miss-ratio-curve command')
  const args = cmd[1]!.replace('\\\n', ' ').trim().split(/\s+/)
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-mrc-'))
  try {
    const plot = args.indexOf('--plot')
    args[plot + 1] = join(dir, 'mrc.svg')
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' })
    assert.is(r.status, 0, r.stderr)
    assert.fixture(readFileSync(join(dir, 'mrc.svg'), 'utf8'), readFileSync(join(here, 'mrc.svg'), 'utf8'))
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test.run()
