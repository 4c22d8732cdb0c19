// The decode memos of the engines: decodeInstruction and describe (src/cpu/decode/) remembered by
// instruction word. Decoding is a pure function of the word, so a memo changes no result.
import { type Insn, decodeInstruction } from '../index.ts'
import { type Described, describeInsn } from '../described.ts'

const decoded = new Map<number, Insn>()

/** decodeInstruction, memoised by word (cleared when it passes 2^16 words). */
export const decodeMemo = (bits: number): Insn => {
  let insn = decoded.get(bits)
  if (insn === undefined) {
    insn = decodeInstruction(bits)
    if (decoded.size > 1 << 16) decoded.clear()
    decoded.set(bits, insn)
  }
  return insn
}

// A direct-mapped memo of DESCRIBED_SLOTS entries, indexed by a hash of the word and checked against it:
// cheaper than a Map lookup, and a loop's instructions rarely collide.
const DESCRIBED_SLOTS = 1 << 12
const slotWords = new Int32Array(DESCRIBED_SLOTS)               // the word (as int32) whose record slotDescribed holds
const slotDescribed: (Described | undefined)[] = new Array<Described | undefined>(DESCRIBED_SLOTS).fill(undefined)

/** describe, memoised by word. */
export const describeMemo = (bits: number): Described => {
  const i = (bits ^ (bits >>> 12) ^ (bits >>> 20)) & (DESCRIBED_SLOTS - 1)
  const d = slotDescribed[i]
  if (d !== undefined && slotWords[i] === (bits | 0)) return d
  const fresh = describeInsn(decodeMemo(bits))
  slotWords[i] = bits | 0
  slotDescribed[i] = fresh
  return fresh
}
