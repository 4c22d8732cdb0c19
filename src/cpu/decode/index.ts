// The instruction decoder of memvirt's CPU: 32-bit decode, RVC expansion, encode, disassembly.
// One entry point for a fetch: `decodeInstruction` takes the (up to) 32 bits read at pc.
import type { Insn } from './insn.ts'
import { decode } from './decode.ts'
import { expandCompressed, isCompressed } from './compressed.ts'

export * from './insn.ts'
export { decode } from './decode.ts'
export { expandCompressed, isCompressed } from './compressed.ts'
export { encode } from './encode.ts'
export { disassemble, ABI_NAMES } from './disassemble.ts'
export { csrName, CSR_NAMES } from './csr-names.ts'

/**
 * Decodes the instruction whose first parcel is the low 16 bits of `bits` (unprivileged ISA
 * §"Base Instruction-Length Encoding"): bits [1:0] ≠ 11 → a compressed instruction (length 2,
 * the upper 16 bits are ignored); otherwise the 32-bit word `bits` (length 4). Encodings longer
 * than 32 bits (bits [4:2] = 111) are illegal.
 * @example decodeInstruction(0x0000_4501).length === 2 // c.li a0, 0
 */
export const decodeInstruction = (bits: number): Insn =>
  isCompressed(bits) ? expandCompressed(bits & 0xffff) : decode(bits)
