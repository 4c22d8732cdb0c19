// Disassembly in the style of GNU objdump (binutils 2.40): ABI register names, the same
// pseudo-instructions (nop, li, mv, not, neg, seqz, beqz, j, ret, csrr, rdcycle, ...), a tab
// between mnemonic and operands, shift amounts and U-immediates in hex, other immediates in
// decimal, branch targets as absolute hex addresses. Two deliberate differences: where objdump
// prints an immediate instruction under its register mnemonic (`add a0,a1,5`, `sll a0,a1,0x3`,
// `csrrs a0,sstatus,0`, `zext.b`) this prints the spec's mnemonic (`addi`, `slli`, `csrrsi`,
// `andi ...,255`), and compressed HINTs print as their expansion.
import type { Insn } from './insn.ts'
import { csrName } from './csr-names.ts'

/** ABI names of x0–x31 (psABI "Integer Register Convention"). */
export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
]

const x = (r: number): string => ABI_NAMES[r] ?? `x${r}`
const h = (n: number | bigint): string => '0x' + n.toString(16)
const ins = (mnemonic: string, ...operands: string[]): string =>
  operands.length === 0 ? mnemonic : `${mnemonic}\t${operands.join(',')}`
const MASK64 = (1n << 64n) - 1n

/** A branch or jump target: absolute (objdump) when pc is known, else relative to pc. */
const target = (imm: bigint, pc: bigint | undefined): string =>
  pc !== undefined ? ((pc + imm) & MASK64).toString(16) : imm < 0n ? `pc - ${-imm}` : `pc + ${imm}`

/** FENCE predecessor/successor set as letters i, o, r, w (an empty set prints as 0). */
const fenceSet = (s: number): string =>
  s === 0 ? '0' : (s & 8 ? 'i' : '') + (s & 4 ? 'o' : '') + (s & 2 ? 'r' : '') + (s & 1 ? 'w' : '')

const COUNTER_ALIASES: Readonly<Record<number, string>> = { 0xc00: 'rdcycle', 0xc01: 'rdtime', 0xc02: 'rdinstret' }

/**
 * The assembly text of an instruction, objdump style. `pc`, when given, turns branch and jump
 * offsets into absolute targets as objdump prints them.
 * @example disassemble(decode(0x00a58513)) === 'addi\ta0,a1,10'
 */
export function disassemble(insn: Insn, pc?: bigint): string {
  switch (insn._tag) {
    case 'R': {
      const { op, rd, rs1, rs2 } = insn
      if (op === 'add' && rs1 === 0 && insn.length === 2) return ins('mv', x(rd), x(rs2)) // C.MV
      if (op === 'sub' && rs1 === 0) return ins('neg', x(rd), x(rs2))
      if (op === 'subw' && rs1 === 0) return ins('negw', x(rd), x(rs2))
      if (op === 'sltu' && rs1 === 0) return ins('snez', x(rd), x(rs2))
      if (op === 'slt' && rs2 === 0) return ins('sltz', x(rd), x(rs1))
      if (op === 'slt' && rs1 === 0) return ins('sgtz', x(rd), x(rs2))
      return ins(op, x(rd), x(rs1), x(rs2))
    }
    case 'I': {
      const { op, rd, rs1, imm } = insn
      const i = imm.toString()
      switch (op) {
        case 'addi':
          if (rd === 0 && rs1 === 0 && imm === 0n) return 'nop'
          if (rs1 === 0) return ins('li', x(rd), i)
          if (imm === 0n) return ins('mv', x(rd), x(rs1))
          return ins(op, x(rd), x(rs1), i)
        case 'addiw': return imm === 0n ? ins('sext.w', x(rd), x(rs1)) : ins(op, x(rd), x(rs1), i)
        case 'xori': return imm === -1n ? ins('not', x(rd), x(rs1)) : ins(op, x(rd), x(rs1), i)
        case 'sltiu': return imm === 1n ? ins('seqz', x(rd), x(rs1)) : ins(op, x(rd), x(rs1), i)
        case 'jalr': {
          const addr = imm === 0n ? x(rs1) : `${i}(${x(rs1)})`
          if (rd === 0) return rs1 === 1 && imm === 0n ? 'ret' : ins('jr', addr)
          if (rd === 1) return ins('jalr', addr)
          return ins('jalr', x(rd), addr)
        }
        case 'slti': case 'ori': case 'andi': return ins(op, x(rd), x(rs1), i)
        default: return ins(op, x(rd), `${i}(${x(rs1)})`) // loads
      }
    }
    case 'Shift': return ins(insn.op, x(insn.rd), x(insn.rs1), h(insn.shamt))
    case 'S': return ins(insn.op, x(insn.rs2), `${insn.imm}(${x(insn.rs1)})`)
    case 'B': {
      const { op, rs1, rs2, imm } = insn
      const t = target(imm, pc)
      if (rs2 === 0) {
        if (op === 'beq') return ins('beqz', x(rs1), t)
        if (op === 'bne') return ins('bnez', x(rs1), t)
        if (op === 'blt') return ins('bltz', x(rs1), t)
        if (op === 'bge') return ins('bgez', x(rs1), t)
      }
      if (rs1 === 0) {
        if (op === 'blt') return ins('bgtz', x(rs2), t)
        if (op === 'bge') return ins('blez', x(rs2), t)
      }
      return ins(op, x(rs1), x(rs2), t)
    }
    case 'U': return ins(insn.op, x(insn.rd), h((insn.imm >> 12n) & 0xfffffn))
    case 'J': {
      const t = target(insn.imm, pc)
      if (insn.rd === 0) return ins('j', t)
      if (insn.rd === 1) return ins('jal', t)
      return ins('jal', x(insn.rd), t)
    }
    case 'Amo': {
      const suffix = insn.aq && insn.rl ? '.aqrl' : insn.aq ? '.aq' : insn.rl ? '.rl' : ''
      const m = insn.op + suffix
      return insn.op.startsWith('lr.')
        ? ins(m, x(insn.rd), `(${x(insn.rs1)})`)
        : ins(m, x(insn.rd), x(insn.rs2), `(${x(insn.rs1)})`)
    }
    case 'Fence': {
      const { fm, pred, succ } = insn
      if (fm === 8 && pred === 3 && succ === 3) return 'fence.tso'
      if (fm === 0 && pred === 1 && succ === 0) return 'pause' // Zihintpause
      if (pred === 15 && succ === 15) return 'fence'
      return ins('fence', fenceSet(pred), fenceSet(succ))
    }
    case 'Csr': {
      const { op, rd, rs1, csr } = insn
      const c = csrName(csr)
      if (op === 'csrrw' && rd === 0 && rs1 === 0 && csr === 0xc00) return 'unimp' // the canonical UNIMP
      if (op === 'csrrs' && rs1 === 0) {
        const counter = COUNTER_ALIASES[csr]
        return counter !== undefined ? ins(counter, x(rd)) : ins('csrr', x(rd), c)
      }
      if (rd === 0) return ins(op === 'csrrw' ? 'csrw' : op === 'csrrs' ? 'csrs' : 'csrc', c, x(rs1))
      return ins(op, x(rd), c, x(rs1))
    }
    case 'CsrI': {
      const { op, rd, uimm, csr } = insn
      if (rd === 0) return ins(op === 'csrrwi' ? 'csrwi' : op === 'csrrsi' ? 'csrsi' : 'csrci', csrName(csr), `${uimm}`)
      return ins(op, x(rd), csrName(csr), `${uimm}`)
    }
    case 'System': return insn.op
    case 'FenceVma':
      if (insn.rs1 === 0 && insn.rs2 === 0) return insn.op
      if (insn.rs2 === 0) return ins(insn.op, x(insn.rs1))
      return ins(insn.op, x(insn.rs1), x(insn.rs2))
    case 'Hlv': return ins(insn.op, x(insn.rd), `(${x(insn.rs1)})`)
    case 'Hsv': return ins(insn.op, x(insn.rs2), `(${x(insn.rs1)})`)
    case 'Illegal':
      if (insn.length === 2) return insn.bits === 0 ? 'unimp' : ins('.2byte', h(insn.bits))
      return ins('.4byte', h(insn.bits))
  }
}
