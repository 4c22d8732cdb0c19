// Executing one decoded instruction (the dispatch), with RV64I/M and the control transfers here and the
// other extensions in their own files. Each returns the next pc or the trap the instruction raises; the
// effects go into the step's record (exec.ts).
import { u64, s64 } from '../../bits/bits.ts'
import { type Insn } from '../decode/index.ts'
import { type Trap, CAUSE, illegalInstruction, trap } from '../trap.ts'
import { type Exec, isTrap, writeRd } from '../exec.ts'
import { load, store } from '../memory-access.ts'
import { M32, alu, extendLoad, i32, loadSize, storeSize, w32 } from './alu.ts'
import { executeAmo } from './atomic.ts'
import { executeCsr } from './zicsr.ts'
import { executeFenceVma, executeHypervisorAccess, executeSystem } from './privileged.ts'

// ---- jumps ---------------------------------------------------------------------------------------------

/** A control transfer: without C a target that is not 4-byte aligned traps (cause 0, tval = target). */
export const jumpTarget = (e: Exec, target: bigint): bigint | Trap =>
  !e.isa.c && (target & 2n) !== 0n ? trap(CAUSE.misalignedFetch, target, e.h.virt) : target


// ---- execute ---------------------------------------------------------------------------------------------

/**
 * Executes one decoded instruction: the next pc, or the trap it raises. `length` is insn.length (the
 * caller has it at hand; reading it from the union here is a slow polymorphic load).
 */
export const execute = (e: Exec, insn: Insn, length: 2 | 4 = insn.length): bigint | Trap => {
  const x = e.h.x
  const pc = e.pc
  const next = u64(pc + (length === 2 ? 2n : 4n))
  switch (insn._tag) {
    case 'R':
      writeRd(e, insn.rd, alu(insn.op, x[insn.rs1]!, x[insn.rs2]!))
      return next
    case 'I': {
      const a = x[insn.rs1]!
      switch (insn.op) {
        case 'addi': writeRd(e, insn.rd, u64(a + insn.imm)); return next
        case 'slti': writeRd(e, insn.rd, s64(a) < insn.imm ? 1n : 0n); return next
        case 'sltiu': writeRd(e, insn.rd, a < u64(insn.imm) ? 1n : 0n); return next
        case 'xori': writeRd(e, insn.rd, a ^ u64(insn.imm)); return next
        case 'ori': writeRd(e, insn.rd, a | u64(insn.imm)); return next
        case 'andi': writeRd(e, insn.rd, a & u64(insn.imm)); return next
        case 'addiw': writeRd(e, insn.rd, w32(a + insn.imm)); return next
        case 'jalr': {
          const target = jumpTarget(e, u64(a + insn.imm) & ~1n)
          if (isTrap(target)) return target
          writeRd(e, insn.rd, next)
          return target
        }
        default: {
          const v = load(e, u64(a + insn.imm), loadSize(insn.op))
          if (isTrap(v)) return v
          writeRd(e, insn.rd, extendLoad(insn.op, v))
          return next
        }
      }
    }
    case 'Shift': {
      const a = x[insn.rs1]!
      const s = BigInt(insn.shamt)
      switch (insn.op) {
        case 'slli': writeRd(e, insn.rd, u64(a << s)); break
        case 'srli': writeRd(e, insn.rd, a >> s); break
        case 'srai': writeRd(e, insn.rd, u64(s64(a) >> s)); break
        case 'slliw': writeRd(e, insn.rd, w32(a << s)); break
        case 'srliw': writeRd(e, insn.rd, w32((a & M32) >> s)); break
        case 'sraiw': writeRd(e, insn.rd, w32(i32(a) >> s)); break
      }
      return next
    }
    case 'S': {
      const t = store(e, u64(x[insn.rs1]! + insn.imm), storeSize(insn.op), x[insn.rs2]!)
      return t ?? next
    }
    case 'B': {
      const a = x[insn.rs1]!, b = x[insn.rs2]!
      let taken: boolean
      switch (insn.op) {
        case 'beq': taken = a === b; break
        case 'bne': taken = a !== b; break
        case 'blt': taken = s64(a) < s64(b); break
        case 'bge': taken = s64(a) >= s64(b); break
        case 'bltu': taken = a < b; break
        case 'bgeu': taken = a >= b; break
      }
      return taken ? jumpTarget(e, u64(pc + insn.imm)) : next
    }
    case 'U':
      writeRd(e, insn.rd, insn.op === 'lui' ? u64(insn.imm) : u64(pc + insn.imm))
      return next
    case 'J': {
      const target = jumpTarget(e, u64(pc + insn.imm))
      if (isTrap(target)) return target
      writeRd(e, insn.rd, next)
      return target
    }
    case 'Fence': return next
    case 'Amo': return executeAmo(e, insn.op, insn.rd, x[insn.rs1]!, x[insn.rs2]!) ?? next
    case 'Csr': case 'CsrI': return executeCsr(e, insn) ?? next
    case 'System': return executeSystem(e, insn.op, next)
    case 'FenceVma': return executeFenceVma(e, insn.op, insn.rs1, insn.rs2) ?? next
    case 'Hlv': case 'Hsv': return executeHypervisorAccess(e, insn) ?? next
    case 'Illegal': return illegalInstruction(insn.bits)
  }
}
