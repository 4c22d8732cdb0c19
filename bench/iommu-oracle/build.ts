// Builds the RISC-V IOMMU C reference model with ./harness.c OUTSIDE the repository (the model's code
// never enters it), at a fixed place in the temporary directory, so that bench/iommu.ts can time the
// same binary the differential run used.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** Where the oracle's harness binary is built (and where the IOMMU benchmark looks for it). */
export const ORACLE_BINARY = join(tmpdir(), 'memvirt-iommu-oracle', 'harness')

/**
 * Compiles libiommu's sources from `lib` (…/iommu_ref_model/libiommu) with harness.c into a binary of this
 * process's own (returned: runs in parallel from other checkouts, with other harnesses, never swap it under
 * this one) and puts a copy at ORACLE_BINARY by an atomic rename, for the benchmark. With `out`, into `out`
 * alone (the benchmark's own build).
 */
export const buildOracle = (lib: string, out?: string): string => {
  const own = out ?? `${ORACLE_BINARY}.${process.pid}`
  mkdirSync(dirname(own), { recursive: true })
  const srcs = readdirSync(join(lib, 'src')).filter((f) => f.endsWith('.c')).map((f) => join(lib, 'src', f))
  execFileSync('gcc', ['-O2', '-w', `-I${join(lib, 'include')}`, ...srcs, new URL('./harness.c', import.meta.url).pathname, '-o', own])
  if (out === undefined) {
    copyFileSync(own, `${own}.copy`)
    renameSync(`${own}.copy`, ORACLE_BINARY)
  }
  return own
}

/** The oracle's binary if a differential run has built it. */
export const builtOracle = (): string | undefined => (existsSync(ORACLE_BINARY) ? ORACLE_BINARY : undefined)
