// The `memvirt` executable (src/cli/bin.mjs) runs the esbuild bundle of the CLI when it was built from the
// sources as they are (npm ci and npm test build it), and the sources through tsx otherwise. Both must be
// the same program: same bytes on stdout and stderr, same exit status.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUNDLE, HASH_LINE, STAMP_LINE, sourceHash, sourceStamp } from '../../src/cli/source-hash.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const run = (args: readonly string[], noBundle: boolean) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, MEMVIRT_NO_BUNDLE: noBundle ? '1' : '0' } })

test('the bundle npm test built records the hash of the current sources (so bin.mjs runs it)', () => {
  assert.ok(existsSync(BUNDLE), 'src/cli/memvirt.bundle.mjs is missing: run npm run build')
  const [first, second] = readFileSync(BUNDLE, 'latin1').split('\n', 2)
  assert.is(first, `${HASH_LINE}${sourceHash()}`)
  // and the stamp bin.mjs compares first (stats only), of the same sources
  assert.is(second, `${STAMP_LINE}${sourceStamp()}`)
})

test('bundle and sources: the same commit log, output and exit status for a golden program', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-bundle-'))
  try {
    const elf = join(root, 'golden/programs/htif.elf')
    const a = run(['run', elf, '--isa', 'rv64ima_zicsr', '--log-commits', join(dir, 'a.log')], false)
    const b = run(['run', elf, '--isa', 'rv64ima_zicsr', '--log-commits', join(dir, 'b.log')], true)
    assert.is(a.status, 0)
    assert.is(a.status, b.status)
    assert.is(a.stdout, b.stdout)
    assert.is(a.stderr, b.stderr)
    assert.ok(readFileSync(join(dir, 'a.log')).equals(readFileSync(join(dir, 'b.log'))))
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test('bundle and sources: the same one-line error and exit 2 for a file that is not an ELF', () => {
  const a = run(['run', join(root, 'README.md')], false)
  const b = run(['run', join(root, 'README.md')], true)
  assert.is(a.status, 2)
  assert.is(b.status, 2)
  assert.is(a.stderr, b.stderr)
})

test('bin.mjs runs the bundle only while the sources are the ones it was built from: an edit of the same size is seen', () => {
  // A copy of src/ with its own build; the bundle's description of the program is then changed (in the bundle
  // only), so `--help` tells which of the two ran.
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-stamp-'))
  try {
    cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true, filter: (f) => !/memvirt\.(bundle|chunk-)/.test(f) })
    cpSync(join(root, 'package.json'), join(dir, 'package.json'))
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
    const built = spawnSync(process.execPath, [join(dir, 'src/cli/build.mjs')], { encoding: 'utf8' })
    assert.is(built.status, 0, built.stderr)
    const bundle = join(dir, 'src/cli/memvirt.bundle.mjs')
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replace('An executable reference model', 'THE BUNDLE RAN: reference model'))
    const help = () => spawnSync(process.execPath, [join(dir, 'src/cli/bin.mjs'), '--help'], { encoding: 'utf8', env: { ...process.env, MEMVIRT_NO_BUNDLE: '0' } }).stdout
    assert.match(help(), 'THE BUNDLE RAN')
    // one character of a source replaced: same size, new content
    const main = join(dir, 'src/cli/main.ts')
    const text = readFileSync(main, 'utf8')
    writeFileSync(main, text.replace('An executable reference model', 'An executable reference MODEL'))
    assert.match(help(), 'An executable reference MODEL')
    // the old content back: a new mtime (the stamp differs) but the same content hash, so the bundle runs again
    writeFileSync(main, text)
    assert.match(help(), 'THE BUNDLE RAN')
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test.run()
