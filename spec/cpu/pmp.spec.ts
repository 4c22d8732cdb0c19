// Physical memory protection (Priv. ISA §3.7 "Physical Memory Protection"): address matching (OFF, TOR,
// NA4, NAPOT), the permissions of S/U accesses, M-mode's exemption unless locked, the lowest-numbered
// matching entry deciding, partial matches failing, and S/U failing when no entry matches.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Csrs, resetCsrs } from '../../src/cpu/hart.ts'
import { pmpAllowsAt as pmpAllows } from '../../src/memory/pmp.ts'
import { RV64IMAC_H } from './fixture.ts'

const R = 1, W = 2, X = 4, TOR = 0x08, NA4 = 0x10, NAPOT = 0x18, L = 0x80

/** A CSR file whose first entries are (cfg, pmpaddr) pairs; all other entries OFF. */
const pmp = (...entries: (readonly [number, bigint])[]): Csrs => {
  const base = resetCsrs(RV64IMAC_H)
  const pmpcfg = new Array<number>(64).fill(0)
  const pmpaddr = new Array<bigint>(64).fill(0n)
  entries.forEach(([cfg, addr], i) => { pmpcfg[i] = cfg; pmpaddr[i] = addr })
  return { ...base, pmpcfg, pmpaddr }
}

test('3.7.1 TOR: entry i covers pmpaddr[i-1] ≤ a < pmpaddr[i] (entry 0 from address 0)', () => {
  const c = pmp([0, 0x8000_0000n >> 2n], [TOR | R, 0x8000_1000n >> 2n])
  assert.ok(pmpAllows(c, 0x8000_0ffcn, 4, 'load', 1))
  assert.not.ok(pmpAllows(c, 0x8000_1000n, 4, 'load', 1))
  assert.not.ok(pmpAllows(c, 0x7fff_fffcn, 4, 'load', 1))
})

test('3.7.1 NA4: exactly the four bytes at pmpaddr << 2', () => {
  const c = pmp([NA4 | R | W, 0x8000_0010n >> 2n])
  assert.ok(pmpAllows(c, 0x8000_0010n, 4, 'store', 0))
  assert.not.ok(pmpAllows(c, 0x8000_0014n, 4, 'store', 0))
})

test('3.7.1 NAPOT: trailing ones in pmpaddr give the size (yyyy…y011 → 32 bytes)', () => {
  const c = pmp([NAPOT | X, (0x8000_0000n >> 2n) | 0b011n])
  assert.ok(pmpAllows(c, 0x8000_001cn, 4, 'fetch', 1))
  assert.not.ok(pmpAllows(c, 0x8000_0020n, 4, 'fetch', 1))
})

test('3.7.1: the entry grants only its permissions (R without W refuses a store)', () => {
  const c = pmp([NAPOT | R, (0x8000_0000n >> 2n) | 0xffn])
  assert.ok(pmpAllows(c, 0x8000_0000n, 8, 'load', 1))
  assert.not.ok(pmpAllows(c, 0x8000_0000n, 8, 'store', 1))
  assert.not.ok(pmpAllows(c, 0x8000_0000n, 8, 'fetch', 1))
})

test('3.7.1: the lowest-numbered matching entry decides, even when a later one would allow', () => {
  const c = pmp([NA4, 0x8000_0000n >> 2n], [NAPOT | R | W | X, (0x8000_0000n >> 2n) | 0xffn])
  assert.not.ok(pmpAllows(c, 0x8000_0000n, 4, 'load', 1))
  assert.ok(pmpAllows(c, 0x8000_0004n, 4, 'load', 1))
})

test('3.7.1: an access only partly inside the matching entry fails', () => {
  const c = pmp([NA4 | R, 0x8000_0000n >> 2n])
  assert.not.ok(pmpAllows(c, 0x8000_0000n, 8, 'load', 1))
})

test('3.7.1: with no matching entry, S and U fail and M succeeds', () => {
  const c = pmp([NA4 | R, 0x8000_0000n >> 2n])
  assert.not.ok(pmpAllows(c, 0x9000_0000n, 4, 'load', 1))
  assert.ok(pmpAllows(c, 0x9000_0000n, 4, 'load', 3))
})

test('3.7.1.2 locking: M-mode ignores an unlocked entry but obeys a locked one', () => {
  const unlocked = pmp([NA4, 0x8000_0000n >> 2n])
  const locked = pmp([NA4 | L, 0x8000_0000n >> 2n])
  assert.ok(pmpAllows(unlocked, 0x8000_0000n, 4, 'store', 3))
  assert.not.ok(pmpAllows(locked, 0x8000_0000n, 4, 'store', 3))
})

test('HLVX needs X as well as R', () => {
  const c = pmp([NAPOT | R, (0x8000_0000n >> 2n) | 0xffn])
  assert.not.ok(pmpAllows(c, 0x8000_0000n, 4, 'load', 1, true))
})

test.run()
