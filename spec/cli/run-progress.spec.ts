// What a long run shows a person: the progress line's text (worked by hand), no progress line when stderr is
// not a terminal, and one warning once --trace has written more than its threshold (lowered here through
// MEMVIRT_TRACE_WARN_BYTES so a short program reaches it).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { progressText } from '../../src/cli/run-progress.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const hvdemo = join(root, 'golden/programs/hvdemo.elf')

test('progress: 2 M instructions in 1 s is 2.0 MIPS; 8 M left of --max-insns 10 M take at most 4 s', () => {
  assert.is(progressText(2_000_000, 1000, 10_000_000), '2.0 M instructions, 2.0 MIPS, at most 4 s more (--max-insns 10000000)')
  assert.is(progressText(0, 0, 100), '0.0 M instructions, 0.0 MIPS')
})

test('--trace: one warning line once the trace passes its threshold, none below it; no progress line off a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-progress-'))
  try {
    const args = [join(root, 'src/cli/bin.mjs'), 'run', hvdemo, '--isa', 'rv64imah_zicsr', '--trace', join(dir, 't.jsonl')]
    const low = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, MEMVIRT_TRACE_WARN_BYTES: '1000' } })
    assert.is(low.status, 0, low.stderr)
    assert.is(low.stderr.split('\n').filter((l) => l.includes('warning: --trace has written')).length, 1)
    assert.match(low.stderr, /^memvirt run: warning: --trace has written 0\.0 GiB so far \(\d+ steps\); --max-insns bounds it$/m)
    const normal = spawnSync(process.execPath, args, { encoding: 'utf8' })
    assert.is(normal.status, 0, normal.stderr)
    assert.not.match(normal.stderr, /warning|MIPS/)
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test('on a terminal the progress line is drawn on stderr (cli-progress, loaded only then), and the run ends as off one', () => {
  // a pseudo-terminal from util-linux's script(1); without it the clause says so and passes
  if (spawnSync('script', ['--version'], { encoding: 'utf8' }).status !== 0) {
    console.log('  skipped: script(1) (util-linux) is needed for a pseudo-terminal')
    return
  }
  const command = [process.execPath, join(root, 'src/cli/bin.mjs'), 'run', hvdemo, '--isa', 'rv64imah_zicsr'].map((a) => `'${a}'`).join(' ')
  const tty = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' })
  assert.is(tty.status, 0, tty.stdout)
  assert.match(tty.stdout, /run [░█]+ /)
  assert.not.match(tty.stdout, /Error/)
})

test.run()
