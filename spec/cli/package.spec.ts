// The npm package as a user gets it: `npm pack` ships the sources, the prebuilt CLI bundle (made at
// prepack) and the demo's program, and nothing of the project's tests, goldens or benchmarks; installed
// in an empty folder, `npx memvirt demo` runs from the bundle.
// The install step needs the npm registry (or npm's cache, which `npm ci` fills): under CI it is
// mandatory; elsewhere, without a registry, it is skipped with a line saying so.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const npm = (args: string[], cwd: string) =>
  spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } })

interface PackedFile { readonly path: string }

test('npm pack ships the sources, the CLI bundle and the demo program, and no tests, goldens or benchmarks', () => {
  const r = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], root)
  assert.is(r.status, 0, r.stderr)
  const files = (JSON.parse(r.stdout) as { files: PackedFile[] }[])[0]!.files.map((f) => f.path)
  for (const needed of ['package.json', 'README.md', 'src/cli/bin.mjs', 'src/cli/main.ts', 'src/cli/demo-translate.json', 'golden/programs/hvdemo.elf', 'src/index.ts']) {
    assert.ok(files.includes(needed), `${needed} is shipped`)
  }
  if (existsSync(join(root, 'src/cli/memvirt.bundle.mjs'))) assert.ok(files.includes('src/cli/memvirt.bundle.mjs'), 'the bundle is shipped')
  const unwanted = files.filter((f) => /^(spec|properties|bench|\.ci)\//.test(f) || (f.startsWith('golden/') && !f.startsWith('golden/programs/hvdemo.')) || f.endsWith('.tmp'))
  assert.equal(unwanted, [])
})

test('the packed tarball, installed in an empty folder, runs `npx memvirt demo` from its bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-pack-'))
  try {
    const packed = npm(['pack', '--json', '--pack-destination', dir], root)        // runs prepack: the bundle is built
    assert.is(packed.status, 0, packed.stderr)
    const tarball = join(dir, (JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string }[])[0]!.filename)
    const app = join(dir, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), '{ "name": "memvirt-user", "private": true }\n')
    const installed = npm(['install', '--prefer-offline', tarball], app)
    if (installed.status !== 0 && process.env['CI'] !== 'true' && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|offline/.test(installed.stderr)) {
      console.log('  skipped: installing the packed tarball needs the npm registry or a filled npm cache (run `npm ci` online once)')
      return
    }
    assert.is(installed.status, 0, installed.stderr)
    const pkg = join(app, 'node_modules/memvirt')
    // The installed bundle carries the hash of the installed sources, so bin.mjs runs it (not tsx).
    const hashLine = readFileSync(join(pkg, 'src/cli/memvirt.bundle.mjs'), 'latin1').split('\n')[0]!
    const script = `import(${JSON.stringify(pathToFileURL(join(pkg, 'src/cli/source-hash.mjs')).href)}).then((m) => process.stdout.write(m.sourceHash()))`
    const hash = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout
    assert.is(hashLine, `// memvirt-source-hash: ${hash}`)
    const demo = spawnSync('npx', ['--no-install', 'memvirt', 'demo'], { cwd: app, encoding: 'utf8' })
    assert.is(demo.status, 0, demo.stderr)
    assert.match(demo.stdout, /hvdemo/)
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test.run()
