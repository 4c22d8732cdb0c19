// Step 5 of the Priv. ISA's "Virtual Address Translation Process": may this leaf be used for this
// access? The S/VS-stage rule (U bit with SUM, R/W/X with MXR) and the G-stage rule (every access is a
// U-mode access). Written over the PTE's low flag byte so the walkers and the TLB share one definition.
import { FLAG_R as F_R, FLAG_U as F_U, FLAG_W as F_W, FLAG_X as F_X } from './pte.ts'
import type { AccessType } from './faults.ts'

export type Privilege = 'U' | 'S' | 'M'

/**
 * Step 5 for the S- and VS-stage: why the leaf with these flags denies the access, or undefined.
 * `sum` is mstatus.SUM (S-stage) or vsstatus.SUM (VS-stage); `mxr` already combines the MXR bits.
 */
export const firstStageDenial = (
  priv: Privilege, virt: boolean, sum: boolean, mxr: boolean, access: AccessType, hlvx: boolean, flags: number,
): string | undefined => {
  const u = (flags & F_U) !== 0
  if (priv === 'U' && !u) return 'U-mode access to a page with U=0'
  if (priv === 'S' && u && access === 'fetch') return 'S-mode fetch from a U=1 page'
  if (priv === 'S' && u && !sum) return `S-mode access to a U=1 page with ${virt ? 'vsstatus' : 'mstatus'}.SUM=0`
  if (access === 'fetch' || hlvx) return (flags & F_X) === 0 ? (hlvx ? 'HLVX needs X=1' : 'fetch needs X=1') : undefined
  if (access === 'load') return (flags & F_R) === 0 && !(mxr && (flags & F_X) !== 0) ? (mxr ? 'load needs R=1 or X=1 (MXR)' : 'load needs R=1') : undefined
  return (flags & F_W) === 0 ? 'store needs W=1' : undefined
}

/**
 * Step 5 for the G-stage: every G-stage access counts as a U-mode access, so the leaf needs U=1;
 * `mxr` is mstatus.MXR (never applied to implicit page-table reads).
 */
export const gStageDenial = (access: AccessType, hlvx: boolean, mxr: boolean, flags: number): string | undefined => {
  if ((flags & F_U) === 0) return 'G-stage leaf with U=0'
  if (access === 'fetch' || hlvx) return (flags & F_X) === 0 ? (hlvx ? 'HLVX needs X=1' : 'fetch needs X=1') : undefined
  if (access === 'load') return (flags & F_R) === 0 && !(mxr && (flags & F_X) !== 0) ? (mxr ? 'load needs R=1 or X=1 (MXR)' : 'load needs R=1') : undefined
  return (flags & F_W) === 0 ? 'store needs W=1' : undefined
}

