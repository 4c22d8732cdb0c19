// The Python client (src/cosim/python/memvirt_cosim.py, standard library only) and its example driving it
// from a recorded DUT trace, run with python3 against the real `memvirt cosim`. Skipped, with a line
// saying so, where python3 is not installed.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const py = join(root, 'src/cosim/python')
const hasPython = spawnSync('python3', ['--version']).status === 0
const env = { ...process.env, MEMVIRT: `${process.execPath} ${join(root, 'src/cli/bin.mjs')}` }

interface Run { code: number; stdout: string; stderr: string }
const python3 = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile('python3', args, { cwd: py, env, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})

const example = (trace: string): Promise<Run> =>
  python3(['replay_example.py', join(root, 'golden/programs/sv39.elf'), trace, '--isa', 'rv64ima_zicsr'])

if (!hasPython) {
  console.log('skipped: python3 not found, so the Python client (src/cosim/python/) is not tested here')
  test.skip('the Python client and its example (needs python3)', () => {})
} else {
  test('the example drives Spike\'s stream of sv39 through the client: every event matches, exit 0', async () => {
    const r = await example(join(root, 'golden/cosim/sv39.spike.jsonl'))
    assert.is(r.code, 0, r.stderr)
    assert.match(r.stdout, 'every event matches (28 access, 433 fetch, 420 retire, 14 trap)')
  })

  test('the example stops at a wrong PA with the model\'s walk, exit 1', async () => {
    const lines = readFileSync(join(root, 'golden/cosim/sv39.spike.jsonl'), 'utf8').split('\n')
    const k = lines.findIndex((l) => l.includes('"va":"0x0000000040000008","pa":"0x0000000080004008"'))   // sv39's first translated access
    lines[k] = JSON.stringify({ ...(JSON.parse(lines[k]!) as object), pa: '0x0000000080005008' })
    const file = join(mkdtempSync(join(tmpdir(), 'memvirt-py-')), 'mutant.jsonl')
    writeFileSync(file, lines.join('\n'))
    const r = await example(file)
    assert.is(r.code, 1)
    assert.match(r.stdout, `event ${k}: pa differs: DUT "0x0000000080005008", model "0x0000000080004008"`)
    assert.match(r.stdout, 'S-stage          level 0  read  0x000000008000c000')
  })

  test('the example stops quietly when its reader goes away (`| head -3`): no traceback, exit 1', () => {
    // PYTHONUNBUFFERED makes every print a write, and `true` reads nothing, so the first write meets a closed pipe
    const r = spawnSync('bash', ['-c', 'python3 replay_example.py "$0" "$1" --isa rv64ima_zicsr | true; echo "${PIPESTATUS[0]}"',
      join(root, 'golden/programs/sv39.elf'), join(root, 'golden/cosim/sv39.spike.jsonl')],
    { cwd: py, env: { ...env, PYTHONUNBUFFERED: '1' }, encoding: 'utf8' })
    assert.is(r.stderr, '')
    assert.is(r.stdout, '1\n')
  })

  test('the client: typed methods send hex strings; a refused request comes back as an error reply', async () => {
    const script = [
      'from memvirt_cosim import Cosim',
      `with Cosim(${JSON.stringify(join(root, 'golden/programs/sv39.elf'))}, isa="rv64ima_zicsr") as sim:`,
      '    print(sim.fetch(0x1000, 0x1000)["ok"])',
      '    print(sim.retire(0x1000, 0x00000297, 5, 0x1000)["ok"])',
      '    print(sim.set_debug_req()["index"])',
      '    print(sim.retire(0x1004, 0x02028593, 11, 0x1021)["field"])',
    ].join('\n')
    const r = await python3(['-c', script])
    assert.is(r.stdout, 'True\nTrue\n2\nvalue\n', r.stderr)
  })
}

test.run()
