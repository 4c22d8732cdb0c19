// How a device that is a bus master reaches memory: through a DMA port, a pair of functions over a
// memory state M. The identity port onto RAM is what a device sees on a platform without an IOMMU; a
// translating unit (the RISC-V IOMMU, Chapter "Address Translation") is a port put in front of another
// (`translatedPort`): it maps each device address to a physical one, or refuses the access.
import { type Either, isLeft, left, right } from '../bits/either.ts'
import { phys } from '../bits/address.ts'
import { type AccessSize, type PhysMemory, peek, poke } from '../memory/memory.ts'
import { type RamWindow, inRam } from '../cpu/bus.ts'

export type DmaAccess = 'read' | 'write'

/** A DMA access the port refused: the device address, the access, and why. */
export interface DmaFault {
  readonly _tag: 'DmaFault'
  readonly addr: bigint
  readonly access: DmaAccess
  readonly reason: string
}

export const dmaFault = (addr: bigint, access: DmaAccess, reason: string): DmaFault => ({ _tag: 'DmaFault', addr, access, reason })

export interface DmaPort<M> {
  /** Reads `size` bytes at the device address `addr` (little-endian, zero-extended). */
  readonly read: (m: M, addr: bigint, size: AccessSize) => Either<DmaFault, bigint>
  /** Writes the low `size` bytes of value at `addr`: the memory after the write. */
  readonly write: (m: M, addr: bigint, size: AccessSize, value: bigint) => Either<DmaFault, M>
}

/** What a bus master leaves after it ran: its state, and memory as its DMA writes left it. */
export interface Mastered<S, M> {
  readonly state: S
  readonly memory: M
}

/**
 * A device's work as a bus master (when the platform lets it run: HTIF at each chunk end): from its
 * state and memory, through `port`, to its new state and memory. Generic in M, so the same device runs
 * on RAM directly or behind a translating port.
 */
export type BusMaster<S> = <M>(s: S, memory: M, port: DmaPort<M>) => Mastered<S, M>

/** The identity port onto RAM: device addresses are physical; an access not wholly in RAM is refused. */
export const ramPort = (ram: RamWindow): DmaPort<PhysMemory> => ({
  read: (m, addr, size) => (inRam(ram, addr, size) ? right(peek(m, phys(addr), size)) : left(dmaFault(addr, 'read', 'not RAM'))),
  write: (m, addr, size, value) => (inRam(ram, addr, size) ? right(poke(m, phys(addr), size, value)) : left(dmaFault(addr, 'write', 'not RAM'))),
})

/** A port that refuses every access (a device whose DMA is switched off, or blocked by its IOMMU). */
export const refusingPort = <M>(reason: string): DmaPort<M> => ({
  read: (_m, addr) => left(dmaFault(addr, 'read', reason)),
  write: (_m, addr) => left(dmaFault(addr, 'write', reason)),
})

/**
 * `port` behind a translating unit: each access's address is first mapped by `translate` (device
 * address → the address `port` takes), and a refusal there is the access's fault. Accesses are not split:
 * `translate` sees the first byte's address and the size.
 */
export const translatedPort = <M>(port: DmaPort<M>, translate: (addr: bigint, size: AccessSize, access: DmaAccess) => Either<DmaFault, bigint>): DmaPort<M> => ({
  read: (m, addr, size) => {
    const a = translate(addr, size, 'read')
    return isLeft(a) ? a : port.read(m, a.right, size)
  },
  write: (m, addr, size, value) => {
    const a = translate(addr, size, 'write')
    return isLeft(a) ? a : port.write(m, a.right, size, value)
  },
})

/**
 * A port whose accesses may change its state M even when refused: a translating unit that sets A/D
 * bits, fills its caches and writes fault records (the RISC-V IOMMU, src/iommu/platform/) threads its
 * own state with memory's. Each access returns the state after it and its result.
 */
export interface StatePort<M> {
  readonly read: (m: M, addr: bigint, size: AccessSize) => { readonly state: M; readonly value: Either<DmaFault, bigint> }
  readonly write: (m: M, addr: bigint, size: AccessSize, value: bigint) => { readonly state: M; readonly fault: DmaFault | undefined }
}

/** A port whose state changes only by its writes, as a StatePort (a refused access changes nothing). */
export const statePort = <M>(port: DmaPort<M>): StatePort<M> => ({
  read: (m, addr, size) => ({ state: m, value: port.read(m, addr, size) }),
  write: (m, addr, size, value) => {
    const r = port.write(m, addr, size, value)
    return isLeft(r) ? { state: m, fault: r.left } : { state: r.right, fault: undefined }
  },
})
