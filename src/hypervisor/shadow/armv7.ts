// The shadow algorithm's ARMv7 instances (ARM ARM DDI 0406C, B3.5 and B3.6): the guest's PL1&0 stage 1
// tables in the short- or long-descriptor format over the VMM's block map (vmm-map.ts), and shadow
// tables in the same format that the hardware walks with TTBCR = 0 (short) or T0SZ = 0 (long), every
// domain Client, SCTLR.AFE = 0: what a VMM without a hardware second stage gives the MMU.
import { type Either, left, right, isLeft } from '../../bits/either.ts'
import { phys } from '../../bits/address.ts'
import { type PhysMemory, peek } from '../../memory/memory.ts'
import { type ArmFault, stage2Fault } from '../../arch/armv7/faults.ts'
import { physicalDescriptors, translateArm } from '../../arch/armv7/translate.ts'
import {
  largePageDescriptor, pageTableDescriptor, sectionDescriptor, smallPageDescriptor, supersectionDescriptor, apFor,
} from '../../arch/armv7/short-descriptor.ts'
import { longLeafDescriptor, longTableDescriptor } from '../../arch/armv7/long-descriptor.ts'
import {
  type ArmAccess, type Permissions, type Pl, type Rights, type VmsaRegs,
  allows, currentAsid, intersectRights, showRights, usesLongDescriptors, vmsaRegs,
} from '../../arch/armv7/vmsa.ts'
import type { ArmLeaf, ArmWalk, LongAttributes, ShortAttributes } from '../../arch/armv7/walk.ts'
import type { Geometry, NestedOutcome, ShadowFormat, ShadowLeaf, ShadowWalk } from './format.ts'
import type { FenceScope } from './shadow.ts'
import { type VmmBlock, type VmmMap, vmmBlockAt } from './vmm-map.ts'

/** One ARM access: its kind and the privilege level it is made at. */
export interface ArmShadowAccess {
  readonly kind: ArmAccess
  readonly pl: Pl
}

/** What a composed ARM translation grants, and the attributes the shadow descriptor copies. */
export interface ArmGrant {
  readonly permissions: Permissions
  readonly attributes: ShortAttributes | LongAttributes | undefined
}

const SHORT_GEOMETRY: Geometry = {
  entryBytes: 4,
  levels: [
    { shift: 20, indexBits: 12, tableBytes: 16384, leafBits: [20, 24] },   // first level: sections, supersections
    { shift: 12, indexBits: 8, tableBytes: 1024, leafBits: [12, 16] },     // second level: small, large pages
  ],
}

const LONG_GEOMETRY: Geometry = {
  entryBytes: 8,
  levels: [
    { shift: 30, indexBits: 2, tableBytes: 32, leafBits: [30] },
    { shift: 21, indexBits: 9, tableBytes: 4096, leafBits: [21] },
    { shift: 12, indexBits: 9, tableBytes: 4096, leafBits: [12] },
  ],
}

const ALL_CLIENT = 0x5555_5555
const shadowRegs = (long: boolean, root: bigint): VmsaRegs =>
  vmsaRegs(long ? { ttbcr: 0x8000_0000, ttbr0: root } : { ttbcr: 0, ttbr0: root, dacr: ALL_CLIENT })

const hex = (x: bigint): string => '0x' + x.toString(16).padStart(8, '0')

/** The guest's walk through the VMM's map, with every descriptor's host-physical address (for explanations). */
export interface ArmNestedWalk {
  readonly walk: ArmWalk
  /** The host-physical address of each descriptor in `walk.trail`, in order. */
  readonly descriptorHpas: readonly bigint[]
  /** The final guest-physical address, where the VMM's map puts it, and the block that does. */
  readonly result: Either<ArmFault, { readonly gpa: bigint; readonly hpa: bigint; readonly leaf: ArmLeaf; readonly block: VmmBlock }>
}

/**
 * The composed walk: the guest's descriptors are read at guest-physical addresses the VMM's map
 * turns into host-physical ones (a descriptor outside the map, or in a block without read, is the
 * VMM's Stage2 fault), and the final guest-physical address goes through the map with the access's
 * own right.
 */
export const armNestedWalk = (vmm: VmmMap, host: PhysMemory, regs: VmsaRegs, va: bigint, a: ArmShadowAccess): ArmNestedWalk => {
  const format = usesLongDescriptors(regs) ? 'long' : 'short'
  const descriptorHpas: bigint[] = []
  const read = (addr: bigint, size: 4 | 8, level: number): Either<ArmFault, bigint> => {
    const b = vmmBlockAt(vmm, addr)
    if (b === undefined || !b.rights.read) return left(stage2Fault(format, level, va, a.kind, `descriptor at GPA ${hex(addr)} is not readable in the VMM's map`))
    const hpa = b.hpa + (addr - b.gpa)
    descriptorHpas.push(hpa)
    return right(peek(host, phys(hpa), size))
  }
  const walk = translateArm(regs, read, va, a.kind, a.pl)
  if (isLeft(walk.result)) return { walk, descriptorHpas, result: walk.result }
  const { pa: gpa, leaf } = walk.result.right
  const b = vmmBlockAt(vmm, gpa)
  if (b === undefined || !allows(b.rights, a.kind)) {
    return { walk, descriptorHpas, result: left(stage2Fault(format, 0, va, a.kind, `GPA ${hex(gpa)} is ${b === undefined ? 'not in' : `${showRights(b.rights)} in`} the VMM's map`)) }
  }
  return { walk, descriptorHpas, result: right({ gpa, hpa: b.hpa + (gpa - b.gpa), leaf, block: b }) }
}

/** The composed walk as the shadow algorithm needs it: the region is the smaller of the guest's leaf and the VMM's block. */
const composedWalk = (vmm: VmmMap) =>
  (host: PhysMemory, regs: VmsaRegs, va: bigint, a: ArmShadowAccess): NestedOutcome<ArmFault, ArmGrant> => {
    const n = armNestedWalk(vmm, host, regs, va, a)
    const refs = n.descriptorHpas.length
    if (isLeft(n.result)) return { result: n.result, host, refs }
    const { hpa, leaf, block: b } = n.result.right
    const pageBits = Math.min(leaf.pageBits, b.bits)
    const vaBase = va & ~((1n << BigInt(pageBits)) - 1n)
    const grant: ArmGrant = {
      permissions: { pl1: intersectRights(leaf.permissions.pl1, b.rights), pl0: intersectRights(leaf.permissions.pl0, b.rights) },
      attributes: leaf.attributes,
    }
    return {
      result: right({ hpa, vaBase, hpaBase: hpa - (va - vaBase), pageBits, grant, accessed: true, dirty: true, global: leaf.global, deps: n.descriptorHpas }),
      host, refs,
    }
  }

const withoutWrite = (r: Rights): Rights => ({ ...r, write: false })

const grantedRights = (leaf: ShadowLeaf<ArmGrant>): Permissions => {
  const p = leaf.grant.permissions
  return leaf.writable ? p : { pl1: withoutWrite(p.pl1), pl0: withoutWrite(p.pl0) }
}

/**
 * A short-descriptor shadow leaf: domain 0 (Client), AP[2:0] for the granted read/write rights,
 * XN/PXN for execute. Pages have no PXN of their own: where PL0 may execute and PL1 may not, XN is
 * set (the VMM then emulates PL0 fetches). The guest's TEX/C/B/S are kept.
 */
const encodeShort = (level: number, leaf: ShadowLeaf<ArmGrant>): bigint | undefined => {
  const p = grantedRights(leaf)
  const ap = apFor(p.pl1, p.pl0)
  if (ap === undefined || ap === 0) return undefined
  const a = leaf.grant.attributes?.format === 'short' ? leaf.grant.attributes : undefined
  const attrs = { tex: a?.tex ?? 0, c: a?.c ?? false, b: a?.b ?? false, s: a?.s ?? false }
  if (level === 0) {
    const fields = { base: leaf.hpaBase, ap, ...attrs, xn: !p.pl1.execute && !p.pl0.execute, pxn: !p.pl1.execute }
    return leaf.pageBits === 24 ? supersectionDescriptor(fields) : sectionDescriptor(fields)
  }
  const fields = { base: leaf.hpaBase, ap, ...attrs, xn: !p.pl1.execute || !p.pl0.execute && p.pl0.read }
  return leaf.pageBits === 16 ? largePageDescriptor(fields) : smallPageDescriptor(fields)
}

/** AP[2:1] for read/write rights, conservatively: the long format has no "PL1 read/write, PL0 read-only". */
const ap21For = (pl1: Rights, pl0: Rights): number | undefined => {
  if (!pl1.read) return undefined
  if (pl0.write && pl1.write) return 0b01
  if (pl0.read) return 0b11
  return pl1.write ? 0b00 : 0b10
}

const encodeLong = (level: number, leaf: ShadowLeaf<ArmGrant>): bigint | undefined => {
  const p = grantedRights(leaf)
  const ap21 = ap21For(p.pl1, p.pl0)
  if (ap21 === undefined) return undefined
  const a = leaf.grant.attributes?.format === 'long' ? leaf.grant.attributes : undefined
  return longLeafDescriptor((level + 1) as 1 | 2 | 3, {
    out: leaf.hpaBase, ap21, af: true, xn: !p.pl0.execute && !p.pl1.execute, pxn: !p.pl1.execute,
    attrIndx: a?.attrIndx ?? 0, sh: a?.sh ?? 0,
  })
}

const hardwareWalk = (long: boolean) =>
  (host: PhysMemory, root: bigint, _regs: VmsaRegs, va: bigint, a: ArmShadowAccess): ShadowWalk => {
    const w = translateArm(shadowRegs(long, root), physicalDescriptors(host), va, a.kind, a.pl)
    return { hit: isLeft(w.result) ? undefined : { hpa: w.result.right.pa, pageBits: w.result.right.leaf.pageBits }, refs: w.trail.length }
  }

const regimeKey = (r: VmsaRegs): string =>
  `mmu=${r.mmu} afe=${r.afe} ttbcr=${r.ttbcr.toString(16)} dacr=${r.dacr.toString(16)}`

/** The ARMv7 shadow format for a guest using `long` descriptors or not, in VM `vmid`, over `vmm`. */
export const armShadowFormat = (vmm: VmmMap, long: boolean, vmid = 0): ShadowFormat<VmsaRegs, ArmShadowAccess, ArmFault, ArmGrant> => ({
  name: long ? 'ARMv7 long-descriptor (LPAE)' : 'ARMv7 short-descriptor',
  geometry: long ? LONG_GEOMETRY : SHORT_GEOMETRY,
  tag: (r) => `vmid ${vmid} asid ${currentAsid(r)}`,
  tagOfAsid: (_r, asid) => `vmid ${vmid} asid ${asid}`,
  regimeKey,
  isStore: (a) => a.kind === 'write',
  nested: composedWalk(vmm),
  shadowWalk: hardwareWalk(long),
  encodeLeaf: (level, leaf) => (long ? encodeLong(level, leaf) : encodeShort(level, leaf)),
  encodeTable: (level, table) => (long ? longTableDescriptor(table) : pageTableDescriptor(table)),
  nextTable: (level, d) => {
    if (long) return level < 2 && (d & 3n) === 3n ? d & 0xff_ffff_f000n : undefined
    return level === 0 && (d & 3n) === 1n ? d & 0xffff_fc00n : undefined
  },
})

/** The format the guest's registers select (TTBCR.EAE). */
export const armShadowFormatFor = (vmm: VmmMap, regs: VmsaRegs, vmid = 0): ShadowFormat<VmsaRegs, ArmShadowAccess, ArmFault, ArmGrant> =>
  armShadowFormat(vmm, usesLongDescriptors(regs), vmid)


/** An ARMv7 TLB maintenance operation on the PL1&0 regime (B4.2.2, "TLB maintenance operations"). */
export type Tlbi = 'TLBIALL' | 'TLBIASID' | 'TLBIMVA' | 'TLBIMVAA'

/**
 * The VMM's view of the guest's TLB maintenance (trapped: the guest runs deprivileged): TLBIALL drops
 * everything; TLBIASID one ASID's entries (hardware keeps global ones; dropping them too is allowed);
 * TLBIMVA one address in one ASID plus global entries; TLBIMVAA one address in every ASID.
 */
export const tlbiScope = (format: ShadowFormat<VmsaRegs, ArmShadowAccess, ArmFault, ArmGrant>, regs: VmsaRegs, op: Tlbi, va: bigint, asid: number): FenceScope => {
  switch (op) {
    case 'TLBIALL': return { kind: 'all' }
    case 'TLBIASID': return { kind: 'asid', tag: format.tagOfAsid(regs, asid) }
    case 'TLBIMVA': return { kind: 'va', va, tag: format.tagOfAsid(regs, asid) }
    case 'TLBIMVAA': return { kind: 'va', va, tag: undefined }
  }
}
