// A simple DMA engine (memvirt's own device, no spec): software writes a device_id, an optional
// process_id, a source and a destination address, a length, then GO; at the next chunk end the engine,
// as a bus master, copies the bytes through its DMA port (dma.ts) — the identity onto RAM, or a
// translating unit such as the RISC-V IOMMU in front — and STATUS shows done, or error with the
// device address the port refused.
import { type Either, left, right } from '../../bits/either.ts'
import { type AccessSize, type PhysMemory } from '../../memory/memory.ts'
import { type RamWindow } from '../../cpu/bus.ts'
import { type DeviceFault, type DeviceLoad, deviceFault, registerBytes, withRegisterBytes } from '../device.ts'
import { type Mastered, type StatePort, ramPort, statePort } from '../dma.ts'
import { type AddedSpec, type Window } from '../added-device.ts'

/** Register offsets (each 8 bytes; 4- and 8-byte naturally aligned accesses). */
export const DMA_REG = {
  /** The requester's device_id (bits 23:0; WARL). */
  deviceId: 0x00,
  /** bits 19:0 the process_id, bit 31 PV: the requests carry it (WARL). */
  processId: 0x08,
  /** Source device address. */
  src: 0x10,
  /** Destination device address. */
  dst: 0x18,
  /** Bytes to copy (bits 15:0; WARL: at most 64 KiB − 1). */
  len: 0x20,
  /** Write with bit 0 set: start (ignored while busy); reads 0. */
  go: 0x28,
  /** Read-only: 0 idle, 1 busy, 2 done, 3 error. */
  status: 0x30,
  /** Read-only: the device address of the access the port refused (valid when STATUS = error). */
  faultAddr: 0x38,
  /** Read-only: bytes copied by the last transfer (up to the refused access). */
  copied: 0x40,
} as const

export const DMA_WINDOW_SIZE = 0x1000n

export const DMA_IDLE = 0n, DMA_BUSY = 1n, DMA_DONE = 2n, DMA_ERROR = 3n

export interface DmaEngine {
  readonly deviceId: bigint
  readonly processId: bigint
  readonly src: bigint
  readonly dst: bigint
  readonly len: bigint
  readonly status: bigint
  readonly faultAddr: bigint
  readonly copied: bigint
}

export const resetDmaEngine: DmaEngine = { deviceId: 0n, processId: 0n, src: 0n, dst: 0n, len: 0n, status: DMA_IDLE, faultAddr: 0n, copied: 0n }

/** What the engine's registers ask for: the requester's ids (the process_id when PV = 1). */
export interface DmaRequester {
  readonly deviceId: number
  readonly processId: number | undefined
}

export const requesterOf = (s: DmaEngine): DmaRequester =>
  ({ deviceId: Number(s.deviceId), processId: (s.processId >> 31n) & 1n ? Number(s.processId & 0xfffffn) : undefined })

const FIELDS: readonly (readonly [number, keyof DmaEngine])[] = [
  [DMA_REG.deviceId, 'deviceId'], [DMA_REG.processId, 'processId'], [DMA_REG.src, 'src'], [DMA_REG.dst, 'dst'],
  [DMA_REG.len, 'len'], [DMA_REG.status, 'status'], [DMA_REG.faultAddr, 'faultAddr'], [DMA_REG.copied, 'copied'],
]
const WRITABLE_MASK: Readonly<Partial<Record<keyof DmaEngine, bigint>>> = {
  deviceId: 0xff_ffffn, processId: 0x8000_0000n | 0xf_ffffn, src: (1n << 64n) - 1n, dst: (1n << 64n) - 1n, len: 0xffffn,
}

/** The register at an access, when the access is 4 or 8 bytes, naturally aligned, inside one register. */
const registerAt = (offset: bigint, size: AccessSize): bigint | undefined => {
  if ((size !== 4 && size !== 8) || offset % BigInt(size) !== 0n || offset >= BigInt(DMA_REG.copied + 8)) return undefined
  return offset - (offset % 8n)
}

const field = (base: bigint): keyof DmaEngine | undefined => FIELDS.find(([o]) => BigInt(o) === base)?.[1]

/** A load: registers read as they are (GO reads 0); any other access is refused. */
export const loadDma = (name: string) => (s: DmaEngine, offset: bigint, size: AccessSize): Either<DeviceFault, DeviceLoad<DmaEngine>> => {
  const base = registerAt(offset, size)
  if (base === undefined) return left(deviceFault(name, offset, `a ${size}-byte access at 0x${offset.toString(16)} is not a register access`))
  const f = field(base)
  return right({ state: s, value: f === undefined ? 0n : registerBytes(s[f], base, 8n, offset, size) })
}

/** A store: WARL registers while idle; GO starts a transfer (STATUS busy); writes while busy are ignored. */
export const storeDma = (name: string) => (s: DmaEngine, offset: bigint, size: AccessSize, value: bigint): Either<DeviceFault, DmaEngine> => {
  const base = registerAt(offset, size)
  if (base === undefined) return left(deviceFault(name, offset, `a ${size}-byte access at 0x${offset.toString(16)} is not a register access`))
  if (s.status === DMA_BUSY) return right(s)
  if (base === BigInt(DMA_REG.go)) {
    return (withRegisterBytes(0n, base, offset, size, value) & 1n) === 1n
      ? right({ ...s, status: DMA_BUSY, faultAddr: 0n, copied: 0n }) : right(s)
  }
  const f = field(base)
  const m = f === undefined ? undefined : WRITABLE_MASK[f]
  if (f === undefined || m === undefined) return right(s)                 // read-only registers
  return right({ ...s, [f]: withRegisterBytes(s[f], base, offset, size, value) & m })
}

/**
 * The transfer, when one is started: LEN bytes from SRC to DST through `port`, in ascending order, in
 * 8-byte accesses when SRC, DST and LEN are all multiples of 8, else byte by byte. The first access the
 * port refuses stops it: STATUS error, FAULT its device address, COPIED the bytes written before it
 * (they stay written). Otherwise STATUS done. Idle or finished engines are left as they are.
 */
export const transfer = <M>(s: DmaEngine, memory: M, port: StatePort<M>): Mastered<DmaEngine, M> => {
  if (s.status !== DMA_BUSY) return { state: s, memory }
  const unit: AccessSize = s.src % 8n === 0n && s.dst % 8n === 0n && s.len % 8n === 0n ? 8 : 1
  let m = memory
  for (let off = 0n; off < s.len; off += BigInt(unit)) {
    const r = port.read(m, s.src + off, unit)
    m = r.state
    if (r.value._tag === 'Left') return { state: { ...s, status: DMA_ERROR, faultAddr: r.value.left.addr, copied: off }, memory: m }
    const w = port.write(m, s.dst + off, unit, r.value.right)
    m = w.state
    if (w.fault !== undefined) return { state: { ...s, status: DMA_ERROR, faultAddr: w.fault.addr, copied: off }, memory: m }
  }
  return { state: { ...s, status: DMA_DONE, copied: s.len }, memory: m }
}

/**
 * The engine alone on the bus at `base`, its DMA port the identity onto RAM (a platform without an
 * IOMMU): an added device (added-device.ts).
 */
export const plainDmaEngine = (base: bigint): AddedSpec<DmaEngine> => {
  const window: Window = { name: 'dma', base, size: DMA_WINDOW_SIZE }
  return {
    name: 'dma',
    windows: [window],
    driven: 0n,
    load: (s, _w, offset, size) => loadDma('dma')(s, offset, size),
    store: (s, _w, offset, size, value) => storeDma('dma')(s, offset, size, value),
    irq: () => 0n,
    master: (s: DmaEngine, memory: PhysMemory, ram: RamWindow) => transfer(s, memory, statePort(ramPort(ram))),
  }
}
