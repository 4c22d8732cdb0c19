// The txt trace's chunk decoder (`decodeTxtChunk` driven by `forEachTxtChunk`, the loop the shell reads files with) reads
// the same ids and reports the same first error as the readable line-by-line decoding
// (`decodeTxtLine` on each LF-terminated line, CR dropped), wherever the file is cut into chunks.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { isLeft } from '../../src/bits/either.ts'
import { decodeTxtLine, forEachTxtChunk } from '../../src/cache/trace.ts'

// the readable version: split into lines as src/cli/cache.ts's forEachLine does
const byLines = (text: string): { ids: number[]; error?: string } => {
  const ids: number[] = []
  const parts = text.split('\n')
  const lines = parts.slice(0, -1).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
  const rest = parts[parts.length - 1] as string
  if (rest !== '') lines.push(rest)
  for (let i = 0; i < lines.length; i++) {
    const r = decodeTxtLine(lines[i] as string)
    if (isLeft(r)) return { ids, error: `line ${i + 1}: ${r.left}` }
    if (r.right !== undefined) ids.push(r.right)
  }
  return { ids }
}

// the fast version, fed through a buffer of `room` bytes by the loop the shell reads files with
const byChunks = (bytes: Uint8Array, room: number): { ids: number[]; error?: string } => {
  const ids: number[] = []
  let at = 0
  const r = forEachTxtChunk((buf, offset, length) => {
    const n = Math.min(length, bytes.length - at)
    buf.set(bytes.subarray(at, at + n), offset)
    at += n
    return n
  }, room, (id) => ids.push(id))
  return isLeft(r) ? { ids, error: r.left } : { ids }
}

// lines mostly of digits (long and short, leading zeros), with blanks, spaces, CRs, letters, signs
const arbLine = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[0-9]{1,18}$/) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r', ' 12 ', '0x1f', '-3', '1e3', '9007199254740991', '9007199254740992', '000000000000000123') },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('1', '7', ' ', '\r', '\t', 'a', '+', 'é') }) },
)
const arbFile = fc.tuple(fc.array(arbLine, { maxLength: 60 }), fc.constantFrom('', '\n', '\r\n'), fc.boolean())
  .map(([lines, last, crlf]) => lines.join(crlf ? '\r\n' : '\n') + last)

test('txt: decodeTxtChunk ≡ decodeTxtLine line by line, for every chunk size', () => {
  fc.assert(fc.property(arbFile, fc.integer({ min: 1, max: 64 }), (text, room) => {
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff)
    const latin1 = String.fromCharCode(...bytes)
    assert.equal(byChunks(bytes, room), byLines(latin1))
  }), { numRuns: runs(1000) })
})

test.run()
