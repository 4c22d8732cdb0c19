// Test fixtures for the CPU: a machine with a few instructions at 0x8000_0000 and a chosen mode/CSRs.
// Instruction words are given as numbers (hand-assembled, with the assembly in a comment) or built
// with the decoder's `encode`.
import { phys } from '../../src/bits/address.ts'
import { pokeBytes } from '../../src/memory/memory.ts'
import { type Csrs, type Hart, type Priv, hart } from '../../src/cpu/hart.ts'
import { type Isa, parseIsa } from '../../src/cpu/isa.ts'
import { type Machine, loadMachine, withHart, withMemory } from '../../src/machine/machine.ts'
import { type StepResult, step } from '../../src/machine/step.ts'

export const CODE = 0x8000_0000n

export const isa = (text: string): Isa => {
  const r = parseIsa(text)
  if (r._tag === 'Left') throw new Error(r.left)
  return r.right
}

export const RV64IMAC_H = isa('rv64imac_zicsr_zifencei_zicntr_h')

export interface Setup {
  readonly priv?: Priv
  readonly virt?: boolean
  readonly csr?: Partial<Csrs>
  readonly x?: Readonly<Record<number, bigint>>
  readonly isa?: Isa
  readonly pc?: bigint
  /** Where the words go (default 0x8000_0000). */
  readonly codeAt?: bigint
}

/** A machine out of reset (no ELF), with `words` (32-bit, little-endian) at 0x8000_0000 and pc there. */
export const machineWith = (words: readonly number[], s: Setup = {}): Machine => {
  const theIsa = s.isa ?? RV64IMAC_H
  const base = loadMachine(theIsa, { entry: CODE, flags: 0, segments: [], symbols: new Map(), tohost: { _tag: 'None' }, fromhost: { _tag: 'None' } })
  if (base._tag === 'Left') throw new Error(base.left.message)
  const bytes = new Uint8Array(words.length * 4)
  const view = new DataView(bytes.buffer)
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true))
  const m = base.right
  const x = m.hart.x.slice()
  for (const [r, v] of Object.entries(s.x ?? {})) x[Number(r)] = v
  const h: Hart = hart(s.pc ?? CODE, x, s.priv ?? 3, s.virt ?? false, { ...m.hart.csr, ...s.csr }, undefined, 0n, 0n)
  return withMemory(withHart(m, h), pokeBytes(m.memory, phys(s.codeAt ?? CODE), bytes))
}

/** Steps n times; returns every result. */
export const steps = (m: Machine, n: number): StepResult[] => {
  const out: StepResult[] = []
  let cur = m
  for (let i = 0; i < n; i++) {
    const r = step(cur)
    out.push(r)
    cur = r.machine
  }
  return out
}

export const stepOnce = (m: Machine): StepResult => step(m)
