// The random S-mode programs of the exact-TLB laws (tlb-exact.prop.ts) and of the snapshot law that splits
// them (properties/hypervisor/redundancy/snapshot.prop.ts): Sv39, four data pages whose leaf PTEs the
// programs rewrite (remaps, a read-only page, an invalid PTE), SFENCE.VMA, system calls, satp rewrites.
import { phys } from '../../src/bits/address.ts'
import { pokeBytes } from '../../src/memory/memory.ts'
import { type Machine, withMemory } from '../../src/machine/machine.ts'
import { PRV_S } from '../../src/cpu/hart.ts'
import { csrType, encode, fenceVmaType, iType, rType, sType, systemType } from '../../src/cpu/decode/index.ts'
import { exactTlbConfig } from '../../src/mmu/tlb.ts'
import { CODE, isa, machineWith } from '../../spec/cpu/fixture.ts'
import { fc } from '../fc.ts'

// ---- the machine ---------------------------------------------------------------------------------------
// Code at 0x8000_0000 (an identity gigapage, never remapped), the M-mode handler at CODE + 0x800 (skips the
// trapping instruction). Sv39 tables ROOT → L1 → L0; VA 0x4000_0000 + n·4 KiB (n < 4) uses L0[n], which
// points at one of the data pages D0..D3, each filled with its own values.
export const ISA = isa('rv64ima_zicsr')
const HANDLER = CODE + 0x800n
export const ROOT = 0x8001_0000n, L1 = 0x8001_1000n, L0 = 0x8001_2000n
export const DATA = 0x8002_0000n
const VA = 0x4000_0000n
const ASID = 1n
const V = 1n, R = 2n, W = 4n, X = 8n, A = 64n, D = 128n
const pte = (pa: bigint, flags: bigint): bigint => ((pa >> 12n) << 10n) | flags
const SATP = (8n << 60n) | (ASID << 44n) | (ROOT >> 12n)

// Registers: x10–x13 the four data VAs, x3 = L0 (identity-mapped), x5–x9 the PTE values a program may
// store (D0, D1, D2 writable; D3 read-only; 0 = invalid), x14 = ASID, x21 = satp; x15–x20 free.
const PTE_VALUES = [pte(DATA, V | R | W | A | D), pte(DATA + 0x1000n, V | R | W | A | D), pte(DATA + 0x2000n, V | R | W | A | D), pte(DATA + 0x3000n, V | R | A | D), 0n]
const FREE = [15, 16, 17, 18, 19, 20]

const words32 = (ws: readonly number[]): Uint8Array => {
  const b = new Uint8Array(ws.length * 4)
  const view = new DataView(b.buffer)
  ws.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true))
  return b
}
const dwords = (vs: readonly bigint[]): Uint8Array => {
  const b = new Uint8Array(vs.length * 8)
  const view = new DataView(b.buffer)
  vs.forEach((v, i) => view.setBigUint64(i * 8, v, true))
  return b
}

const handler = [
  encode(csrType('csrrs', 31, 0, 0x341)),          // x31 = mepc
  encode(iType('addi', 31, 31, 4n)),
  encode(csrType('csrrw', 0, 31, 0x341)),          // mepc += 4: skip the trapping instruction
  encode(systemType('mret')),
]

export const machineOf = (program: readonly number[]): Machine => {
  const x: Record<number, bigint> = { 3: L0, 14: ASID, 21: SATP }
  for (let n = 0; n < 4; n++) x[10 + n] = VA + BigInt(n) * 0x1000n
  PTE_VALUES.forEach((v, i) => { x[5 + i] = v })
  const m = machineWith([...program, 0x0000006f /* j . */], {
    isa: ISA, priv: PRV_S, x, csr: { satp: SATP, mtvec: HANDLER },
  })
  let mem = pokeBytes(m.memory, phys(HANDLER), words32(handler))
  mem = pokeBytes(mem, phys(ROOT + 2n * 8n), dwords([pte(0x8000_0000n, V | R | W | X | A | D)]))
  mem = pokeBytes(mem, phys(ROOT + 1n * 8n), dwords([pte(L1, V)]))
  mem = pokeBytes(mem, phys(L1), dwords([pte(L0, V)]))
  mem = pokeBytes(mem, phys(L0), dwords(PTE_VALUES.slice(0, 4)))
  for (let k = 0n; k < 4n; k++) mem = pokeBytes(mem, phys(DATA + k * 0x1000n), dwords(Array.from({ length: 64 }, (_, i) => (k << 32n) | BigInt(i))))
  return withMemory(m, mem)
}

// ---- programs --------------------------------------------------------------------------------------------

const page = fc.nat(3)
const slot = fc.nat(63).map((i) => BigInt(i * 8))
const load = fc.tuple(fc.constantFrom(...FREE), page, slot).map(([rd, n, off]) => [encode(iType('ld', rd, 10 + n, off))])
const store = fc.tuple(fc.constantFrom(...FREE, 5), page, slot).map(([rs2, n, off]) => [encode(sType('sd', 10 + n, rs2, off))])
/** A covering fence for page n: SFENCE.VMA with rs1 = x0 or that VA, rs2 = x0 or the ASID. */
const covering = (n: number) => fc.tuple(fc.boolean(), fc.boolean()).map(([byVa, byAsid]) => encode(fenceVmaType('sfence.vma', byVa ? 10 + n : 0, byAsid ? 14 : 0)))
/** A PTE store (L0[n] = one of the five values), followed by a covering fence when `fenced`. */
const remap = (fenced: boolean) => fc.tuple(page, fc.nat(4)).chain(([n, v]) => {
  const write = encode(sType('sd', 3, 5 + v, BigInt(n * 8)))
  return fenced ? covering(n).map((f) => [write, f]) : fc.option(covering(n), { freq: 2 }).map((f) => (f === null ? [write] : [write, f]))
})
const other = fc.oneof(
  fc.constant([encode(systemType('ecall'))]),                          // a system call: trap to M, MRET back
  fc.constant([encode(csrType('csrrw', 0, 21, 0x180))]),               // satp rewritten (same value)
  fc.tuple(fc.constantFrom(...FREE), fc.constantFrom(...FREE)).map(([a, b]) => [encode(rType('add', a, a, b))]),
)
export const arbProgram = (fenced: boolean) => fc.array(fc.oneof(
  { weight: 5, arbitrary: load }, { weight: 3, arbitrary: store }, { weight: 3, arbitrary: remap(fenced) }, { weight: 2, arbitrary: other },
), { minLength: 10, maxLength: 40 }).map((parts) => parts.flat())

/** An exact TLB of a random shape: 1 to 64 entries, 1 to 8 ways, LRU or FIFO. */
export const arbExact = (report: boolean) => fc.tuple(fc.nat(6), fc.nat(3), fc.constantFrom('lru' as const, 'fifo' as const)).map(([e, w, replacement]) => {
  const ways = Math.min(1 << w, 1 << e)
  const c = exactTlbConfig({ entries: 1 << e, ways, replacement }, report)
  if (typeof c === 'string') throw new Error(c)
  return c
})
