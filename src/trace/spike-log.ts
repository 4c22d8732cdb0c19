// Reading Spike's logs: the lines `spike --log-commits` writes for each retired instruction, and the
// lines `spike -l` adds (the fetched instruction with its disassembly, symbol labels, exceptions).
// Formats read from riscv-isa-sim 55b4658: riscv/execute.cc (commit_log_print_insn, the -l fetch line
// and label), riscv/processor.cc (processor_t::take_trap: the exception and tval lines).
import { type Either, left, right } from '../bits/either.ts'

/**
 * One item of a commit line: a register or CSR write (`x5 0x…`, `c768_mstatus 0x…`) or a memory access
 * (`mem 0x<va>` for a load, `mem 0x<va> 0x<data>` for a store). Values keep the digits Spike printed
 * (in lower case), so the width of store data (the access size) takes part in comparisons.
 */
export interface CommitItem {
  readonly name: string
  readonly values: readonly string[]
}

/** A retired instruction: `core   0: <priv> 0x<pc> (0x<insn>) items…` */
export interface CommitLine {
  readonly _tag: 'Commit'
  readonly hart: number
  /** Spike's privilege number (3 = M, 1 = S/HS/VS, 0 = U/VU), as printed. */
  readonly priv: string
  readonly pc: string
  readonly insn: string
  readonly items: readonly CommitItem[]
}

/**
 * A line that says nothing about what retired: `spike -l`'s fetch line with disassembly
 * (`core   0: 0x<pc> (0x<insn>) disasm`), a symbol label (`core   0: >>>>  name`), an exception
 * (`core   0: exception trap_<name>, epc 0x…`) and its `tval` line, or an empty line.
 */
export interface OtherLine {
  readonly _tag: 'Fetch' | 'Label' | 'Exception' | 'Tval' | 'Blank'
  readonly hart: number
}

export type SpikeLine = CommitLine | OtherLine

const HEX = /^0x[0-9a-fA-F]+$/
const PREFIX = /^core\s+(\d+): /
const COMMIT_HEAD = /^([0-3]) (0x[0-9a-fA-F]+) \((0x[0-9a-fA-F]+)\)(?: |$)/
const FETCH_HEAD = /^0x[0-9a-fA-F]+ \(0x[0-9a-fA-F]+\)(?: |$)/

const other = (tag: OtherLine['_tag'], hart: number): OtherLine => ({ _tag: tag, hart })

/**
 * The items after a commit line's head: a name, then the values that belong to it. `mem` takes one
 * value (a load) or two (a store); every other name takes exactly one.
 */
const parseItems = (text: string): Either<string, CommitItem[]> => {
  const tokens = text.split(/\s+/).filter((w) => w !== '')
  const items: CommitItem[] = []
  let i = 0
  while (i < tokens.length) {
    const name = tokens[i]!
    if (HEX.test(name)) return left(`a value ${name} that follows no item name`)
    const values: string[] = []
    i++
    while (i < tokens.length && HEX.test(tokens[i]!)) values.push(tokens[i++]!.toLowerCase())
    const expected = name === 'mem' ? [1, 2] : [1]
    if (!expected.includes(values.length)) {
      return left(`item "${name}" has ${values.length} value${values.length === 1 ? '' : 's'} (expected ${name === 'mem' ? '1 or 2' : '1'})`)
    }
    items.push({ name, values })
  }
  return right(items)
}

/**
 * Classifies one line of a Spike log (without its newline). A line of no known kind is an error that
 * says what was expected.
 *
 * @example
 * parseSpikeLine('core   0: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000')
 * // right({ _tag: 'Commit', hart: 0, priv: '3', pc: '0x0000000000001000', insn: '0x00000297',
 * //         items: [{ name: 'x5', values: ['0x0000000000001000'] }] })
 */
export const parseSpikeLine = (line: string): Either<string, SpikeLine> => {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line
  if (text.trim() === '') return right(other('Blank', 0))
  const prefix = PREFIX.exec(text)
  if (prefix === null) return left('expected a Spike log line starting "core   0: "')
  const hart = Number(prefix[1])
  const rest = text.slice(prefix[0].length)
  const head = COMMIT_HEAD.exec(rest)
  if (head !== null) {
    const items = parseItems(rest.slice(head[0].length))
    if (items._tag === 'Left') return items
    return right({ _tag: 'Commit', hart, priv: head[1]!, pc: head[2]!.toLowerCase(), insn: head[3]!.toLowerCase(), items: items.right })
  }
  if (FETCH_HEAD.test(rest)) return right(other('Fetch', hart))
  if (rest.startsWith('>>>>')) return right(other('Label', hart))
  if (/^exception .+, epc 0x[0-9a-fA-F]+$/.test(rest)) return right(other('Exception', hart))
  if (/^\s+tval 0x[0-9a-fA-F]+$/.test(rest)) return right(other('Tval', hart))
  return left('expected a commit line "<priv> 0x<pc> (0x<insn>) items", a -l fetch line, a label, or an exception/tval line')
}
