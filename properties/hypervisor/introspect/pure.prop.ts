// Law: introspection is side-effect free. Every query — virtual, guest-physical and physical reads, walks
// in both views, CSR and register reads, and even a debugger's writes (which return a new machine) —
// leaves the machine it was given deep-equal to what it was, on states taken at random points of the
// golden programs (S-stage under Sv39, and a hypervisor with a two-stage guest).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../../fc.ts'
import { type Machine } from '../../../src/machine/machine.ts'
import { SPACES, readMemory, physicalAddress, walkIn, writeMemory } from '../../../src/hypervisor/introspect/memory.ts'
import { implementedCsrs, privRegister, readCsr, registers, writeCsr } from '../../../src/hypervisor/introspect/registers.ts'
import { loadGolden, runSteps } from '../../../spec/hypervisor/introspect/programs.ts'
import { type PhysMemory, pageAt, writtenPages } from '../../../src/memory/memory.ts'

/** A plain, comparable copy of any value: bigints, bytes, maps and nested records; functions by name. */
const snapshot = (x: unknown, depth = 0): unknown => {
  if (depth > 64) return '…'
  if (typeof x === 'bigint') return `${x}n`
  if (typeof x === 'function') return `fn ${x.name}`
  if (x === null || typeof x !== 'object') return x
  if (x instanceof DataView) return Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)).join(',')
  if (ArrayBuffer.isView(x)) return Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)).join(',')
  if (x instanceof Map) return Array.from(x.entries(), ([k, v]) => [snapshot(k, depth + 1), snapshot(v, depth + 1)])
  if (Array.isArray(x)) return x.map((v) => snapshot(v, depth + 1))
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, snapshot(v, depth + 1)]))
}

/**
 * The machine as `snapshot`, its memory by what it holds (map, pages written, each page's bytes): a memory
 * version's object holds its place among the versions (memory.ts), which reading it may move.
 */
const machineSnapshot = (m: Machine): unknown => snapshot({ ...m, memory: memoryContents(m.memory) })
const memoryContents = (mem: PhysMemory): unknown =>
  ({ map: mem.map, pages: mem.pages, bytes: writtenPages(mem).map((pn) => [pn, pageAt(mem, pn)]) })

const statesOf = (name: string, isa: string, every: number, count: number): Machine[] => {
  const out: Machine[] = []
  let m = loadGolden(name, isa).machine
  for (let i = 0; i < count; i++) { out.push(m); m = runSteps(m, every) }
  return out
}
const states = [...statesOf('sv39', 'rv64ima_zicsr', 25, 16), ...statesOf('hyp', 'rv64imah_zicsr', 25, 16)]

const interesting = [0n, 0x1000n, 0x4000_0000n, 0x4000_0ff8n, 0x4000_2000n, 0x4020_0000n, 0x8000_0000n, 0x8000_3000n, 0x1_0000_0000n, 0x200_bff8n]
const arbAddress = fc.oneof(fc.constantFrom(...interesting), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0x8000_0000n, max: 0x8001_0000n }))

test('introspection leaves the machine deep-equal to what it was', () => {
  fc.assert(fc.property(fc.constantFrom(...states), fc.constantFrom(...SPACES), arbAddress, fc.nat(40), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    (m, space, address, len, value) => {
      const before = machineSnapshot(m)
      readMemory(m, space, address, len)
      physicalAddress(m, space, address)
      walkIn(m, space, address, 'debugger')
      walkIn(m, space, address, 'architectural')
      writeMemory(m, space, address, new Uint8Array([1, 2, 3]))
      for (const n of implementedCsrs(m.isa)) readCsr(m, n)
      writeCsr(m, 0x180, value)
      writeCsr(m, 0x300, value)
      registers(m)
      privRegister(m.hart)
      assert.equal(machineSnapshot(m), before)
    }), { numRuns: runs(60) })
})

test.run()
