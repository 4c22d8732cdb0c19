// josecm/riscv-hyp-tests (third party, built outside the repository: golden/riscv-hyp-tests/README.md)
// under Spike and under `memvirt run --tlb exact`. Not part of `npm test` (it needs the built suite and
// Spike): `node --import tsx golden/riscv-hyp-tests.ext.ts [RVH_TEST_ELF]`. Checks, on the build given
// (default /work/ext/riscv-hyp-tests/build/spike/rvh_test.elf, LOG_INFO): memvirt's default run prints
// what Spike prints; Spike fails hfence_test; `--tlb exact` passes hfence_test and every test Spike passes.
// Without the ELF it prints what to build and exits 0; without Spike it compares against the committed
// golden/riscv-hyp-tests/info.spike.txt.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const elf = process.argv[2] ?? process.env.RVH_TEST_ELF ?? '/work/ext/riscv-hyp-tests/build/spike/rvh_test.elf'
const spike = process.env.SPIKE ?? '/work/ext/spike-install/bin/spike'
const ISA = 'rv64imac_zicsr_zifencei_h'

const output = (cmd: string, args: readonly string[]): string => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 })
  } catch (e) {
    return (e as { stdout?: string }).stdout ?? ''
  }
}
const clean = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '')
/** The verdict of each test: its name and PASSED or FAILED, from the LOG_INFO summary lines. */
const verdicts = (s: string): Map<string, string> =>
  new Map([...clean(s).matchAll(/^(\w+) +(PASSED|FAILED)$/gm)].map((m) => [m[1]!, m[2]!]))

if (!existsSync(elf)) {
  console.log(`skipped: no ${elf} — build josecm/riscv-hyp-tests with PLAT=spike as golden/riscv-hyp-tests/README.md shows (or pass the ELF's path)`)
} else {
  const memvirt = (extra: readonly string[]): string => output(process.execPath, [join(root, 'src/cli/bin.mjs'), 'run', '--isa', ISA, ...extra, elf])
  const spikeOut = existsSync(spike) ? output(spike, [`--isa=${ISA}`, elf]) : readFileSync(join(root, 'golden/riscv-hyp-tests/info.spike.txt'), 'utf8')
  const spikeV = verdicts(spikeOut)
  const exactV = verdicts(memvirt(['--tlb', 'exact']))

  test('the suite ran: ten tests with a verdict under Spike', () => {
    assert.is(spikeV.size, 10, clean(spikeOut))
  })

  test('memvirt with its default TLB prints exactly what Spike prints', () => {
    assert.is(clean(memvirt([])), clean(spikeOut))
  })

  test('Spike fails hfence_test (it flushes its whole TLB at every fence, trap and xRET)', () => {
    assert.is(spikeV.get('hfence_test'), 'FAILED')
  })

  test('--tlb exact passes hfence_test and every test Spike passes', () => {
    assert.is(exactV.get('hfence_test'), 'PASSED')
    for (const [name, v] of spikeV) if (v === 'PASSED') assert.is(exactV.get(name), 'PASSED', name)
  })

  test.run()
}
