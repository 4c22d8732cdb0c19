// The hart over a bus it knows only as an interface (src/cpu/bus.ts, HartBus): RAM is read and written
// directly, anything else is asked of the bus (Priv. ISA, "Physical Memory Attributes": where nothing
// answers, the access faults), and after a device changed the hart's mip and time follow the bus's
// wires. No machine is involved: stepHart runs on a hart, memory, a TLB and this bus alone.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { phys } from '../../src/bits/address.ts'
import { emptyMemory, pokeBytes } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'
import { defaultTlbConfig, emptyTlb } from '../../src/mmu/tlb.ts'
import { type Hart, hart, resetHart } from '../../src/cpu/hart.ts'
import { type HartBus, ramWindow } from '../../src/cpu/bus.ts'
import { MIP_MSIP } from '../../src/cpu/csr/fields.ts'
import { stepHart } from '../../src/cpu/step.ts'
import { type Retired, type Trapped } from '../../src/cpu/event.ts'
import { CODE, RV64IMAC_H } from './fixture.ts'

const DEV = 0x1000_0000n

/** One 8-byte register at DEV; an odd value raises MSIP. Any other address outside RAM: nothing answers. */
const oneRegister: HartBus<bigint> = {
  ram: ramWindow(0x8000_0000n, 0x8000_0000n),
  load: (r, pa, size) => (pa === DEV && size === 8 ? { devices: r, value: r } : undefined),
  store: (_r, pa, size, value) => (pa === DEV && size === 8 ? value : undefined),
  wires: (r, csr) => ((r & 1n) === 1n ? { ...csr, mip: csr.mip | MIP_MSIP } : csr),
}

/** A hart at CODE in M-mode, with a0 = address, a1 = value, and `word` at CODE. */
const setup = (word: number, address: bigint, value = 0n): { h: Hart; memory: ReturnType<typeof emptyMemory> } => {
  const h0 = resetHart(RV64IMAC_H, CODE)
  const x = h0.x.slice()
  x[10] = address
  x[11] = value
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, word, true)
  return { h: hart(CODE, x, h0.priv, h0.virt, { ...h0.csr, mtvec: CODE + 0x100n }, undefined, 0n, 0n), memory: pokeBytes(emptyMemory(defaultMemoryMap), phys(CODE), bytes) }
}
const TLB = emptyTlb(defaultTlbConfig)
const LD = 0x00053583        // ld a1, 0(a0)
const SD = 0x00b53023        // sd a1, 0(a0)

test('a load outside RAM is answered by the bus: ld reads the device register', () => {
  const { h, memory } = setup(LD, DEV)
  const r = stepHart(h, RV64IMAC_H, memory, TLB, oneRegister, 42n, false, false)
  assert.is(r.event._tag, 'Retired')
  assert.is(r.hart.x[11], 42n)
  assert.is((r.event as Retired).loads[0]!.pa, DEV)
})

test('where the bus does not answer, a load is a load access fault (cause 5, tval = the address)', () => {
  const { h, memory } = setup(LD, DEV + 8n)
  const r = stepHart(h, RV64IMAC_H, memory, TLB, oneRegister, 42n, false, false)
  assert.is(r.end, 'trap')
  assert.is((r.event as Trapped).trap.cause, 5n)
  assert.is(r.hart.csr.mtval, DEV + 8n)
})

test('a store the bus takes changes the device state; the hart\'s mip follows the wires (MSIP for an odd value)', () => {
  const { h, memory } = setup(SD, DEV, 7n)
  const r = stepHart(h, RV64IMAC_H, memory, TLB, oneRegister, 0n, false, false)
  assert.is(r.devices, 7n)
  assert.is(r.hart.csr.mip & MIP_MSIP, MIP_MSIP)
  assert.is(r.memory, memory)                                   // RAM untouched
  assert.ok(r.stored)
})

test('a store the bus refuses is a store access fault (cause 7), and the devices keep their state', () => {
  const { h, memory } = setup(SD, DEV + 16n, 7n)
  const r = stepHart(h, RV64IMAC_H, memory, TLB, oneRegister, 3n, false, false)
  assert.is((r.event as Trapped).trap.cause, 7n)
  assert.is(r.devices, 3n)
})

test.run()
