// fast-check arbitraries for CPU properties: machines with a few random instructions at 0x8000_0000,
// random registers (often addresses near the code, so accesses reach RAM), a random mode and delegation.
import { fc } from '../../properties/fc.ts'
import { type Priv } from '../../src/cpu/hart.ts'
import { CSR, csrWrite } from '../../src/cpu/csr/access.ts'
import { type Machine, withHart, withOptions } from '../../src/machine/machine.ts'
import { CODE, RV64IMAC_H, machineWith } from './fixture.ts'
import { bType, csrType, encode, iType, jType, rType, sType, shiftType, uType } from '../../src/cpu/decode/index.ts'

// Instruction words: fully random, or a random operand pattern under an interesting opcode/funct set.
export const OPCODES = [0x03, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x2f, 0x33, 0x37, 0x3b, 0x63, 0x67, 0x6f, 0x73]
export const arbWord = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.tuple(fc.constantFrom(...OPCODES), fc.integer({ min: 0, max: 0x1ff_ffff })).map(([op, rest]) => ((rest << 7) | op) >>> 0),
  // SYSTEM with a CSR number from the implemented ranges and rd/rs1 in a0..a5
  fc.tuple(fc.constantFrom(0x100, 0x104, 0x141, 0x180, 0x200, 0x300, 0x302, 0x305, 0x341, 0x600, 0x602, 0x680, 0xc00, 0xb02, 0x3a0, 0x3b0),
    fc.integer({ min: 1, max: 7 }), fc.integer({ min: 10, max: 15 }), fc.integer({ min: 0, max: 15 }))
    .map(([csr, f3, rd, rs1]) => ((csr << 20) | (rs1 << 15) | ((f3 === 4 ? 1 : f3) << 12) | (rd << 7) | 0x73) >>> 0),
)
// Register values: random, or addresses near the code (so loads, stores and AMOs reach RAM).
export const arbReg = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: CODE, max: CODE + 0x2000n }))
export const arbMode = fc.constantFrom<[Priv, boolean]>([3, false], [1, false], [0, false], [1, true], [0, true])

export const arbMachine = fc.record({
  words: fc.array(arbWord, { minLength: 1, maxLength: 6 }),
  regs: fc.array(arbReg, { minLength: 31, maxLength: 31 }),
  mode: arbMode,
  medeleg: fc.bigInt({ min: 0n, max: (1n << 24n) - 1n }),
  hedeleg: fc.bigInt({ min: 0n, max: (1n << 16n) - 1n }),
}).map(({ words, regs, mode, medeleg, hedeleg }): Machine => {
  const x: Record<number, bigint> = {}
  regs.forEach((v, i) => { x[i + 1] = v })
  const m = machineWith(words, { priv: mode[0], virt: mode[1], x, csr: { mtvec: CODE, stvec: CODE, vstvec: CODE } })
  // delegation through the legalizing writes, as software would set it
  let h = csrWrite(m.hart, RV64IMAC_H, CSR.medeleg, medeleg).hart
  h = csrWrite(h, RV64IMAC_H, CSR.hedeleg, hedeleg).hart
  return withHart(m, h)
})


// Mostly simple instructions (ALU, loads, stores, branches, jumps) with random operands, some arbitrary
// words among them: programs on which the fast engine runs long stretches and `step` takes over often.
const SIMPLE = [0x13, 0x13, 0x33, 0x33, 0x1b, 0x3b, 0x03, 0x23, 0x23, 0x63, 0x37, 0x17, 0x6f, 0x67]
export const arbSimpleWord = fc.tuple(fc.constantFrom(...SIMPLE), fc.integer({ min: 0, max: 0x1ff_ffff }))
  .map(([op, rest]) => ((rest << 7) | op) >>> 0)

/** A machine as arbMachine makes it, running a longer program, with Spike's chunk length or a tiny one. */
export const arbProgramMachine = fc.record({
  base: arbMachine,
  words: fc.array(fc.oneof({ weight: 5, arbitrary: arbSimpleWord }, { weight: 1, arbitrary: arbWord }), { minLength: 1, maxLength: 40 }),
  interleave: fc.constantFrom(5000, 7, 3),
}).map(({ base, words, interleave }): Machine => {
  const withCode = machineWith(words, { priv: base.hart.priv, virt: base.hart.virt, x: Object.fromEntries(base.hart.x.map((v, i) => [i, v] as const).slice(1)), csr: base.hart.csr })
  return withOptions(withCode, { ...withCode.options, interleave })
})

// Well-formed loops: ALU, shift, load and store (through x2 = a data area), forward branches and jumps,
// a CSR read now and then (a handover to `step`), and a jump back to the start. They run for many
// steps without trapping, so long stretches of the fast engine are compared with `step`.
const reg = fc.integer({ min: 0, max: 15 }).filter((r) => r !== 2)
const DATA = CODE + 0x1000n
const R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw', 'mul', 'mulh', 'mulhu', 'div', 'divu', 'rem', 'remuw'] as const
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'] as const
const LOADS = [['lb', 1], ['lbu', 1], ['lh', 2], ['lhu', 2], ['lw', 4], ['lwu', 4], ['ld', 8]] as const
const STORES = [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]] as const
const imm12 = fc.integer({ min: -2048, max: 2047 }).map(BigInt)

const arbLoopInsn = (k: number): fc.Arbitrary<number> => fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...R_OPS), reg, reg, reg).map(([op, rd, a, b]) => encode(rType(op, rd, a, b))) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...I_OPS), reg, reg, imm12).map(([op, rd, a, i]) => encode(iType(op, rd, a, i))) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('slli', 'srli', 'srai'), reg, reg, fc.integer({ min: 0, max: 63 })).map(([op, rd, a, s]) => encode(shiftType(op, rd, a, s))) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...LOADS), reg, fc.integer({ min: 0, max: 255 }), fc.boolean())
    .map(([[op, size], rd, slot, odd]) => encode(iType(op, rd, 2, BigInt(slot * size + (odd ? 1 : 0))))) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...STORES), reg, fc.integer({ min: 0, max: 255 }))
    .map(([[op, size], rs2, slot]) => encode(sType(op, 2, rs2, BigInt(slot * size)))) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'), reg, reg, fc.integer({ min: 1, max: 3 }))
    .map(([op, a, b, d]) => encode(bType(op, a, b, BigInt(4 * Math.min(d, k))))) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('lui', 'auipc'), reg, fc.integer({ min: -0x80000, max: 0x7ffff })).map(([op, rd, i]) => encode(uType(op, rd, BigInt(i) << 12n))) },
  { weight: 1, arbitrary: reg.map((rd) => encode(csrType('csrrs', rd, 0, 0xb00))) },          // csrr rd, mcycle
)

export const arbLoopMachine = fc.record({
  body: fc.integer({ min: 1, max: 24 }).chain((len) => fc.tuple(...Array.from({ length: len }, (_, i) => arbLoopInsn(len - i)))),
  regs: fc.array(arbReg, { minLength: 31, maxLength: 31 }),
  interleave: fc.constantFrom(5000, 7, 3),
  priv: fc.constantFrom<Priv>(3, 1, 0),
}).map(({ body, regs, interleave, priv }): Machine => {
  const words = [...body, encode(jType(0, BigInt(-4 * body.length)))]            // j back to the start
  const x: Record<number, bigint> = {}
  regs.forEach((v, i) => { x[i + 1] = v })
  x[2] = DATA
  const m = machineWith(words, { priv, x, csr: { mtvec: CODE, stvec: CODE } })
  return withOptions(m, { ...m.options, interleave })
})
