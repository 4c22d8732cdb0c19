// The RISCOF plugin folder riscof/memvirt/ (riscof_memvirt.py, memvirt_isa.yaml, memvirt_platform.yaml,
// env/model_test.h, env/link.ld): the Python compiles, the YAML parses and says what memvirt implements,
// model_test.h defines every RVMODEL_* macro riscv-arch-test's tests expand, and — where the RISC-V GCC is
// installed — the plugin's own compile and run commands turn a test into the expected signature.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { misaOf, parseIsa } from '../../src/cpu/isa.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const plugin = join(root, 'riscof/memvirt')
const python = (args: readonly string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync('python3', args, { encoding: 'utf8' })
const hasYaml = python(['-c', 'import yaml']).status === 0
const hasGcc = spawnSync('riscv64-unknown-elf-gcc', ['--version']).status === 0

/** A missing tool: under CI (which installs it, .ci/run) the clause fails; elsewhere it is skipped with a line saying what to install. */
const skipOrFail = (tool: string): void => {
  if (process.env['CI'] === 'true') assert.unreachable(`${tool} is missing: .ci/run installs it`)
  console.log(`  skipped: install ${tool}`)
}

/** A YAML file as JSON, through Python's yaml (PyYAML); integers become decimal strings (exact beyond 2^53). */
const yaml = (file: string): unknown => JSON.parse(python(['-c', [
  'import json,sys,yaml',
  'f=lambda v: {k: f(x) for k, x in v.items()} if isinstance(v, dict) else [f(x) for x in v] if isinstance(v, list) else str(v) if isinstance(v, int) and not isinstance(v, bool) else v',
  'print(json.dumps(f(yaml.safe_load(open(sys.argv[1])))))'].join('\n'), file]).stdout) as unknown

test('riscof_memvirt.py compiles (python3 -m py_compile)', () => {
  const cfile = join(mkdtempSync(join(tmpdir(), 'memvirt-pyc-')), 'riscof_memvirt.pyc')
  const r = python(['-c', 'import py_compile,sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)', join(plugin, 'riscof_memvirt.py'), cfile])
  assert.is(r.status, 0, r.stderr)
})

test('the plugin class is named after the model and has the four methods RISCOF calls', () => {
  const src = readFileSync(join(plugin, 'riscof_memvirt.py'), 'utf8')
  assert.match(src, /^class memvirt\(pluginTemplate\):$/m)
  assert.match(src, /__model__ = "memvirt"/)
  for (const m of ['__init__', 'initialise', 'build', 'runTests']) assert.match(src, new RegExp(`def ${m}\\(self`))
})

test('model_test.h defines every RVMODEL_* macro riscv-arch-test expands', () => {
  const h = readFileSync(join(plugin, 'env/model_test.h'), 'utf8')
  const defined = new Set([...h.matchAll(/^#define (RVMODEL_[A-Z_]+)/gm)].map((m) => m[1]))
  for (const name of ['RVMODEL_BOOT', 'RVMODEL_HALT', 'RVMODEL_DATA_BEGIN', 'RVMODEL_DATA_END', 'RVMODEL_IO_INIT',
    'RVMODEL_IO_WRITE_STR', 'RVMODEL_IO_CHECK', 'RVMODEL_IO_ASSERT_GPR_EQ', 'RVMODEL_IO_ASSERT_SFPR_EQ',
    'RVMODEL_IO_ASSERT_DFPR_EQ', 'RVMODEL_SET_MSW_INT', 'RVMODEL_CLEAR_MSW_INT', 'RVMODEL_CLEAR_MTIMER_INT',
    'RVMODEL_CLEAR_MEXT_INT']) assert.ok(defined.has(name), name)
  // the signature's bounds, and tohost/fromhost for the HTIF exit
  for (const sym of ['begin_signature', 'end_signature', 'tohost', 'fromhost']) assert.match(h, `.global ${sym}`)
})

test('link.ld starts at Spike\'s RAM base and enters at rvtest_entry_point', () => {
  const ld = readFileSync(join(plugin, 'env/link.ld'), 'utf8')
  assert.match(ld, 'ENTRY(rvtest_entry_point)')
  assert.match(ld, '. = 0x80000000;')
})

test('memvirt_isa.yaml: the ISA is one memvirt accepts, and misa\'s reset value is Spike\'s for it', () => {
  if (!hasYaml) { skipOrFail('PyYAML (Debian package python3-yaml)'); return }
  const spec = yaml(join(plugin, 'memvirt_isa.yaml')) as { hart0: { ISA: string; supported_xlen: string[]; misa: { 'reset-val': string } } }
  assert.equal(spec.hart0.supported_xlen, ['64'])
  const r = python(['-c', 'import sys; sys.modules["riscof"]=type(sys)("riscof"); import types; u=types.ModuleType("riscof.utils"); t=types.ModuleType("riscof.pluginTemplate"); t.pluginTemplate=object; sys.modules.update({"riscof.utils":u,"riscof.pluginTemplate":t}); sys.path.insert(0, sys.argv[1]); import riscof_memvirt as m; print(m.memvirt_isa(sys.argv[2]))', plugin, spec.hart0.ISA])
  assert.is(r.stdout.trim(), 'rv64imac_zicsr_zifencei', r.stderr)
  const isa = parseIsa(r.stdout.trim())
  assert.is(isa._tag, 'Right')
  // RV64IMAC with S and U: MXL 2 and bits A, C, I, M, S, U (hand: 0x8000_0000_0014_1105)
  assert.is(BigInt(spec.hart0.misa['reset-val']), 0x8000_0000_0014_1105n)
  if (isa._tag === 'Right') assert.is(misaOf(isa.right), 0x8000_0000_0014_1105n)
})

test('memvirt_isa.yaml: the spec versions are ones riscv-config 3.19 allows (User 2.2/2.3, Privilege 1.10/1.11)', () => {
  // riscv-config's schema_isa.yaml lists the allowed strings; '1.12' is refused at riscof's ISACheck, so
  // the file names 1.11, the newest the schema knows (found by a real `riscof run`, riscof 1.25.3)
  if (!hasYaml) { skipOrFail('PyYAML (Debian package python3-yaml)'); return }
  const spec = yaml(join(plugin, 'memvirt_isa.yaml')) as { hart0: { User_Spec_Version: string; Privilege_Spec_Version: string } }
  assert.ok(['2.2', '2.3'].includes(spec.hart0.User_Spec_Version), spec.hart0.User_Spec_Version)
  assert.ok(['1.10', '1.11'].includes(spec.hart0.Privilege_Spec_Version), spec.hart0.Privilege_Spec_Version)
})

test('memvirt_platform.yaml: mtime and mtimecmp where memvirt\'s CLINT has them (Spike\'s 0x200bff8, 0x2004000)', () => {
  if (!hasYaml) { skipOrFail('PyYAML (Debian package python3-yaml)'); return }
  const p = yaml(join(plugin, 'memvirt_platform.yaml')) as { mtime: { address: string }; mtimecmp: { address: string } }
  assert.is(BigInt(p.mtime.address), 0x200bff8n)
  assert.is(BigInt(p.mtimecmp.address), 0x2004000n)
})

test('the plugin\'s commands compile a test with model_test.h and link.ld and write the signature memvirt dumps', () => {
  if (!hasGcc || !hasYaml) { skipOrFail(!hasGcc ? 'riscv64-unknown-elf-gcc (Debian package gcc-riscv64-unknown-elf)' : 'PyYAML (Debian package python3-yaml)'); return }
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-riscof-'))
  const shim = join(dir, 'memvirt')
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'src/cli/bin.mjs')}" "$@"\n`)
  chmodSync(shim, 0o755)
  const testFile = join(dir, 'mini.S')
  writeFileSync(testFile, [
    '#include "model_test.h"',
    '.section .text.init',
    '.globl rvtest_entry_point',
    'rvtest_entry_point:',
    'RVMODEL_BOOT',
    '  la a0, begin_signature',
    '  li a1, 0x12345678',
    '  sw a1, 0(a0)',
    '#ifdef TEST_CASE_1',
    '  li a1, 0xcafe',
    '  sw a1, 4(a0)',
    '#endif',
    'RVMODEL_HALT',
    '.data',
    'RVMODEL_DATA_BEGIN',
    '  .fill 4, 4, 0xdeadbeef',
    'RVMODEL_DATA_END',
    '',
  ].join('\n'))
  const r = python([join(root, 'spec/riscof/drive_plugin.py'), plugin, dir, dir, testFile])
  assert.is(r.status, 0, r.stderr)
  // Granularity 4: one 32-bit word per line; the macro TEST_CASE_1 from the test list was passed to gcc.
  assert.is(readFileSync(r.stdout.trim(), 'latin1'), '12345678\n0000cafe\ndeadbeef\ndeadbeef\n')
})

test.run()
