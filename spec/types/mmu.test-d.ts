import { expectError, expectType } from 'tsd'
import {
  translate, translateGuestPhysical, emptyMemory, defaultMemoryMap, virt, guestVirt, guestPhys, phys,
  type TranslationContext, type PhysAddr, type GuestPhysAddr, type WalkOutcome,
} from '../../src/index.ts'

declare const ctx: TranslationContext
const mem = emptyMemory(defaultMemoryMap)

// translate takes a virtual address of the hart (V=0) or of a guest (V=1)…
expectType<WalkOutcome>(translate(mem, ctx, { va: virt(0x1000n), access: 'load' }))
expectType<WalkOutcome>(translate(mem, ctx, { va: guestVirt(0x1000n), access: 'store' }))
// …never a physical or guest-physical address, nor an unbranded number.
expectError(translate(mem, ctx, { va: phys(0x1000n), access: 'load' }))
expectError(translate(mem, ctx, { va: guestPhys(0x1000n), access: 'load' }))
expectError(translate(mem, ctx, { va: 0x1000n, access: 'load' }))
// Access kinds are a closed set.
expectError(translate(mem, ctx, { va: virt(0x1000n), access: 'execute' }))

// The G-stage alone takes a guest-physical address only.
expectType<WalkOutcome>(translateGuestPhysical(mem, ctx, guestPhys(0x1000n), 'load'))
expectError(translateGuestPhysical(mem, ctx, guestVirt(0x1000n), 'load'))

// A successful translation yields a host-physical address and, for guests, the guest-physical one.
declare const out: WalkOutcome
if (out.result._tag === 'Right') {
  expectType<PhysAddr>(out.result.right.pa)
  expectType<GuestPhysAddr | undefined>(out.result.right.gpa)
}
