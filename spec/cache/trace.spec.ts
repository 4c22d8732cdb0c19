// The trace decoders against records written out by hand (layouts from libCacheSim's readers and
// the MSR Cambridge trace description).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { blockIds, CSV_DEFAULTS, decodeCsvLine, decodeMsrLine, decodeOracleRecord, decodeTxtLine, encodeOracle, oracleId, oracleNext } from '../../src/cache/trace.ts'

test('txt: one decimal id per line; a blank line is skipped', () => {
  assert.equal(decodeTxtLine('42'), { _tag: 'Right', right: 42 })
  assert.equal(decodeTxtLine('  '), { _tag: 'Right', right: undefined })
})

test('txt: a non-numeric id is an error naming the value', () => {
  const r = decodeTxtLine('4x2')
  assert.ok(isLeft(r) && r.left.includes('"4x2"'))
})

test('txt: an id beyond 2^53 − 1 is refused rather than rounded', () => {
  assert.ok(isLeft(decodeTxtLine('9007199254740993')))
})

test('csv: obj-id-col is 1-based, the delimiter is configurable', () => {
  assert.equal(decodeCsvLine('7;123;x', { ...CSV_DEFAULTS, objIdCol: 2, delimiter: ';' }), { _tag: 'Right', right: 123 })
})

test('csv: a missing column names the column count', () => {
  const r = decodeCsvLine('1,2', { ...CSV_DEFAULTS, objIdCol: 3 })
  assert.ok(isLeft(r) && r.left.includes('2 columns'))
})

test('oracleGeneral: <uint32 time, uint64 id, uint32 size, int64 next> little-endian; next −1 = never', () => {
  const bytes = new Uint8Array([
    0x05, 0, 0, 0, //                 time 5
    0x34, 0x12, 0, 0, 0, 0, 0, 0, //  id 0x1234
    0x00, 0x10, 0, 0, //              size 4096
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // next −1
  ])
  const r = decodeOracleRecord(new DataView(bytes.buffer), 0)
  assert.equal(r, { _tag: 'Right', right: { time: 5, id: 0x1234, size: 4096, next: Infinity } })
})

test('oracleGeneral fast path: id and next read without BigInt agree with the record', () => {
  const dv = new DataView(encodeOracle([{ time: 0, id: 2 ** 40 + 3, size: 1, next: 2 ** 33 + 5 }, { time: 1, id: 9, size: 1, next: Infinity }]).buffer)
  assert.equal([oracleId(dv, 0), oracleNext(dv, 0), oracleId(dv, 24), oracleNext(dv, 24)], [2 ** 40 + 3, 2 ** 33 + 5, 9, Infinity])
})

test('oracleGeneral: encode is the inverse of decode', () => {
  const rec = { time: 1, id: 99, size: 1, next: 7 }
  const r = decodeOracleRecord(new DataView(encodeOracle([rec]).buffer), 0)
  assert.equal(r, { _tag: 'Right', right: rec })
})

test('msr: an I/O is split into the blocks its byte range touches', () => {
  // bytes 4000 .. 4000+8192−1 = 12191 with 4 KiB blocks touch blocks 0, 1, 2
  const r = decodeMsrLine('128166372003061629,hm,1,Read,4000,8192,1331', 4096)
  assert.ok(isRight(r))
  if (isRight(r)) {
    assert.is(r.right?.write, false)
    assert.equal(r.right === undefined ? [] : [...blockIds(r.right)], [2 ** 32 + 0, 2 ** 32 + 1, 2 ** 32 + 2])
    assert.is(r.right?.host, 'hm')
  }
})

test('msr: an I/O is a block range: 4 GiB in 4 KiB blocks is 2^20 consecutive ids, decoded at once', () => {
  // 2^32 bytes from offset 0 with 4 KiB blocks: blocks 0 .. 2^20 − 1 of disk 3 (ids 3·2^32 + b)
  const t0 = performance.now()
  const r = decodeMsrLine('1,hm,3,Write,0,4294967296,1', 4096)
  assert.ok(performance.now() - t0 < 100)
  assert.ok(isRight(r) && r.right !== undefined)
  if (isRight(r) && r.right !== undefined) {
    assert.is(r.right.firstBlock, 3 * 2 ** 32)
    assert.is(r.right.blockCount, 2 ** 20)
    const it = blockIds(r.right)
    assert.equal([it.next().value, it.next().value], [3 * 2 ** 32, 3 * 2 ** 32 + 1])
  }
})

test('msr: a 1 TiB I/O (2^28 blocks of 4 KiB, more than MAX_BLOCKS_PER_IO = 2^20) is refused as a size, at once', () => {
  const t0 = performance.now()
  const r = decodeMsrLine('1,hm,3,Write,0,1099511627776,1', 4096)
  assert.ok(performance.now() - t0 < 100)
  assert.ok(isLeft(r) && r.left.includes('268435456 blocks'))
  // one block more than the limit is refused; exactly the limit is not
  assert.ok(isLeft(decodeMsrLine(`1,hm,0,Read,0,${2 ** 20 * 512 + 1},1`, 512)))
  assert.ok(isRight(decodeMsrLine(`1,hm,0,Read,0,${2 ** 20 * 512},1`, 512)))
})

test('msr: Type must be Read or Write', () => {
  const r = decodeMsrLine('1,hm,0,Trim,0,512,1', 4096)
  assert.ok(isLeft(r) && r.left.includes('Type'))
})

test.run()
