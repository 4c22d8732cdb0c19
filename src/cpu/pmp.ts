// PMP for the hart: the rules live in src/memory/pmp.ts (Priv. ISA, "Physical Memory Protection", with
// Spike's 4-byte granularity and sector-by-sector matching); the hart's CSR record is itself a Pmp.
// This adapter only translates Spike's privilege numbers.
import { type PmpAccess, pmpAllows as allows } from '../memory/pmp.ts'
import { type Csrs, type Priv, PRV_M, PRV_S } from './hart.ts'

export type { PmpAccess }

/**
 * May a hart at privilege `priv` make this access to [pa, pa+len)? M-mode passes when no entry matches;
 * S and U fail; an access only partly inside the matching entry fails in every mode. HLVX needs X and R.
 */
export const pmpAllows = (c: Csrs, pa: bigint, len: number, access: PmpAccess, priv: Priv, hlvx = false): boolean =>
  allows(c, pa, len, access, priv === PRV_M ? 'M' : priv === PRV_S ? 'S' : 'U', hlvx)
