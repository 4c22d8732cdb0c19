// The ELF64 loader against GNU readelf's view of golden/isa/tiny.elf (built by golden/isa/build.sh)
// and against hand-corrupted copies of it (System V gABI header layout: e_ident at 0, e_type at
// 0x10, e_machine at 0x12, e_phoff at 0x20; program headers of 56 bytes, p_offset at +8).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js'
import { some, none } from 'fp-ts/lib/Option.js'
import { parseElf, symbolAddress, spikeElfOptions, type Elf, type ElfError } from '../../src/elf/elf.ts'
import { decode } from '../../src/cpu/decode/index.ts'

const golden = (name: string): URL => new URL(`../../golden/isa/${name}`, import.meta.url)
const tiny: Uint8Array = new Uint8Array(readFileSync(fileURLToPath(golden('tiny.elf'))))
const tiny32: Uint8Array = new Uint8Array(readFileSync(fileURLToPath(golden('tiny32.elf'))))
const readelf = readFileSync(fileURLToPath(golden('tiny.readelf.txt')), 'utf8')

const ok = (r: Either<ElfError, Elf>): Elf => {
  if (isLeft(r)) throw new Error(`expected an ELF, got: ${r.left.message}`)
  return r.right
}
const err = (r: Either<ElfError, Elf>): ElfError => {
  if (isRight(r)) throw new Error('expected an ElfError')
  return r.left
}
/** A copy of tiny.elf with `patch` applied through a little-endian DataView. */
const corrupt = (patch: (v: DataView) => void, bytes: Uint8Array = tiny): Uint8Array => {
  const copy = bytes.slice()
  patch(new DataView(copy.buffer))
  return copy
}

// Expected values from readelf -h -l -s -W (golden/isa/tiny.readelf.txt).
const readelfEntry = BigInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(readelf)?.[1] ?? '-1')
const readelfLoads = [...readelf.matchAll(/^\s+LOAD\s+(0x\S+)\s+(0x\S+)\s+(0x\S+)\s+(0x\S+)\s+(0x\S+)\s+([RWE ]{3})\s*(0x\S+)$/gm)]
  .map((m) => ({
    vaddr: BigInt(m[2] ?? ''), paddr: BigInt(m[3] ?? ''), filesz: BigInt(m[4] ?? ''), memsz: BigInt(m[5] ?? ''),
    flags: ((m[6] ?? '').includes('R') ? 4 : 0) | ((m[6] ?? '').includes('W') ? 2 : 0) | ((m[6] ?? '').includes('E') ? 1 : 0),
  }))
const readelfSymbol = (name: string): bigint =>
  BigInt('0x' + (new RegExp(`^\\s+\\d+: ([0-9a-f]{16}) .* ${name}$`, 'm').exec(readelf)?.[1] ?? 'ffffffffffffffff'))

test('gABI ELF header: the entry point is e_entry (readelf: 0x80000000)', () => {
  assert.is(ok(parseElf(tiny)).entry, readelfEntry)
  assert.is(readelfEntry, 0x80000000n)
})

test('gABI program header: every PT_LOAD segment, and only those, with readelf\'s vaddr/paddr/filesz/memsz/flags', () => {
  const segs = ok(parseElf(tiny)).segments.map(({ vaddr, paddr, filesz, memsz, flags }) => ({ vaddr, paddr, filesz, memsz, flags }))
  assert.is(readelfLoads.length, 3)
  assert.equal(segs, readelfLoads)
})

test('a segment\'s data is its filesz bytes from the file (the .data dword 0x1122334455667788, little-endian)', () => {
  const data = ok(parseElf(tiny)).segments.find((s) => s.vaddr === 0x80002000n)
  assert.ok(data !== undefined)
  assert.is(data.data.length, 0x10)
  assert.equal([...data.data.slice(0, 8)], [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
})

test('the text segment begins with the auipc of `la t0, message`', () => {
  const text = ok(parseElf(tiny)).segments[0]
  assert.ok(text !== undefined)
  const word = new DataView(text.data.buffer, text.data.byteOffset).getUint32(0, true)
  assert.equal(decode(word), { _tag: 'U', op: 'auipc', length: 4, rd: 5, imm: 0x2000n })
})

test('HTIF: tohost and fromhost come from the symbol table (readelf: 0x80001000, 0x80001040)', () => {
  const elf = ok(parseElf(tiny))
  assert.equal(elf.tohost, some(readelfSymbol('tohost')))
  assert.equal(elf.fromhost, some(readelfSymbol('fromhost')))
  assert.equal(elf.tohost, some(0x80001000n))
  assert.equal(symbolAddress(elf, 'scratch'), some(readelfSymbol('scratch')))
  assert.equal(symbolAddress(elf, 'no_such_symbol'), none)
})

test('e_flags is kept (readelf: 0x1, RVC)', () => {
  assert.is(ok(parseElf(tiny)).flags, 1)
})

test('a stripped executable (no section headers) loads, with no tohost', () => {
  const stripped = corrupt((v) => { v.setBigUint64(0x28, 0n, true); v.setUint16(0x3c, 0, true) })
  const elf = ok(parseElf(stripped))
  assert.is(elf.segments.length, 3)
  assert.equal(elf.tohost, none)
})

test('ET_DYN is relocated by Spike\'s load offset DRAM_BASE = 0x80000000 (entry, segments, symbols)', () => {
  const dyn = corrupt((v) => v.setUint16(0x10, 3, true))
  const elf = ok(parseElf(dyn))
  assert.is(spikeElfOptions.dynLoadOffset, 0x80000000n)
  assert.is(elf.entry, 0x1_0000_0000n)
  assert.is(elf.segments[0]?.paddr, 0x1_0000_0000n)
  assert.equal(elf.tohost, some(0x1_0000_1000n))
  assert.is(ok(parseElf(dyn, { dynLoadOffset: 0n })).entry, 0x80000000n)
})

test('a PT_LOAD segment with p_memsz = 0 is skipped, as Spike does', () => {
  const elf = ok(parseElf(corrupt((v) => { v.setBigUint64(120 + 32, 0n, true); v.setBigUint64(120 + 40, 0n, true) })))
  assert.equal(elf.segments.map((s) => s.vaddr), [0x80001000n, 0x80002000n])
})

test('32-bit ELF (ELFCLASS32, tiny32.elf) → error at byte 4, EI_CLASS', () => {
  const e = err(parseElf(tiny32))
  assert.is(e.offset, 4)
  assert.is(e.field, 'e_ident[EI_CLASS]')
  assert.match(e.message, /^byte 4 \(e_ident\[EI_CLASS\]\): 32-bit/)
})

test('big-endian ELF (EI_DATA = ELFDATA2MSB) → error at byte 5', () => {
  const e = err(parseElf(corrupt((v) => v.setUint8(5, 2))))
  assert.is(e.offset, 5)
  assert.match(e.message, /big-endian/)
})

test('not RISC-V (e_machine = 62, x86-64) → error at byte 0x12 naming the machine', () => {
  const e = err(parseElf(corrupt((v) => v.setUint16(0x12, 62, true))))
  assert.is(e.offset, 0x12)
  assert.is(e.field, 'e_machine')
  assert.match(e.message, /machine 62/)
})

test('bad magic → error at byte 0', () => {
  const e = err(parseElf(corrupt((v) => v.setUint8(1, 0x58))))
  assert.is(e.offset, 0)
  assert.match(e.field, /EI_MAG/)
})

test('a relocatable object (e_type = ET_REL) → error at byte 0x10', () => {
  assert.is(err(parseElf(corrupt((v) => v.setUint16(0x10, 1, true)))).offset, 0x10)
})

test('truncated inside the ELF header → error at byte 0 saying how many bytes there are', () => {
  const e = err(parseElf(tiny.slice(0, 40)))
  assert.is(e.offset, 0)
  assert.match(e.message, /truncated.*64 bytes.*has 40/)
})

test('truncated inside segment 2\'s file image → error at that header\'s p_offset field (byte 64 + 2×56 + 8)', () => {
  const e = err(parseElf(tiny.slice(0, 0x150)))
  assert.is(e.offset, 184)
  assert.is(e.field, 'program header 2 p_offset')
})

test('a program header table past the end of the file → error at e_phoff (byte 0x20)', () => {
  assert.is(err(parseElf(corrupt((v) => v.setBigUint64(0x20, 0xffff_ffff_ffff_fff0n, true)))).offset, 0x20)
})

test('p_filesz larger than p_memsz → error at that p_filesz (byte 64 + 56 + 32)', () => {
  const e = err(parseElf(corrupt((v) => v.setBigUint64(120 + 32, 0x1000n, true))))
  assert.is(e.offset, 152)
})

test('no PT_LOAD segment → error at e_phnum', () => {
  const e = err(parseElf(corrupt((v) => { for (let i = 0; i < 4; i++) v.setUint32(64 + i * 56, 4, true) })))
  assert.is(e.offset, 0x38)
  assert.match(e.message, /no PT_LOAD/)
})

test('the loader never throws: every truncation and every single-byte change of the headers gives a value', () => {
  for (let n = 0; n <= tiny.length; n++) parseElf(tiny.slice(0, n))
  for (let at = 0; at < 0x120; at++) for (const b of [0x00, 0x01, 0x7f, 0x80, 0xff]) parseElf(corrupt((v) => v.setUint8(at, b)))
  const shoff = Number(new DataView(tiny.buffer, tiny.byteOffset).getBigUint64(0x28, true))
  for (let at = shoff; at < tiny.length; at++) for (const b of [0x00, 0xff]) parseElf(corrupt((v) => v.setUint8(at, b)))
})

test('every error message is one line that starts with the byte offset and field', () => {
  const bad = [tiny32, tiny.slice(0, 40), tiny.slice(0, 0x150), corrupt((v) => v.setUint16(0x12, 62, true))]
  for (const bytes of bad) {
    const e = err(parseElf(bytes))
    assert.ok(!e.message.includes('\n'))
    assert.ok(e.message.startsWith(`byte ${e.offset} (${e.field}): `), e.message)
  }
})

test('parsing does not mutate the input, and segment data is a copy', () => {
  const bytes = tiny.slice()
  const elf = ok(parseElf(bytes))
  assert.equal(bytes, tiny)
  bytes.fill(0)
  assert.is(elf.segments[0]?.data[0], tiny[0x120])
})

test.run()
