// Shared set-up for the ARMv7 VMSA clauses: physical memory holding hand-written descriptors, and
// helpers that read a walk's outcome.
import { isLeft } from '../../../src/bits/either.ts'
import { phys } from '../../../src/bits/address.ts'
import { defaultMemoryMap } from '../../../src/memory/memory-map.ts'
import { type PhysMemory, emptyMemory, poke } from '../../../src/memory/memory.ts'
import type { ArmFault } from '../../../src/arch/armv7/faults.ts'
import { physicalDescriptors, translateArm } from '../../../src/arch/armv7/translate.ts'
import type { ArmAccess, Pl, VmsaRegs } from '../../../src/arch/armv7/vmsa.ts'
import type { ArmTranslation, ArmWalk } from '../../../src/arch/armv7/walk.ts'

/** Memory holding each [address, descriptor] pair: 4-byte words, or 8-byte when `size` is 8. */
export const words = (pairs: readonly (readonly [bigint, bigint])[], size: 4 | 8 = 4): PhysMemory =>
  pairs.reduce((m, [a, v]) => poke(m, phys(a), size, v), emptyMemory(defaultMemoryMap))

export const walk = (r: VmsaRegs, m: PhysMemory, va: bigint, access: ArmAccess = 'read', pl: Pl = 1): ArmWalk =>
  translateArm(r, physicalDescriptors(m), va, access, pl)

export const ok = (w: ArmWalk): ArmTranslation => {
  if (isLeft(w.result)) throw new Error(`expected a translation, got ${w.result.left._tag}: ${w.result.left.reason}`)
  return w.result.right
}

export const failed = (w: ArmWalk): ArmFault => {
  if (!isLeft(w.result)) throw new Error(`expected a fault, got PA 0x${w.result.right.pa.toString(16)}`)
  return w.result.left
}
