// "Process to translate addresses of MSIs" (RISC-V IOMMU spec v1.0, "Data Structures", with the MSI
// page-table entry of the Advanced Interrupt Architecture): recognising a GPA as a virtual interrupt
// file by DC.msi_addr_mask / msi_addr_pattern, the interrupt file number by bit extraction, and the
// flat MSI page table's PTEs in basic translate mode and in MRIF mode (the MSI's store into the MRIF
// is mrif.ts).
import { bit, bits, mask } from '../bits/bits.ts'
import { phys } from '../bits/address.ts'
import { type PhysMemory, peek } from '../memory/memory.ts'
import { regionAt } from '../memory/memory-map.ts'
import type { Capabilities } from './capabilities.ts'
import { type DeviceContext, MSIPTP_OFF } from './device-context.ts'

/** MGPAW: the widest guest physical address the G-stage schemes support, else PAS. */
export const mgpaw = (caps: Capabilities): number =>
  caps.sv57x4 ? 59 : caps.sv48x4 ? 50 : caps.sv39x4 ? 41 : caps.sv32x4 ? 34 : Math.max(caps.pas, 12)

/** Whether guest physical address `a` is a virtual interrupt file's page: (A >> 12) & ~mask = pattern & ~mask. */
export const isMsiAddress = (dc: DeviceContext, caps: Capabilities, a: bigint): boolean => {
  if (dc.msiptp.mode === MSIPTP_OFF) return false
  const within = mask(mgpaw(caps) - 12)
  return ((a >> 12n) & ~dc.msiAddrMask & within) === (dc.msiAddrPattern & ~dc.msiAddrMask & within)
}

/** extract(x, y): the bits of x where y has ones, packed at the low end in order. */
export const extract = (x: bigint, y: bigint): bigint => {
  let out = 0n
  let j = 0n
  for (let i = 0n; i < 64n; i++) {
    if (((y >> i) & 1n) === 1n) { out |= ((x >> i) & 1n) << j; j++ }
  }
  return out
}

/** An MSI PTE's first doubleword: V (0), M (2:1), PPN (53:10) in basic-translate mode, C (63). */
export interface MsiPte { readonly v: boolean, readonly m: number, readonly ppn: bigint, readonly c: boolean, readonly reserved: bigint }
export const decodeMsiPte = (dw0: bigint): MsiPte => ({
  v: bit(dw0, 0), m: Number(bits(dw0, 2, 1)), ppn: bits(dw0, 53, 10), c: bit(dw0, 63),
  reserved: (bits(dw0, 9, 3) << 3n) | (bits(dw0, 62, 54) << 54n),
})

/**
 * An MRIF-mode MSI PTE (M = 1) of both doublewords: the destination MRIF's address (first doubleword
 * bits 53:7 are address bits 55:9), the notice MSI's address NPPN << 12 (second doubleword 53:10) and
 * its data NID = N10 (bit 60) << 10 | N[9:0]; `reserved` collects every other bit of both doublewords.
 */
export interface MrifPte { readonly mrif: bigint, readonly notice: bigint, readonly nid: number, readonly reserved: boolean }
export const decodeMrifPte = (dw0: bigint, dw1: bigint): MrifPte => ({
  mrif: bits(dw0, 53, 7) << 9n,
  notice: bits(dw1, 53, 10) << 12n,
  nid: Number((bits(dw1, 60, 60) << 10n) | bits(dw1, 9, 0)),
  reserved: bits(dw0, 6, 3) !== 0n || bits(dw0, 62, 54) !== 0n || bits(dw1, 59, 54) !== 0n || bits(dw1, 63, 61) !== 0n,
})

/** Where an MSI to an MRIF-mode page goes: the destination MRIF and the notice MSI (address, data). */
export interface MrifTarget { readonly mrif: bigint, readonly notice: bigint, readonly nid: number }

export type MsiResult =
  | { readonly kind: 'not-msi' }
  | { readonly kind: 'fault', readonly cause: number, readonly reason: string }
  | { readonly kind: 'translated', readonly pa: bigint, readonly pteAddr: bigint, readonly pte: bigint }
  | { readonly kind: 'mrif', readonly target: MrifTarget, readonly pteAddr: bigint, readonly pte: readonly [bigint, bigint] }

/**
 * Steps 1–15 of the MSI process for GPA `a`: not a virtual interrupt file (go on to the G-stage), a
 * fault (261 MSI PTE load access fault, 262 not valid, 263 misconfigured, 1 for a read-for-execute),
 * the translated SPA (basic translate mode), or an MRIF-mode page (its MRIF and notice MSI). Permissions
 * are those of a G-stage leaf with R = W = U = 1 and X = 0.
 */
export const msiTranslate = (memory: PhysMemory, dc: DeviceContext, caps: Capabilities, a: bigint, execute: boolean, checkPermissions: boolean): MsiResult => {
  if (!isMsiAddress(dc, caps, a)) return { kind: 'not-msi' }
  const within = mask(mgpaw(caps) - 12)
  // Step 5: I = extract(A >> 12, mask). Step 6–7: the PTE at m | I × 16.
  const i = extract(a >> 12n, dc.msiAddrMask & within)
  const at = (dc.msiptp.ppn << 12n) | (i * 16n)
  const region = at >> BigInt(caps.pas) === 0n ? regionAt(memory.map, phys(at), 16n) : undefined
  if (region === undefined || region.kind !== 'ram') return { kind: 'fault', cause: 261, reason: `MSI PTE at ${at.toString(16)} is not readable memory` }
  const raw = peek(memory, phys(at), 8)
  const pte = decodeMsiPte(raw)
  // Step 9: V = 0 → 262. Step 10: C = 1 is implementation-defined: misconfigured here (C model).
  if (!pte.v) return { kind: 'fault', cause: 262, reason: `MSI PTE ${i} has V=0` }
  if (pte.c) return { kind: 'fault', cause: 263, reason: `MSI PTE ${i} has C=1 (no custom format implemented)` }
  // Step 12: M = 0 or 2 → 263.
  if (pte.m === 0 || pte.m === 2) return { kind: 'fault', cause: 263, reason: `MSI PTE ${i} has reserved mode M=${pte.m}` }
  // Step 15: R = W = U = 1, X = 0: a read-for-execute is an instruction access fault (after the PTE's own checks).
  const noExecute = execute && checkPermissions
  if (pte.m === 1) {
    // Step 14: MRIF mode: (a) needs capabilities.MSI_MRIF, (b) reserved bits of both doublewords → 263,
    // (d) the MRIF at MRIF_Address[55:9] × 512, (e) the notice MSI to NPPN << 12, (f) its data NID.
    if (!caps.msiMrif) return { kind: 'fault', cause: 263, reason: `MSI PTE ${i} is in MRIF mode but capabilities.MSI_MRIF = 0` }
    const dw1 = peek(memory, phys(at + 8n), 8)
    const mrif = decodeMrifPte(raw, dw1)
    if (mrif.reserved) return { kind: 'fault', cause: 263, reason: `MSI PTE ${i} (MRIF mode) has reserved bits set` }
    if (noExecute) return { kind: 'fault', cause: 1, reason: 'read-for-execute of a virtual interrupt file' }
    return { kind: 'mrif', target: { mrif: mrif.mrif, notice: mrif.notice, nid: mrif.nid }, pteAddr: at, pte: [raw, dw1] }
  }
  // Step 13: basic translate mode: reserved bits → 263; the SPA is PPN × 2^12 | A[11:0].
  if (pte.reserved !== 0n) return { kind: 'fault', cause: 263, reason: `MSI PTE ${i} has reserved bits set` }
  if (noExecute) return { kind: 'fault', cause: 1, reason: 'read-for-execute of a virtual interrupt file' }
  return { kind: 'translated', pa: (pte.ppn << 12n) | (a & 0xfffn), pteAddr: at, pte: raw }
}

/**
 * The largest page size (log2, ≤ gBits) around non-MSI GPA `a` that contains no virtual interrupt file
 * page, so that a cached translation never covers one. A range of 2^k pages contains one exactly when
 * the address bits above the range agree with the pattern outside the mask.
 */
export const sizeAvoidingMsiPages = (dc: DeviceContext, caps: Capabilities, a: bigint, gBits: number): number => {
  if (dc.msiptp.mode === MSIPTP_OFF) return gBits
  const within = mask(mgpaw(caps) - 12)
  let size = gBits
  while (size > 12) {
    const fixed = ~dc.msiAddrMask & within & ~mask(size - 12)
    if (((a >> 12n) & fixed) !== (dc.msiAddrPattern & fixed)) return size
    size -= 9
  }
  return 12
}

