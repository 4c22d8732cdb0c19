// The ARMv7 short-descriptor translation table format (ARM ARM DDI 0406C, B3.5): TTBR0/TTBR1 chosen by
// TTBCR.N, first-level fault / page table / section / supersection descriptors, second-level large
// (64 KiB) and small (4 KiB) page descriptors; domains and the DACR (B3.7.3), AP[2:0] access
// permissions and the SCTLR.AFE access flag (B3.7.1, B3.7.4), XN/PXN (B3.7.2). Checks in the order of
// the VMSA fault-checking sequence (B3.12.3): translation, access flag, domain, permission.
import { type Either, left, right, isLeft } from '../../bits/either.ts'
import { type ArmFault, shortFault } from './faults.ts'
import {
  type ArmAccess, type Permissions, type Pl, type Rights, type VmsaRegs,
  ALL_RIGHTS, allows, rights, rightsAt, showPermissions,
} from './vmsa.ts'
import type { ArmLeaf, ArmWalk, DescriptorRead, LeafKind, ShortAttributes, WalkStep } from './walk.ts'

const b32 = (x: bigint, hi: number, lo: number): number => Number((x >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n))
const bit = (x: bigint, i: number): boolean => ((x >> BigInt(i)) & 1n) === 1n
const hex8 = (x: bigint): string => '0x' + x.toString(16).padStart(8, '0')

// ---- access permissions (B3.7.1, Tables B3-8 and B3-9) --------------------------------------------

/**
 * AP[2:0] with SCTLR.AFE = 0 (Table B3-8). 0b000 no access; 0b001 PL1 read/write; 0b010 PL1 read/write,
 * PL0 read-only; 0b011 full access; 0b101 PL1 read-only; 0b110 (deprecated) and 0b111 read-only at
 * both. 0b100 is reserved: modelled as no access (QEMU's choice; the ARM ARM leaves it UNPREDICTABLE).
 */
export const apPermissions = (ap: number): { pl1: { read: boolean; write: boolean }; pl0: { read: boolean; write: boolean } } => {
  const none = { read: false, write: false }, ro = { read: true, write: false }, rw = { read: true, write: true }
  switch (ap & 7) {
    case 0b001: return { pl1: rw, pl0: none }
    case 0b010: return { pl1: rw, pl0: ro }
    case 0b011: return { pl1: rw, pl0: rw }
    case 0b101: return { pl1: ro, pl0: none }
    case 0b110: case 0b111: return { pl1: ro, pl0: ro }
    default: return { pl1: none, pl0: none }
  }
}

/**
 * AP[2:1] with SCTLR.AFE = 1, the simplified access permissions model (Table B3-9): 0b00 PL1
 * read/write, 0b01 full access, 0b10 PL1 read-only, 0b11 read-only at both. AP[0] is then the
 * Access flag. The long-descriptor format uses the same AP[2:1] encoding (B3.7.1).
 */
export const ap21Permissions = (ap21: number): ReturnType<typeof apPermissions> =>
  apPermissions([0b001, 0b011, 0b101, 0b111][ap21 & 3]!)

/** AP[2:0] the short-descriptor format would need to express read/write rights at PL1 and PL0 (undefined: inexpressible). */
export const apFor = (pl1: Rights, pl0: Rights): number | undefined => {
  const key = `${pl1.read ? (pl1.write ? 'rw' : 'r') : '-'}/${pl0.read ? (pl0.write ? 'rw' : 'r') : '-'}`
  return ({ '-/-': 0b000, 'rw/-': 0b001, 'rw/r': 0b010, 'rw/rw': 0b011, 'r/-': 0b101, 'r/r': 0b111 } as Record<string, number>)[key]
}

/**
 * The rights a region grants at PL1 and PL0. Instruction fetch needs read permission at the level and
 * XN = 0; at PL1 also PXN = 0 (B3.7.2).
 */
const grant = (ap: ReturnType<typeof apPermissions>, xn: boolean, pxn: boolean): Permissions => ({
  pl1: rights(ap.pl1.read, ap.pl1.write, ap.pl1.read && !xn && !pxn),
  pl0: rights(ap.pl0.read, ap.pl0.write, ap.pl0.read && !xn),
})

/** The DACR field of a domain (B4.1.43): 0b00 no access, 0b01 client, 0b10 reserved, 0b11 manager. */
export const domainAccess = (dacr: number, domain: number): 'no access' | 'client' | 'reserved' | 'manager' =>
  (['no access', 'client', 'reserved', 'manager'] as const)[(dacr >>> (2 * domain)) & 3]!

// ---- memory region attributes (B3.8.2, Table B3-10, SCTLR.TRE = 0) ---------------------------------

const CACHE_POLICY = ['Non-cacheable', 'Write-Back Write-Allocate', 'Write-Through no Write-Allocate', 'Write-Back no Write-Allocate']

/** TEX[2:0], C, B (and S) as a memory type, as Table B3-10 names it. */
export const describeShortAttributes = (a: ShortAttributes): string => {
  const shared = a.s ? 'Shareable' : 'Non-shareable'
  if ((a.tex & 4) !== 0) return `Normal, outer ${CACHE_POLICY[a.tex & 3]!}, inner ${CACHE_POLICY[(a.c ? 2 : 0) | (a.b ? 1 : 0)]!}, ${shared}`
  const key = `${a.tex}${a.c ? 1 : 0}${a.b ? 1 : 0}`
  switch (key) {
    case '000': return 'Strongly-ordered'
    case '001': return 'Shareable Device'
    case '010': return `Normal, Write-Through no Write-Allocate, ${shared}`
    case '011': return `Normal, Write-Back no Write-Allocate, ${shared}`
    case '100': return `Normal, Non-cacheable, ${shared}`
    case '111': return `Normal, Write-Back Write-Allocate, ${shared}`
    case '200': return 'Non-shareable Device'
    default: return `reserved (TEX=${a.tex.toString(2).padStart(3, '0')} C=${a.c ? 1 : 0} B=${a.b ? 1 : 0})`
  }
}

// ---- descriptors (B3.5.1, Figures B3-4 and B3-5) --------------------------------------------------

/** A first-level descriptor, decoded. With the PXN extension, bits[1:0] = 0b1x is a section or supersection and bit 0 is PXN. */
export type FirstLevel =
  | { readonly type: 'fault' }
  | { readonly type: 'page table'; readonly base: bigint; readonly domain: number; readonly pxn: boolean; readonly ns: boolean }
  | {
    readonly type: 'section' | 'supersection'; readonly base: bigint; readonly domain: number
    readonly ap: number; readonly xn: boolean; readonly pxn: boolean; readonly ng: boolean; readonly attributes: ShortAttributes
  }

export const decodeFirstLevel = (d: bigint): FirstLevel => {
  const type = Number(d & 3n)
  if (type === 0) return { type: 'fault' }
  if (type === 1) return { type: 'page table', base: d & 0xffff_fc00n, domain: b32(d, 8, 5), pxn: bit(d, 2), ns: bit(d, 3) }
  const attributes: ShortAttributes = { format: 'short', tex: b32(d, 14, 12), c: bit(d, 3), b: bit(d, 2), s: bit(d, 16), ns: bit(d, 19) }
  const common = { ap: (b32(d, 15, 15) << 2) | b32(d, 11, 10), xn: bit(d, 4), pxn: bit(d, 0), ng: bit(d, 17), attributes }
  if (!bit(d, 18)) return { type: 'section', base: d & 0xfff0_0000n, domain: b32(d, 8, 5), ...common }
  // Supersection: PA[31:24] = bits[31:24], PA[35:32] = bits[23:20], PA[39:36] = bits[8:5]; domain 0.
  const base = (d & 0xff00_0000n) | (BigInt(b32(d, 23, 20)) << 32n) | (BigInt(b32(d, 8, 5)) << 36n)
  return { type: 'supersection', base, domain: 0, ...common }
}

/** A second-level descriptor, decoded: bits[1:0] = 0b00 fault, 0b01 large page, 0b1x small page (bit 0 is XN). */
export type SecondLevel =
  | { readonly type: 'fault' }
  | { readonly type: 'large page' | 'small page'; readonly base: bigint; readonly ap: number; readonly xn: boolean; readonly ng: boolean; readonly attributes: ShortAttributes }

export const decodeSecondLevel = (d: bigint, ns: boolean): SecondLevel => {
  const type = Number(d & 3n)
  if (type === 0) return { type: 'fault' }
  const ap = (b32(d, 9, 9) << 2) | b32(d, 5, 4)
  const ng = bit(d, 11)
  const s = bit(d, 10)
  if (type === 1) {
    return { type: 'large page', base: d & 0xffff_0000n, ap, xn: bit(d, 15), ng, attributes: { format: 'short', tex: b32(d, 14, 12), c: bit(d, 3), b: bit(d, 2), s, ns } }
  }
  return { type: 'small page', base: d & 0xffff_f000n, ap, xn: bit(d, 0), ng, attributes: { format: 'short', tex: b32(d, 8, 6), c: bit(d, 3), b: bit(d, 2), s, ns } }
}

/** The fields a section, supersection or page descriptor is built from. */
export interface ShortLeafFields {
  readonly base: bigint
  readonly ap: number
  readonly xn?: boolean
  readonly pxn?: boolean
  readonly ng?: boolean
  readonly domain?: number
  readonly tex?: number
  readonly c?: boolean
  readonly b?: boolean
  readonly s?: boolean
}

const ap2 = (ap: number, at: number): bigint => BigInt((ap >>> 2) & 1) << BigInt(at)
const flag = (x: boolean | undefined, at: number): bigint => (x === true ? 1n << BigInt(at) : 0n)

/** Encodes a first-level page table descriptor (bits[1:0] = 0b01). */
export const pageTableDescriptor = (base: bigint, domain = 0, pxn = false): bigint =>
  (base & 0xffff_fc00n) | (BigInt(domain & 15) << 5n) | flag(pxn, 2) | 1n

/** Encodes a section descriptor (bits[1:0] = 0b1x, bit 18 = 0). */
export const sectionDescriptor = (f: ShortLeafFields): bigint =>
  (f.base & 0xfff0_0000n) | flag(f.ng, 17) | flag(f.s, 16) | ap2(f.ap, 15) | (BigInt((f.tex ?? 0) & 7) << 12n) |
  (BigInt(f.ap & 3) << 10n) | (BigInt((f.domain ?? 0) & 15) << 5n) | flag(f.xn, 4) | flag(f.c, 3) | flag(f.b, 2) | 2n | flag(f.pxn, 0)

/** Encodes a supersection descriptor (bit 18 = 1); base may hold PA[39:32]. */
export const supersectionDescriptor = (f: ShortLeafFields): bigint =>
  (f.base & 0xff00_0000n) | (((f.base >> 32n) & 0xfn) << 20n) | (((f.base >> 36n) & 0xfn) << 5n) | (1n << 18n) |
  flag(f.ng, 17) | flag(f.s, 16) | ap2(f.ap, 15) | (BigInt((f.tex ?? 0) & 7) << 12n) | (BigInt(f.ap & 3) << 10n) |
  flag(f.xn, 4) | flag(f.c, 3) | flag(f.b, 2) | 2n | flag(f.pxn, 0)

/** Encodes a large page descriptor (bits[1:0] = 0b01). */
export const largePageDescriptor = (f: ShortLeafFields): bigint =>
  (f.base & 0xffff_0000n) | flag(f.xn, 15) | (BigInt((f.tex ?? 0) & 7) << 12n) | flag(f.ng, 11) | flag(f.s, 10) |
  ap2(f.ap, 9) | (BigInt(f.ap & 3) << 4n) | flag(f.c, 3) | flag(f.b, 2) | 1n

/** Encodes a small page descriptor (bits[1:0] = 0b1x, bit 0 = XN). */
export const smallPageDescriptor = (f: ShortLeafFields): bigint =>
  (f.base & 0xffff_f000n) | flag(f.ng, 11) | flag(f.s, 10) | ap2(f.ap, 9) | (BigInt((f.tex ?? 0) & 7) << 6n) |
  (BigInt(f.ap & 3) << 4n) | flag(f.c, 3) | flag(f.b, 2) | 2n | flag(f.xn, 0)

// ---- the walk (B3.5.4–B3.5.6, B3.12.3) ---------------------------------------------------------

/**
 * B3.5.4: which TTBR translates `va`. With TTBCR.N = 0 always TTBR0; otherwise TTBR0 when VA[31:32−N]
 * is zero, else TTBR1. Returns the first-level descriptor address, or the reason the walk is disabled
 * (TTBCR.PD0/PD1, bits 4 and 5: a translation fault, section, on a TLB miss).
 */
export const firstLevelAddress = (r: VmsaRegs, va: bigint): { addr: bigint; ttbr: 0 | 1 } | { disabled: string } => {
  const n = r.ttbcr & 7
  const useTtbr0 = n === 0 || (va >> BigInt(32 - n)) === 0n
  if (useTtbr0) {
    if (((r.ttbcr >>> 4) & 1) === 1) return { disabled: 'TTBCR.PD0 = 1: no walk through TTBR0' }
    // Translation table base: TTBR0[31:14−N]; index VA[31−N:20].
    const base = r.ttbr0 & 0xffff_ffffn & ~((1n << BigInt(14 - n)) - 1n)
    const index = (va >> 20n) & ((1n << BigInt(12 - n)) - 1n)
    return { addr: base | (index << 2n), ttbr: 0 }
  }
  if (((r.ttbcr >>> 5) & 1) === 1) return { disabled: 'TTBCR.PD1 = 1: no walk through TTBR1' }
  return { addr: (r.ttbr1 & 0xffff_c000n) | (((va >> 20n) & 0xfffn) << 2n), ttbr: 1 }
}

/**
 * Translates one 32-bit virtual address through short-descriptor tables. Reads each descriptor with
 * `read`, records it in the trail, and stops at the first failing check of B3.12.3: translation
 * (first then second level), access flag (SCTLR.AFE = 1 and AP[0] = 0), domain (no access or
 * reserved), permission (Client domains only; Manager domains skip AP and XN).
 */
export const walkShort = (r: VmsaRegs, read: DescriptorRead, va: bigint, access: ArmAccess, pl: Pl): ArmWalk => {
  const trail: WalkStep[] = []
  const step = (level: number, addr: bigint, descriptor: bigint, decision: string): void => { trail.push({ level, addr, descriptor, decision }) }
  const done = (result: Either<ArmFault, { pa: bigint; leaf: ArmLeaf }>): ArmWalk => ({ result, trail })

  // First level: the descriptor address from TTBR0 or TTBR1.
  const first = firstLevelAddress(r, va)
  if ('disabled' in first) return done(left(shortFault('Translation', 1, va, access, undefined, first.disabled)))
  const d1r = read(first.addr, 4, 1)
  if (isLeft(d1r)) return done(d1r)
  const d1 = d1r.right
  const l1 = decodeFirstLevel(d1)
  if (l1.type === 'fault') {
    step(1, first.addr, d1, 'fault descriptor (bits[1:0] = 0b00): translation fault, section')
    return done(left(shortFault('Translation', 1, va, access, undefined, `first-level descriptor ${hex8(d1)} at ${hex8(first.addr)} is a fault entry`)))
  }

  let kind: LeafKind
  let level: 1 | 2
  let leafBase: bigint, pageBits: number, ap: number, xn: boolean, pxn: boolean, ng: boolean
  let attributes: ShortAttributes
  let descriptor: bigint, descriptorAddr: bigint
  const domain = l1.domain
  if (l1.type === 'page table') {
    step(1, first.addr, d1, `page table at ${hex8(l1.base)}, domain ${domain}`)
    // Second level: table base bits[31:10] of the first-level descriptor, index VA[19:12].
    const addr2 = l1.base | (((va >> 12n) & 0xffn) << 2n)
    const d2r = read(addr2, 4, 2)
    if (isLeft(d2r)) return done(d2r)
    const d2 = d2r.right
    const l2 = decodeSecondLevel(d2, l1.ns)
    if (l2.type === 'fault') {
      step(2, addr2, d2, 'fault descriptor (bits[1:0] = 0b00): translation fault, page')
      return done(left(shortFault('Translation', 2, va, access, domain, `second-level descriptor ${hex8(d2)} at ${hex8(addr2)} is a fault entry`)))
    }
    kind = l2.type
    level = 2
    pageBits = l2.type === 'large page' ? 16 : 12
    leafBase = l2.base; ap = l2.ap; xn = l2.xn; pxn = l1.pxn; ng = l2.ng; attributes = l2.attributes
    descriptor = d2; descriptorAddr = addr2
    step(2, addr2, d2, `${kind} at ${hex8(leafBase)}, AP[2:0] = ${ap.toString(2).padStart(3, '0')}${xn ? ', XN' : ''}`)
  } else {
    kind = l1.type
    level = 1
    pageBits = l1.type === 'supersection' ? 24 : 20
    leafBase = l1.base; ap = l1.ap; xn = l1.xn; pxn = l1.pxn; ng = l1.ng; attributes = l1.attributes
    descriptor = d1; descriptorAddr = first.addr
    step(1, first.addr, d1, `${kind} at ${hex8(leafBase)}, domain ${domain}, AP[2:0] = ${ap.toString(2).padStart(3, '0')}${xn ? ', XN' : ''}${pxn ? ', PXN' : ''}`)
  }
  const vaBase = va & ~((1n << BigInt(pageBits)) - 1n) & 0xffff_ffffn
  const where = level === 1 ? 'section' : 'page'

  // Access flag (B3.7.4): with SCTLR.AFE = 1, AP[0] is the Access flag; 0 faults (no hardware management).
  if (r.afe && (ap & 1) === 0) {
    return done(left(shortFault('AccessFlag', level, va, access, domain, `SCTLR.AFE = 1 and AP[0] (the Access flag) = 0: access flag fault, ${where}`)))
  }
  // Domain (B3.7.3): the DACR field of the region's domain.
  const dac = domainAccess(r.dacr, domain)
  if (dac === 'no access' || dac === 'reserved') {
    return done(left(shortFault('Domain', level, va, access, domain, `DACR domain ${domain} is ${dac}: domain fault, ${where}`)))
  }
  // Manager: no permission checks at all (AP and XN ignored). Client: AP[2:0] (or AP[2:1]) and XN/PXN.
  const permissions: Permissions = dac === 'manager'
    ? { pl1: ALL_RIGHTS, pl0: ALL_RIGHTS }
    : grant(r.afe ? ap21Permissions(ap >> 1) : apPermissions(ap), xn, pxn)
  const leaf: ArmLeaf = {
    format: 'short', kind, level, vaBase, paBase: leafBase, pageBits, permissions, domain, global: !ng, attributes, descriptor, descriptorAddr,
  }
  if (!allows(rightsAt(permissions, pl), access)) {
    return done(left(shortFault('Permission', level, va, access, domain,
      `domain ${domain} is client and ${showPermissions(permissions)} does not allow a PL${pl} ${access}: permission fault, ${where}`)))
  }
  return done(right({ pa: leafBase + (va - vaBase), leaf }))
}

