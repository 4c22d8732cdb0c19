// `memvirt run --tlb exact --report-stale [--report-stale-json FILE]` as a user runs it, on
// golden/programs/forgot_fence.elf (a remap without SFENCE.VMA, a system call, then the fence): the two
// reads before the fence are stale — pc kernel + 56 and kernel + 80 (worked from the source), VA
// 0x4000_0000, TLB page0 vs walk page1, the fence SFENCE.VMA VA, ASID 0 — and bad TLB flags are one
// line, exit 2.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseElf } from '../../src/elf/elf.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const elfPath = join(root, 'golden/programs/forgot_fence.elf')
const prog = ['run', elfPath, '--isa', 'rv64ima_zicsr']
const elf = parseElf(new Uint8Array(readFileSync(elfPath)))
if (elf._tag === 'Left') throw new Error('forgot_fence.elf')
const sym = (n: string): string => `0x${elf.right.symbols.get(n)!.value.toString(16)}`
const at = (n: string, off: bigint): string => `0x${(elf.right.symbols.get(n)!.value + off).toString(16)}`

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})
const dir = mkdtempSync(join(tmpdir(), 'memvirt-tlb-'))
const jsonPath = join(dir, 'stale.json')
const runs = {
  text: memvirt([...prog, '--tlb', 'exact', '--report-stale']),
  json: memvirt([...prog, '--tlb', 'exact', '--tlb-entries', '8', '--tlb-ways', '2', '--tlb-policy', 'fifo', '--report-stale-json', jsonPath]),
  spike: memvirt([...prog, '--report-stale']),
  // Checkpoints every 10 steps; the primary fails after step 80 and after step 88, so each stale read (steps 74
  // and 87 of the run) is executed twice: once in a stretch lost with the primary, once by the survivor.
  checkpointed: memvirt([...prog, '--tlb', 'exact', '--report-stale', '--checkpoint-every', '10', '--fail-at', '80', '--fail-at', '88']),
  badMode: memvirt([...prog, '--tlb', 'lazy']),
  shapeWithoutExact: memvirt([...prog, '--tlb-entries', '8']),
  badShape: memvirt([...prog, '--tlb', 'exact', '--tlb-entries', '48']),
  badPolicy: memvirt([...prog, '--tlb', 'exact', '--tlb-policy', 'random']),
}

const line = (pc: string): string =>
  `stale: pc ${pc} S load va 0x40000000: TLB pa ${sym('page0')}, walk pa ${sym('page1')}; fence: sfence.vma va=0x40000000 asid=0`

test('--tlb exact --report-stale: the two reads before the fence, one line each, and the count; exit 0', async () => {
  const r = await runs.text
  assert.is(r.code, 0)
  assert.is(r.stderr, [line(at('kernel', 56n)), line(at('kernel', 80n)), 'stale: 2 accesses used a stale translation', ''].join('\n'))
})

test('--report-stale under Spike\'s TLB (the default): only the read before the system call', async () => {
  const r = await runs.spike
  assert.is(r.code, 0)
  assert.is(r.stderr, [line(at('kernel', 56n)), 'stale: 1 access used a stale translation', ''].join('\n'))
})

test('--report-stale-json: one document naming the TLB and each access with hex addresses and the fence', async () => {
  const r = await runs.json
  assert.is(r.code, 0)
  assert.is(r.stderr, '')
  const doc = JSON.parse(readFileSync(jsonPath, 'utf8')) as { tlb: unknown; count: number; stale: Record<string, unknown>[] }
  assert.equal(doc.tlb, { mode: 'exact', entries: 8, ways: 2, policy: 'fifo' })
  assert.is(doc.count, 2)
  assert.equal(doc.stale[0], {
    pc: at('kernel', 56n), mode: 'S', access: 'load', va: '0x40000000', stalePa: sym('page0'), staleGpa: null,
    freshPa: sym('page1'), freshGpa: null, freshFault: null, fence: { insn: 'sfence.vma', va: '0x40000000', asid: '0x0' },
  })
  assert.is(doc.stale[1]!.pc, at('kernel', 80n))
})

test('--report-stale with --checkpoint-every: the surviving execution\'s stale reads, each once, though failovers ran them twice', async () => {
  const r = await runs.checkpointed
  assert.is(r.code, 0)
  assert.is(r.stderr, [line(at('kernel', 56n)), line(at('kernel', 80n)), 'stale: 2 accesses used a stale translation', ''].join('\n'))
})

test('bad TLB flags: one line naming the flag, exit 2', async () => {
  const expect = async (run: Promise<Run>, message: string): Promise<void> => {
    const r = await run
    assert.is(r.code, 2)
    assert.is(r.stderr, `memvirt run: ${message}\n`)
  }
  await expect(runs.badMode, '--tlb: expected spike or exact, got "lazy"')
  await expect(runs.shapeWithoutExact, '--tlb-entries needs --tlb exact (Spike\'s TLB has Spike\'s shape)')
  await expect(runs.badShape, '--tlb-entries and --tlb-ways: 48 entries / 4 ways = 12 sets, not a power of two')
  await expect(runs.badPolicy, '--tlb-policy: expected lru or fifo, got "random"')
})

test.run()
