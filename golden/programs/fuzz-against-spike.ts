// Differential fuzzing against Spike (a developer tool, not part of `npm test`: it needs Spike and
// Debian's binutils-riscv64-unknown-elf). Generates random programs (random registers and delegation,
// mostly simple instructions with arbitrary words among them), runs each in the chosen mode with
// handlers that skip a trapping instruction, and compares memvirt's commit log with Spike's, line by line.
//
//   node --import tsx golden/programs/fuzz-against-spike.ts SEED COUNT [ISA] [M|S|U|VS|VU] [paging]
//   (SPIKE names the binary; default /work/ext/spike-install/bin/spike). With `paging`, satp (and for
//   V = 1 also vsatp and hgatp) map RAM's gigapage 0x8000_0000 onto itself through one Sv39 / Sv39x4
//   leaf whose R/W/X/U/G/A/D bits are random, so translation, permission faults and A/D updates are fuzzed.
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
const LINK = new URL('./link.ld', import.meta.url).pathname

const arbProgram = fc.record({
  words: fc.array(fc.oneof({ weight: 4, arbitrary: arbSimpleWord }, { weight: 2, arbitrary: arbWord }), { minLength: 5, maxLength: 60 }),
  regs: fc.array(fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0x8000_4000n, max: 0x8000_6000n })), { minLength: 31, maxLength: 31 }),
  medeleg: fc.bigInt({ min: 0n, max: (1n << 24n) - 1n }),
  hedeleg: fc.bigInt({ min: 0n, max: (1n << 24n) - 1n }),
  counteren: fc.tuple(fc.bigInt({ min: 0n, max: 7n }), fc.bigInt({ min: 0n, max: 7n }), fc.bigInt({ min: 0n, max: 7n })),
  hstatus: fc.constantFrom(0n, 1n << 20n, 1n << 21n, 1n << 22n, 1n << 9n, (7n << 20n) | (1n << 9n) | (1n << 8n)),
  mstatus: fc.constantFrom(0n, 1n << 20n, 1n << 21n, 1n << 22n, 1n << 18n, 1n << 19n, (7n << 20n) | (3n << 18n)),
  leaf: fc.integer({ min: 0, max: 127 }).map((f) => 1 | (f << 1)),     // V plus random R W X U G A D (bits 1-7)
  gleaf: fc.integer({ min: 0, max: 127 }).map((f) => 1 | (f << 1)),
  adue: fc.boolean(),
})

const hex = (v: bigint): string => `0x${v.toString(16)}`

const source = (p: typeof arbProgram extends fc.Arbitrary<infer T> ? T : never): string => `.section .text.init
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
${PAGING ? paging(p.leaf, p.gleaf, p.adue) : ''}
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
.align 2
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
vroot: .zero 4096
.zero 16384
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

const dir = mkdtempSync(join(tmpdir(), 'memvirt-fuzz-'))
let diverged = 0
fc.sample(arbProgram, { seed, numRuns: count }).forEach((p, k) => {
  const src = source(p)
  writeFileSync(join(dir, 'p.S'), src)
  execFileSync('riscv64-unknown-elf-as', ['-march=rv64imac_zicsr', '-mabi=lp64', join(dir, 'p.S'), '-o', join(dir, 'p.o')])
  execFileSync('riscv64-unknown-elf-ld', ['-T', LINK, '--no-warn-rwx-segments', join(dir, 'p.o'), '-o', join(dir, 'p.elf')])
  spawnSync('timeout', ['0.3', SPIKE, `--isa=${ISA}`, '--log-commits', `--log=${join(dir, 's.log')}`, join(dir, 'p.elf')])
  const ref = readFileSync(join(dir, 's.log'), 'utf8').split('\n').slice(0, LINES)
  ref.pop()                                                     // the last line may be cut short
  const elf = parseElf(new Uint8Array(readFileSync(join(dir, 'p.elf'))))
  const isa = parseIsa(ISA)
  if (elf._tag === 'Left' || isa._tag === 'Left') throw new Error('cannot load the generated program')
  const m = loadMachine(isa.right, elf.right)
  if (m._tag === 'Left') throw new Error(m.left.message)
  const got: string[] = []
  run(m.right, { maxSteps: 2 * ref.length + 10 }, { event: (ev) => { const l = commitLine(ev); if (l !== '' && got.length < ref.length) got.push(l.slice(0, -1)) } })
  let i = 0
  while (i < ref.length && ref[i] === got[i]) i++
  if (i < ref.length) {
    diverged++
    writeFileSync(join(dir, `diverged-${k}.S`), src)
    console.log(`#${k}: first difference at line ${i + 1} of ${ref.length} (program kept in ${dir})\n  spike:   ${ref[i]}\n  memvirt: ${got[i]}`)
  }
})
console.log(`seed ${seed}, ${ISA}, ${MODE}: ${count - diverged}/${count} programs with identical logs`)
if (diverged === 0) rmSync(dir, { recursive: true })
