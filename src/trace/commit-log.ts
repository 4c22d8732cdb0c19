// Spike's commit log (`spike --log-commits`), byte for byte: riscv/execute.cc, commit_log_print_insn.
//   core   0: <priv> 0x<pc:16> (0x<insn:4|8>)[ x<rd> 0x<v:16>][ c<num>_<name> 0x<v:16>]...[ mem 0x<va:16>]...[ mem 0x<va:16> 0x<data>]...
// Register items come from a map keyed (reg << 4) | kind, so integer registers (kind 0) and CSRs
// (kind 4) print in ascending key order; x0 is never printed; loads print before stores; store data
// has the access width (2, 4, 8 or 16 hex digits). Trapping instructions print no line.
import { type StepEvent } from '../cpu/event.ts'
import { csrName } from '../cpu/decode/csr-names.ts'

const hex = (v: bigint, digits: number): string => '0x' + v.toString(16).padStart(digits, '0')

/** The commit-log line of one step (with its newline), or '' for a trap. */
export const commitLine = (ev: StepEvent): string => {
  if (ev._tag !== 'Retired') return ''
  let line = `core   0: ${ev.priv} ${hex(ev.pc, 16)} (${hex(BigInt(ev.bits), ev.length === 2 ? 4 : 8)})`
  const items: [number, string][] = []
  if (ev.rd !== 0) items.push([ev.rd << 4, ` x${String(ev.rd).padEnd(2)} ${hex(ev.rdValue, 16)}`])
  for (const [n, v] of ev.csrs) items.push([(n << 4) | 4, ` c${n}_${csrName(n)} ${hex(v, 16)}`])
  if (items.length > 1) items.sort((a, b) => a[0] - b[0])
  for (const [, text] of items) line += text
  for (const r of ev.loads) line += ` mem ${hex(r.va, 16)}`
  for (const w of ev.stores) line += ` mem ${hex(w.va, 16)} ${hex(w.value, w.size * 2)}`
  return line + '\n'
}
