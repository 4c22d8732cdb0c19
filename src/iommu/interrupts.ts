// The IOMMU's own interrupts as registers (RISC-V IOMMU spec v1.0, "Interrupt pending status register
// (ipsr)", "Interrupt-cause-to-vector register (icvec)", "MSI configuration table (msi_cfg_tbl)", and
// fctl.WSI with capabilities.IGS): the four sources, the vector each is mapped to, the table of messages,
// and the wire levels when interrupts are wire-signaled. Pure values over bigint; the register file
// (registers.ts) stores them and interrupt-delivery.ts turns ipsr's 0 → 1 edges into messages.
import { bit, mask } from '../bits/bits.ts'
import type { Capabilities } from './capabilities.ts'

// ---- the sources ----------------------------------------------------------------------------------------

/** The interrupt sources, by their ipsr bit: command queue, fault queue, performance monitor, page-request queue. */
export const IPSR = { cip: 0, fip: 1, pmip: 2, pip: 3 } as const
export type InterruptSource = keyof typeof IPSR
export const INTERRUPT_SOURCES: readonly InterruptSource[] = ['cip', 'fip', 'pmip', 'pip']

/** The RW1C bits of ipsr a write of `v` clears (bits 3:0; 31:4 are reserved or custom, read 0). */
export const ipsrClearedBy = (v: bigint): bigint => v & 0xfn

/** The ipsr bits in `ipsr` (as written) that went 0 → 1 from `before`, counting bits a write cleared first. */
export const ipsrEdges = (before: bigint, after: bigint, cleared: bigint): bigint => after & ~(before & ~cleared) & 0xfn

// ---- icvec ----------------------------------------------------------------------------------------------

/** icvec's field of each source: civ 3:0, fiv 7:4, pmiv 11:8, piv 15:12. */
const ICVEC_SHIFT: Readonly<Record<InterruptSource, bigint>> = { cip: 0n, fip: 4n, pmip: 8n, pip: 12n }

/** The vector `icvec` assigns to `source`. */
export const vectorOf = (icvec: bigint, source: InterruptSource): number => Number((icvec >> ICVEC_SHIFT[source]) & 0xfn)

/**
 * icvec after a write of `v` (WARL): each 4-bit field keeps its low `vectorBits` bits (an IOMMU with
 * 2^V vectors; "if only two vectors are supported then only bit 0 for each cause could be writable"),
 * pmiv is 0 without capabilities.HPM and piv 0 without capabilities.ATS (as the C model has it); bits
 * 63:16 (reserved, custom) read 0.
 */
export const writeIcvec = (caps: Capabilities, vectorBits: number, v: bigint): bigint => {
  const field = mask(vectorBits)
  let x = 0n
  for (const s of INTERRUPT_SOURCES) {
    if ((s === 'pmip' && !caps.hpm) || (s === 'pip' && !caps.ats)) continue
    x |= ((v >> ICVEC_SHIFT[s]) & field) << ICVEC_SHIFT[s]
  }
  return x
}

// ---- msi_cfg_tbl ----------------------------------------------------------------------------------------

/** The table's offset in the register file and its size: 16 entries of 16 bytes. */
export const MSI_CFG_TBL_OFFSET = 768
export const MSI_CFG_TBL_ENTRIES = 16

/** One entry x: msi_addr_x (8 bytes at +0), msi_data_x (4 bytes at +8), msi_vec_ctl_x (4 bytes at +12). */
export interface MsiCfgEntry { readonly addr: bigint, readonly data: bigint, readonly vecCtl: bigint }

export const EMPTY_MSI_CFG_TBL: readonly MsiCfgEntry[] = Array.from({ length: MSI_CFG_TBL_ENTRIES }, () => ({ addr: 0n, data: 0n, vecCtl: 0n }))

export type MsiCfgField = 'addr' | 'data' | 'vecCtl'

/** Which entry and field a register access at `offset` (768 ≤ offset < 1024) names, with the field's size. */
export const msiCfgFieldAt = (offset: number): { readonly entry: number, readonly field: MsiCfgField, readonly size: 4 | 8, readonly base: number } => {
  const rel = offset - MSI_CFG_TBL_OFFSET
  const entry = rel >> 4
  const within = rel & 15
  const base = MSI_CFG_TBL_OFFSET + entry * 16
  if (within < 8) return { entry, field: 'addr', size: 8, base }
  return within < 12 ? { entry, field: 'data', size: 4, base: base + 8 } : { entry, field: 'vecCtl', size: 4, base: base + 12 }
}

/** Whether entry `x` exists: the IOMMU generates MSIs (IGS ≠ WSI) and x < 2^V; other entries are read-only 0. */
export const msiEntryImplemented = (caps: Capabilities, vectorBits: number, x: number): boolean => caps.igs !== 1 && x < 2 ** vectorBits

/** The vector-control mask bit M: while 1, the vector's messages are held pending. */
export const masked = (e: MsiCfgEntry): boolean => bit(e.vecCtl, 0)

/**
 * An entry's field after a full-width write of `v` (WARL): msi_addr keeps ADDR (bits 55:2) below
 * 2^PAS — bits 1:0 are fixed to 0, 63:56 reserved — as the C model does; msi_data keeps 32 bits;
 * msi_vec_ctl keeps M (bits 31:1 reserved).
 */
export const writeMsiCfgField = (caps: Capabilities, e: MsiCfgEntry, field: MsiCfgField, v: bigint): MsiCfgEntry => {
  switch (field) {
    case 'addr': return { ...e, addr: v & mask(Math.min(56, caps.pas)) & ~3n }
    case 'data': return { ...e, data: v & mask(32) }
    case 'vecCtl': return { ...e, vecCtl: v & 1n }
  }
}

// ---- wire-signaled interrupts ---------------------------------------------------------------------------

/**
 * With fctl.WSI = 1 "the interrupt-pending bit drives the wire selected by the corresponding icvec
 * field": the level of wire w is the OR of the pending bits of the sources mapped to w. A bit set per
 * wire (16 wires at most); 0 when interrupts are messages.
 */
export const wireLevels = (wsi: boolean, ipsr: bigint, icvec: bigint): number => {
  if (!wsi) return 0
  let levels = 0
  for (const s of INTERRUPT_SOURCES) if (bit(ipsr, IPSR[s])) levels |= 1 << vectorOf(icvec, s)
  return levels
}
