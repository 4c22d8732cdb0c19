// Priv. ISA, "Physical Memory Protection" (address matching, priority, the lock bit, CSR
// legalization), with Spike's choices: 16 entries, 4-byte granularity, reset = entry 0 NAPOT RWX.
// Every address below is worked out by hand from the pmpaddr encoding (address >> 2).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import {
  PMP_L, PMP_NA4, PMP_NAPOT, PMP_R, PMP_TOR, PMP_W, PMP_X, type Pmp,
  pmpAllows, pmpForPageTables, pmpMatch, readPmpaddr, readPmpcfg, resetPmp, writePmpaddr, writePmpcfg,
} from '../../src/memory/pmp.ts'

/** A PMP from per-entry [cfg, pmpaddr] pairs; unlisted entries are OFF. */
const pmpOf = (set: Record<number, readonly [number, bigint]>): Pmp => ({
  pmpcfg: Array.from({ length: 16 }, (_, i) => set[i]?.[0] ?? 0),
  pmpaddr: Array.from({ length: 16 }, (_, i) => set[i]?.[1] ?? 0n),
})
const off: Pmp = pmpOf({})
const with0 = (cfg: number, addr: bigint): Pmp => pmpOf({ 0: [cfg, addr] })

test('Reset (Spike): entry 0 is NAPOT over all memory with R W X, so S and U may access anything', () => {
  const p = resetPmp()
  assert.ok(pmpAllows(p, 0x8000_0000n, 8, 'store', 'U'))
  assert.ok(pmpAllows(p, 0x0n, 4, 'fetch', 'S'))
  assert.is(readPmpcfg(p, 0), 0x1fn)
  assert.is(readPmpaddr(p, 0), (1n << 54n) - 1n)
})

test('No entry matches: M-mode is allowed, S- and U-mode are not', () => {
  assert.ok(pmpAllows(off, 0x8000_0000n, 8, 'load', 'M'))
  assert.not.ok(pmpAllows(off, 0x8000_0000n, 8, 'load', 'S'))
  assert.not.ok(pmpAllows(off, 0x8000_0000n, 8, 'fetch', 'U'))
})

test('TOR, entry 0: the range is [0, pmpaddr0 << 2)', () => {
  const p = with0(PMP_TOR | PMP_R, 0x8000_1000n >> 2n)       // [0, 0x8000_1000), read-only
  assert.ok(pmpAllows(p, 0x8000_0ff8n, 8, 'load', 'U'))
  assert.not.ok(pmpAllows(p, 0x8000_0ff8n, 8, 'store', 'U'))
  assert.not.ok(pmpAllows(p, 0x8000_1000n, 4, 'load', 'U'))  // past the top: no entry matches
  assert.ok(pmpAllows(p, 0x8000_1000n, 4, 'load', 'M'))
})

test('TOR, entry i > 0: the range is [pmpaddr(i−1) << 2, pmpaddr(i) << 2), whatever entry i−1 is', () => {
  const p = pmpOf({ 0: [0, 0x8000_0000n >> 2n], 1: [PMP_TOR | PMP_R | PMP_W, 0x8000_2000n >> 2n] })
  assert.is(pmpMatch(p, 0x8000_0000n, 4), 1)
  assert.is(pmpMatch(p, 0x8000_1ffcn, 4), 1)
  assert.is(pmpMatch(p, 0x7fff_fffcn, 4), undefined)
  assert.is(pmpMatch(p, 0x8000_2000n, 4), undefined)
})

test('An access only partly inside the matching entry fails, even in M-mode', () => {
  const p = with0(PMP_TOR | PMP_R, 0x8000_1000n >> 2n)
  assert.is(pmpMatch(p, 0x8000_0ffcn, 8), 'partial')           // sectors 0x8000_0ffc (in) and 0x8000_1000 (out)
  assert.not.ok(pmpAllows(p, 0x8000_0ffcn, 8, 'load', 'M'))
})

test('Sectors are the aligned 4-byte words the access touches: 4 bytes at 0x8000_0ffe touch 0x8000_0ffc and 0x8000_1000', () => {
  const p = with0(PMP_TOR | PMP_R | PMP_W, 0x8000_1000n >> 2n)   // [0, 0x8000_1000)
  assert.is(pmpMatch(p, 0x8000_0ffen, 4), 'partial')
  assert.not.ok(pmpAllows(p, 0x8000_0ffen, 4, 'load', 'U'))
  assert.ok(pmpAllows(p, 0x8000_0ffen, 2, 'load', 'U'))         // 2 bytes stay inside the sector 0x8000_0ffc
})

test('NA4: exactly the 4 bytes at pmpaddr << 2', () => {
  const p = with0(PMP_NA4 | PMP_R, 0x8000_0010n >> 2n)
  assert.ok(pmpAllows(p, 0x8000_0010n, 4, 'load', 'U'))
  assert.ok(pmpAllows(p, 0x8000_0012n, 2, 'load', 'U'))
  assert.not.ok(pmpAllows(p, 0x8000_0014n, 4, 'load', 'U'))
})

test('NAPOT: pmpaddr = base>>2 | (size/8 − 1) encodes a naturally aligned power-of-two region (4 KiB here)', () => {
  const p = with0(PMP_NAPOT | PMP_X, (0x8000_0000n >> 2n) | 0x1ffn)
  assert.ok(pmpAllows(p, 0x8000_0ffcn, 4, 'fetch', 'U'))
  assert.not.ok(pmpAllows(p, 0x8000_1000n, 4, 'fetch', 'U'))
  assert.not.ok(pmpAllows(p, 0x8000_0000n, 4, 'load', 'U'))  // X only
})

test('Priority: the lowest-numbered matching entry decides, even against a later permissive one', () => {
  const p = pmpOf({ 0: [PMP_NAPOT, (0x8000_0000n >> 2n) | 0x1ffn], 1: [PMP_NAPOT | PMP_R | PMP_W | PMP_X, (1n << 54n) - 1n] })
  assert.not.ok(pmpAllows(p, 0x8000_0000n, 4, 'load', 'U'))
  assert.ok(pmpAllows(p, 0x8000_1000n, 4, 'load', 'U'))
})

test('Lock: a locked entry binds M-mode too; an unlocked one does not', () => {
  const ro = (0x8000_0000n >> 2n) | 0x1ffn
  assert.ok(pmpAllows(with0(PMP_NAPOT | PMP_R, ro), 0x8000_0000n, 4, 'store', 'M'))
  assert.not.ok(pmpAllows(with0(PMP_NAPOT | PMP_R | PMP_L, ro), 0x8000_0000n, 4, 'store', 'M'))
})

test('HLVX needs X as well as R', () => {
  const all = (1n << 54n) - 1n
  assert.not.ok(pmpAllows(with0(PMP_NAPOT | PMP_R, all), 0x8000_0000n, 4, 'load', 'U', true))
  assert.ok(pmpAllows(with0(PMP_NAPOT | PMP_R | PMP_X, all), 0x8000_0000n, 4, 'load', 'U', true))
})

test('pmpcfg write: W=1 with R=0 is reserved (W reads 0); bits 6:5 read 0; a locked entry keeps its byte', () => {
  const p = writePmpcfg(off, 0, 0x1an | (0x7fn << 8n))          // entry 0: A=NAPOT, W only; entry 1: all bits but L
  assert.is(p.pmpcfg[0], PMP_NAPOT)
  assert.is(p.pmpcfg[1], PMP_NAPOT | PMP_R | PMP_W | PMP_X)
  const locked = with0(PMP_L | PMP_R | PMP_NA4, 5n)
  assert.is(writePmpcfg(locked, 0, 0x1fn).pmpcfg[0], PMP_L | PMP_R | PMP_NA4)
  // pmpcfg2 holds entries 8–15: entry 8 gets 0x0f (TOR R W X, kept: R=1), entry 9 gets 0x0a (TOR, W without R → W dropped).
  assert.is(readPmpcfg(writePmpcfg(off, 2, 0x0a0fn), 2), 0x080fn)
})

test('pmpaddr write: keeps bits 55:2; ignored when locked, or when the next entry is a locked TOR', () => {
  assert.is(readPmpaddr(writePmpaddr(off, 3, ~0n & ((1n << 64n) - 1n)), 3), (1n << 54n) - 1n)
  assert.is(readPmpaddr(writePmpaddr(with0(PMP_L, 7n), 0, 9n), 0), 7n)
  const nextTor = pmpOf({ 1: [PMP_L | PMP_TOR, 0n] })
  assert.is(readPmpaddr(writePmpaddr(nextTor, 0, 9n), 0), 0n)
})

test('Page-table walks are checked as S-mode accesses: with no entry matching, a PTE read is denied', () => {
  assert.not.ok(pmpForPageTables(off)(phys(0x8000_1000n), 8, 'read'))
  assert.ok(pmpForPageTables(resetPmp())(phys(0x8000_1000n), 8, 'write'))
})

test.run()
