// Spike cross-check of a `memvirt translate` scenario (not part of `npm test`: it needs Spike and a
// RISC-V assembler; check.sh runs it). Emits a self-checking bare-metal RV64 program on stdout:
// M-mode writes the scenario's memory and CSRs (raw envcfg bits, so Spike applies its own WARL
// legalization), reads back menvcfg/henvcfg, then performs every access the way the hart would —
// loads and stores through MPRV with MPP/MPV, HLVX with hlvx.hu from M-mode (hstatus.SPVP), fetches by
// mret to an `ecall` placed at the model's PA — and compares with the model: the trap's mcause, mtval,
// mtval2 (= htval), mtinst (= htinst); for a translation, a marker byte placed at the model's PA must be
// what Spike loads (or where Spike stores); after every access, every scenario word (PTEs included,
// so hardware A/D updates) must equal the model's memory. tohost = 1: Spike agrees; otherwise
// tohost = code·2+1 with code = access·1000 + field·100 + word (field 1 cause, 2 tval, 3 htval,
// 4 tinst, 5 data, 6 fetch mepc, 7 memory word; codes 1 and 2: menvcfg / henvcfg legalization).
// Accesses whose PA lies outside RAM are skipped (the access itself would take an access fault).
import { readFileSync } from 'node:fs'
import { isLeft } from 'fp-ts/lib/Either.js'
import { parseScenario } from '../../../src/cli/scenario.ts'
import { runScenario } from '../../../src/cli/translate.ts'
import { peek } from '../../../src/memory/memory.ts'
import { regionAt } from '../../../src/memory/memory-map.ts'
import { phys } from '../../../src/bits/address.ts'

const file = process.argv[2]
const text = readFileSync(file, 'utf8')
const json = JSON.parse(text)
const decoded = parseScenario(text, file)
if (isLeft(decoded)) throw new Error(`${decoded.left.path}: ${decoded.left.message}`)
const sc = decoded.right
const runs = runScenario(sc)

const h = (v) => '0x' + v.toString(16)
const hex64 = (s) => BigInt(s.replaceAll('_', ''))
const lines = []
const e = (...ls) => lines.push(...ls)

const words = [
  ...(json.memory ?? []).map((w) => ({ addr: hex64(w.addr), size: w.size ?? 8 })),
  ...(json.ptes ?? []).map((p) => ({ addr: hex64(p.addr), size: 8 })),
]
const ST = { 1: 'sb', 2: 'sh', 4: 'sw', 8: 'sd' }
const LD = { 1: 'lbu', 2: 'lhu', 4: 'lwu', 8: 'ld' }
const MPRV = 1n << 17n, MPP = 3n << 11n, MPV = 1n << 39n, ENV = 3n << 61n
const privBits = (p) => (p === 'M' ? 3n : p === 'S' ? 1n : 0n) << 11n
/** A CSR as the scenario wrote it, before legalization: a hex string, or named bits. */
const rawCsr = (name, bitsOf) => {
  const v = json.csrs?.[name]
  if (v === undefined) return 0n
  if (typeof v === 'string') return hex64(v)
  return Object.entries(v).reduce((acc, [k, on]) => (on ? acc | (1n << BigInt(bitsOf[k])) : acc), 0n)
}
const ENVCFG = { ADUE: 61, PBMTE: 62 }
const STATUS = { SUM: 18, MXR: 19 }
const STATUS_MASK = (1n << 18n) | (1n << 19n)
const envBits = (b) => (b.adue ? 1n << 61n : 0n) | (b.pbmte ? 1n << 62n : 0n)
const li = (reg, v) => e(`  li ${reg}, ${h(v)}`)

e('.section .text.init', '.globl _start', '_start:', '  la t0, trap', '  csrw mtvec, t0', '  csrw medeleg, zero', '  csrw mideleg, zero')
for (const w of words) { li('t0', w.addr); li('t1', peek(sc.memory, phys(w.addr), w.size)); e(`  ${ST[w.size]} t1, 0(t0)`) }
const csrw = (name, v) => { li('t0', v); e(`  csrw ${name}, t0`) }
csrw('menvcfg', rawCsr('menvcfg', ENVCFG) & ENV)
csrw('henvcfg', rawCsr('henvcfg', ENVCFG) & ENV)
csrw('satp', sc.ctx.satp)
csrw('vsatp', sc.ctx.vsatp)
csrw('hgatp', sc.ctx.hgatp)
csrw('vsstatus', rawCsr('vsstatus', STATUS) & STATUS_MASK)
li('t0', rawCsr('mstatus', STATUS) & STATUS_MASK); e('  csrs mstatus, t0')
const readBack = (name, expected, code) => { e(`  csrr t0, ${name}`); li('t1', ENV); e('  and t0, t0, t1'); li('t1', expected); li('a0', BigInt(code)); e('  bne t0, t1, fail') }
readBack('menvcfg', envBits(sc.ctx.menvcfg), 1)
readBack('henvcfg', envBits(sc.ctx.henvcfg), 2)
e('  sfence.vma', '  hfence.gvma', '  hfence.vvma')

let skipped = 0
runs.forEach((r, k) => {
  const i = k + 1
  const a = sc.accesses[k]
  const code = (field, j = 0) => BigInt(i * 1000 + field * 100 + j)
  const check = (reg, expected, field) => { li('t1', expected); li('a0', code(field)); e(`  bne ${reg}, t1, fail`) }
  e(`# access ${i}: ${a.access}${a.hlvx ? ' (HLVX)' : ''} ${h(a.va)} in ${a.priv}-mode, V=${a.virt ? 1 : 0}`)
  e(`  la t0, resume_${i}`, '  csrw mscratch, t0', '  li s0, -1', '  li s4, 0')
  const res = r.outcome.result
  const pa = isLeft(res) ? undefined : res.right.pa
  if (pa !== undefined && regionAt(sc.memory.map, phys(pa), 4n)?.kind !== 'ram') {
    skipped++
    e(`  # skipped: PA ${h(pa)} is not RAM`, `resume_${i}:`)
    return
  }
  const marker = BigInt((i * 37 + 0x5a) & 0xff)
  if (pa !== undefined) {                       // save what is at the PA, put a marker there
    li('s7', pa)
    if (a.access === 'fetch') e('  lwu s6, 0(s7)', '  li t1, 0x00000073', '  sw t1, 0(s7)', '  fence.i')
    else if (a.hlvx) { e('  lhu s6, 0(s7)'); li('t1', marker | 0xa500n); e('  sh t1, 0(s7)') }
    else { e('  lbu s6, 0(s7)'); li('t1', marker); e('  sb t1, 0(s7)') }
  }
  li('t1', a.va)
  if (a.access === 'fetch') {
    li('t0', MPRV | MPP | MPV); e('  csrc mstatus, t0')
    li('t0', privBits(a.priv) | (a.virt ? MPV : 0n)); e('  csrs mstatus, t0')
    e('  csrw mepc, t1', '  mret')
  } else if (a.hlvx) {
    e('  li t0, 0x100', a.priv === 'S' ? '  csrs hstatus, t0' : '  csrc hstatus, t0', '  hlvx.hu s5, (t1)')
  } else {
    li('t0', MPRV | MPP | MPV); e('  csrc mstatus, t0')
    li('t0', MPRV | privBits(a.priv) | (a.virt ? MPV : 0n)); e('  csrs mstatus, t0')
    if (a.access === 'load') e('  lbu s5, 0(t1)')
    else { li('t2', marker); e('  sb t2, 0(t1)') }
    li('t0', MPRV); e('  csrc mstatus, t0')
  }
  e(`resume_${i}:`)
  li('t0', MPRV); e('  csrc mstatus, t0')
  if (isLeft(res)) {
    const f = res.left
    check('s0', f.cause, 1); check('s1', f.tval, 2); check('s2', f.htval, 3); check('s3', f.tinst, 4)
  } else if (a.access === 'fetch') {
    check('s0', a.priv === 'M' ? 11n : a.priv === 'U' ? 8n : a.virt ? 10n : 9n, 1)   // the ecall at the PA ran
    check('s4', a.va, 6)
    e('  sw s6, 0(s7)', '  fence.i')
  } else {
    check('s0', (1n << 64n) - 1n, 1)            // no trap
    if (a.hlvx) { check('s5', marker | 0xa500n, 5); e('  sh s6, 0(s7)') }
    else if (a.access === 'load') { check('s5', marker, 5); e('  sb s6, 0(s7)') }
    else { e('  lbu t2, 0(s7)'); check('t2', marker, 5); e('  sb s6, 0(s7)') }
  }
  words.forEach((w, j) => {
    li('t0', w.addr); e(`  ${LD[w.size]} t2, 0(t0)`); li('t1', peek(r.outcome.memory, phys(w.addr), w.size)); li('a0', code(7, j)); e('  bne t2, t1, fail')
  })
})
e('  li t0, 1', '  la t1, tohost', '  sd t0, 0(t1)', '1: j 1b')
e('fail:', '  slli a0, a0, 1', '  ori a0, a0, 1', '  la t1, tohost', '  sd a0, 0(t1)', '2: j 2b')
e('.align 4', 'trap:', '  csrr s0, mcause', '  csrr s1, mtval', '  csrr s2, mtval2', '  csrr s3, mtinst', '  csrr s4, mepc')
li('t0', MPRV | MPV); e('  csrc mstatus, t0'); li('t0', MPP); e('  csrs mstatus, t0')
e('  csrr t0, mscratch', '  jr t0')
e('.section .tohost, "aw", @progbits', '.align 6', '.globl tohost', 'tohost: .dword 0', '.align 6', '.globl fromhost', 'fromhost: .dword 0')
process.stdout.write(lines.join('\n') + '\n')
process.stderr.write(`${file}: ${runs.length} accesses, ${skipped} skipped (PA not in RAM)\n`)
