// Differential fuzzing against Spike (a developer tool, not part of `npm test`: it needs Spike and
// Debian's binutils-riscv64-unknown-elf). Generates random programs (random registers and delegation,
// mostly simple instructions with arbitrary words among them), runs each in the chosen mode with
// handlers that skip a trapping instruction, and compares memvirt's commit log with Spike's, line by line.
//
//   node --import tsx golden/programs/fuzz-against-spike.ts SEED COUNT [ISA] [M|S|U|VS|VU] [paging|pages]
//   (SPIKE names the binary; default /work/ext/spike-install/bin/spike). With `paging`, satp (and for
//   V = 1 also vsatp and hgatp) map RAM's gigapage 0x8000_0000 onto itself through one Sv39 / Sv39x4
//   leaf whose R/W/X/U/G/A/D bits are random, so translation, permission faults and A/D updates are fuzzed.
//   With `pages`, satp (and vsatp) go through three levels to 4 KiB leaves instead: the code pages mapped
//   so that the handlers and the body can run, and the page tables themselves, the G-stage root and eight
//   data pages with random flags (read-write half of the time), each onto itself or onto another of those
//   pages; hgatp keeps one gigapage, fully permissive half of the time. x20-x27 point at live PTEs or at
//   those pages, x1-x19 hold random values, addresses in those pages or PTEs worth storing, and the body
//   has loads and stores through x20-x27 and SFENCE.VMA / HFENCE words among its instructions, so stores rewrite live PTEs and fences (or their
//   absence) decide what later accesses see: the TLB behaviour the commit log shows is fuzzed.
//   `gpages` is `pages` with the G-stage through three levels to 4 KiB leaves as well (random flags on the
//   free pages), its tables among the pages stores reach: VS-stage walks then read G-stage PTEs at every level.
//   FUZZ_CLI=1 runs memvirt's CLI (`node src/cli/bin.mjs run --log-commits`, the bundle when it is current:
//   the engines and translation a user gets) instead of calling `run` in process. FUZZ_KEEP=1 keeps the
//   folder of the last program (p.S, p.elf, Spike's s.log) even when every log was identical.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fc } from '../../properties/fc.ts'
import { arbSimpleWord, arbWord } from '../../spec/cpu/arbitraries.ts'
import { parseElf } from '../../src/elf/elf.ts'
import { parseIsa } from '../../src/cpu/isa.ts'
import { loadMachine } from '../../src/machine/machine.ts'
import { run } from '../../src/machine/engine/run.ts'
import { commitLine } from '../../src/trace/commit-log.ts'

const SPIKE = process.env['SPIKE'] ?? '/work/ext/spike-install/bin/spike'
const LINES = 3000
const seed = Number(process.argv[2] ?? 1), count = Number(process.argv[3] ?? 20)
const ISA = process.argv[4] ?? 'rv64imac_zicsr_zifencei_zicntr_h'
const MODE = process.argv[5] ?? 'M'
const MPP = ({ M: 3, S: 1, U: 0, VS: 1, VU: 0 } as Record<string, number>)[MODE] ?? 3
const MPV = MODE.startsWith('V') ? 1 : 0
const PAGING = process.argv[6] === 'paging'
const GPAGES = process.argv[6] === 'gpages'
const PAGES = process.argv[6] === 'pages' || GPAGES
const CLI = process.env['FUZZ_CLI'] === '1'
const USER = MODE.endsWith('U')
// `pages`: the 4 KiB pages from 0x8000_0000 that the level-0 table maps (link.ld and the .data layout below):
// 0 .text.init (the prelude and the handlers), 1 .tohost, 2 .text.user (the body; .text is empty), 3 none,
// 4-7 the G-stage root, 8 root, 9 the level-1 table, 10 the level-0 table, 11-18 data pages; `gpages` also
// 19 and 20, the G-stage's level-1 and level-0 tables.
const PAGE_COUNT = GPAGES ? 21 : 19
const FIRST_FREE = 4
/** sfence.vma, hfence.vvma, hfence.gvma with random rs1 and rs2 (funct7 0x09, 0x11, 0x31). */
const arbFence = fc.tuple(fc.constantFrom(0x09, 0x11, 0x31), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 31 }))
  .map(([f7, rs2, rs1]) => ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | 0x73) >>> 0)
/** A PTE's low byte: half of the time read-write with A and D set (user-accessible in U and VU modes), else random with V set 7 times in 8. */
const arbFlags = fc.oneof(
  fc.constant(USER ? 0xd7 : 0xc7),
  fc.tuple(fc.integer({ min: 0, max: 127 }), fc.integer({ min: 0, max: 7 })).map(([f, v]) => (f << 1) | (v === 0 ? 0 : 1)))
/** `pages`: the addresses of live PTEs (root entry 2, level-1 entry 0, the level-0 entries), for base registers. */
const PTE_ADDRESSES = [0x8000_8010n, 0x8000_9000n, ...Array.from({ length: PAGE_COUNT }, (_, i) => 0x8000_a000n + 8n * BigInt(i)),
  ...(GPAGES ? [0x8000_4010n, 0x8001_3000n, ...Array.from({ length: PAGE_COUNT }, (_, i) => 0x8001_4000n + 8n * BigInt(i))] : [])]
/** `pages`: a page's base address (the G-stage root's four, the tables' and the data pages'). */
const arbPageBase = fc.integer({ min: FIRST_FREE, max: PAGE_COUNT - 1 }).map((i) => 0x8000_0000n + 0x1000n * BigInt(i))
/** `pages`: a leaf PTE for one of the free pages (flags as arbFlags makes them), a value worth storing into a table. */
const arbPte = fc.tuple(fc.integer({ min: FIRST_FREE, max: PAGE_COUNT - 1 }), arbFlags).map(([pn, f]) => ((0x8_0000n + BigInt(pn)) << 10n) | BigInt(f))
/**
 * `pages`: a load or store based on x20-x27 (which the prelude points at PTEs and pages), data in x1-x19,
 * at an aligned offset below 256: stores three times in four.
 */
const arbMemOp = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 20, max: 27 }), fc.integer({ min: 1, max: 19 }), fc.integer({ min: 0, max: 31 }))
  .map(([kind, size, base, reg, slot]) => {
    const imm = (slot << size) & 0xff
    return kind < 3
      ? (((imm >> 5) << 25) | (reg << 20) | (base << 15) | (size << 12) | ((imm & 31) << 7) | 0x23) >>> 0
      : ((imm << 20) | (base << 15) | (size << 12) | (reg << 7) | 0x03) >>> 0
  })
const LINK = new URL('./link.ld', import.meta.url).pathname
const BIN = new URL('../../src/cli/bin.mjs', import.meta.url).pathname

const arbProgram = fc.record({
  words: PAGES
    ? fc.array(fc.oneof({ weight: 3, arbitrary: arbSimpleWord }, { weight: 1, arbitrary: arbWord }, { weight: 1, arbitrary: arbFence }, { weight: 3, arbitrary: arbMemOp }), { minLength: 5, maxLength: 60 })
    : fc.array(fc.oneof({ weight: 4, arbitrary: arbSimpleWord }, { weight: 2, arbitrary: arbWord }), { minLength: 5, maxLength: 60 }),
  regs: PAGES
    ? fc.tuple(
      fc.array(fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0x8000_4000n, max: 0x8000_0000n + BigInt(PAGE_COUNT) * 0x1000n - 1n }), arbPte),
        { minLength: 19, maxLength: 19 }),
      fc.array(fc.oneof(fc.constantFrom(...PTE_ADDRESSES), arbPageBase), { minLength: 8, maxLength: 8 }),
      fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 4, maxLength: 4 }))
      .map(([data, bases, rest]) => [...data, ...bases, ...rest])
    : fc.array(fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0x8000_4000n, max: 0x8000_6000n })), { minLength: 31, maxLength: 31 }),

  medeleg: fc.bigInt({ min: 0n, max: (1n << 24n) - 1n }),
  hedeleg: fc.bigInt({ min: 0n, max: (1n << 24n) - 1n }),
  counteren: fc.tuple(fc.bigInt({ min: 0n, max: 7n }), fc.bigInt({ min: 0n, max: 7n }), fc.bigInt({ min: 0n, max: 7n })),
  hstatus: fc.constantFrom(0n, 1n << 20n, 1n << 21n, 1n << 22n, 1n << 9n, (7n << 20n) | (1n << 9n) | (1n << 8n)),
  mstatus: fc.constantFrom(0n, 1n << 20n, 1n << 21n, 1n << 22n, 1n << 18n, 1n << 19n, (7n << 20n) | (3n << 18n)),
  leaf: fc.integer({ min: 0, max: 127 }).map((f) => 1 | (f << 1)),     // V plus random R W X U G A D (bits 1-7)
  gleaf: fc.integer({ min: 0, max: 127 }).map((f) => 1 | (f << 1)),
  adue: fc.boolean(),
})

// `pages` only (drawn after the program, so that the other modes' seeds give the programs they always gave):
// each free page's flags and where it maps (onto itself half of the time, else any free page), and whether
// the G-stage leaf is fully permissive rather than random.
const arbPages = fc.record({
  frames: fc.array(fc.tuple(arbFlags, fc.oneof(fc.constant(-1), fc.integer({ min: FIRST_FREE, max: PAGE_COUNT - 1 }))), { minLength: PAGE_COUNT - FIRST_FREE, maxLength: PAGE_COUNT - FIRST_FREE }),
  permissiveG: fc.boolean(),
})
// `gpages` only, drawn last: the G-stage leaf flags of the free pages (U always set: a G-stage leaf needs it).
const arbGFlags = fc.array(arbFlags.map((f) => f | 0x10), { minLength: PAGE_COUNT - FIRST_FREE, maxLength: PAGE_COUNT - FIRST_FREE })
type Program = (typeof arbProgram extends fc.Arbitrary<infer T> ? T : never) & {
  readonly layout?: typeof arbPages extends fc.Arbitrary<infer T> ? T : never
  readonly gflags?: readonly number[]
}
const arbCase: fc.Arbitrary<Program> = GPAGES ? fc.tuple(arbProgram, arbPages, arbGFlags).map(([p, layout, gflags]) => ({ ...p, layout, gflags }))
  : PAGES ? fc.tuple(arbProgram, arbPages).map(([p, layout]) => ({ ...p, layout })) : arbProgram

const hex = (v: bigint): string => `0x${v.toString(16)}`

const source = (p: Program): string => `.section .text.init
.globl _start
_start:
  la t0, mhandler
  csrw mtvec, t0
  la t0, shandler
  csrw stvec, t0
  csrw vstvec, t0
  li t0, ${hex(p.medeleg)}
  csrw medeleg, t0
  li t0, ${hex(p.hedeleg)}
  csrw hedeleg, t0
  li t0, ${hex(p.counteren[0])}
  csrw mcounteren, t0
  li t0, ${hex(p.counteren[1])}
  csrw scounteren, t0
  li t0, ${hex(p.counteren[2])}
  csrw hcounteren, t0
  li t0, ${hex(p.hstatus)}
  csrw hstatus, t0
  li t0, ${MPP << 11}
  csrw mstatus, t0
  li t0, ${hex(p.mstatus | (BigInt(MPV) << 39n))}
  csrs mstatus, t0
${PAGING ? paging(p.leaf, p.gleaf, p.adue) : p.layout !== undefined ? pages(p.layout.frames, p.layout.permissiveG ? 0xdf : p.gleaf, p.adue, p.gflags) : ''}
  la t0, body
  csrw mepc, t0
${p.regs.map((v, i) => `  li x${i + 1}, ${hex(v)}`).join('\n')}
  mret
.align 2
mhandler:
  csrrw t6, mscratch, t6
  csrr t6, mepc
  addi t6, t6, 4
  csrw mepc, t6
  csrrw t6, mscratch, t6
  mret
.align 2
shandler:
  csrrw t6, sscratch, t6
  csrr t6, sepc
  addi t6, t6, 4
  csrw sepc, t6
  csrrw t6, sscratch, t6
  sret
${PAGES ? '.section .text.user\n' : ''}.align 2
body:
${p.words.map((w) => `  .word 0x${w.toString(16)}`).join('\n')}
1: j 1b
.section .tohost, "aw"
.align 6
.globl tohost
tohost: .dword 0
.align 6
.globl fromhost
fromhost: .dword 0
.section .data
.align 14
groot: .zero 16384
root: .zero 4096
${PAGES ? `l1: .zero 4096
l0: .zero 4096
.zero ${8 * 4096}${GPAGES ? `
gl1: .zero 4096
gl0: .zero 4096` : ''}` : `vroot: .zero 4096
.zero 16384`}
`

/**
 * satp (and vsatp, hgatp) with one gigapage leaf mapping 0x8000_0000 onto itself, flags as given, and
 * hardware A/D updating (menvcfg/henvcfg.ADUE, with Svadu) on or off.
 */
const paging = (flags: number, gflags: number, adue: boolean): string => {
  const pte = (f: number): string => hex(((0x8000_0000n >> 12n) << 10n) | BigInt(f))
  return `  li t1, ${adue ? '1 << 61' : '0'}
  csrs menvcfg, t1
  csrs henvcfg, t1
  li t1, ${pte(flags)}
  la t0, root
  sd t1, 16(t0)
  srli t0, t0, 12
  li t2, 8 << 60
  or t0, t0, t2
  csrw satp, t0
  la t0, vroot
  sd t1, 16(t0)
  srli t0, t0, 12
  or t0, t0, t2
  csrw vsatp, t0
  li t1, ${pte(gflags)}
  la t0, groot
  sd t1, 16(t0)
  srli t0, t0, 12
  or t0, t0, t2
  csrw hgatp, t0`
}

/** `pages`, `gpages`: entry `index` of table `table` (a label) = a pointer (V only) to the table at label `to`. */
const pointer = (table: string, index: number, to: string): string => `  la t0, ${to}
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, 1
  la t1, ${table}
  sd t0, ${8 * index}(t1)`

/**
 * `pages`: satp and vsatp through root → l1 → l0 (Sv39: VA 0x8000_0000 is root entry 2, l1 entry 0), l0
 * mapping the code pages so that they run (RWX, A and D set; the body's page user-accessible in U and VU
 * modes, the handlers' not, as S-mode runs them) and every
 * other page by its random flags and frame; hgatp one gigapage leaf onto itself. Hardware A/D updating
 * (ADUE) on or off.
 */
const pages = (frames: readonly (readonly [number, number])[], gflags: number, adue: boolean, gpages?: readonly number[]): string => {
  const pte = (pn: number, f: number): string => hex(((0x8_0000n + BigInt(pn)) << 10n) | BigInt(f))
  const code = [0xcf, 0xc7, USER ? 0xdf : 0xcf, 0]                     // prelude and handlers, tohost, body (+U), none
  const leaves = [...code.map((f, i) => pte(i, f)), ...frames.map(([f, to], i) => pte(to < 0 ? FIRST_FREE + i : to, f))]
  return `  li t1, ${adue ? '1 << 61' : '0'}
  csrs menvcfg, t1
  csrs henvcfg, t1
${pointer('root', 2, 'l1')}
${pointer('l1', 0, 'l0')}
  la t1, l0
${leaves.map((v, i) => `  li t0, ${v}\n  sd t0, ${8 * i}(t1)`).join('\n')}
  la t0, root
  srli t0, t0, 12
  li t2, 8 << 60
  or t0, t0, t2
  csrw satp, t0
  csrw vsatp, t0
${gpages === undefined ? `  li t1, ${hex(((0x8000_0000n >> 12n) << 10n) | BigInt(gflags))}
  la t0, groot
  sd t1, 16(t0)` : gStage(gpages)}
  la t0, groot
  srli t0, t0, 12
  or t0, t0, t2
  csrw hgatp, t0`
}

/**
 * `gpages`: the G-stage through three levels too (GPA 0x8000_0000 is groot entry 2, gl1 entry 0), gl0 mapping
 * each page onto itself: the code pages fully permissive, the others with their random flags (U set; the
 * VS-stage tables' also readable).
 */
const gStage = (gflags: readonly number[]): string => {
  const pte = (pn: number, f: number): string => hex(((0x8_0000n + BigInt(pn)) << 10n) | BigInt(f))
  // The VS-stage tables (pages 8-10) readable always (V R U A), else most VS walks stop at their first PTE.
  const leaves = [...[0xdf, 0xdf, 0xdf, 0].map((f, i) => pte(i, f)), ...gflags.map((f, i) => pte(FIRST_FREE + i, FIRST_FREE + i >= 8 && FIRST_FREE + i <= 10 ? f | 0x53 : f))]
  return `${pointer('groot', 2, 'gl1')}
${pointer('gl1', 0, 'gl0')}
  la t1, gl0
${leaves.map((v, i) => `  li t0, ${v}\n  sd t0, ${8 * i}(t1)`).join('\n')}`
}

const dir = mkdtempSync(join(tmpdir(), 'memvirt-fuzz-'))
let diverged = 0
/** What the compared lines did: fences run (SFENCE.VMA, HFENCE.VVMA, HFENCE.GVMA), and with `pages` the body's lines and its stores into page tables. */
const seen = { fences: 0, stores: 0, pteStores: 0, lines: 0, body: 0 }
fc.sample(arbCase, { seed, numRuns: count }).forEach((p, k) => {
  const src = source(p)
  writeFileSync(join(dir, 'p.S'), src)
  execFileSync('riscv64-unknown-elf-as', ['-march=rv64imac_zicsr', '-mabi=lp64', join(dir, 'p.S'), '-o', join(dir, 'p.o')])
  execFileSync('riscv64-unknown-elf-ld', ['-T', LINK, '--no-warn-rwx-segments', join(dir, 'p.o'), '-o', join(dir, 'p.elf')])
  spawnSync('timeout', ['0.3', SPIKE, `--isa=${ISA}`, '--log-commits', `--log=${join(dir, 's.log')}`, join(dir, 'p.elf')])
  const ref = readFileSync(join(dir, 's.log'), 'utf8').split('\n').slice(0, LINES)
  ref.pop()                                                     // the last line may be cut short
  const got: string[] = []
  if (CLI) {
    spawnSync(process.execPath, [BIN, 'run', '--isa', ISA, '--max-insns', String(2 * ref.length + 10), '--log-commits', join(dir, 'm.log'), join(dir, 'p.elf')])
    got.push(...readFileSync(join(dir, 'm.log'), 'utf8').split('\n').slice(0, ref.length))
  } else {
    const elf = parseElf(new Uint8Array(readFileSync(join(dir, 'p.elf'))))
    const isa = parseIsa(ISA)
    if (elf._tag === 'Left' || isa._tag === 'Left') throw new Error('cannot load the generated program')
    const m = loadMachine(isa.right, elf.right)
    if (m._tag === 'Left') throw new Error(m.left.message)
    run(m.right, { maxSteps: 2 * ref.length + 10 }, { event: (ev) => { const l = commitLine(ev); if (l !== '' && got.length < ref.length) got.push(l.slice(0, -1)) } })
  }
  seen.lines += ref.length
  for (const line of ref) {
    const word = Number.parseInt(line.slice(line.indexOf('(0x') + 3, line.indexOf('(0x') + 11), 16)
    if ((word & 0x7fff) === 0x73 && [0x09, 0x11, 0x31].includes(word >>> 25)) seen.fences++
    const store = / mem (0x[0-9a-f]{16}) 0x/.exec(line)
    const inBody = PAGES && line.slice(12, 26) === '0x000000008000' && line[26] === '2'   // the pc is on the body's page
    if (inBody) seen.body++
    if (store !== null && inBody) seen.stores++
    if (store !== null && inBody && ((BigInt(store[1]!) >= 0x8000_4000n && BigInt(store[1]!) < 0x8000_b000n) ||
      (GPAGES && BigInt(store[1]!) >= 0x8001_3000n && BigInt(store[1]!) < 0x8001_5000n))) seen.pteStores++
  }
  let i = 0
  while (i < ref.length && ref[i] === got[i]) i++
  if (i < ref.length) {
    diverged++
    writeFileSync(join(dir, `diverged-${k}.S`), src)
    console.log(`#${k}: first difference at line ${i + 1} of ${ref.length} (program kept in ${dir})\n  spike:   ${ref[i]}\n  memvirt: ${got[i]}`)
  }
})
console.log(`seed ${seed}, ${ISA}, ${MODE}${PAGING ? ' paging' : GPAGES ? ' gpages' : PAGES ? ' pages' : ''}${CLI ? ', CLI' : ''}: ${count - diverged}/${count} programs with identical logs ` +
  `(${seen.lines} lines compared: ${seen.fences} fences run${PAGES ? `, ${seen.body} by the body, which stored ${seen.stores} times, ${seen.pteStores} into the page tables` : ''})`)
if (diverged === 0 && process.env['FUZZ_KEEP'] !== '1') rmSync(dir, { recursive: true })
else console.log(`programs in ${dir}`)
