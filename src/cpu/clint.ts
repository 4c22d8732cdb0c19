// The CLINT as a hart's loads and stores see it (Spike's riscv/clint.cc): msip at 0x0, mtimecmp at 0x4000,
// mtime at 0xbff8, for hart 0. A store "ticks" the device by 0: time is synchronised and MTIP recomputed.
// mtime itself advances at the end of each Spike chunk (src/cpu/step.ts).
import { type AccessSize } from '../memory/memory.ts'
import { MIP_MSIP, MIP_MTIP } from './csr/fields.ts'
import { type Exec, setCsrs } from './exec.ts'


const MTIMECMP = 0x4000n, MTIME = 0xbff8n

/** The bytes [off, off+size) of a little-endian register of `width` bytes at `base` holding `value`. */
const regBytes = (value: bigint, base: bigint, width: bigint, off: bigint, size: number): bigint =>
  off >= base && off + BigInt(size) <= base + width ? BigInt.asUintN(8 * size, value >> (8n * (off - base))) : 0n

export const clintLoad = (e: Exec, off: bigint, size: AccessSize): bigint => {
  if (off < MTIMECMP) {
    // 32-bit msip registers, one per hart; only hart 0 exists
    const msip = (e.h.csr.mip & MIP_MSIP) !== 0n ? 1n : 0n
    return size === 8 ? regBytes(msip, 0n, 4n, off, 4) : regBytes(msip, 0n, 4n, off, size)
  }
  if (off < MTIME) return regBytes(e.mtimecmp, MTIMECMP, 8n, off, size)
  return regBytes(e.mtime, MTIME, 8n, off, size)
}

const withBytes = (reg: bigint, base: bigint, off: bigint, size: number, value: bigint): bigint => {
  const shift = 8n * (off - base)
  const mask = ((1n << BigInt(8 * size)) - 1n) << shift
  return BigInt.asUintN(64, (reg & ~mask) | ((value << shift) & mask))
}

export const clintStore = (e: Exec, off: bigint, size: AccessSize, value: bigint): void => {
  const c = e.h.csr
  if (off < MTIMECMP) {
    if (off === 0n) {                          // hart 0's msip (an 8-byte store also writes hart 1's, absent)
      const mip = (value & 1n) !== 0n ? c.mip | MIP_MSIP : c.mip & ~MIP_MSIP
      setCsrs(e, { ...c, mip }, [])
    }
  } else if (off < MTIMECMP + 8n) {
    e.mtimecmp = withBytes(e.mtimecmp, MTIMECMP, off, size, value)
  } else if (off >= MTIME) {
    e.mtime = withBytes(e.mtime, MTIME, off, size, value)
  }
  // Spike ticks the CLINT by 0 after a store: time is synchronised and MTIP recomputed.
  syncTimer(e)
}

export const syncTimer = (e: Exec): void => {
  const c = e.h.csr
  const mip = e.mtime >= e.mtimecmp ? c.mip | MIP_MTIP : c.mip & ~MIP_MTIP
  if (mip !== c.mip || c.time !== e.mtime) setCsrs(e, { ...c, mip, time: e.mtime }, [])
}
