// Golden decode test: every word in encodings.txt (assembled from encodings.S by GNU as 2.40) is
// decoded and disassembled, and must read as GNU objdump 2.40 printed it, after normalizing the
// few places where objdump's spelling differs from the spec's (see `normalizeObjdump`).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decodeInstruction, disassemble, encode, isIllegal } from '../../src/cpu/decode/index.ts'

type Line = { readonly addr: bigint; readonly hexWord: string; readonly objdump: string }

const lines: readonly Line[] = readFileSync(fileURLToPath(new URL('./encodings.txt', import.meta.url)), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => {
    const [addr = '', hexWord = '', ...text] = l.split('\t')
    return { addr: BigInt('0x' + addr), hexWord, objdump: text.join('\t') }
  })

/** CSRs binutils 2.40 does not name (it prints their number); names from the privileged spec's CSR tables. */
const CSRS_UNNAMED_BY_BINUTILS: Readonly<Record<string, string>> = {
  '0x10a': 'senvcfg', '0x30a': 'menvcfg', '0x34a': 'mtinst', '0x34b': 'mtval2',
}
const IMMEDIATE = /^(-?\d+|0x[0-9a-f]+)$/
const REG_MNEMONICS_USED_FOR_IMMEDIATES = new Set(['add', 'sll', 'srl', 'sra', 'xor', 'or', 'and', 'addw', 'sllw', 'srlw', 'sraw', 'csrrw', 'csrrs', 'csrrc', 'csrw', 'csrs', 'csrc'])

/**
 * objdump's text → the spec's spelling: drop symbol annotations and comments; an immediate
 * operation printed under its register mnemonic (`add a0,a1,5`, `csrrs a0,sstatus,0`) gets its
 * `i`; zext.b is andi 255; compressed HINT spellings become their expansion; an empty fence set is 0.
 */
function normalizeObjdump(text: string): string {
  const t = text.replace(/\s*#.*$/, '').replace(/\s*<[^>]*>/, '')
  const [mnemonic = '', operandText = ''] = t.split('\t')
  const ops = operandText === '' ? [] : operandText.split(',').map((o) => CSRS_UNNAMED_BY_BINUTILS[o] ?? o.replace('unknown', '0'))
  const join = (m: string, o: readonly string[]): string => (o.length === 0 ? m : `${m}\t${o.join(',')}`)
  const last = ops[ops.length - 1] ?? ''
  if (REG_MNEMONICS_USED_FOR_IMMEDIATES.has(mnemonic) && IMMEDIATE.test(last)) {
    // addw → addiw, sllw → slliw: the i goes before the W suffix of the RV64 word forms.
    return join(mnemonic.endsWith('w') && !mnemonic.startsWith('csr') ? mnemonic.slice(0, -1) + 'iw' : mnemonic + 'i', ops)
  }
  if (mnemonic === 'zext.b') return join('andi', [...ops, '255'])
  if (mnemonic === 'c.nop') return join('li', ['zero', ...ops])
  if (mnemonic === 'c.li') return join('li', ops)
  const hint64 = /^c\.(slli|srli|srai)64$/.exec(mnemonic)
  if (hint64 !== null) return join(hint64[1] ?? '', [ops[0] ?? '', ops[0] ?? '', '0x0'])
  if (mnemonic === 'fence' && ops.join(',') === 'w,0') return 'pause'
  return join(mnemonic, ops)
}

test('encodings.txt holds the expected number of assembled instructions', () => {
  assert.ok(lines.length >= 300, `only ${lines.length} lines`)
})

test('every assembled encoding decodes to a legal instruction that disassembles as objdump printed it', () => {
  const mismatches: string[] = []
  for (const { addr, hexWord, objdump } of lines) {
    const insn = decodeInstruction(parseInt(hexWord, 16))
    const expected = normalizeObjdump(objdump)
    const actual = isIllegal(insn) ? `illegal ${hexWord}` : disassemble(insn, addr)
    if (actual !== expected) mismatches.push(`${addr.toString(16)} ${hexWord}: expected "${expected}", got "${actual}"`)
  }
  assert.equal(mismatches, [])
})

test('instruction length follows bits [1:0] of the first parcel (4 hex digits = compressed)', () => {
  for (const { hexWord } of lines) assert.is(decodeInstruction(parseInt(hexWord, 16)).length, hexWord.length === 4 ? 2 : 4, hexWord)
})

test('every assembled 32-bit word re-encodes to itself', () => {
  for (const { hexWord } of lines) {
    if (hexWord.length !== 8) continue
    assert.is(encode(decodeInstruction(parseInt(hexWord, 16))).toString(16).padStart(8, '0'), hexWord)
  }
})

test.run()
