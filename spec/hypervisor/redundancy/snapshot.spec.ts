// Snapshots on disk (`memvirt run PROG --save-at N FILE`, `memvirt run --restore FILE`): a run split at any
// step — the log's prefix from the saving run, the rest from the restored one — writes Spike's committed log;
// a truncated or corrupted snapshot is one line naming the byte offset, exit 2 (format in snapshot.ts).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SNAPSHOT_MAGIC, SNAPSHOT_VERSION, decodeSnapshot, encodeSnapshot, crc32 } from '../../../src/hypervisor/redundancy/snapshot.ts'
import { sameMachine } from '../../../src/hypervisor/redundancy/same-state.ts'
import { decodeSnapshotFile } from '../../../src/cli/redundancy.ts'
import { withTlb } from '../../../src/machine/machine.ts'
import { withPteCache } from '../../../src/mmu/tlb.ts'
import { emptyPteCache } from '../../../src/mmu/pte-cache.ts'
import { deflateSync } from 'node:zlib'
import { foldAdvance, loadGolden, spikeLog } from './programs.ts'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const programs = join(root, 'golden/programs')
const memvirt = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root })

test('CRC-32 as zlib computes it: the check value of "123456789" is 0xcbf43926', () => {
  assert.is(crc32(new TextEncoder().encode('123456789')), 0xcbf43926)
})

for (const at of [1, 250, 1999]) {
  test(`hvdemo.elf saved after step ${at} and restored: the two logs together are Spike's log`, () => {
    const first = foldAdvance(loadGolden('hvdemo', 'rv64imah_zicsr'), at)
    const restored = decodeSnapshot(encodeSnapshot(first.machine, at))
    if (restored._tag === 'Left') throw new Error(restored.left.message)
    assert.is(restored.right.position, at)
    assert.fixture(first.trace + foldAdvance(restored.right.machine, 50_000).trace, spikeLog('hvdemo'))
  })
}

test('the CLI: --save-at 1000 then --restore writes Spike\'s log in two parts; a cut or changed file is one line naming the offset, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-snapshot-'))
  try {
    const snap = join(dir, 'hv.snap'), a = join(dir, 'a.log'), b = join(dir, 'b.log')
    const saved = memvirt('run', join(programs, 'hvdemo.elf'), '--isa', 'rv64imah_zicsr', '--log-commits', a, '--save-at', '1000', snap)
    assert.is(saved.status, 0, saved.stderr)
    assert.is(saved.stderr, `memvirt: saved the machine after step 1000 to ${snap}\n`)
    // `memvirt resume FILE` is `run --restore FILE`
    const resumed = memvirt('resume', snap, '--log-commits', b)
    assert.is(resumed.status, 0, resumed.stderr)
    assert.fixture(readFileSync(a, 'latin1') + readFileSync(b, 'latin1'), spikeLog('hvdemo'))
    const restored = memvirt('run', '--restore', snap, '--log-commits', b)
    assert.is(restored.status, 0, restored.stderr)
    assert.fixture(readFileSync(a, 'latin1') + readFileSync(b, 'latin1'), spikeLog('hvdemo'))

    // on disk: the magic, version 5, then a zlib stream (RFC 1950: CMF 0x78) of version 4's sections
    const bytes = readFileSync(snap)
    assert.is(bytes.subarray(0, 8).toString('latin1'), 'MVSNAP\r\n')
    assert.is(bytes.readUInt32LE(8), 5)
    assert.is(bytes[12], 0x78)
    writeFileSync(join(dir, 'cut.snap'), bytes.subarray(0, 10))
    const cut = memvirt('run', '--restore', join(dir, 'cut.snap'))
    assert.is(cut.status, 2)
    assert.is(cut.stderr, `memvirt run: ${join(dir, 'cut.snap')}: byte offset 10: truncated header (16 bytes, found 10)\n`)
    writeFileSync(join(dir, 'cutz.snap'), bytes.subarray(0, bytes.length - 7))
    const cutz = memvirt('resume', join(dir, 'cutz.snap'))
    assert.is(cutz.status, 2)
    assert.match(cutz.stderr, /^memvirt resume: .*cutz\.snap: byte offset 12: the compressed sections are damaged or cut \(zlib: [^\n]+\)\n$/)
    const changed = Buffer.from(bytes)
    changed[40] = changed[40]! ^ 0x20
    writeFileSync(join(dir, 'bad.snap'), changed)
    const bad = memvirt('run', '--restore', join(dir, 'bad.snap'))
    assert.is(bad.status, 2)
    assert.match(bad.stderr, /^memvirt run: .*bad\.snap: byte offset 12: the compressed sections are damaged or cut \(zlib: [^\n]+\)\n$/)
    // the snapshot fixes the machine: a flag that shapes one (found ignored by the fuzzer's accepted runs: --isa -1) is refused
    for (const [flag, value] of [['--isa', 'rv64i'], ['--ram', '64'], ['-m', '64'], ['--pc', '0x80000000'], ['--interleave', '10']]) {
      const shaped = memvirt('resume', snap, flag!, value!)
      assert.is(shaped.status, 2, flag)
      assert.is(shaped.stderr, `memvirt resume: ${flag}: a snapshot fixes the machine it continues (its ISA, RAM and HTIF interleave, and where it stopped); give ${flag} with an ELF\n`)
    }
    assert.is(memvirt('run', '--restore', snap, '--isa', 'rv64imah_zicsr').status, 2)
    mkdirSync(join(dir, 'adir'))
    const dirTarget = memvirt('run', join(programs, 'htif.elf'), '--isa', 'rv64ima_zicsr', '--save-at', '10', join(dir, 'adir'))
    assert.is(dirTarget.status, 2)
    assert.match(dirTarget.stderr, 'is not a regular file')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('--tlb exact: forgot_fence saved between its forgotten fence and the read after the system call, then restored, is the unsplit run, the stale entry kept', () => {
  // forgot_fence.S: the read at 0x800020c4 (after the remap) and the one at 0x800020dc (after the ECALL) both
  // use the old translation page0 (0x80003000) until the fence; the save falls between them, at step 80.
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-snapshot-'))
  try {
    const elf = join(programs, 'forgot_fence.elf'), snap = join(dir, 'ff.snap')
    const exact = ['--isa', 'rv64ima_zicsr', '--tlb', 'exact', '--tlb-entries', '8', '--tlb-ways', '2', '--report-stale']
    const whole = memvirt('run', elf, ...exact, '--log-commits', join(dir, 'whole.log'))
    assert.is(whole.status, 0, whole.stderr)
    const saved = memvirt('run', elf, ...exact, '--log-commits', join(dir, 'a.log'), '--save-at', '80', snap)
    assert.is(saved.status, 0, saved.stderr)
    const stale = (pc: string): string => `stale: pc ${pc} S load va 0x40000000: TLB pa 0x80003000, walk pa 0x80004000; fence: sfence.vma va=0x40000000 asid=0\n`
    assert.is(saved.stderr, `${stale('0x800020c4')}stale: 1 access used a stale translation\nmemvirt: saved the machine after step 80 to ${snap}\n`)
    // No --tlb flag: the snapshot's exact TLB, its entries and shape, goes on; --report-stale only observes it.
    const resumed = memvirt('run', '--restore', snap, '--report-stale', '--log-commits', join(dir, 'b.log'))
    assert.is(resumed.status, 0, resumed.stderr)
    assert.is(resumed.stderr, `${stale('0x800020dc')}stale: 1 access used a stale translation\n`)
    assert.is(readFileSync(join(dir, 'a.log'), 'latin1') + readFileSync(join(dir, 'b.log'), 'latin1'), readFileSync(join(dir, 'whole.log'), 'latin1'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

/** A snapshot file rewritten: another version number, and its STAT record's text changed by `edit` (checksum recomputed). */
const rewritten = (bytes: Uint8Array, version: number, edit: (stat: string) => string): Uint8Array => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = view.getUint32(20, true)
  const stat = new TextEncoder().encode(edit(new TextDecoder().decode(bytes.subarray(28, 28 + length))))
  const head = new Uint8Array(28)
  head.set(bytes.subarray(0, 20))
  const hv = new DataView(head.buffer)
  hv.setUint32(8, version, true)
  hv.setUint32(20, stat.length, true)
  hv.setUint32(24, crc32(stat), true)
  return new Uint8Array([...head, ...stat, ...bytes.subarray(28 + length)])
}

test('format versions: version 4 writes Spike\'s PTE cache beside the TLB\'s kind (exact); a version-2 file (no pteCache) reads with the cache on and empty, a version-1 file (no exact) as a TLB that is not exact; versions 3 (the CLI\'s compressed 2) and 5 and impossible TLBs are refused in the core', () => {
  const m = foldAdvance(loadGolden('hvdemo', 'rv64imah_zicsr'), 1000).machine
  assert.ok(m.tlb.pteCache !== undefined && m.tlb.pteCache.pas.some((pa) => pa >= 0), 'at step 1000 the demo\'s walks have kept PTEs')
  const v4 = encodeSnapshot(m, 1000)
  assert.is(SNAPSHOT_VERSION, 4)
  const text = new TextDecoder().decode(v4.subarray(28, 28 + new DataView(v4.buffer).getUint32(20, true)))
  assert.match(text, '"config":{"sets":16,"ways":4,"replacement":"lru","flushAll":true,"exact":false,"pteCache":true}')
  assert.match(text, /"pteCache":\{"kept":\[\[/)
  const emptied = withTlb(m, withPteCache(m.tlb, emptyPteCache(), false))
  const v2 = rewritten(v4, 2, (t) => t.replace(',"pteCache":true', '').replace(/,"pteCache":\{"kept":.*?"stale":\[[^\]]*\]\}/, ''))
  const d2 = decodeSnapshot(v2)
  assert.ok(d2._tag === 'Right' && sameMachine(d2.right.machine, emptied) && !sameMachine(d2.right.machine, m) && d2.right.position === 1000)
  // a version-3 file (version 2 compressed, as --save-at wrote it before version 4) reads the same
  const f3 = decodeSnapshotFile(compressed(v2, 3))
  assert.ok(f3._tag === 'Right' && sameMachine(f3.right.machine, emptied))
  const v1 = rewritten(v2, 1, (t) => t.replace(',"exact":false', ''))
  const d1 = decodeSnapshot(v1)
  assert.ok(d1._tag === 'Right' && sameMachine(d1.right.machine, emptied) && d1.right.position === 1000)
  const refused = (bytes: Uint8Array): string => { const d = decodeSnapshot(bytes); return d._tag === 'Left' ? `${d.left.offset}: ${d.left.message}` : 'decoded' }
  assert.is(refused(rewritten(v4, 1, (t) => t)), '16: section "STAT": state.tlb.config.exact: not a field of this version')
  assert.is(refused(rewritten(v4, 2, (t) => t)), '16: section "STAT": state.tlb.config.pteCache: not a field of this version')
  assert.is(refused(rewritten(v4, 3, (t) => t)), '8: format version 3, this memvirt reads versions 1, 2, 4')
  assert.is(refused(rewritten(v4, 5, (t) => t)), '8: format version 5, this memvirt reads versions 1, 2, 4')
  assert.is(refused(rewritten(v4, 4, (t) => t.replace('"exact":false', '"exact":true'))), '16: section "STAT": state.tlb.config: an exact TLB cannot flush everything at every fence (flushAll)')
  assert.is(refused(rewritten(v4, 4, (t) => t.replace('"sets":16', '"sets":12'))), '16: section "STAT": state.tlb.config.sets: expected a power of two from 1 to 2^20')
  assert.is(refused(rewritten(v4, 4, (t) => t.replace('"stale":[]', '"stale":[8]'))), '16: section "STAT": state.tlb.pteCache.stale[0]: expected the address of a kept PTE, each once')
  assert.is(refused(rewritten(v4, 4, (t) => t.replace(/"kept":\[\[(\d+),/, '"kept":[[$1,{"$n":"0"}],[$1,'))), '16: section "STAT": state.tlb.pteCache.kept[0]: expected [address, valid PTE] (an 8-byte-aligned address below 2^53, a 64-bit PTE with V set)')
})

test('a STAT record nested 100 000 deep is an error value naming the record, not a stack overflow (RangeError before)', () => {
  // Header (magic, version, 2 sections), then "STAT" with its length and CRC-32, then an empty "END ".
  const u32 = (n: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b }
  const payload = new TextEncoder().encode('['.repeat(100_000) + ']'.repeat(100_000))
  const parts = [new TextEncoder().encode(SNAPSHOT_MAGIC), u32(SNAPSHOT_VERSION), u32(2),
    new TextEncoder().encode('STAT'), u32(payload.length), u32(crc32(payload)), payload,
    new TextEncoder().encode('END '), u32(0), u32(crc32(new Uint8Array(0)))]
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  parts.reduce((at, p) => { bytes.set(p, at); return at + p.length }, 0)
  const r = decodeSnapshot(bytes)
  assert.is(r._tag, 'Left')
  if (r._tag === 'Left') assert.match(r.left.message, /section "STAT".*at most 64 nested/)
})

/** hvdemo after 1 000 steps as version-4 bytes (section count at 12, STAT from 16, pages after it, END last). */
const hvdemoV4 = (): Uint8Array => encodeSnapshot(foldAdvance(loadGolden('hvdemo', 'rv64imah_zicsr'), 1000).machine, 1000)
/** Core bytes as a compressed file: magic, `version` (5 for version 4, as --save-at writes; 3 for version 2), zlib of everything after the version field. */
const compressed = (core: Uint8Array, version = 5): Uint8Array => {
  const z = deflateSync(core.subarray(12))
  const out = new Uint8Array(12 + z.length)
  out.set(core.subarray(0, 8))
  new DataView(out.buffer).setUint32(8, version, true)
  out.set(z, 12)
  return out
}
const refusal = (r: { _tag: string; left?: unknown }): string => (r._tag === 'Left' ? String(r.left) : 'decoded')

test('a decompression bomb: a version-5 file whose stream inflates past the size its section count and STAT record fix is refused at byte offset 12, naming that size (before: inflated whole, then "bytes after the last section")', () => {
  const v2 = hvdemoV4()
  // 64 MiB of zeros after the END section: 65 KiB on disk
  const bomb = new Uint8Array(v2.length + (64 << 20))
  bomb.set(v2)
  const file = compressed(bomb)
  assert.ok(file.length < 100_000)
  assert.is(refusal(decodeSnapshotFile(file)), `byte offset 12: the compressed sections inflate to more than the ${v2.length - 12} bytes its section count and STAT record give`)
  // the same file uncompressed is still read by the core, which names the trailing bytes
  assert.is(refusal(decodeSnapshotFile(compressed(v2))), 'decoded')
})

test('a section count beyond the RAM\'s pages (a STAT, a PAGE per written page, an END) is refused from the STAT record, before any page is read', () => {
  const v2 = hvdemoV4()
  const many = v2.slice()
  new DataView(many.buffer).setUint32(12, 2 ** 19 + 3, true)           // hvdemo's RAM: 2 GiB = 2^19 pages
  const d = decodeSnapshot(many)
  assert.equal(d._tag === 'Left' ? d.left : d._tag, { offset: 12, message: '524291 sections: more pages than the RAM\'s 524288 (a STAT, a PAGE per written page, an END)' })
  // and from the compressed file, before its stream is inflated past the STAT record
  assert.is(refusal(decodeSnapshotFile(compressed(many))), 'byte offset (uncompressed) 12: 524291 sections: more pages than the RAM\'s 524288 (a STAT, a PAGE per written page, an END)')
})

test('a PAGE section for a page outside the RAM is refused, naming the page (a machine writes only RAM pages)', () => {
  const v2 = hvdemoV4()
  const view = new DataView(v2.buffer)
  const stat = view.getUint32(20, true)
  const page = 28 + stat                                              // the first PAGE section
  const moved = v2.slice()
  const mv = new DataView(moved.buffer)
  mv.setBigUint64(page + 12, 0x1000n, true)                           // page 0x1000 = address 0x1000000, below RAM at 0x80000000
  mv.setUint32(page + 8, crc32(moved.subarray(page + 12, page + 12 + 8 + 4096)), true)
  const d = decodeSnapshot(moved)
  assert.equal(d._tag === 'Left' ? d.left : d._tag, { offset: page, message: 'section "PAGE": page 0x1000 lies outside the RAM' })
})

test('a section tag holding a line break is shown quoted and escaped: the reason stays one line (it printed the raw tag before)', () => {
  const v2 = hvdemoV4()
  const broken = v2.slice()
  broken[16] = 0x0a                                                   // "STAT" → "\nTAT"
  const d = decodeSnapshot(broken)
  assert.equal(d._tag === 'Left' ? d.left : d._tag, { offset: 16, message: 'section 1 of 15: expected "STAT", found "\\nTAT"' })
  assert.not.match(refusal(decodeSnapshotFile(compressed(broken))), '\n')
})

test.run()
