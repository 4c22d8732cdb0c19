// ARMv7 VMSA stage 1 translation of the PL1&0 regime (ARM ARM DDI 0406C, B3.1–B3.6): the MMU off
// (a flat map), or a walk in the format TTBCR.EAE selects. A pure function of the registers, a
// descriptor reader and the access.
import { right } from '../../bits/either.ts'
import { phys } from '../../bits/address.ts'
import { type PhysMemory, peek } from '../../memory/memory.ts'
import { walkLong } from './long-descriptor.ts'
import { walkShort } from './short-descriptor.ts'
import { type ArmAccess, type Pl, type VmsaRegs, ALL_RIGHTS, usesLongDescriptors } from './vmsa.ts'
import type { ArmWalk, DescriptorRead } from './walk.ts'

/** Descriptors read from physical memory, little-endian (SCTLR.EE = 0). */
export const physicalDescriptors = (memory: PhysMemory): DescriptorRead =>
  (addr, size) => right(peek(memory, phys(addr), size))

/**
 * Translates `va` for a PL`pl` access. With SCTLR.M = 0 the address is its own output (B3.2.1, a flat
 * map); otherwise the short- or long-descriptor walk.
 *
 * @example
 * const { result } = translateArm(vmsaRegs({ ttbr0: 0x4000n }), physicalDescriptors(mem), 0x0010_0000n, 'read', 1)
 */
export const translateArm = (r: VmsaRegs, read: DescriptorRead, va: bigint, access: ArmAccess, pl: Pl): ArmWalk => {
  const a = va & 0xffff_ffffn
  if (!r.mmu) {
    return {
      result: right({ pa: a, leaf: {
        format: 'flat', kind: 'flat', level: 0, vaBase: 0n, paBase: 0n, pageBits: 32, permissions: { pl1: ALL_RIGHTS, pl0: ALL_RIGHTS },
        domain: undefined, global: true, attributes: undefined, descriptor: 0n, descriptorAddr: 0n,
      } }),
      trail: [],
    }
  }
  return usesLongDescriptors(r) ? walkLong(r, read, a, access, pl) : walkShort(r, read, a, access, pl)
}
