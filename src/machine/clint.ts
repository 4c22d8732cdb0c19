// The CLINT (Spike's riscv/clint.cc) as a device: msip at 0x0, mtimecmp at 0x4000, mtime at 0xbff8, for
// hart 0. It drives MSIP (msip bit 0) and MTIP (mtime ≥ mtimecmp) into mip; mtime advances one per RTC
// tick (at the end of each Spike chunk, machine/step.ts). A store "ticks" it by 0: the bus then brings
// the hart's time and mip up to date (src/cpu/memory-access.ts, deviceChanged).
import { right } from '../bits/either.ts'
import { type AccessSize } from '../memory/memory.ts'
import { MIP_MSIP, MIP_MTIP } from '../cpu/csr/fields.ts'
import { type Device, registerBytes, withRegisterBytes } from './device.ts'

/** Spike's CLINT_BASE and CLINT_SIZE. */
export const CLINT_BASE = 0x200_0000n
export const CLINT_SIZE = 0xc_0000n

export interface Clint {
  /** Hart 0's msip bit. */
  readonly msip: boolean
  readonly mtime: bigint
  readonly mtimecmp: bigint
}

export const clint = (msip: boolean, mtime: bigint, mtimecmp: bigint): Clint => ({ msip, mtime, mtimecmp })

/** As Spike creates it: everything 0 (so MTIP is pending from reset). */
export const resetClint: Clint = clint(false, 0n, 0n)

const MTIMECMP = 0x4000n, MTIME = 0xbff8n

const load = (s: Clint, off: bigint, size: AccessSize): bigint => {
  if (off < MTIMECMP) {
    // 32-bit msip registers, one per hart; only hart 0 exists (an 8-byte load reads hart 1's as 0)
    const msip = s.msip ? 1n : 0n
    return registerBytes(msip, 0n, 4n, off, size === 8 ? 4 : size)
  }
  if (off < MTIME) return registerBytes(s.mtimecmp, MTIMECMP, 8n, off, size)
  return registerBytes(s.mtime, MTIME, 8n, off, size)
}

const store = (s: Clint, off: bigint, size: AccessSize, value: bigint): Clint => {
  if (off < MTIMECMP) {
    // hart 0's msip (an 8-byte store also writes hart 1's, absent); other msip bytes are dropped
    return off === 0n ? clint((value & 1n) !== 0n, s.mtime, s.mtimecmp) : s
  }
  if (off < MTIMECMP + 8n) return clint(s.msip, s.mtime, withRegisterBytes(s.mtimecmp, MTIMECMP, off, size, value))
  if (off >= MTIME) return clint(s.msip, withRegisterBytes(s.mtime, MTIME, off, size, value), s.mtimecmp)
  return s
}

export const clintDevice: Device<Clint> = {
  name: 'clint',
  size: CLINT_SIZE,
  load: (s, off, size) => right({ state: s, value: load(s, off, size) }),
  store: (s, off, size, value) => right(store(s, off, size, value)),
  tick: (s, ticks) => (ticks === 0n ? s : clint(s.msip, BigInt.asUintN(64, s.mtime + ticks), s.mtimecmp)),
  irq: (s) => (s.msip ? MIP_MSIP : 0n) | (s.mtime >= s.mtimecmp ? MIP_MTIP : 0n),
}
