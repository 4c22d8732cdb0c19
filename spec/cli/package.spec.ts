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
    // The library: every entry point of "exports" imported by plain node (no tsx) from the installed
    // package, each running one call whose answer is worked by hand (as in spec/library/).
    writeFileSync(join(app, 'use.mjs'), LIBRARY_USER)
    const used = spawnSync(process.execPath, ['use.mjs'], { cwd: app, encoding: 'utf8' })
    assert.is(used.status, 0, used.stderr)
    assert.equal(used.stdout.trim().split('\n'), [
      'memvirt: 0x80200234', 'mmu: 0x80200234', 'hart: add\ta2,a0,a1', 'machine: exit 0', 'cache: 4', 'alloc: 4194304,3145728', 'iommu: 0x80300234',
      'cosim: true false value',
    ])
    // The declarations: a TypeScript user's program type-checks against dist/types/ ("types" conditions),
    // and a wrong use is refused.
    const tsc = join(root, 'node_modules/typescript/bin/tsc')
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, target: 'es2022', types: [] }, files: ['use.ts'] }))
    writeFileSync(join(app, 'use.ts'), TYPED_USER)
    const typed = spawnSync(process.execPath, [tsc, '-p', '.'], { cwd: app, encoding: 'utf8' })
    assert.is(typed.status, 0, typed.stdout)
    writeFileSync(join(app, 'use.ts'), `${TYPED_USER}const wrong: string = peek(emptyMemory(defaultMemoryMap), phys(0n), 8)\n`)
    const refused = spawnSync(process.execPath, [tsc, '-p', '.'], { cwd: app, encoding: 'utf8' })
    assert.match(refused.stdout, /Type 'bigint' is not assignable to type 'string'/)
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

// One call per entry point; expected values as worked in spec/library/*.spec.ts.
const LIBRARY_USER = `
import { readFileSync } from 'node:fs'
import * as root from 'memvirt'
import * as mmu from 'memvirt/mmu'
import * as hart from 'memvirt/hart'
import * as machine from 'memvirt/machine'
import * as cache from 'memvirt/cache'
import * as alloc from 'memvirt/alloc'
import * as iommu from 'memvirt/iommu'
import * as cosim from 'memvirt/cosim'
const sv39 = (lib) => {
  let mem = lib.emptyMemory(lib.defaultMemoryMap)
  mem = lib.poke(mem, lib.phys(0x80001008n), 8, lib.makePte(0x80002000n, lib.PTE_V))
  mem = lib.poke(mem, lib.phys(0x80002000n), 8, lib.makePte(0x80003000n, lib.PTE_V))
  mem = lib.poke(mem, lib.phys(0x80003008n), 8, lib.makePte(0x80200000n, lib.PTE_V | lib.PTE_R | lib.PTE_A))
  const ctx = { priv: 'S', virt: false, satp: (8n << 60n) | 0x80001n, vsatp: 0n, hgatp: 0n,
    mstatus: { sum: false, mxr: false }, vsstatus: { sum: false, mxr: false },
    menvcfg: { adue: false, pbmte: false }, henvcfg: { adue: false, pbmte: false }, svnapot: false }
  return '0x' + lib.translate(mem, ctx, { va: lib.virt(0x40001234n), access: 'load' }).result.right.pa.toString(16)
}
console.log('memvirt: ' + sv39(root))
console.log('mmu: ' + sv39(mmu))
console.log('hart: ' + hart.disassemble(hart.decodeInstruction(0x00b50633)))
const elf = machine.parseElf(readFileSync('node_modules/memvirt/golden/programs/hvdemo.elf')).right
const r = machine.run(machine.loadMachine(machine.parseIsa('rv64imah_zicsr').right, elf).right, { maxSteps: 1000000 })
console.log('machine: ' + r.reason + ' ' + r.machine.htif.exitCode)
console.log('cache: ' + cache.simulate('lru', 2, { ids: [1, 2, 1, 3, 2] }).misses)
const G = 1048576
const w = { vms: [{ id: 'a', weight: 2, minKib: G, maxKib: 4 * G }, { id: 'b', weight: 1, minKib: G, maxKib: 4 * G }],
  epochs: 1, demandKib: Float64Array.from([3 * G, 3 * G]), activeKib: Float64Array.from([2 * G, 2 * G]) }
console.log('alloc: ' + alloc.simulate(alloc.staticPolicy, 7 * G, w, 1).epochs[0].alloc.join(','))
let mem = mmu.emptyMemory(mmu.defaultMemoryMap)
for (const [a, v] of [[0x801000a0n, 3n], [0x801000b8n, 0x8000000000080200n], [0x80200008n, 0x20080401n], [0x80201000n, 0x20080801n], [0x80202008n, 0x200c00d7n]]) mem = mmu.poke(mem, mmu.phys(a), 8, v)
const run = iommu.runSteps(iommu.resetIommu(0x1f8070e8e10n), mem, [
  { op: 'write-register', offset: 16, size: 8, value: 0x20040002n },
  { op: 'translate', deviceId: 5, access: 'read', privileged: false, type: 'untranslated', iova: 0x40001234n }])
console.log('iommu: 0x' + run.events.find((e) => e.op === 'translate').outcome.response.pa.toString(16))
const cs = cosim.startCosim(machine.loadMachine(machine.parseIsa('rv64imah_zicsr').right, elf).right)
const first = cosim.cosimStep(cs, { event: 'retire', pc: 0x1000n, insn: 0x297, rd: 5, value: 0x1000n })
const wrong = cosim.cosimStep(cs, { event: 'retire', pc: 0x1000n, insn: 0x297, rd: 5, value: 0x1001n })
console.log('cosim: ' + first.reply.ok + ' ' + wrong.reply.ok + ' ' + wrong.reply.field)
`

const TYPED_USER = `import { emptyMemory, defaultMemoryMap, phys, peek } from 'memvirt/mmu'
import { run, type Machine } from 'memvirt/machine'
import { simulate } from 'memvirt/cache'
import { resetIommu } from 'memvirt/iommu'
import { stepHart } from 'memvirt/hart'
import { staticPolicy } from 'memvirt/alloc'
import { startCosim, type Reply } from 'memvirt/cosim'
declare const m: Machine
const steps: number = run(m, { maxSteps: 10 }).steps
const word: bigint = peek(emptyMemory(defaultMemoryMap), phys(0x8000_0000n), 8)
const misses: number = simulate('lru', 2, { ids: [1] }).misses
const reply: Reply = { ok: true }
export { steps, word, misses, resetIommu, stepHart, staticPolicy, startCosim, reply }
`

test.run()
