// Devices on the bus and DMA (src/machine/device.ts, bus.ts, dma.ts): a load or store reaches the device
// whose region wholly contains it, at the offset into that region; nothing answers elsewhere (Priv. ISA,
// "Physical Memory Attributes": an access fault). A device that is a bus master reads and writes memory
// only through a DMA port: the identity port onto RAM, a port that refuses, or a port behind a
// translating unit (where the RISC-V IOMMU will sit). The device here is a trivial copy engine.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Either, isLeft, left, right } from '../../src/bits/either.ts'
import { phys } from '../../src/bits/address.ts'
import { type AccessSize, type PhysMemory, emptyMemory, peek, pokeBytes } from '../../src/memory/memory.ts'
import { defaultMemoryMap, SPIKE_RAM_BASE, SPIKE_RAM_SIZE } from '../../src/memory/memory-map.ts'
import { ramWindow } from '../../src/cpu/bus.ts'
import { resetCsrs } from '../../src/cpu/hart.ts'
import { MIP_MSIP, MIP_MTIP } from '../../src/cpu/csr/fields.ts'
import { type Device, deviceFault } from '../../src/machine/device.ts'
import { attach, bus } from '../../src/machine/bus.ts'
import { type BusMaster, type DmaFault, type DmaPort, dmaFault, ramPort, refusingPort, translatedPort } from '../../src/machine/dma.ts'
import { type Clint, CLINT_BASE, clintDevice, resetClint } from '../../src/machine/clint.ts'
import { RV64IMAC_H } from '../cpu/fixture.ts'

// ---- a trivial copy engine: SRC at 0x0, DST at 0x8, LEN at 0x10, STATUS at 0x18 (1 = go, 2 = done, 3 = fault)

interface Copier { readonly src: bigint; readonly dst: bigint; readonly len: bigint; readonly status: bigint; readonly faultAt: bigint }
const copier0: Copier = { src: 0n, dst: 0n, len: 0n, status: 0n, faultAt: 0n }
const FIELDS = ['src', 'dst', 'len', 'status', 'faultAt'] as const

const copierDevice: Device<Copier> = {
  name: 'copier',
  size: 0x28n,
  load: (s, off, size) => (size === 8 && off % 8n === 0n ? right({ state: s, value: s[FIELDS[Number(off / 8n)]!] }) : left(deviceFault('copier', off, 'only aligned 8-byte accesses'))),
  store: (s, off, size, value) => (size === 8 && off % 8n === 0n && off < 0x20n ? right({ ...s, [FIELDS[Number(off / 8n)]!]: value }) : left(deviceFault('copier', off, 'read-only or unaligned'))),
  tick: (s) => s,
  irq: (s) => (s.status === 2n ? MIP_MSIP : 0n),
}

/** The copy engine as a bus master: when STATUS = 1, copies LEN bytes from SRC to DST, byte by byte. */
const copy: BusMaster<Copier> = <M>(s: Copier, memory: M, port: DmaPort<M>) => {
  if (s.status !== 1n) return { state: s, memory }
  let m = memory
  for (let i = 0n; i < s.len; i++) {
    const b = port.read(m, s.src + i, 1)
    if (isLeft(b)) return { state: { ...s, status: 3n, faultAt: b.left.addr }, memory: m }
    const w = port.write(m, s.dst + i, 1, b.right)
    if (isLeft(w)) return { state: { ...s, status: 3n, faultAt: w.left.addr }, memory: m }
    m = w.right
  }
  return { state: { ...s, status: 2n }, memory: m }
}

const RAM = ramWindow(SPIKE_RAM_BASE, SPIKE_RAM_SIZE)
const SRC = 0x8000_1000n, DST = 0x8000_2000n
const mem0: PhysMemory = pokeBytes(emptyMemory(defaultMemoryMap), phys(SRC), Uint8Array.of(0x11, 0x22, 0x33, 0x44))
const armed: Copier = { src: SRC, dst: DST, len: 4n, status: 1n, faultAt: 0n }

// ---- the bus -------------------------------------------------------------------------------------------

interface Devs { readonly copier: Copier; readonly clint: Clint }
const COPIER_BASE = 0x1000_0000n
const theBus = bus<Devs>(RAM, [
  attach(COPIER_BASE, copierDevice, (d: Devs) => d.copier, (d, s) => ({ ...d, copier: s })),
  attach(CLINT_BASE, clintDevice, (d: Devs) => d.clint, (d, s) => ({ ...d, clint: s })),
], MIP_MSIP | MIP_MTIP, (d) => d.clint.mtime)
const devs0: Devs = { copier: copier0, clint: resetClint }

test('bus: a store reaches the device whose region holds it, at the offset into the region', () => {
  const d1 = theBus.store(devs0, COPIER_BASE + 0x8n, 8, DST)
  assert.ok(d1 !== undefined)
  assert.is(d1.copier.dst, DST)
  assert.is(d1.clint, devs0.clint)                                   // the other device is untouched
  assert.is(theBus.load(d1, COPIER_BASE + 0x8n, 8)?.value, DST)
})

test('bus: nothing answers outside every region, nor for an access straddling a region\'s end (an access fault)', () => {
  assert.is(theBus.load(devs0, 0x2000_0000n, 8), undefined)
  assert.is(theBus.load(devs0, CLINT_BASE + 0xc_0000n - 4n, 8), undefined)   // the CLINT's last 4 bytes and 4 beyond
  assert.ok(theBus.load(devs0, CLINT_BASE + 0xc_0000n - 8n, 8) !== undefined)  // its last 8 bytes: inside
  assert.is(theBus.store(devs0, COPIER_BASE + 0x20n, 8, 1n), undefined)  // the device refuses (faultAt is read-only)
})

test('bus: the hart\'s mip follows the interrupt lines devices drive; time follows the CLINT\'s mtime', () => {
  const csr = { ...resetCsrs(RV64IMAC_H), mip: 0n }
  // CLINT at reset: mtime = mtimecmp = 0, so MTIP is driven; msip = 0.
  assert.is(theBus.wires(devs0, csr).mip, MIP_MTIP)
  const withMsip = theBus.store(devs0, CLINT_BASE, 4, 1n)!
  assert.is(theBus.wires(withMsip, csr).mip, MIP_MSIP | MIP_MTIP)
  const later = theBus.tick(devs0, 50n)
  assert.is(theBus.wires(later, csr).time, 50n)
})

// ---- DMA -------------------------------------------------------------------------------------------------

test('DMA through the identity port: the copy reads RAM at SRC and writes it at DST', () => {
  const r = copy(armed, mem0, ramPort(RAM))
  assert.is(r.state.status, 2n)
  assert.is(peek(r.memory, phys(DST), 4), 0x4433_2211n)
  assert.is(peek(mem0, phys(DST), 4), 0n)                          // the memory passed in is unchanged
})

test('DMA through the identity port: an address outside RAM is refused, and the device sees the fault', () => {
  const r = copy({ ...armed, dst: 0x10n }, mem0, ramPort(RAM))
  assert.is(r.state.status, 3n)
  assert.is(r.state.faultAt, 0x10n)
})

test('DMA through a refusing port: no memory changes, the first read is the fault', () => {
  const r = copy(armed, mem0, refusingPort<PhysMemory>('DMA disabled'))
  assert.is(r.state.status, 3n)
  assert.is(r.state.faultAt, SRC)
  assert.is(r.memory, mem0)
})

test('DMA behind a translating unit: device addresses are mapped before the port sees them, refusals stop the copy', () => {
  // A unit that maps device page 0x0 to physical SRC's page and 0x1000 to DST's page, and refuses the rest.
  const map = (addr: bigint, _size: AccessSize, access: 'read' | 'write'): Either<DmaFault, bigint> =>
    addr < 0x1000n ? right(SRC + addr) : addr < 0x2000n ? right(DST + addr - 0x1000n) : left(dmaFault(addr, access, 'no mapping'))
  const port = translatedPort(ramPort(RAM), map)
  const r = copy({ ...armed, src: 0x0n, dst: 0x1000n }, mem0, port)
  assert.is(r.state.status, 2n)
  assert.is(peek(r.memory, phys(DST), 4), 0x4433_2211n)
  const refused = copy({ ...armed, src: 0x0n, dst: 0x2000n }, mem0, port)
  assert.is(refused.state.status, 3n)
  assert.is(refused.state.faultAt, 0x2000n)
})

test.run()
