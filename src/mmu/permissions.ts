// Step 5 of the Priv. ISA's "Virtual Address Translation Process": may this leaf be used for this
// access? The S/VS-stage rule (U bit with SUM, R/W/X with MXR) and the G-stage rule (every access is a
// U-mode access). Written over the PTE's low flag byte so the walkers and the TLBs share one definition.
import { FLAG_R as F_R, FLAG_U as F_U, FLAG_W as F_W, FLAG_X as F_X } from './pte.ts'
import type { AccessType } from './exception-codes.ts'

export type Privilege = 'U' | 'S' | 'M'

/**
 * The step-5 parameters of a first stage (S or VS, or an IOMMU's first stage): the effective
 * privilege, SUM, and MXR as it applies to this stage (see `vsStageMxr`). `virt` only names the
 * status register in explanations (vsstatus for VS-stage, mstatus otherwise).
 */
export interface FirstStagePermission {
  readonly kind: 'first'
  readonly priv: Privilege
  readonly sum: boolean
  readonly mxr: boolean
  readonly virt: boolean
  /**
   * Only the U/SUM rules apply, not R/W/X: an IOMMU's PCIe ATS translation request reports the leaf's
   * permissions in its completion instead of checking them (RISC-V IOMMU spec, ATS). Absent: false.
   */
  readonly uOnly?: boolean
}

/**
 * The step-5 parameters of a G-stage (or an IOMMU's second stage): every access is checked as a
 * U-mode access; `mxr` is the HS-level MXR (mstatus.MXR for a hart), never applied to implicit reads.
 */
export interface GStagePermission {
  readonly kind: 'G'
  readonly mxr: boolean
  /** Only the U=1 rule applies, not R/W/X (an IOMMU's ATS translation request; see FirstStagePermission). */
  readonly uOnly?: boolean
}

export type PermissionRule = FirstStagePermission | GStagePermission

/**
 * MXR as the VS-stage sees it (H chapter, "Hypervisor Status Register"/vsstatus): either the
 * HS-level mstatus.MXR or vsstatus.MXR makes executable VS-stage pages readable. The one home of
 * this rule: the walker's parameters, the fast walk and the TLB re-check all take MXR from here.
 */
export const vsStageMxr = (mstatusMxr: boolean, vsstatusMxr: boolean): boolean => mstatusMxr || vsstatusMxr

/**
 * Step 5 for the S- and VS-stage: why the leaf with these flags denies the access, or undefined.
 * `sum` is mstatus.SUM (S-stage) or vsstatus.SUM (VS-stage); `mxr` already combines the MXR bits.
 */
export const firstStageDenial = (
  priv: Privilege, virt: boolean, sum: boolean, mxr: boolean, access: AccessType, hlvx: boolean, flags: number,
): string | undefined => {
  const u = firstStageUDenial(priv, virt, sum, access, flags)
  if (u !== undefined) return u
  if (access === 'fetch' || hlvx) return (flags & F_X) === 0 ? (hlvx ? 'HLVX needs X=1' : 'fetch needs X=1') : undefined
  if (access === 'load') return (flags & F_R) === 0 && !(mxr && (flags & F_X) !== 0) ? (mxr ? 'load needs R=1 or X=1 (MXR)' : 'load needs R=1') : undefined
  return (flags & F_W) === 0 ? 'store needs W=1' : undefined
}

/** The U-bit part of step 5 for the S- and VS-stage (U pages and SUM): why it denies, or undefined. */
export const firstStageUDenial = (priv: Privilege, virt: boolean, sum: boolean, access: AccessType, flags: number): string | undefined => {
  const u = (flags & F_U) !== 0
  if (priv === 'U' && !u) return 'U-mode access to a page with U=0'
  if (priv === 'S' && u && access === 'fetch') return 'S-mode fetch from a U=1 page'
  if (priv === 'S' && u && !sum) return `S-mode access to a U=1 page with ${virt ? 'vsstatus' : 'mstatus'}.SUM=0`
  return undefined
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

/** Step 5 under either rule: why `rule` denies this access to a leaf with `flags`, or undefined. */
export const denial = (rule: PermissionRule, access: AccessType, hlvx: boolean, flags: number): string | undefined =>
  rule.kind === 'G'
    ? (rule.uOnly === true ? ((flags & F_U) === 0 ? 'G-stage leaf with U=0' : undefined) : gStageDenial(access, hlvx, rule.mxr, flags))
    : rule.uOnly === true
      ? firstStageUDenial(rule.priv, rule.virt, rule.sum, access, flags)
      : firstStageDenial(rule.priv, rule.virt, rule.sum, rule.mxr, access, hlvx, flags)
