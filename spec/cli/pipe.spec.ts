// A reader that closes the pipe early (`memvirt … | head`): memvirt stops quietly, status 0, nothing on
// stderr — it used to die with node's "Unhandled 'error' event … EPIPE" stack trace (README, "Exit status").
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')

/** Runs memvirt with its stdout a pipe whose reading end is closed before memvirt writes anything. */
const closedEarly = (args: readonly string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> => new Promise((resolve) => {
  const p = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  p.stdout.destroy()
  let stderr = ''
  p.stderr.setEncoding('utf8')
  p.stderr.on('data', (s: string) => { stderr += s })
  p.on('close', (code, signal) => resolve({ code, signal, stderr }))
})

for (const args of [['translate', 'golden/translate/sv39.json'], ['demo'], ['cache', 'golden/cache/zipf-scan-10k.txt', '--format', 'txt', '--size', '10,100']]) {
  test(`memvirt ${args.join(' ')} | (a reader that has gone): exit 0, nothing on stderr`, async () => {
    const r = await closedEarly(args)
    assert.is(r.stderr, '')
    assert.is(r.code, 0)
  })
}

test.run()
