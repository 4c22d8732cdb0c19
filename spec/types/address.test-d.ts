import { expectAssignable, expectNotAssignable, expectType } from 'tsd'
import {
  guestPhys, guestVirt, phys, virt, ioVirt, raw,
  type GuestPhysAddr, type GuestVirtAddr, type PhysAddr, type VirtAddr, type IoVirtAddr,
} from '../../src/index.ts'

// A plain bigint is not an address of any kind: an explicit constructor is required.
expectNotAssignable<PhysAddr>(0x8000_0000n)
expectNotAssignable<GuestPhysAddr>(0x8000_0000n)
expectNotAssignable<GuestVirtAddr>(0x8000_0000n)
expectNotAssignable<VirtAddr>(0x8000_0000n)
expectNotAssignable<IoVirtAddr>(0x8000_0000n)

// The kinds never mix: a guest-physical address is not a host-physical one, and so on.
expectNotAssignable<PhysAddr>(guestPhys(0x1000n))
expectNotAssignable<GuestPhysAddr>(phys(0x1000n))
expectNotAssignable<GuestPhysAddr>(guestVirt(0x1000n))
expectNotAssignable<GuestVirtAddr>(virt(0x1000n))
expectNotAssignable<VirtAddr>(guestVirt(0x1000n))
expectNotAssignable<PhysAddr>(ioVirt(0x1000n))
expectNotAssignable<IoVirtAddr>(guestPhys(0x1000n))

// Every kind is still a bigint for arithmetic, and raw() erases the brand.
expectAssignable<bigint>(phys(1n))
expectType<bigint>(raw(guestPhys(1n)))
expectType<PhysAddr>(phys(0x8000_0000n))
