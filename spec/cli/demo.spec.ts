// `memvirt demo` (npm start): the hypervisor demo's numbers checked against sources other than this
// model. Instructions and traps come from Spike (riscv-isa-sim 55b4658, "Spike 1.1.1-dev"): the commit
// log golden/programs/hvdemo.spike.commits (one line per retired instruction) and the exception lines
// of `spike -l`, golden/programs/hvdemo.spike.traps (both written by make-spike-logs.sh). The GVAs and
// GPAs come from the program's design (hvdemo.S). The walk count is reasoned out below from the TLB's
// flush points; the TLB hit count follows from it and from Spike's per-instruction accesses.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HV_DEMO_ELF_PATH, runHypervisorDemo } from '../../src/cli/demo.ts'
import { isGuestPageFault, retiredTotal, trapsByCause, trapsInOrder } from '../../src/machine/summary.ts'
import { decodeTraceLine } from '../../src/trace/jsonl.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const programs = (name: string): string => readFileSync(join(root, 'golden/programs', name), 'utf8')
const spikeCommits = programs('hvdemo.spike.commits').trimEnd().split('\n')
const spikeTraps = programs('hvdemo.spike.traps').trimEnd().split('\n')

// Spike's trap names (riscv/trap.h) for the causes this program can take.
const SPIKE_CAUSE: Readonly<Record<string, bigint>> = {
  trap_store_guest_page_fault: 23n, trap_load_guest_page_fault: 21n, trap_instruction_guest_page_fault: 20n,
  trap_virtual_supervisor_ecall: 10n,
}
/** Spike's exceptions in order: cause, epc, and tval when it prints one. */
const spikeExceptions = ((): { cause: bigint; epc: bigint; tval: bigint | undefined }[] => {
  const out: { cause: bigint; epc: bigint; tval: bigint | undefined }[] = []
  for (const line of spikeTraps) {
    const e = /exception (\w+), epc (0x[0-9a-f]+)/.exec(line)
    const t = /^core +0: +tval (0x[0-9a-f]+)/.exec(line)
    if (e !== null) out.push({ cause: SPIKE_CAUSE[e[1]!] ?? -1n, epc: BigInt(e[2]!), tval: undefined })
    else if (t !== null && out.length > 0) out[out.length - 1]!.tval = BigInt(t[1]!)
  }
  return out
})()

// The guest's code is the only code in the page at 0x8000_0000 that runs at privilege 1 (hvdemo.S: M-mode
// boot code shares that page at privilege 3, the hypervisor runs from 0x8000_2000): Spike's log does not
// print V, so VS instructions are told apart by that page.
const isGuestLine = (line: string): boolean => / 1 0x0000000080000[0-9a-f]{3} /.test(line)
const guestLines = spikeCommits.filter(isGuestLine)

const demo = runHypervisorDemo(new Uint8Array(readFileSync(HV_DEMO_ELF_PATH)))
if (demo._tag === 'Left') throw new Error(demo.left)
const d = demo.right
const s = d.summary

test('the hypervisor checks pass: HTIF exit code 0', () => {
  assert.is(d.exitCode, 0)
})

test('instructions retired = the lines of Spike\'s commit log (one per retired instruction)', () => {
  assert.is(retiredTotal(s), spikeCommits.length)
})

test('instructions by mode: M = Spike\'s privilege-3 lines, VS = privilege-1 lines in the guest page, HS = the other privilege-1 lines', () => {
  assert.is(s.retired.M, spikeCommits.filter((l) => / 3 0x/.test(l)).length)
  assert.is(s.retired.VS, guestLines.length)
  assert.is(s.retired.HS, spikeCommits.filter((l) => / 1 0x/.test(l) && !isGuestLine(l)).length)
  assert.is(s.retired.U + s.retired.VU, 0)
})

test('traps: the exceptions `spike -l` prints, in order, with the same cause, epc and tval', () => {
  const ours = trapsInOrder(s).map((t) => ({ cause: t.cause, epc: t.pc, tval: t.cause === 10n ? undefined : t.tval }))
  assert.equal(ours, spikeExceptions)
})

test('traps by cause: 3 store guest-page faults, 1 load guest-page fault, 1 ECALL from VS, all taken in HS', () => {
  // Three pages are first touched by the fill loop's stores, the fourth by the sum loop's load (hvdemo.S).
  assert.equal(trapsByCause(s), [
    { cause: 23n, target: 'HS', count: 3 }, { cause: 21n, target: 'HS', count: 1 }, { cause: 10n, target: 'HS', count: 1 },
  ])
})

test('guest-page faults: GVA 0x4000_0000 + i·4 KiB → GPA 0x8010_0000 + i·4 KiB, the guest\'s array pages in order', () => {
  const faults = trapsInOrder(s).filter((t) => isGuestPageFault(t.cause))
  assert.equal(faults.map((f) => [f.tval, f.gpa, f.from]), [0n, 1n, 2n, 3n].map((i) => [0x4000_0000n + i * 0x1000n, 0x8010_0000n + i * 0x1000n, 'VS']))
})

// Walks. The machine's TLB (16 sets × 4 ways) is flushed where Spike flushes (every trap, SRET, the vsatp
// write, and, with Spike's fences, SFENCE.VMA / HFENCE.GVMA). Within a stretch between flushes each distinct
// 4 KiB page translated is walked once (no page here shares a set with more than one other, so nothing is
// evicted), and the failed walk of a guest-page fault counts too. HS and M run untranslated (satp = Bare),
// so every walk is made in VS, two-stage:
//   guest entry, vsatp Bare: code page, root, l1, l0 tables (G-stage only)    4
//   csrw satp flushed: sfence.vma's fetch                                      1
//   sfence.vma flushed: code, array page 0 (fault)                             2
//   after faults 1 and 2: code, page i (now mapped), page i+1 (fault)          3 + 3
//   after fault 3: code, page 2, then the sum loop: pages 0, 1, page 3 (fault) 5
//   after fault 4: code, page 3                                                2
const EXPECTED_WALKS = 4 + 1 + 2 + 3 + 3 + 5 + 2

test('page-table walks: 20, all two-stage (reasoned from the flush points above)', () => {
  assert.is(s.xlate.walks, EXPECTED_WALKS)
  assert.is(s.xlate.twoStageWalks, EXPECTED_WALKS)
})

test('TLB hits = VS translations − walks; translations = one fetch per VS instruction (retired or trapped) + one per data access', () => {
  // Spike's log prints one `mem` item per data access; the 4 faulting accesses and 5 trapping instructions
  // (4 faults, 1 ECALL) print no line. A 32-bit fetch inside one page is one translation.
  const dataAccesses = guestLines.reduce((n, l) => n + (l.match(/ mem /g)?.length ?? 0), 0) + 4
  const fetches = guestLines.length + 5
  assert.is(s.xlate.tlbHits, fetches + dataAccesses - EXPECTED_WALKS)
})

// ---- the command, as a user runs it ---------------------------------------------------------------------

interface Run { code: number; stdout: string; stderr: string }
const bin = join(root, 'src/cli/bin.mjs')
const memvirt = (args: readonly string[], cwd: string): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})
const dirs = { plain: mkdtempSync(join(tmpdir(), 'memvirt-demo-')), noTrace: mkdtempSync(join(tmpdir(), 'memvirt-demo-')) }
const runs = {
  plain: memvirt(['demo'], dirs.plain),
  noTrace: memvirt(['demo', '--no-trace'], dirs.noTrace),
  unwritable: memvirt(['demo', '--trace', join(dirs.noTrace, 'no-such-dir', 't.jsonl')], dirs.noTrace),
}

test('`memvirt demo` runs from any directory, exits 0, and prints Spike\'s instruction count and the faults\' GPAs', async () => {
  const r = await runs.plain
  assert.is(r.code, 0)
  assert.is(r.stderr, '')
  assert.match(r.stdout, `Instructions retired ${String(spikeCommits.length).padStart(6)}`)
  for (const gpa of ['0x80100000', '0x80101000', '0x80102000', '0x80103000']) assert.match(r.stdout, `GPA ${gpa}`)
  assert.match(r.stdout, 'written to memvirt-demo.jsonl')
})

test('the trace: memvirt-demo.jsonl in the working directory, one decodable record per step, orders 1…n', async () => {
  await runs.plain
  const lines = readFileSync(join(dirs.plain, 'memvirt-demo.jsonl'), 'utf8').trimEnd().split('\n')
  assert.is(lines.length, s.steps)
  const records = lines.map(decodeTraceLine)
  assert.ok(records.every((r, i) => r._tag === 'Right' && r.right.order === i + 1))
  assert.is(records.filter((r) => r._tag === 'Right' && r.right.kind === 'trap').length, spikeExceptions.length)
})

test('--no-trace writes no file', async () => {
  const r = await runs.noTrace
  assert.is(r.code, 0)
  assert.not.ok(existsSync(join(dirs.noTrace, 'memvirt-demo.jsonl')))
  assert.match(r.stdout, 'Trace: not written')
})

test('an unwritable --trace: one line on stderr, exit 2, nothing on stdout', async () => {
  const r = await runs.unwritable
  assert.is(r.code, 2)
  assert.is(r.stdout, '')
  assert.match(r.stderr, /^memvirt demo: cannot write .*t\.jsonl: no such file or directory \(ENOENT\)\n$/)
})

test.run()
