// Symbol lookup for introspection: names from the ELF's symbol table (System V gABI "Symbol Table")
// to addresses and back, and the address expressions the introspect command and the GDB monitor take
// (`0x80001000`, `page0`, `page0+8`). Pure; the ELF was decoded once at the edge (src/elf/elf.ts).
import { type Either, left, right } from '../../bits/either.ts'
import { type Elf, type ElfSymbol } from '../../elf/elf.ts'
import { type IntrospectError, introspectError } from './memory.ts'

const STT_SECTION = 3
const STT_FILE = 4

/** The symbol called `name`. */
export const symbolNamed = (elf: Elf, name: string): Either<IntrospectError, ElfSymbol> => {
  const s = elf.symbols.get(name)
  return s === undefined ? left(introspectError(`unknown symbol "${name}"`)) : right(s)
}

/**
 * The symbol an address lies in or after: the one with the greatest value ≤ address (section and file
 * symbols aside; of equal values the first name in table order), with the offset from it.
 */
export const symbolAt = (elf: Elf, address: bigint): { symbol: ElfSymbol; offset: bigint } | undefined => {
  let best: ElfSymbol | undefined
  for (const s of elf.symbols.values()) {
    if (s.type === STT_SECTION || s.type === STT_FILE || s.name === '' || s.value > address) continue
    if (best === undefined || s.value > best.value) best = s
  }
  return best === undefined ? undefined : { symbol: best, offset: address - best.value }
}

/** `name+0x10` or `name` for an address, or undefined without a symbol at or below it. */
export const symbolText = (elf: Elf, address: bigint): string | undefined => {
  const s = symbolAt(elf, address)
  if (s === undefined) return undefined
  return s.offset === 0n ? s.symbol.name : `${s.symbol.name}+0x${s.offset.toString(16)}`
}

const NUMBER = /^(0x[0-9a-f_]+|[0-9][0-9_]*)$/i

/** A number in hex (0x…) or decimal, underscores allowed between digits. */
export const parseNumber = (text: string): bigint | undefined => {
  if (!NUMBER.test(text)) return undefined
  try { return BigInt(text.replaceAll('_', '')) } catch { return undefined }
}

/**
 * An address expression: a number, a symbol, or a symbol plus or minus a number.
 * @example resolveAddress(elf, 'page0+8') // right(page0's value + 8)
 */
export const resolveAddress = (elf: Elf | undefined, text: string): Either<IntrospectError, bigint> => {
  const n = parseNumber(text)
  if (n !== undefined) return n < 1n << 64n ? right(n) : left(introspectError(`address ${text} does not fit 64 bits`))
  const m = /^([A-Za-z_.$][\w.$]*)\s*(?:([+-])\s*(\S+))?$/.exec(text)
  if (m === null) return left(introspectError(`not an address or symbol: "${text}"`))
  if (elf === undefined) return left(introspectError(`no symbol table to look up "${m[1]}" in`))
  const s = symbolNamed(elf, m[1]!)
  if (s._tag === 'Left') return s
  if (m[2] === undefined) return right(s.right.value)
  const off = parseNumber(m[3]!)
  if (off === undefined) return left(introspectError(`bad offset "${m[3]}" in "${text}"`))
  const a = m[2] === '+' ? s.right.value + off : s.right.value - off
  return a < 0n || a >= 1n << 64n ? left(introspectError(`address ${text} leaves the 64-bit address space`)) : right(a)
}
