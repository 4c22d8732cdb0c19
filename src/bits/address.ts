// Branded address kinds. Memory virtualization juggles several address spaces that are all plain
// 64-bit numbers underneath; the brands make mixing them a type error (checked in spec/types/).
// Priv. ISA, "Hypervisor Extension": GVA → (VS-stage) → GPA → (G-stage) → SPA.

declare const vaBrand: unique symbol
declare const gvaBrand: unique symbol
declare const gpaBrand: unique symbol
declare const paBrand: unique symbol
declare const iovaBrand: unique symbol

/** Virtual address of a non-virtualized hart (input of single-stage satp translation). */
export type VirtAddr = bigint & { readonly [vaBrand]: true }
/** Guest-virtual address: what a VS/VU-mode guest (V=1) issues; the input of VS-stage translation. */
export type GuestVirtAddr = bigint & { readonly [gvaBrand]: true }
/** Guest-physical address: the output of VS-stage translation and the input of the G-stage. */
export type GuestPhysAddr = bigint & { readonly [gpaBrand]: true }
/** (Supervisor) physical address: what reaches memory and the physical memory map. */
export type PhysAddr = bigint & { readonly [paBrand]: true }
/** IO-virtual address: what a DMA-capable device issues, translated by an IOMMU. */
export type IoVirtAddr = bigint & { readonly [iovaBrand]: true }

/** Any address a translation stage may take as input. */
export type AnyVirtAddr = VirtAddr | GuestVirtAddr | GuestPhysAddr | IoVirtAddr

// Constructors: the only way to make an address, each wraps to 64 bits.
export const virt = (a: bigint): VirtAddr => BigInt.asUintN(64, a) as VirtAddr
export const guestVirt = (a: bigint): GuestVirtAddr => BigInt.asUintN(64, a) as GuestVirtAddr
export const guestPhys = (a: bigint): GuestPhysAddr => BigInt.asUintN(64, a) as GuestPhysAddr
export const phys = (a: bigint): PhysAddr => BigInt.asUintN(64, a) as PhysAddr
export const ioVirt = (a: bigint): IoVirtAddr => BigInt.asUintN(64, a) as IoVirtAddr

/** Erases a brand, for arithmetic or printing. */
export const raw = (a: AnyVirtAddr | PhysAddr): bigint => a
