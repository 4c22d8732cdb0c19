// A faster engine for `run`: the same machine and the same results as folding `step` (proved by
// properties/cpu/step-run.prop.ts), but the common instructions run in a loop over local state: the
// integer ALU, branches and jumps, and aligned loads and stores to RAM while address translation is off.
// Everything else (CSRs, traps, AMOs, system instructions, translation, devices, triggers, the end of a
// Spike chunk, interrupts) is left to `step`: the loop stops before such an instruction, hands back an
// ordinary Machine, and `step` takes it from there.
//
// The loop mutates its own locals only (a register array copied on entry, pc, counters); the machine it
// receives is never modified.
import { type Machine, machine, platform } from '../machine/machine.ts'
import { type PhysMemory, peek, poke } from '../memory/memory.ts'
import { type MemoryRegion } from '../memory/memory-map.ts'
import { phys } from '../bits/address.ts'
import { s64, u64 } from '../bits/bits.ts'
import { PRV_M, hart } from './hart.ts'
import { effectiveIsa } from './isa.ts'
import { MSTATUS_MPP, MSTATUS_MPRV, getField } from './csr/fields.ts'
import { pmpAllows } from './pmp.ts'
import { decodeMemo, implemented, step } from './step.ts'
import { LOAD_SIZE, STORE_SIZE, alu, extendLoad } from './execute/alu.ts'
import { type RunLimits, type RunResult } from '../machine/run.ts'

const ramOf = (m: Machine): MemoryRegion | undefined => m.memory.map.find((r) => r.kind === 'ram')

/** Can the loop take over? Translation off for fetch and data, no triggers, not at a batch start, not in WFI. */
const eligible = (m: Machine): boolean => {
  const h = m.hart
  const c = h.csr
  if (h.virt || m.platform.batchStart || m.platform.inWfi) return false
  if (h.priv === PRV_M) {
    if ((c.mstatus & MSTATUS_MPRV) !== 0n && getField(c.mstatus, MSTATUS_MPP) !== 3n) return false
  } else if (c.satp >> 60n !== 0n) return false
  return c.triggers.every(([t1]) => t1 >> 60n !== 2n)
}

/**
 * Runs like `run` (from machine/run.ts) without an observer: until the program exits through HTIF or
 * `limits.maxSteps` steps were made. Equal to folding `step`, step for step.
 */
export const runFast = (m0: Machine, limits: RunLimits): RunResult => {
  let m = m0
  let steps = 0
  while (m.htif.exitCode === undefined && steps < limits.maxSteps) {
    if (eligible(m)) {
      const r = loop(m, limits.maxSteps - steps)
      m = r.machine
      steps += r.steps
      if (m.htif.exitCode !== undefined || steps >= limits.maxSteps) break
    }
    m = step(m).machine
    steps++
  }
  return { machine: m, steps, reason: m.htif.exitCode !== undefined ? 'exit' : 'limit' }
}

/** The inner loop: runs simple instructions until one needs `step`; returns the machine and the count. */
const loop = (m: Machine, budget: number): { machine: Machine; steps: number } => {
  const h = m.hart
  const c = h.csr
  const isa = effectiveIsa(m.isa, c.misa)
  const ram = ramOf(m)
  if (ram === undefined) return { machine: m, steps: 0 }
  const ramLo = ram.base, ramHi = ram.base + ram.size
  const tohost = m.htif.tohost
  const x = h.x.slice()
  let pc = h.pc
  let memory: PhysMemory = m.memory
  let instret = h.instret, cycle = h.cycle
  const countI = (c.mcountinhibit & 4n) === 0n, countC = (c.mcountinhibit & 1n) === 0n
  let chunk = m.platform.chunk
  const interleave = m.options.interleave
  const priv = h.priv
  const inRam = (a: bigint, n: number): boolean => a >= ramLo && a + BigInt(n) <= ramHi
  const accessible = (a: bigint, n: number, kind: 'fetch' | 'load' | 'store'): boolean => inRam(a, n) && pmpAllows(c, a, n, kind, priv)
  let n = 0
  run: while (n < budget && chunk + 1 < interleave) {
    // fetch: both parcels must be readable RAM (otherwise `step` raises the fault)
    if (!accessible(pc, 2, 'fetch')) break
    let bits = Number(peek(memory, phys(pc), 2))
    if ((bits & 3) === 3) {
      if (!accessible(pc + 2n, 2, 'fetch')) break
      bits = (bits | (Number(peek(memory, phys(pc + 2n), 2)) << 16)) >>> 0
    }
    const insn = decodeMemo(bits)
    if (!implemented(insn, isa)) break
    const next = u64(pc + BigInt(insn.length))
    let npc = next
    switch (insn._tag) {
      case 'R':
        if (insn.rd !== 0) x[insn.rd] = alu(insn.op, x[insn.rs1]!, x[insn.rs2]!)
        break
      case 'Shift': {
        const a = x[insn.rs1]!, s = BigInt(insn.shamt)
        const v = insn.op === 'slli' ? u64(a << s) : insn.op === 'srli' ? a >> s : insn.op === 'srai' ? u64(s64(a) >> s)
          : insn.op === 'slliw' ? u64(BigInt.asIntN(32, a << s)) : insn.op === 'srliw' ? u64(BigInt.asIntN(32, (a & 0xffff_ffffn) >> s))
          : u64(BigInt.asIntN(32, a) >> s)
        if (insn.rd !== 0) x[insn.rd] = v
        break
      }
      case 'I': {
        const a = x[insn.rs1]!
        let v: bigint
        switch (insn.op) {
          case 'addi': v = u64(a + insn.imm); break
          case 'slti': v = s64(a) < insn.imm ? 1n : 0n; break
          case 'sltiu': v = a < u64(insn.imm) ? 1n : 0n; break
          case 'xori': v = a ^ u64(insn.imm); break
          case 'ori': v = a | u64(insn.imm); break
          case 'andi': v = a & u64(insn.imm); break
          case 'addiw': v = u64(BigInt.asIntN(32, a + insn.imm)); break
          case 'jalr': {
            const target = u64(a + insn.imm) & ~1n
            if (!isa.c && (target & 2n) !== 0n) break run
            v = next
            npc = target
            break
          }
          default: {
            const size = LOAD_SIZE[insn.op]!
            const va = u64(a + insn.imm)
            if ((va & BigInt(size - 1)) !== 0n || !accessible(va, size, 'load')) break run
            v = extendLoad(insn.op, peek(memory, phys(va), size))
          }
        }
        if (insn.rd !== 0) x[insn.rd] = v
        break
      }
      case 'S': {
        const size = STORE_SIZE[insn.op]!
        const va = u64(x[insn.rs1]! + insn.imm)
        if ((va & BigInt(size - 1)) !== 0n || !accessible(va, size, 'store')) break run
        if (tohost !== undefined && va < tohost + 8n && va + BigInt(size) > tohost) break run   // HTIF: `step` decides
        memory = poke(memory, phys(va), size, x[insn.rs2]!)
        break
      }
      case 'B': {
        const a = x[insn.rs1]!, b = x[insn.rs2]!
        const taken = insn.op === 'beq' ? a === b : insn.op === 'bne' ? a !== b : insn.op === 'blt' ? s64(a) < s64(b)
          : insn.op === 'bge' ? s64(a) >= s64(b) : insn.op === 'bltu' ? a < b : a >= b
        if (taken) {
          const target = u64(pc + insn.imm)
          if (!isa.c && (target & 2n) !== 0n) break run
          npc = target
        }
        break
      }
      case 'U':
        if (insn.rd !== 0) x[insn.rd] = insn.op === 'lui' ? u64(insn.imm) : u64(pc + insn.imm)
        break
      case 'J': {
        const target = u64(pc + insn.imm)
        if (!isa.c && (target & 2n) !== 0n) break run
        if (insn.rd !== 0) x[insn.rd] = next
        npc = target
        break
      }
      case 'Fence':
        break
      default:
        break run
    }
    pc = npc
    if (countI) instret++
    if (countC) cycle++
    chunk++
    n++
  }
  if (n === 0) return { machine: m, steps: 0 }
  const h1 = hart(pc, x, h.priv, h.virt, c, h.reservation, instret, cycle)
  const p = m.platform
  return { machine: machine(m.isa, m.options, h1, memory, m.tlb, m.htif, platform(p.mtime, p.mtimecmp, chunk, false, false)), steps: n }
}
