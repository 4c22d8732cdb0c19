// One step at a time: exceptions raised by instructions and their trap values, the fetch of a 4-byte
// instruction that crosses into nothing, LR/SC, and the Spike boot ROM. Expected values from the
// unprivileged ISA (named chapter) and the Privileged ISA §3.1.15–3.1.16 (mcause/mtval), with Spike's
// choices (EBREAK tval = pc; misaligned accesses trap without Zicclsm) named.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Retired, type Trapped } from '../../src/cpu/event.ts'
import { CODE, isa, machineWith, stepOnce, steps } from './fixture.ts'
import { SPIKE_RAM_BASE } from '../../src/memory/memory-map.ts'
import { loadMachine } from '../../src/machine/machine.ts'
import { commitLine } from '../../src/trace/commit-log.ts'

const trapOf = (words: number[], setup = {}): Trapped => stepOnce(machineWith(words, setup)).event as Trapped

test('RV64I: writes to x0 are discarded (addi x0, x0, 5)', () => {
  const r = stepOnce(machineWith([0x00500013]))
  assert.is(r.machine.hart.x[0], 0n)
  assert.is((r.event as Retired).rd, 0)
})

test('3.3.1 ECALL: the cause names the mode it came from (U 8, S 9, VS 10, M 11), tval 0', () => {
  assert.is(trapOf([0x73], { priv: 0 }).trap.cause, 8n)
  assert.is(trapOf([0x73], { priv: 1 }).trap.cause, 9n)
  assert.is(trapOf([0x73], { priv: 1, virt: true }).trap.cause, 10n)
  const m = trapOf([0x73])
  assert.is(m.trap.cause, 11n)
  assert.is(m.trap.tval, 0n)
})

test('3.3.1 EBREAK: breakpoint (3) with tval = the pc (Spike)', () => {
  const t = trapOf([0x00100073])
  assert.is(t.trap.cause, 3n)
  assert.is(t.trap.tval, CODE)
})

test('3.1.16 illegal instruction: tval holds the instruction bits (Spike), e.g. csrw cycle (read-only)', () => {
  const t = trapOf([0xc0051073])
  assert.is(t.trap.cause, 2n)
  assert.is(t.trap.tval, 0xc0051073n)
})

test('a compressed instruction without C is illegal with the 16-bit parcel as tval', () => {
  const t = trapOf([0x00000505], { isa: isa('rv64ima_zicsr') })       // c.addi a0, 1
  assert.is(t.trap.cause, 2n)
  assert.is(t.trap.tval, 0x505n)
})

test('FENCE.I executes even when the ISA string does not name Zifencei (Spike: a base instruction)', () => {
  assert.is(stepOnce(machineWith([0x0000100f], { isa: isa('rv64ima_zicsr') })).event._tag, 'Retired')
})

test('M extension absent: MUL is illegal', () => {
  assert.is(trapOf([0x02b50533], { isa: isa('rv64ia_zicsr') }).trap.cause, 2n)    // mul a0, a0, a1
})

test('2.5 JALR to a target that is 2 mod 4 without C: instruction-address-misaligned, tval = target, rd unchanged', () => {
  const m = machineWith([0x002500e7], { isa: isa('rv64ima_zicsr'), x: { 10: 0x8000_0100n, 1: 7n } })  // jalr ra, 2(a0)
  const r = stepOnce(m)
  const t = r.event as Trapped
  assert.is(t.trap.cause, 0n)
  assert.is(t.trap.tval, 0x8000_0102n)
  assert.is(r.machine.hart.x[1], 7n)
})

test('misaligned LD traps with cause 4 and tval = the address (Spike without Zicclsm)', () => {
  const t = trapOf([0x00153583], { x: { 10: 0x8000_1000n } })        // ld a1, 1(a0)
  assert.is(t.trap.cause, 4n)
  assert.is(t.trap.tval, 0x8000_1001n)
})

test('Zicclsm: the same misaligned LD is performed in hardware', () => {
  const r = stepOnce(machineWith([0x00153583], { x: { 10: 0x8000_0000n }, isa: isa('rv64imac_zicsr_zicclsm') }))
  // bytes 1..8 of the code: 0x00153583 then the zero word → 0x00000000_00001535 (little-endian)
  assert.is(r.machine.hart.x[11], 0x0015_35n)
})

test('3.6 PMA: a load where nothing is mapped is a load access fault (5), tval = address', () => {
  const t = trapOf([0x00053583], { x: { 10: 0x4000_0000n } })   // ld a1, 0(a0)
  assert.is(t.trap.cause, 5n)
  assert.is(t.trap.tval, 0x4000_0000n)
})

test('a store to the boot ROM is a store access fault (7): the ROM is read-only', () => {
  const t = trapOf([0x00b53023], { x: { 10: 0x1000n } })             // sd a1, 0(a0)
  assert.is(t.trap.cause, 7n)
})

test('fetch: a 4-byte instruction whose second half lies outside memory: access fault 1 with tval = pc + 2, epc = pc', () => {
  const end = SPIKE_RAM_BASE + 0x8000_0000n
  // the last halfword of RAM holds 0x0013, the low parcel of a 32-bit instruction (bits [1:0] = 11)
  const t = trapOf([0x0013_0000], { codeAt: end - 4n, pc: end - 2n })
  assert.is(t.trap.cause, 1n)
  assert.is(t.trap.tval, end)
  assert.is(t.pc, end - 2n)
})

// PMP on the two parcels of a 32-bit instruction that starts 2 bytes into a 4-byte granule, so each parcel
// lies in its own granule: entry 0 is TOR [0, G), entry 1 TOR [G, 2^56), G = the second parcel's address.
// S-mode, satp = Bare. Priv. ISA §3.7.1 (PMP checks each access; the matching entry must cover all of it),
// with Spike's fetch of a 32-bit instruction as two 2-byte parcels, each checked in turn.
const G = CODE + 0x104n
const parcels = (cfg0: number, cfg1: number): Trapped | Retired => {
  const pmpcfg = new Array<number>(64).fill(0)
  const pmpaddr = new Array<bigint>(64).fill(0n)
  pmpcfg[0] = 0x08 | cfg0; pmpaddr[0] = G >> 2n               // A = TOR
  pmpcfg[1] = 0x08 | cfg1; pmpaddr[1] = (1n << 54n) - 1n
  // addi x0, x0, 0 (0x00000013) at G - 2: its low parcel 0x0013 in entry 0, its high parcel 0x0000 in entry 1
  return stepOnce(machineWith([0x0013_0000, 0x0000_0000], { codeAt: G - 4n, pc: G - 2n, priv: 1, csr: { pmpcfg, pmpaddr } })).event as Trapped | Retired
}

test('3.7.1 fetch: each parcel passes its own entry (X in both): the instruction retires, though no entry covers all 4 bytes', () => {
  assert.is(parcels(0x5, 0x5)._tag, 'Retired')
})

test('3.7.1 fetch: the second parcel in an entry without X: instruction access fault (1) with tval = pc + 2', () => {
  const t = parcels(0x5, 0x3) as Trapped
  assert.is(t._tag, 'Trapped')
  assert.is(t.trap.cause, 1n)
  assert.is(t.trap.tval, G)
  assert.is(t.pc, G - 2n)
})

test('3.7.1 fetch: the first parcel in an entry without X: instruction access fault (1) with tval = pc', () => {
  const t = parcels(0x3, 0x5) as Trapped
  assert.is(t._tag, 'Trapped')
  assert.is(t.trap.cause, 1n)
  assert.is(t.trap.tval, G - 2n)
})

test('A: SC succeeds only on the reserved address; it always clears the reservation', () => {
  // lr.d a1, (a0); sc.d a2, a1, (a0); sc.d a2, a1, (a0)
  const rs = steps(machineWith([0x100535af, 0x18b5362f, 0x18b5362f], { x: { 10: 0x8000_1000n } }), 3)
  assert.is(rs[1]!.machine.hart.x[12], 0n)
  assert.is(rs[2]!.machine.hart.x[12], 1n)
  assert.is((rs[1]!.event as Retired).stores.length, 1)
  assert.is((rs[2]!.event as Retired).stores.length, 0)
})

test('A: AMOADD.W returns the old word sign-extended and stores the sum', () => {
  const m = machineWith([0x00b5262f, 0xffffffff], { x: { 10: CODE + 4n, 11: 1n } })     // amoadd.w a2, a1, (a0)
  const r = stepOnce(m)
  assert.is(r.machine.hart.x[12], 0xffff_ffff_ffff_ffffn)
  const ev = r.event as Retired
  // Bare M-mode: the physical address is the address used; the load reports the old word as read.
  assert.equal(ev.loads, [{ va: CODE + 4n, gpa: undefined, pa: CODE + 4n, size: 4, value: 0xffff_ffffn }])
  assert.equal(ev.stores, [{ va: CODE + 4n, gpa: undefined, pa: CODE + 4n, value: 0n, size: 4 }])
})

test('H 9.6.1: HLV from VS-mode is a virtual-instruction exception; from U without hstatus.HU it is illegal', () => {
  assert.is(trapOf([0x6c0545f3], { priv: 1, virt: true }).trap.cause, 22n)     // hlv.d a1, (a0)
  assert.is(trapOf([0x6c0545f3], { priv: 0 }).trap.cause, 2n)
})

test('H 9.6.1: HFENCE.GVMA in VS-mode is a virtual-instruction exception with the instruction as tval', () => {
  const t = trapOf([0x62000073], { priv: 1, virt: true })
  assert.is(t.trap.cause, 22n)
  assert.is(t.trap.tval, 0x62000073n)
})

test('3.1.6.3 MPRV: M-mode loads are translated and checked at MPP (U here: a U=0 page faults 13); fetches are not', () => {
  // Sv39 root at CODE + 0x1000: root[2] = 1 GiB identity leaf for 0x8000_0000 with V R W X A D, U = 0
  const root = CODE + 0x1000n
  const pte = ((0x8000_0000n >> 12n) << 10n) | 0xcfn
  const words = new Array<number>(0x406).fill(0)                       // 32-bit words from CODE
  words[0] = 0x00053583                                                 // ld a1, 0(a0)
  words[0x404] = Number(pte & 0xffff_ffffn)                             // root[2] at root + 16 = CODE + 0x1010
  words[0x405] = Number(pte >> 32n)
  const satp = (8n << 60n) | (root >> 12n)
  const mprv = stepOnce(machineWith(words, { x: { 10: CODE }, csr: { satp, mstatus: (0xan << 32n) | (1n << 17n) } }))
  assert.is((mprv.event as Trapped).trap.cause, 13n)
  const plain = stepOnce(machineWith(words, { x: { 10: CODE }, csr: { satp } }))
  assert.is(plain.machine.hart.x[11], 0x00053583n)
})

test('Spike boot ROM: the first five commit lines reproduce Spike reset vector (auipc, addi, csrr, ld, jr)', () => {
  const m = loadMachine(isa('rv64imac_zicsr'), { entry: 0x8000_0000n, flags: 0, segments: [], symbols: new Map(), tohost: { _tag: 'None' }, fromhost: { _tag: 'None' } })
  if (m._tag === 'Left') throw new Error('load')
  const lines = steps(m.right, 5).map((r) => commitLine(r.event)).join('')
  assert.fixture(lines, [
    'core   0: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000',
    'core   0: 3 0x0000000000001004 (0x02028593) x11 0x0000000000001020',
    'core   0: 3 0x0000000000001008 (0xf1402573) x10 0x0000000000000000',
    'core   0: 3 0x000000000000100c (0x0182b283) x5  0x0000000080000000 mem 0x0000000000001018',
    'core   0: 3 0x0000000000001010 (0x00028067)',
    '',
  ].join('\n'))
})

test.run()
