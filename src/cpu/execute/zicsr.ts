// Zicsr: CSRRW/CSRRS/CSRRC and their immediate forms. A CSRRS/CSRRC whose source is x0 (or 0) does not
// write; the permission check uses that (Spike's csrr*.h).
import { type Insn } from '../decode/index.ts'
import { csrDenial, csrRead, csrWrite } from '../csr/access.ts'
import { type Trap, illegalInstruction, virtualInstruction } from '../trap.ts'
import { type Exec, logCsr, writeRd } from '../exec.ts'

export const executeCsr = (e: Exec, insn: Extract<Insn, { _tag: 'Csr' | 'CsrI' }>): Trap | undefined => {
  const src = insn._tag === 'Csr' ? e.h.x[insn.rs1]! : BigInt(insn.uimm)
  const srcField = insn._tag === 'Csr' ? insn.rs1 : insn.uimm
  const kind = insn.op.startsWith('csrrw') ? 'w' : insn.op.startsWith('csrrs') ? 's' : 'c'
  const write = kind === 'w' || srcField !== 0
  const denial = csrDenial(e.h, e.isa, insn.csr, write)
  if (denial !== undefined) return denial === 'virtual' ? virtualInstruction(e.bits) : illegalInstruction(e.bits)
  const old = csrRead(e.h, e.isa, insn.csr)
  if (write) {
    const value = kind === 'w' ? src : kind === 's' ? old | src : old & ~src
    const w = csrWrite(e.h, e.isa, insn.csr, value)
    e.h = w.hart
    for (const n of w.logged) logCsr(e, n)
    if (w.values !== undefined) for (const [n, v] of w.values) (e.loggedValues ??= new Map()).set(n, v)
    e.wroteInstret ||= w.wroteInstret
    e.wroteCycle ||= w.wroteCycle
  }
  writeRd(e, insn.rd, old)
  return undefined
}
