// Reading QEMU's CPU log of a RISC-V run (`qemu-system-riscv64 -d in_asm,cpu -singlestep -d nochain`): the
// register state QEMU prints before it executes each translation block (with -singlestep, each
// instruction), and the disassembly of blocks as it translates them. Format read from real logs of
// QEMU 7.2 (target/riscv/cpu.c riscv_cpu_dump_state; accel/tcg in_asm): golden/trace/qemu/.
import { type Either, left, right } from 'fp-ts/lib/Either.js'

/** The hart's state before one instruction, as QEMU printed it. */
export interface QemuState {
  /** The log line (1-based) of the state's ` pc` line. */
  readonly line: number
  readonly pc: bigint
  /** x0–x31. */
  readonly x: readonly bigint[]
  /** The CSRs the dump lists (mstatus, mepc, mcause, satp, …) by QEMU's names, and `V` (virtualization). */
  readonly csrs: ReadonlyMap<string, bigint>
}

/** A line that is not QEMU's log format, with its number and what was expected. */
export interface QemuLogError {
  readonly line: number
  readonly message: string
}

const HEX16 = /^[0-9a-f]{1,16}$/
/** ` x12/a2   0000000000001028 x13/a3   …`: up to four registers to a line. */
const GPR = /x(\d+)\/[a-z0-9]+\s+([0-9a-f]{16})/g
const GPR_LINE = /^ x\d+\/[a-z0-9]+\s+[0-9a-f]{16}/
const FPR_LINE = /^ f\d+\/[a-z0-9]+\s+[0-9a-f]{16}/
const CSR_LINE = /^ ([a-z][a-z0-9]*)\s+([0-9a-f]{1,16})$/
const V_LINE = /^ V\s+=\s+([01])$/

type Mode = 'between' | 'in_asm' | 'dump'

/**
 * The states of a QEMU log, in order, read from its lines (without newlines) lazily; a line of no known
 * kind ends the sequence with an error. Translation blocks (`IN:` … blank line) are skipped: the
 * disassembly is printed once per translation, the state at every execution.
 *
 * @example
 * // ' pc       0000000080000000', CSR lines, then eight lines ' x0/zero  0000000000000000 x1/ra …'
 * qemuStates(lines).next().value // right({ line: 7, pc: 0x80000000n, x: [0n, …], csrs: Map { 'mstatus' => … } })
 */
export function* qemuStates(lines: Iterator<string>): Generator<Either<QemuLogError, QemuState>, void, undefined> {
  let mode: Mode = 'between'
  let lineNo = 0
  let pcLine = 0
  let pc = 0n
  let x: bigint[] = []
  let csrs = new Map<string, bigint>()
  for (;;) {
    const r = lines.next()
    if (r.done === true) break
    lineNo++
    const text = r.value.endsWith('\r') ? r.value.slice(0, -1) : r.value
    if (mode === 'in_asm') {
      if (text.trim() === '') mode = 'between'       // the disassembly ends at a blank line
      continue
    }
    if (text === '----------------' || text.trim() === '') continue
    if (text === 'IN: ' || text === 'IN:') { mode = 'in_asm'; continue }
    const v = V_LINE.exec(text)
    if (v !== null) { csrs = new Map([['V', BigInt(v[1]!)]]); continue }
    if (text.startsWith(' pc ')) {
      const hex = text.slice(4).trim()
      if (!HEX16.test(hex)) { yield left({ line: lineNo, message: 'expected " pc" and 16 hex digits' }); return }
      if (mode === 'dump') { yield left({ line: lineNo, message: 'a new state begins before the last one listed x31' }); return }
      mode = 'dump'
      pcLine = lineNo
      pc = BigInt('0x' + hex)
      x = new Array<bigint>(32).fill(0n)
      continue
    }
    if (mode === 'dump' && GPR_LINE.test(text)) {
      for (const m of text.matchAll(GPR)) {
        const n = Number(m[1])
        if (n > 31) { yield left({ line: lineNo, message: `no register x${n}` }); return }
        x[n] = BigInt('0x' + m[2]!)
        if (n === 31) {
          yield right({ line: pcLine, pc, x, csrs })
          mode = 'between'
          csrs = new Map()
        }
      }
      continue
    }
    if (FPR_LINE.test(text)) continue                // F/D registers: not modelled
    const csr = CSR_LINE.exec(text)
    if (mode === 'dump' && csr !== null) { csrs.set(csr[1]!, BigInt('0x' + csr[2]!)); continue }
    yield left({ line: lineNo, message: 'expected QEMU\'s -d in_asm,cpu log: an IN: block, a " pc" line, CSR lines or x0–x31 lines' })
    return
  }
  if (mode === 'dump') yield left({ line: lineNo, message: 'the log ends inside a state (before x31)' })
}
