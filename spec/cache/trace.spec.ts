// The trace decoders against records written out by hand (layouts from libCacheSim's readers and
// the MSR Cambridge trace description).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { CSV_DEFAULTS, decodeCsvLine, decodeMsrLine, decodeOracleRecord, decodeTxtLine, encodeOracle, forEachBlock, oracleId, oracleNext } from '../../src/cache/trace.ts'

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
    const blocks: number[] = []
    if (r.right !== undefined) forEachBlock(r.right, (b) => blocks.push(b))
    assert.equal(blocks, [2 ** 32 + 0, 2 ** 32 + 1, 2 ** 32 + 2])
    assert.is(r.right?.host, 'hm')
  }
})

test('msr: a 1 TiB I/O, the limit raised to 2^32, is a range of 2^28 blocks of 4 KiB, decoded at once (a size, not a list)', () => {
  // 2^40 bytes from offset 0 with 4 KiB blocks touch blocks 0 … 2^28 − 1 of disk 0
  const r = decodeMsrLine('1,hm,0,Read,0,1099511627776,1', 4096, 2 ** 32)
  assert.ok(isRight(r))
  if (isRight(r)) {
    assert.is(r.right?.firstBlock, 0)
    assert.is(r.right?.blockCount, 2 ** 28)
  }
})

test('msr: by default a request may span 2^18 blocks (1 GiB of 4 KiB blocks): exactly that is decoded, one block more is a Size error', () => {
  // 2^30 bytes from offset 0 touch blocks 0 … 2^18 − 1; from offset 1 they reach into block 2^18 as well
  const at = decodeMsrLine('1,hm,0,Read,0,1073741824,1', 4096)
  assert.ok(isRight(at) && at.right?.blockCount === 2 ** 18)
  const over = decodeMsrLine('1,hm,0,Read,1,1073741824,1', 4096)
  assert.equal(over, { _tag: 'Left', left: 'Size 1073741824 bytes from Offset 1 span 262145 blocks of 4096 bytes; a request may span at most 262144 (--max-request-blocks)' })
})

test('msr: Type must be Read or Write', () => {
  const r = decodeMsrLine('1,hm,0,Trim,0,512,1', 4096)
  assert.ok(isLeft(r) && r.left.includes('Type'))
})

test('msr: exactly seven fields, and Timestamp and ResponseTime are non-negative integers though not replayed (found in the fuzzer\'s accepted runs: a first line whose Timestamp was JSON, "3 0x1281…" or 1.5 was replayed)', () => {
  assert.equal(decodeMsrLine('128166372000120000,web,0,Read,45056,4096,500', 4096),
    { _tag: 'Right', right: { host: 'web', disk: 0, write: false, firstBlock: 11, blockCount: 1 } })
  assert.equal(decodeMsrLine('1.5,web,0,Read,45056,4096,500', 4096), { _tag: 'Left', left: 'Timestamp "1.5" is not a non-negative integer' })
  assert.equal(decodeMsrLine('3 0x1281,web,0,Read,45056,4096,500', 4096), { _tag: 'Left', left: 'Timestamp "3 0x1281" is not a non-negative integer' })
  assert.equal(decodeMsrLine('1,web,0,Read,45056,4096,fast', 4096), { _tag: 'Left', left: 'ResponseTime "fast" is not a non-negative integer' })
  assert.equal(decodeMsrLine('1,web,0,Read,45056,4096,500,9', 4096),
    { _tag: 'Left', left: 'has 8 fields, the MSR layout has 7 (Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime)' })
})

test.run()
