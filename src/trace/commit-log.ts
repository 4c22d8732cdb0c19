// Spike's commit log (`spike --log-commits`), byte for byte: riscv/execute.cc, commit_log_print_insn.
//   core   0: <priv> 0x<pc:16> (0x<insn:4|8>)[ x<rd> 0x<v:16>][ c<num>_<name> 0x<v:16>]...[ mem 0x<va:16>]...[ mem 0x<va:16> 0x<data>]...
// Register items come from a map keyed (reg << 4) | kind, so integer registers (kind 0) and CSRs
// (kind 4) print in ascending key order; x0 is never printed; loads print before stores; store data
// has the access width (2, 4, 8 or 16 hex digits). Trapping instructions print no line.
import { type StepEvent } from '../cpu/event.ts'
import { csrName } from '../cpu/decode/csr-names.ts'

const nameOf = csrName

const hex = (v: bigint, digits: number): string => '0x' + v.toString(16).padStart(digits, '0')

/** The commit-log line of one step (with its newline), or '' for a trap. */
export const commitLine = (ev: StepEvent): string => {
  if (ev._tag !== 'Retired') return ''
  let line = `core   0: ${ev.priv} ${hex(ev.pc, 16)} (${hex(BigInt(ev.bits), ev.length === 2 ? 4 : 8)})`
  const items: [number, string][] = []
  if (ev.rd !== 0) items.push([ev.rd << 4, ` x${String(ev.rd).padEnd(2)} ${hex(ev.rdValue, 16)}`])
  for (const [n, v] of ev.csrs) items.push([(n << 4) | 4, ` c${n}_${nameOf(n)} ${hex(v, 16)}`])
  if (items.length > 1) items.sort((a, b) => a[0] - b[0])
  for (const [, text] of items) line += text
  for (const r of ev.loads) line += ` mem ${hex(r.va, 16)}`
  for (const w of ev.stores) line += ` mem ${hex(w.va, 16)} ${hex(w.value, w.size * 2)}`
  return line + '\n'
}

// ---- trap lines (what `spike -l` adds for a trap) ------------------------------------------------------

const TRAP_NAMES: Readonly<Record<string, string>> = {
  '0': 'instruction_address_misaligned', '1': 'instruction_access_fault', '2': 'illegal_instruction',
  '3': 'breakpoint', '4': 'load_address_misaligned', '5': 'load_access_fault', '6': 'store_address_misaligned',
  '7': 'store_access_fault', '8': 'user_ecall', '9': 'supervisor_ecall', '10': 'virtual_supervisor_ecall',
  '11': 'machine_ecall', '12': 'instruction_page_fault', '13': 'load_page_fault', '15': 'store_page_fault',
  '20': 'instruction_guest_page_fault', '21': 'load_guest_page_fault', '22': 'virtual_instruction',
  '23': 'store_guest_page_fault',
}
/** Exceptions that carry no tval in Spike (the environment calls): no `tval` line is printed. */
const NO_TVAL = new Set([8n, 9n, 10n, 11n])

/**
 * The lines `spike -l` prints when an exception is taken (processor_t::take_trap):
 * `core   0: exception trap_<name>, epc 0x<pc>` and, when the trap has one, `core   0:           tval 0x<tval>`.
 * Interrupts are printed as `interrupt #<code>`, as Spike's trap_t::name does.
 */
export const trapLines = (ev: StepEvent): string => {
  if (ev._tag !== 'Trapped') return ''
  const cause = ev.trap.cause
  const interrupt = cause >> 63n === 1n
  const code = cause & ((1n << 63n) - 1n)
  const name = interrupt ? `interrupt #${code}` : `trap_${TRAP_NAMES[String(code)] ?? `#${code}`}`
  let out = `core   0: exception ${name}, epc ${hex(ev.pc, 16)}\n`
  if (!interrupt && !NO_TVAL.has(code)) out += `core   0:           tval ${hex(ev.trap.tval, 16)}\n`
  return out
}
