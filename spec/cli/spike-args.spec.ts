// Spike's command-line conventions (src/cli/spike-args.ts), with expected values from riscv-isa-sim
// 55b4658: spike_main/spike.cc (parse_mem_layout, create_mem_region, merge_overlapping_memory_regions;
// numbers read by strtoull with base 0) and fesvr/htif.cc (the +signature plusargs).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PA_LIMIT, parseCNumber, parseMemLayout, plusArgs } from '../../src/cli/spike-args.ts'

const ram = (text: string): unknown => {
  const r = parseMemLayout(text)
  return r._tag === 'Right' ? r.right.ram : r.left
}

test('strtoull base 0: 0x is hexadecimal, a leading 0 octal, otherwise decimal', () => {
  assert.is(parseCNumber('2048'), 2048n)
  assert.is(parseCNumber('0x800'), 2048n)
  assert.is(parseCNumber('010'), 8n)
  assert.is(parseCNumber('0'), 0n)
  assert.is(parseCNumber('0xffffffffffffffff'), (1n << 64n) - 1n)
})

test('a number that is not whole, has a sign, or needs more than 64 bits is refused', () => {
  for (const bad of ['', '12k', '-1', '+1', '0x', '08', '0x10000000000000000', ' 1']) assert.is(parseCNumber(bad), undefined, bad)
})

test('spike.cc parse_mem_layout: a number alone is MiB at DRAM_BASE 0x8000_0000', () => {
  assert.equal(ram('2048'), [{ base: 0x8000_0000n, size: 0x8000_0000n }])
  assert.equal(ram('16'), [{ base: 0x8000_0000n, size: 0x100_0000n }])
  assert.equal(ram('0x10'), [{ base: 0x8000_0000n, size: 0x100_0000n }])
})

test('spike.cc create_mem_region: size 0 is not a supported region', () => {
  assert.type(ram('0'), 'string')
  assert.type(ram('0x80000000:0'), 'string')
})

test('spike.cc parse_mem_layout: base:size pairs separated by commas, each its own region', () => {
  assert.equal(ram('0x80000000:0x10000000,0x90000000:0x1000'), [
    { base: 0x8000_0000n, size: 0x1000_0000n },
    { base: 0x9000_0000n, size: 0x1000n },
  ])
})

test('spike.cc create_mem_region: base rounded down and size up to whole 4 KiB pages, with a warning', () => {
  // [0x1800, 0x1800 + 0x900) covers bytes 0x1800..0x20ff: pages 0x1000 and 0x2000.
  const r = parseMemLayout('0x1800:0x900')
  assert.equal(r._tag === 'Right' ? r.right.ram : r, [{ base: 0x1000n, size: 0x2000n }])
  assert.is(r._tag === 'Right' ? r.right.warnings.length : -1, 1)
  const aligned = parseMemLayout('0x80000000:0x1000')
  assert.is(aligned._tag === 'Right' ? aligned.right.warnings.length : -1, 0)
})

test('spike.cc merge_overlapping_memory_regions: sorted by base; overlapping regions become one', () => {
  assert.equal(ram('0x90000000:0x1000,0x80000000:0x2000'), [
    { base: 0x8000_0000n, size: 0x2000n },
    { base: 0x9000_0000n, size: 0x1000n },
  ])
  assert.equal(ram('0x80000000:0x3000,0x80002000:0x2000'), [{ base: 0x8000_0000n, size: 0x4000n }])
  // a region inside another adds nothing
  assert.equal(ram('0x80000000:0x4000,0x80001000:0x1000'), [{ base: 0x8000_0000n, size: 0x4000n }])
})

test('spike.cc check_mem_overlap: regions that only touch stay two regions', () => {
  assert.equal(ram('0x80000000:0x1000,0x80001000:0x1000'), [
    { base: 0x8000_0000n, size: 0x1000n },
    { base: 0x8000_1000n, size: 0x1000n },
  ])
})

test('malformed -m arguments are refused (Spike prints its help)', () => {
  for (const bad of ['', 'abc', '0x80000000:', ':0x1000', '0x80000000:0x1000,', '0x1000:0x1000:0x1000', '0x80000000-0x1000']) {
    assert.type(ram(bad), 'string', bad)
  }
})

test('RAM must end within the 56-bit physical address space', () => {
  assert.is(PA_LIMIT, 1n << 56n)
  assert.type(ram('0xfffffffffffff000:0x1000'), 'string')
  assert.equal(ram('0xfffffffffff000:0x1000'), [{ base: 0xff_ffff_ffff_f000n, size: 0x1000n }])
})

test('htif.cc: +signature=FILE and +signature-granularity=N may stand before or after the ELF', () => {
  assert.equal(plusArgs(['+signature=out.sig', 'test.elf']), { _tag: 'Right', right: { elf: 'test.elf', signature: 'out.sig' } })
  assert.equal(plusArgs(['test.elf', '+signature-granularity=4', '+signature=s']), { _tag: 'Right', right: { elf: 'test.elf', signature: 's', granularity: '4' } })
  assert.equal(plusArgs(['test.elf']), { _tag: 'Right', right: { elf: 'test.elf' } })
})

test('an unknown plusarg, no ELF, or two ELFs is an error', () => {
  assert.is(plusArgs(['+rfb', 'test.elf'])._tag, 'Left')
  assert.is(plusArgs(['+signature=s'])._tag, 'Left')
  assert.is(plusArgs(['a.elf', 'b.elf'])._tag, 'Left')
})

test.run()
