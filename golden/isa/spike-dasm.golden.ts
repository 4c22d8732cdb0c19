// Golden legality test against Spike's disassembler: spike-dasm.txt holds spike-dasm's reading of
// every 16-bit parcel and ~12000 32-bit words (memvirt's own inputs; see spike-dasm.sh). spike-dasm
// knows every extension, so the law checked is: an encoding this decoder accepts is the same
// instruction for Spike, and an encoding it rejects is, for Spike, unknown, from an extension this
// model lacks, or one that Spike's execute code rejects with `require` (the list below).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decodeInstruction, isIllegal } from '../../src/cpu/decode/index.ts'

const rows = readFileSync(fileURLToPath(new URL('./spike-dasm.txt', import.meta.url)), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => {
    const [hexWord = '', text = ''] = l.split('\t')
    return { hexWord, bits: parseInt(hexWord, 16), mnemonic: text.split(/\s+/)[0] ?? '' }
  })

/** Spike's mnemonic (with its aliases, RVC names and AMO ordering suffixes) → the base mnemonic. */
const SPIKE_ALIASES: Readonly<Record<string, string>> = {
  nop: 'addi', li: 'addi', mv: 'addi', not: 'xori', neg: 'sub', negw: 'subw', 'sext.w': 'addiw',
  seqz: 'sltiu', snez: 'sltu', sltz: 'slt', sgtz: 'slt', j: 'jal', jr: 'jalr', ret: 'jalr',
  beqz: 'beq', bnez: 'bne', bgez: 'bge', blez: 'bge', bltz: 'blt', bgtz: 'blt',
  csrr: 'csrrs', csrw: 'csrrw', csrs: 'csrrs', csrc: 'csrrc', csrwi: 'csrrwi', csrsi: 'csrrsi', csrci: 'csrrci',
  unimp: 'csrrw', pause: 'fence', 'fence.tso': 'fence', rdcycle: 'csrrs', rdtime: 'csrrs', rdinstret: 'csrrs',
  'c.addi4spn': 'addi', 'c.lw': 'lw', 'c.ld': 'ld', 'c.sw': 'sw', 'c.sd': 'sd', 'c.nop': 'addi', 'c.addi': 'addi',
  'c.addiw': 'addiw', 'c.li': 'addi', 'c.addi16sp': 'addi', 'c.lui': 'lui', 'c.srli': 'srli', 'c.srai': 'srai',
  'c.andi': 'andi', 'c.sub': 'sub', 'c.xor': 'xor', 'c.or': 'or', 'c.and': 'and', 'c.subw': 'subw', 'c.addw': 'addw',
  'c.j': 'jal', 'c.beqz': 'beq', 'c.bnez': 'bne', 'c.slli': 'slli', 'c.lwsp': 'lw', 'c.ldsp': 'ld', 'c.jr': 'jalr',
  'c.ret': 'jalr', 'c.mv': 'add', 'c.ebreak': 'ebreak', 'c.jalr': 'jalr', 'c.add': 'add', 'c.swsp': 'sw', 'c.sdsp': 'sd',
}
const baseMnemonic = (spike: string): string =>
  SPIKE_ALIASES[spike] ?? spike.replace(/^((?:lr|sc|amo[a-z]+)\.[wd])\.(aqrl|aq|rl)$/, '$1')

/** Every mnemonic this decoder produces (its ISA: RV64IMAC, Zicsr, Zifencei, privileged, H). */
const OURS = new Set([
  'add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw',
  'addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw', 'lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu', 'jalr',
  'slli', 'srli', 'srai', 'slliw', 'srliw', 'sraiw', 'sb', 'sh', 'sw', 'sd', 'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu',
  'lui', 'auipc', 'jal', 'fence', 'fence.i', 'csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci',
  'ecall', 'ebreak', 'mret', 'sret', 'wfi', 'sfence.vma', 'hfence.vvma', 'hfence.gvma',
  'hlv.b', 'hlv.bu', 'hlv.h', 'hlv.hu', 'hlvx.hu', 'hlv.w', 'hlv.wu', 'hlvx.wu', 'hlv.d', 'hsv.b', 'hsv.h', 'hsv.w', 'hsv.d',
  ...['lr', 'sc', 'amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu']
    .flatMap((n) => [`${n}.w`, `${n}.d`]),
])

/**
 * Parcels Spike's decoder matches but its execute code rejects (riscv/insns/c_*.h `require`):
 * C.ADDI4SPN with nzuimm = 0, C.ADDIW with rd = 0 (c_addiw.h in c_jal.h), C.LWSP/C.LDSP with rd = 0,
 * C.JR with rs1 = 0, C.ADDI16SP / C.LUI with a zero immediate.
 */
const rejectedBySpikeAtExecution = (h: number): boolean => {
  if (h > 0xffff) return false
  const q = h & 3, f3 = h >>> 13, rd = (h >>> 7) & 0x1f, imm6 = ((h >>> 7) & 0x20) | ((h >>> 2) & 0x1f)
  if (q === 0 && f3 === 0) return ((h >>> 5) & 0xff) === 0
  if (q === 1 && f3 === 1) return rd === 0
  if (q === 1 && f3 === 3) return imm6 === 0
  if (q === 2 && (f3 === 2 || f3 === 3)) return rd === 0
  if (q === 2 && f3 === 4) return ((h >>> 12) & 1) === 0 && rd === 0 && ((h >>> 2) & 0x1f) === 0
  return false
}

test('spike-dasm.txt covers all 49152 compressed parcels and thousands of 32-bit words', () => {
  assert.is(rows.filter((r) => r.hexWord.length === 4).length, 49152)
  assert.ok(rows.filter((r) => r.hexWord.length === 8).length > 10000)
})

test('an encoding the decoder accepts is the same instruction for Spike', () => {
  const disagreements: string[] = []
  for (const { hexWord, bits, mnemonic } of rows) {
    const insn = decodeInstruction(bits)
    if (!isIllegal(insn) && baseMnemonic(mnemonic) !== insn.op) disagreements.push(`${hexWord}: spike ${mnemonic}, memvirt ${insn.op}`)
  }
  assert.equal(disagreements.slice(0, 20), [])
})

test('an encoding the decoder rejects is unknown to Spike, of another extension, or rejected by Spike\'s execute code', () => {
  const disagreements: string[] = []
  for (const { hexWord, bits, mnemonic } of rows) {
    if (!isIllegal(decodeInstruction(bits))) continue
    if (mnemonic === 'unknown' || mnemonic === 'c.unimp' || !OURS.has(baseMnemonic(mnemonic))) continue
    if (rejectedBySpikeAtExecution(bits)) continue
    disagreements.push(`${hexWord}: spike ${mnemonic}, memvirt illegal`)
  }
  assert.equal(disagreements.slice(0, 20), [])
})

test.run()
