// Snapshot files for the fuzzer, made from golden programs when first asked for (never committed: they follow
// the format): hvdemo after 1 000 steps, htif after 10, forgot_fence after 80 under an exact TLB holding
// entries — each as format version 2 (the core's bytes), version 1 (no `exact`) and version 3 (the file
// `--save-at` writes). And the one transformation a structure-aware mutant needs: a mutated version-2 file
// with every section's CRC-32 made right again and compressed into version 3, so a mutation inside the STAT
// record or a page reaches the record's decoder instead of stopping at a checksum or at zlib.
import { deflateSync } from 'node:zlib'
import { type Machine, withTlbConfig } from '../../src/machine/machine.ts'
import { exactTlbConfig } from '../../src/mmu/tlb.ts'
import { foldSteps } from '../../src/machine/run.ts'
import { crc32, encodeSnapshot } from '../../src/hypervisor/redundancy/snapshot.ts'
import { snapshotFile } from '../../src/cli/redundancy.ts'
import { loadGolden } from '../../spec/hypervisor/redundancy/programs.ts'

const HEADER = 12

interface Saved { readonly v1: Uint8Array; readonly v2: Uint8Array; readonly v3: Uint8Array }

/** Version 2 as version 1: the version field 1 and `exact` taken out of the TLB's configuration (its CRC made right). */
const asVersion1 = (v2: Uint8Array): Uint8Array => {
  const view = new DataView(v2.buffer, v2.byteOffset, v2.byteLength)
  const length = view.getUint32(20, true)
  const stat = new TextEncoder().encode(new TextDecoder().decode(v2.subarray(28, 28 + length)).replace(/,"exact":(true|false)/, ''))
  const out = new Uint8Array(28 + stat.length + v2.length - 28 - length)
  out.set(v2.subarray(0, 28))
  out.set(stat, 28)
  out.set(v2.subarray(28 + length), 28 + stat.length)
  const ov = new DataView(out.buffer)
  ov.setUint32(8, 1, true)
  ov.setUint32(20, stat.length, true)
  ov.setUint32(24, crc32(stat), true)
  return out
}

const saved = (m: Machine, steps: number): Saved => {
  const r = foldSteps(m, { maxSteps: steps })
  const v2 = encodeSnapshot(r.machine, r.steps)
  return { v1: asVersion1(v2), v2, v3: snapshotFile(r.machine, r.steps) }
}

const exact = (): ReturnType<typeof exactTlbConfig> & object => {
  const c = exactTlbConfig()
  if (typeof c === 'string') throw new Error(c)
  return c
}

let made: readonly Saved[] | undefined
/** hvdemo (two-stage, 14 pages), htif (small), forgot_fence (an exact TLB with entries), saved once per process. */
export const snapshots = (): readonly Saved[] => {
  made ??= [
    saved(loadGolden('hvdemo', 'rv64imah_zicsr'), 1000),
    saved(loadGolden('htif', 'rv64ima_zicsr'), 10),
    saved(withTlbConfig(loadGolden('forgot_fence', 'rv64ima_zicsr'), exact()), 80),
  ]
  return made
}

/**
 * A (mutated) version-1/2 file with the CRC-32 of every whole section rewritten, then compressed as version 3
 * (magic, version u32 3, zlib of everything after the version field). Bytes too short for a header pass as they are.
 */
export const recompressed = (b: Uint8Array): Uint8Array => {
  if (b.length < 16) return b
  const fixed = b.slice()
  const view = new DataView(fixed.buffer)
  for (let at = 16; at + 12 <= fixed.length;) {
    const length = view.getUint32(at + 4, true)
    if (at + 12 + length > fixed.length) break
    view.setUint32(at + 8, crc32(fixed.subarray(at + 12, at + 12 + length)), true)
    at += 12 + length
  }
  const body = deflateSync(fixed.subarray(HEADER))
  const out = new Uint8Array(HEADER + body.length)
  out.set(fixed.subarray(0, 8))
  new DataView(out.buffer).setUint32(8, 3, true)
  out.set(body, HEADER)
  return out
}
