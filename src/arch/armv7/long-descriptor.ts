// The ARMv7 long-descriptor (LPAE) translation table format for the PL1&0 stage 1 (ARM ARM DDI 0406C,
// B3.6): 32-bit input, TTBR0/TTBR1 regions sized by TTBCR.T0SZ/T1SZ, up to three levels of 64-bit
// descriptors mapping 1 GiB blocks (level 1), 2 MiB blocks (level 2) and 4 KiB pages (level 3) into a
// 40-bit output; AP[2:1], AF, nG, XN/PXN and AttrIndx (B3.6.2), and the hierarchical APTable,
// XNTable and PXNTable limits of table descriptors (B3.6.1). Faults: translation, access flag,
// permission (no domains), at the level of the descriptor that decided (B3.12.3, Table B3-24).
import { type Either, left, right, isLeft } from '../../bits/either.ts'
import { type ArmFault, longFault } from './faults.ts'
import { type ArmAccess, type Permissions, type Pl, type VmsaRegs, allows, rights, rightsAt, showPermissions } from './vmsa.ts'
import { ap21Permissions } from './short-descriptor.ts'
import type { ArmLeaf, ArmWalk, DescriptorRead, LongAttributes, WalkStep } from './walk.ts'

const bit = (x: bigint, i: number): boolean => ((x >> BigInt(i)) & 1n) === 1n
const field = (x: bigint, hi: number, lo: number): number => Number((x >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n))
const hex = (x: bigint, digits = 10): string => '0x' + x.toString(16).padStart(digits, '0')
/** Output address bits [39:12] of a descriptor. */
const OA_MASK = 0xff_ffff_f000n

/** Level shifts: level 1 resolves VA[31:30], level 2 VA[29:21], level 3 VA[20:12]. */
const SHIFT: Record<1 | 2 | 3, number> = { 1: 30, 2: 21, 3: 12 }

/** A long descriptor, decoded (B3.6.1): bits[1:0] = 0bx0 invalid, 0b01 block (levels 1, 2), 0b11 table (levels 1, 2) or page (level 3). */
export type LongDescriptor =
  | { readonly type: 'invalid' }
  | { readonly type: 'table'; readonly next: bigint; readonly apTable: number; readonly xnTable: boolean; readonly pxnTable: boolean }
  | {
    readonly type: 'block' | 'page'; readonly out: bigint; readonly ap21: number; readonly af: boolean; readonly ng: boolean
    readonly xn: boolean; readonly pxn: boolean; readonly contiguous: boolean; readonly attributes: LongAttributes
  }

export const decodeLong = (d: bigint, level: 1 | 2 | 3): LongDescriptor => {
  const t = Number(d & 3n)
  // 0b01 at level 3 is reserved and behaves as invalid.
  if ((t & 1) === 0 || (t === 1 && level === 3)) return { type: 'invalid' }
  if (t === 3 && level !== 3) {
    return { type: 'table', next: d & OA_MASK, apTable: field(d, 62, 61), xnTable: bit(d, 60), pxnTable: bit(d, 59) }
  }
  const size = SHIFT[level]
  return {
    type: level === 3 ? 'page' : 'block',
    out: d & OA_MASK & ~((1n << BigInt(size)) - 1n),
    ap21: field(d, 7, 6), af: bit(d, 10), ng: bit(d, 11), xn: bit(d, 54), pxn: bit(d, 53), contiguous: bit(d, 52),
    attributes: { format: 'long', attrIndx: field(d, 4, 2), sh: field(d, 9, 8), ns: bit(d, 5) },
  }
}

export interface LongLeafFields {
  readonly out: bigint
  readonly ap21: number
  readonly af?: boolean
  readonly ng?: boolean
  readonly xn?: boolean
  readonly pxn?: boolean
  readonly attrIndx?: number
  readonly sh?: number
}

const flag = (x: boolean | undefined, at: number): bigint => (x === true ? 1n << BigInt(at) : 0n)

/** Encodes a block (levels 1, 2) or page (level 3) descriptor; AF defaults to 1. */
export const longLeafDescriptor = (level: 1 | 2 | 3, f: LongLeafFields): bigint =>
  (f.out & OA_MASK & ~((1n << BigInt(SHIFT[level])) - 1n)) | flag(f.xn, 54) | flag(f.pxn, 53) | flag(f.ng, 11) |
  flag(f.af ?? true, 10) | (BigInt((f.sh ?? 0) & 3) << 8n) | (BigInt(f.ap21 & 3) << 6n) | (BigInt((f.attrIndx ?? 0) & 7) << 2n) |
  (level === 3 ? 3n : 1n)

/** Encodes a table descriptor (levels 1, 2) with optional hierarchical limits. */
export const longTableDescriptor = (next: bigint, limits: { apTable?: number; xnTable?: boolean; pxnTable?: boolean } = {}): bigint =>
  (next & OA_MASK) | (BigInt((limits.apTable ?? 0) & 3) << 61n) | flag(limits.xnTable, 60) | flag(limits.pxnTable, 59) | 3n

/**
 * B3.6.4: the TTBR for `va` and the walk's first level. TTBR0 holds VA < 2^(32−T0SZ), TTBR1 the top
 * 2^(32−T1SZ) bytes; a size field of 0 makes its region reach the other's; between two sized regions
 * no table translates VA.
 * A region of 2^31 bytes or more starts at level 1, a smaller one at level 2; the table base is
 * TTBRx[39:x] with x = 5 − TxSZ (level 1) or 14 − TxSZ (level 2).
 */
export const longStart = (r: VmsaRegs, va: bigint):
  { ttbr: 0 | 1; level: 1 | 2; base: bigint; inputBits: number } | { fault: string } => {
  const t0sz = r.ttbcr & 7, t1sz = (r.ttbcr >>> 16) & 7
  const top1 = va >= (1n << 32n) - (1n << BigInt(32 - t1sz))
  const low0 = va < (1n << BigInt(32 - t0sz))
  // B3.6.4: with T1SZ = 0 the TTBR1 region is everything above TTBR0's (none when T0SZ
  // is 0 too); with T0SZ = 0 the TTBR0 region is everything below TTBR1's.
  const inTtbr1 = t1sz > 0 ? top1 : t0sz > 0 && !low0
  const inTtbr0 = !inTtbr1 && (t0sz === 0 || low0)
  if (!inTtbr0 && !inTtbr1) return { fault: `VA ${hex(va, 8)} lies in neither the TTBR0 nor the TTBR1 region (T0SZ = ${t0sz}, T1SZ = ${t1sz})` }
  const ttbr: 0 | 1 = inTtbr1 ? 1 : 0
  const epd = ttbr === 0 ? (r.ttbcr >>> 7) & 1 : (r.ttbcr >>> 23) & 1
  if (epd === 1) return { fault: `TTBCR.EPD${ttbr} = 1: no walk through TTBR${ttbr}` }
  const tsz = ttbr === 0 ? t0sz : t1sz
  const level: 1 | 2 = tsz <= 1 ? 1 : 2
  const x = level === 1 ? 5 - tsz : 14 - tsz
  const baddr = (ttbr === 0 ? r.ttbr0 : r.ttbr1) & 0xff_ffff_ffffn & ~((1n << BigInt(x)) - 1n)
  return { ttbr, level, base: baddr, inputBits: 32 - tsz }
}

/**
 * Translates one 32-bit virtual address through long-descriptor tables, in the order of B3.12.3:
 * translation fault (invalid or reserved descriptor, or no TTBR region) at its level, then the access
 * flag (AF = 0: access flag fault), then permission (AP[2:1] limited by APTable, XN/PXN limited by
 * XNTable/PXNTable; fetch needs read permission).
 */
export const walkLong = (r: VmsaRegs, read: DescriptorRead, va: bigint, access: ArmAccess, pl: Pl): ArmWalk => {
  const trail: WalkStep[] = []
  const done = (result: Either<ArmFault, { pa: bigint; leaf: ArmLeaf }>): ArmWalk => ({ result, trail })
  const start = longStart(r, va)
  if ('fault' in start) return done(left(longFault('Translation', 1, va, access, start.fault)))

  let table = start.base
  let level = start.level as 1 | 2 | 3
  // Hierarchical limits gathered from the table descriptors above the leaf (B3.6.1).
  let noWrite = false, noPl0 = false, xnTable = false, pxnTable = false
  for (;;) {
    const width = level === start.level ? start.inputBits - SHIFT[level] : 9
    const index = (va >> BigInt(SHIFT[level])) & ((1n << BigInt(width)) - 1n)
    const addr = table + index * 8n
    const dr = read(addr, 8, level)
    if (isLeft(dr)) return done(dr)
    const d = dr.right
    const desc = decodeLong(d, level)
    if (desc.type === 'invalid') {
      trail.push({ level, addr, descriptor: d, decision: `invalid descriptor (bits[1:0] = 0b${Number(d & 3n).toString(2).padStart(2, '0')}${level === 3 ? ', 0b01 is reserved at level 3' : ''}): translation fault, level ${level}` })
      return done(left(longFault('Translation', level, va, access, `level ${level} descriptor ${hex(d, 16)} at ${hex(addr)} is invalid`)))
    }
    if (desc.type === 'table') {
      trail.push({ level, addr, descriptor: d, decision: `table at ${hex(desc.next)}${desc.apTable !== 0 ? `, APTable = 0b${desc.apTable.toString(2).padStart(2, '0')}` : ''}${desc.xnTable ? ', XNTable' : ''}${desc.pxnTable ? ', PXNTable' : ''}` })
      noWrite ||= (desc.apTable & 2) !== 0
      noPl0 ||= (desc.apTable & 1) !== 0
      xnTable ||= desc.xnTable
      pxnTable ||= desc.pxnTable
      table = desc.next
      level = (level + 1) as 2 | 3
      continue
    }
    const pageBits = SHIFT[level]
    trail.push({ level, addr, descriptor: d, decision: `${desc.type} at ${hex(desc.out)}, AP[2:1] = 0b${desc.ap21.toString(2).padStart(2, '0')}, AF = ${desc.af ? 1 : 0}${desc.xn ? ', XN' : ''}${desc.pxn ? ', PXN' : ''}` })
    if (!desc.af) return done(left(longFault('AccessFlag', level, va, access, `AF = 0 in the level ${level} ${desc.type} descriptor: access flag fault`)))
    const ap = ap21Permissions(desc.ap21)
    const pl1Write = ap.pl1.write && !noWrite
    const pl0Read = ap.pl0.read && !noPl0
    const pl0Write = ap.pl0.write && !noPl0 && !noWrite
    const xn = desc.xn || xnTable
    const permissions: Permissions = {
      pl1: rights(ap.pl1.read, pl1Write, ap.pl1.read && !xn && !desc.pxn && !pxnTable),
      pl0: rights(pl0Read, pl0Write, pl0Read && !xn),
    }
    const vaBase = va & ~((1n << BigInt(pageBits)) - 1n)
    const leaf: ArmLeaf = {
      format: 'long', kind: desc.type, level, vaBase, paBase: desc.out, pageBits, permissions, domain: undefined,
      global: !desc.ng, attributes: desc.attributes, descriptor: d, descriptorAddr: addr,
    }
    if (!allows(rightsAt(permissions, pl), access)) {
      return done(left(longFault('Permission', level, va, access, `${showPermissions(permissions)} does not allow a PL${pl} ${access}: permission fault, level ${level}`)))
    }
    return done(right({ pa: desc.out + (va - vaBase), leaf }))
  }
}
