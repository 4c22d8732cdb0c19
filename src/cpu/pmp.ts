// Physical memory protection (Priv. ISA §"Physical Memory Protection"): 16 entries, OFF/TOR/NA4/NAPOT,
// the lock bit, 4-byte granularity. The matching rule is Spike's pmp_ok: the lowest-numbered entry
// that matches any 4-byte sector of the access decides, and it must match all of them.
import { type Csrs, type Priv, PMP_ENTRIES, PRV_M } from './hart.ts'

export type PmpAccess = 'fetch' | 'load' | 'store'

const R = 1, W = 2, X = 4, A = 0x18, L = 0x80
const TOR = 0x08, NA4 = 0x10
const U64 = (v: bigint): bigint => BigInt.asUintN(64, v)

const matches = (c: Csrs, i: number, addr: bigint): boolean => {
  const cfg = c.pmpcfg[i]!
  const a = cfg & A
  if (a === 0) return false
  const val = c.pmpaddr[i]!
  if (a === TOR) {
    const base = i === 0 ? 0n : c.pmpaddr[i - 1]! << 2n
    return base <= addr && addr < val << 2n
  }
  // NA4 / NAPOT: the trailing ones of pmpaddr (plus one for NAPOT) give the region size.
  const m = U64((val << 1n) | (a === NA4 ? 0n : 1n))
  const napotMask = U64(~(m & ~U64(m + 1n)) << 2n)
  return ((addr ^ (val << 2n)) & napotMask) === 0n
}

const permits = (cfg: number, access: PmpAccess, priv: Priv, hlvx: boolean): boolean => {
  if (priv === PRV_M && (cfg & L) === 0) return true
  switch (access) {
    case 'load': return (cfg & R) !== 0 && (!hlvx || (cfg & X) !== 0)
    case 'store': return (cfg & W) !== 0
    case 'fetch': return (cfg & X) !== 0
  }
}

const anyLocked = (cfg: readonly number[]): boolean => {
  for (let i = 0; i < PMP_ENTRIES; i++) if ((cfg[i]! & L) !== 0) return true
  return false
}

/**
 * May a hart at privilege `priv` make this access to [pa, pa+len)? M-mode passes when no entry matches;
 * S and U fail. HLVX needs X as well as R.
 */
export const pmpAllows = (c: Csrs, pa: bigint, len: number, access: PmpAccess, priv: Priv, hlvx = false): boolean => {
  if (priv === PRV_M && !anyLocked(c.pmpcfg)) return true     // M-mode is only ever refused by a locked entry
  for (let i = 0; i < PMP_ENTRIES; i++) {
    let any = false
    let all = true
    for (let off = 0; off < len; off += 4) {
      const hit = matches(c, i, pa + BigInt(off))
      any ||= hit
      all &&= hit
    }
    if (any) return all && permits(c.pmpcfg[i]!, access, priv, hlvx)
  }
  return priv === PRV_M
}
