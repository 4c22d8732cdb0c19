// What a step asks of an instruction word besides executing it: its decoding, its length, the
// extensions it needs (unprivileged ISA: an instruction of an extension the hart lacks is illegal),
// and whether it serializes (Zicsr, MRET/SRET: Spike's serializing instructions) or is WFI.
import { type Insn, decodeInstruction } from './index.ts'
import { type Isa } from '../isa.ts'

/** Extensions an instruction needs (bits of `needs`): without one it is an illegal instruction. */
export const NEEDS_C = 1, NEEDS_M = 2, NEEDS_A = 4, NEEDS_H = 8, NEEDS_S = 16

const MUL_DIV = new Set(['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'])

/** The extensions `insn` needs beyond the base ISA, Zicsr and Zifencei. */
export const needs = (insn: Insn): number => {
  const c = insn.length === 2 ? NEEDS_C : 0
  switch (insn._tag) {
    case 'R': return c | (MUL_DIV.has(insn.op) ? NEEDS_M : 0)
    case 'Amo': return c | NEEDS_A
    case 'Hlv': case 'Hsv': return c | NEEDS_H
    case 'FenceVma': return c | (insn.op === 'sfence.vma' ? NEEDS_S : NEEDS_H)
    // FENCE.I is one of Spike's base instructions: legal whether or not the ISA string names Zifencei.
    case 'System': return c | (insn.op === 'sret' ? NEEDS_S : 0)
    default: return c
  }
}

/** The NEEDS_* bits of the extensions an ISA has. */
export const extensionsOf = (isa: Isa): number =>
  (isa.c ? NEEDS_C : 0) | (isa.m ? NEEDS_M : 0) | (isa.a ? NEEDS_A : 0) | (isa.h ? NEEDS_H : 0) | (isa.s ? NEEDS_S : 0)

/** Is the decoded instruction part of the configured ISA? Otherwise it is an illegal instruction. */
export const implemented = (insn: Insn, isa: Isa): boolean => (needs(insn) & ~extensionsOf(isa)) === 0

/**
 * One record shape for every instruction: the step reads fixed fields instead of the tag of an
 * instruction union with a dozen shapes, which V8 answers far more slowly.
 */
export interface Described {
  readonly insn: Insn
  readonly length: 2 | 4
  /** The extensions it needs (NEEDS_*). */
  readonly needs: number
  /** A Zicsr instruction: it serializes before executing, so pending interrupts are checked first. */
  readonly csr: boolean
  /** CSR instructions, MRET and SRET: the next step starts a new batch (Spike's serializing instructions). */
  readonly serializing: boolean
  /** MRET or SRET: Spike flushes its TLB when the privilege is set. */
  readonly trapReturn: boolean
  readonly wfi: boolean
}

/** The record of an already decoded instruction. */
export const describeInsn = (insn: Insn): Described => {
  const csr = insn._tag === 'Csr' || insn._tag === 'CsrI'
  const trapReturn = insn._tag === 'System' && (insn.op === 'mret' || insn.op === 'sret')
  return {
    insn, length: insn.length, needs: needs(insn), csr, serializing: csr || trapReturn, trapReturn,
    wfi: insn._tag === 'System' && insn.op === 'wfi',
  }
}

/** The record of the instruction whose first parcel is the low 16 bits of `bits`. */
export const describe = (bits: number): Described => describeInsn(decodeInstruction(bits))
