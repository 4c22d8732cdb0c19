// The test signature a RISC-V compliance run leaves behind: the bytes of RAM between the ELF symbols
// `begin_signature` and `end_signature`, dumped by the host when the program exits (Spike's
// `+signature=FILE`, `+signature-granularity=N`; the format read from riscv-isa-sim's fesvr/htif.cc).
import { type Either, left, right } from '../bits/either.ts'
import { phys } from '../bits/address.ts'
import { type PhysMemory, peek } from '../memory/memory.ts'
import { type Elf } from '../elf/elf.ts'
import { type RamRegion, coveredByRam } from './machine.ts'

/** Spike's default signature granularity: 16 bytes to a line. */
export const SPIKE_SIGNATURE_GRANULARITY = 16

/** Where the signature lies: `length` bytes from `begin`. */
export interface SignatureRegion {
  readonly begin: bigint
  readonly length: bigint
}

/**
 * The signature region an ELF names: from `begin_signature` up to (not including) `end_signature`. An
 * error (a string) when either symbol is missing, the end lies below the beginning, or the region does
 * not lie wholly in RAM (the host reads it through its memory interface, which knows RAM).
 *
 * @example
 * signatureRegion(elf, ram) // right({ begin: 0x80002000n, length: 16n })
 */
export const signatureRegion = (elf: Elf, ram: readonly RamRegion[]): Either<string, SignatureRegion> => {
  const begin = elf.symbols.get('begin_signature')
  const end = elf.symbols.get('end_signature')
  if (begin === undefined || end === undefined) return left('the ELF has no begin_signature/end_signature symbols')
  if (end.value < begin.value) return left(`end_signature (0x${end.value.toString(16)}) lies below begin_signature (0x${begin.value.toString(16)})`)
  const length = end.value - begin.value
  if (length > 0n && !coveredByRam(ram, begin.value, length)) {
    return left(`the signature [0x${begin.value.toString(16)}, 0x${end.value.toString(16)}) does not lie inside RAM`)
  }
  return right({ begin: begin.value, length })
}

const hex2 = (b: bigint): string => b.toString(16).padStart(2, '0')

/**
 * The signature file's text, as Spike writes it: one line per `granularity` bytes, each line the bytes of
 * its group from the highest address down to the lowest (so a group reads as one little-endian number),
 * two lower-case hex digits per byte, `00` for the bytes of the last group that lie past the end, every
 * line ending in a newline. An empty region gives an empty text.
 *
 * @example
 * // bytes 01 02 03 04 05 at begin, granularity 4:
 * signatureText(memory, { begin, length: 5n }, 4) // '04030201\n00000005\n'
 */
export const signatureText = (memory: PhysMemory, region: SignatureRegion, granularity: number): string => {
  const g = BigInt(granularity)
  const lines: string[] = []
  for (let i = 0n; i < region.length; i += g) {
    let line = ''
    for (let j = g; j > 0n; j--) line += i + j <= region.length ? hex2(peek(memory, phys(region.begin + i + j - 1n), 1)) : '00'
    lines.push(line + '\n')
  }
  return lines.join('')
}
